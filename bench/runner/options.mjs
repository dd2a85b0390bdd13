// The runner's command line. `npm run bench -- --quick` passes it through; `npm run bench
// --quick` (without `--`) reaches the runner only as npm's environment (npm_config_quick), so
// that is read too.

export const USAGE = `usage: node bench/run-all.mjs [--only name,...] [--quick] [--json] [--help]

Runs every benchmark, each as a child process with BENCH_JSON=1, and prints one table.
  --only a,b   run only these benches (names as in the table's first column of --list)
  --quick      smaller sizes: a check that everything runs, not figures to quote
  --json       print the whole result as JSON instead of the table
  --list       print the benches and what each measures
  --help       this text
Exits 1 if any bench failed (it is shown as failed with its error; the others still run).`

/**
 * `{ only?: string[], quick, json, help, list }` from argv (after the script) and npm's
 * environment; `{ error }` for an argument it does not know.
 */
export function parseOptions (argv, env = {}) {
  const opts = { quick: env.npm_config_quick === 'true', json: false, help: false, list: false }
  if (typeof env.npm_config_only === 'string' && env.npm_config_only !== '' && env.npm_config_only !== 'true') opts.only = split(env.npm_config_only)
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--quick') opts.quick = true
    else if (arg === '--json') opts.json = true
    else if (arg === '--help' || arg === '-h') opts.help = true
    else if (arg === '--list') opts.list = true
    else if (arg === '--only' && argv[i + 1] !== undefined) opts.only = split(argv[++i])
    else if (arg.startsWith('--only=')) opts.only = split(arg.slice('--only='.length))
    else return { error: `unknown argument: ${arg}` }
  }
  return opts
}

const split = (list) => list.split(',').map((s) => s.trim()).filter((s) => s !== '')
