/**
 * haproxy (the system's /usr/sbin/haproxy) in front of signalling processes, as a deployment
 * runs it: the config is the one docs/deploy.md documents, with only the listen address, the
 * runtime API socket, the servers and the health-check intervals swapped for a test's
 * (bench/haproxy-config.mjs, shared with the benchmarks).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect as connectUnix } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HAPROXY, documentedConfig, testConfig, type TestConfigOptions } from '../../bench/haproxy-config.mjs'
import { freePort } from '../../bench/ports.mjs'
import { until } from './wait.js'

export { HAPROXY, documentedConfig, testConfig, type TestConfigOptions }

/** One command on haproxy's runtime API (the stats socket); resolves with its whole answer. */
async function ask (socketPath: string, command: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const conn = connectUnix(socketPath)
    let answer = ''
    conn.setEncoding('utf8')
    conn.on('data', (d: string) => { answer += d })
    conn.on('error', reject)
    conn.on('end', () => resolve(answer))
    conn.end(`${command}\n`)
  })
}

const running = new Set<ChildProcess>()
// haproxy must not outlive the test process, whatever ends it.
process.on('exit', () => { for (const child of running) child.kill('SIGKILL') })

export interface ServerStat {
  /** s1, s2, ... in the order the backends were given. */
  name: string
  /** host:port */
  addr: string
  /** haproxy's word: UP, DOWN, MAINT, DRAIN, 'UP 1/2', ... */
  status: string
}

export interface Haproxy {
  /** http://127.0.0.1:PORT, the address the clients use. */
  url: string
  /** The backend section's name in the documented config. */
  backend: string
  /** The config haproxy runs (for a failure message). */
  config: string
  /** What haproxy said on stdout and stderr so far. */
  output: () => string
  /** The backends' servers as `show stat` gives them. */
  servers: () => Promise<ServerStat[]>
  /** host:port of every backend haproxy counts up now. */
  backendsUp: () => Promise<string[]>
  /** Resolves once exactly `addrs` (in any order) are up. */
  waitForUp: (addrs: readonly string[], what?: string) => Promise<void>
  /** Sets the administrative state of the server at `addr`: `maint` takes it out (checks too), `ready` puts it back. */
  setState: (addr: string, state: 'ready' | 'drain' | 'maint') => Promise<void>
  /** Sends one runtime API command; resolves with haproxy's answer. */
  command: (command: string) => Promise<string>
  /** Stops haproxy and removes its temp dir. Idempotent. */
  stop: () => Promise<void>
}

async function launch (config: string, dir: string): Promise<ChildProcess> {
  const file = join(dir, 'haproxy.cfg')
  writeFileSync(file, config)
  // -db: in the foreground, one process, so killing the child kills haproxy.
  const child = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

/**
 * Starts haproxy on a free 127.0.0.1 port in front of `backends` (host:port each), with the
 * documented config and fast health checks. Resolves once its runtime API answers (it binds
 * its listeners before that), not once the backends are up: `waitForUp` says when.
 */
export async function startHaproxy (backends: readonly string[], opts: { checkMs?: number } = {}): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'peer-tree-haproxy-'))
  const statsSocket = join(dir, 'admin.sock')
  let out = ''
  let child: ChildProcess | undefined
  let built: { config: string, backend: string } | undefined
  let port = 0
  // The free port can be taken between the probe and haproxy's bind: try again with another.
  for (let attempt = 0; attempt < 3 && child === undefined; attempt++) {
    port = await freePort()
    built = testConfig(documentedConfig(), { backends, port, statsSocket, ...opts })
    const started = await launch(built.config, dir)
    const collect = (d: Buffer): void => { out += d.toString() }
    started.stdout?.on('data', collect)
    started.stderr?.on('data', collect)
    let exited = false
    const exit = new Promise<false>((resolve) => started.once('exit', () => { exited = true; resolve(false) }))
    const up = until(async () => exited || await ask(statsSocket, 'show info').then(() => true, () => false), { what: 'haproxy answers on its runtime API', ms: 10_000 })
      .then(() => !exited, () => false)
    if (await Promise.race([up, exit])) child = started
    else if (/cannot bind|Address already in use/i.test(out)) started.kill('SIGKILL')
    else { started.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); throw new Error(`haproxy did not start:\n${out}`) }
  }
  if (child === undefined || built === undefined) throw new Error(`haproxy found no free port:\n${out}`)
  const { config, backend } = built
  const proc = child
  const names = new Map(backends.map((addr, i) => [addr, `s${i + 1}`]))

  const command = async (cmd: string): Promise<string> => await ask(statsSocket, cmd)
  const servers = async (): Promise<ServerStat[]> => {
    const [header = '', ...rows] = (await command('show stat')).trim().split('\n')
    const columns = header.replace(/^# /, '').split(',')
    const col = (name: string): number => columns.indexOf(name)
    return rows.map((r) => r.split(',')).filter((f) => f[col('pxname')] === backend && f[col('svname')] !== 'BACKEND')
      .map((f) => ({ name: f[col('svname')] ?? '', addr: f[col('addr')] ?? '', status: f[col('status')] ?? '' }))
  }
  const backendsUp = async (): Promise<string[]> => (await servers()).filter((s) => s.status === 'UP').map((s) => s.addr)
  let stopped: Promise<void> | undefined

  return {
    url: `http://127.0.0.1:${port}`,
    backend,
    config,
    output: () => out,
    servers,
    backendsUp,
    async waitForUp (addrs, what) {
      const want = [...addrs].sort().join(' ')
      await until(async () => (await backendsUp()).sort().join(' ') === want, {
        what: what ?? `haproxy counts exactly [${want}] up`,
        ms: 15_000,
        describe: async () => JSON.stringify(await servers())
      })
    },
    async setState (addr, state) {
      const name = names.get(addr)
      if (name === undefined) throw new Error(`no backend ${addr}`)
      const answer = await command(`set server ${backend}/${name} state ${state}`)
      if (answer.trim() !== '') throw new Error(`haproxy refused 'set server ${backend}/${name} state ${state}': ${answer}`)
    },
    command,
    stop: async () => {
      stopped ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          const gone = new Promise((resolve) => proc.once('exit', resolve))
          proc.kill('SIGKILL')
          await gone
        }
        rmSync(dir, { recursive: true, force: true })
      })()
      await stopped
    }
  }
}
