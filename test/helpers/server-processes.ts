/**
 * `peer-tree-server` command processes for tests: each is `node
 * packages/tree-server/bin/peer-tree-server.mjs --port 0 ...args` (the built command, so run
 * `pnpm run build` after changing the server's src), started on 127.0.0.1 and ready once its
 * first stdout line says where it listens. A `ServerProcesses` owns what it started and kills
 * every one still running in `close()`; none outlives the test process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
export const SERVER_BIN = join(root, 'packages/tree-server/bin/peer-tree-server.mjs')

export interface Exit { code: number | null, signal: NodeJS.Signals | null }

export interface ServerProcess {
  /** http://127.0.0.1:PORT, from its first stdout line. */
  url: string
  port: number
  /** host:port, as a load balancer names it. */
  addr: string
  pid: number
  /** Sends `signal` (SIGTERM drains, SIGKILL is a crash). Returns false if it had exited. */
  kill: (signal?: NodeJS.Signals) => boolean
  /** Resolves when the process has exited, with its code or signal. */
  exited: Promise<Exit>
  /** Everything it wrote on stdout and stderr so far. */
  stdout: () => string
  stderr: () => string
}

export interface StartOptions {
  /** More command-line arguments, after `--port 0 --host 127.0.0.1`. */
  args?: readonly string[]
  /** Environment variables, over the test process's own. */
  env?: Record<string, string>
  /** Bound (ms) on the wait for the first line. @default 15000 */
  ms?: number
}

const alive = new Set<ChildProcess>()
process.on('exit', () => { for (const child of alive) child.kill('SIGKILL') })

/** Starts one command process; resolves once it printed `listening on http://HOST:PORT`. */
async function startOne (opts: StartOptions, owned: Set<ChildProcess>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER_BIN, '--port', '0', '--host', '127.0.0.1', ...(opts.args ?? [])], {
    cwd: root,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  alive.add(child)
  owned.add(child)
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => {
    alive.delete(child)
    owned.delete(child)
    resolve({ code, signal })
  }))
  const lines = createInterface({ input: child.stdout })
  const ms = opts.ms ?? 15_000
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const first = await Promise.race([
      new Promise<string>((resolve) => lines.once('line', resolve)),
      exited.then((e) => { throw new Error(`peer-tree-server exited (${e.code ?? e.signal ?? '?'}) before it listened:\n${err}`) }),
      new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`peer-tree-server said nothing within ${ms} ms:\n${err}`)), ms) })
    ])
    const url = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(first)
    if (url === null) throw new Error(`peer-tree-server's first line is not "listening on http://HOST:PORT": ${first}`)
    const port = Number(url[2])
    return {
      url: url[1] ?? '',
      port,
      addr: `127.0.0.1:${port}`,
      pid: child.pid ?? 0,
      kill: (signal = 'SIGTERM') => child.exitCode === null && child.signalCode === null && child.kill(signal),
      exited,
      stdout: () => out,
      stderr: () => err
    }
  } catch (e) {
    child.kill('SIGKILL')
    throw e
  } finally {
    clearTimeout(timer)
    lines.close()
  }
}

/** The command processes one test starts; `close()` kills those still running and waits for them. */
export class ServerProcesses {
  readonly #owned = new Set<ChildProcess>()
  readonly started: ServerProcess[] = []

  /** Starts `n` processes with the same options, in parallel. */
  async start (n: number, opts: StartOptions = {}): Promise<ServerProcess[]> {
    const procs = await Promise.all(Array.from({ length: n }, async () => await startOne(opts, this.#owned)))
    this.started.push(...procs)
    return procs
  }

  async close (): Promise<void> {
    const exits = this.started.splice(0).map(async (p) => { p.kill('SIGKILL'); await p.exited })
    await Promise.all(exits)
    for (const child of this.#owned) child.kill('SIGKILL')
  }
}
