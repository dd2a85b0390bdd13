// Runs one bench as a child process from the repository root, BENCH_JSON=1 in its
// environment, and turns what it printed into a result for the table.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { createInterface } from 'node:readline'
import { DEFAULT_TIMEOUT_MS, QUICK_TIMEOUT_MS } from './benches.mjs'
import { clip, parseFigures } from './table.mjs'

/** The program and arguments of `bench` at full or quick size. */
export function commandOf (bench, quick) {
  if (bench.command !== undefined) return quick && bench.quickCommand !== undefined ? bench.quickCommand : bench.command
  return [process.execPath, bench.script, ...((quick ? bench.quickArgs : undefined) ?? bench.args ?? [])]
}

/**
 * Runs `bench`; resolves with `{ name, title, status, figures?, error?, reason?, seconds }`.
 * `log(line)` gets what the bench prints (its own lines, not the JSON one), for the person watching.
 */
export async function runBench (bench, { root, quick, log }) {
  const base = { name: bench.name, title: bench.title }
  const missing = (bench.needs ?? []).find((p) => !existsSync(isAbsolute(p) ? p : join(root, p)))
  if (missing !== undefined) return { ...base, status: 'not run', reason: `${missing} does not exist` }
  const [program, ...args] = commandOf(bench, quick)
  const env = { ...process.env, ...bench.env, ...(quick ? bench.quickEnv : {}), BENCH_JSON: '1' }
  const timeoutMs = quick ? Math.min(QUICK_TIMEOUT_MS * 2, bench.timeoutMs ?? QUICK_TIMEOUT_MS) : bench.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const start = performance.now()
  const run = await spawnCollect(isAbsolute(program) ? program : join(root, program), args, { cwd: root, env, timeoutMs, log })
  const seconds = (performance.now() - start) / 1000
  if (run.timedOut) return { ...base, status: 'failed', error: `timed out after ${Math.round(timeoutMs / 1000)} s`, seconds }
  if (run.code !== 0) {
    const why = run.signal !== null ? `killed by ${run.signal}` : `exit ${run.code}`
    return { ...base, status: 'failed', error: `${why}: ${clip(lastLines(run.stderr, 3) || lastLines(run.stdout, 3) || 'no output', 300)}`, seconds }
  }
  const parsed = parseFigures(run.stdout, { plain: bench.plain === true })
  if (!parsed.ok) return { ...base, status: 'failed', error: parsed.error, seconds }
  return { ...base, status: 'ok', figures: parsed.figures, seconds }
}

const lastLines = (text, n) => text.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(-n).join(' | ')

/** Spawns and collects stdout and stderr; kills the process group at `timeoutMs`. */
function spawnCollect (program, args, { cwd, env, timeoutMs, log }) {
  return new Promise((resolve) => {
    // Its own process group, so a timeout also ends what the bench started (servers, browsers).
    const child = spawn(program, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    const echo = (line) => { if (line.trim() !== '' && !line.startsWith('{"bench"')) log(`  ${line}`) }
    createInterface({ input: child.stdout }).on('line', (line) => { stdout += `${line}\n`; echo(line) })
    createInterface({ input: child.stderr }).on('line', (line) => { stderr += `${line}\n`; echo(line) })
    const timer = setTimeout(() => {
      timedOut = true
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
    }, timeoutMs)
    child.once('error', (err) => { clearTimeout(timer); resolve({ code: -1, signal: null, stdout, stderr: `${stderr}\n${err.message}`, timedOut }) })
    child.once('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr, timedOut }) })
  })
}
