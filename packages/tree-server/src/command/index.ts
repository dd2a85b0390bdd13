/**
 * The `peer-tree-server` command: argv, stdout, stderr, signals and the exit code around
 * startCommandServer. Exit codes: 0 after a drain or --help, 1 when it cannot start, 2 for
 * bad usage.
 */
import { DRAIN_TIMEOUT_MS, startCommandServer } from './app.js'
import { parseCommand } from './options.js'

export { startCommandServer, DRAIN_TIMEOUT_MS, READY_TIMEOUT_MS } from './app.js'
export type { CommandServer, CommandDeps } from './app.js'
export { parseCommand, helpText, FLAG_NAMES } from './options.js'
export type { CommandOptions, ParsedCommand } from './options.js'

const say = (line: string): void => { process.stderr.write(`peer-tree-server: ${line}\n`) }

export async function runCommand (argv: readonly string[]): Promise<void> {
  const parsed = parseCommand(argv)
  if (parsed.kind === 'help') {
    process.stdout.write(`${parsed.text}\n`)
    return
  }
  if (parsed.kind === 'error') {
    say(parsed.message)
    process.exitCode = 2
    return
  }
  let running
  try {
    running = await startCommandServer(parsed.options)
  } catch (err) {
    say(`cannot start: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
    return
  }
  process.stdout.write(`listening on ${running.url}\n`)
  // The ID members' `holder` records: what ties a process's log to the store.
  say(`process ${running.treeServer.processID}, ${parsed.options.redis == null ? 'trees in this process' : 'trees in Redis'}`)
  // With the cause: "Tree store unavailable" alone does not say that Redis went away.
  running.treeServer.on('error', (err) => { say(err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message) })

  const server = running
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return
    stopping = true
    say(`${signal}: draining`)
    // A bound on a hang: whatever happens in the drain, the process is gone within 5 s.
    setTimeout(() => { say('drain did not finish in time; exiting'); process.exit(0) }, DRAIN_TIMEOUT_MS + 500).unref()
    server.drain().then((n) => {
      say(`drained ${n} socket${n === 1 ? '' : 's'}; exiting`)
      process.exit(0)
    }, (err: unknown) => {
      say(`drain failed: ${err instanceof Error ? err.message : String(err)}`)
      process.exit(0)
    })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}
