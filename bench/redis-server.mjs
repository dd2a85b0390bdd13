// A throwaway redis-server for tests and benchmarks: its own port on 127.0.0.1, its own
// temporary directory, the append-only file on (so a restart brings the data back) and no
// snapshots. It never outlives this process: a watchdog shell holds a pipe from us and kills
// the server when the pipe closes (this process died, however it died), and an 'exit' hook
// kills it on an orderly exit.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ports.mjs'

const live = new Set()
process.once('exit', () => { for (const child of live) child.kill('SIGKILL') })

/** One PING over a raw socket: true if the server answered PONG. */
async function pings (port) {
  return await new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok) => { socket.destroy(); resolve(ok) }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
    socket.write('PING\r\n')
  })
}

/** Starts redis-server on `port` in `dir`; resolves once it answers PING, rejects if it exits first. */
async function launch (port, dir) {
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'yes', '--daemonize', 'no', '--logfile', ''
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  const keep = (chunk) => { log = (log + chunk.toString()).slice(-4000) }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  live.add(child)
  const watchdog = spawn('sh', ['-c', `read _; kill -9 ${child.pid} 2>/dev/null`], { stdio: ['pipe', 'ignore', 'ignore'] })
  watchdog.unref()
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    live.delete(child)
    watchdog.kill('SIGKILL')
    resolve({ code, signal })
  }))
  let gone = false
  exited.then(() => { gone = true })
  for (;;) {
    if (gone) throw Object.assign(new Error(`redis-server exited before it answered:\n${log}`), { code: 'EXITED', log })
    if (await pings(port)) return { child, exited, log: () => log }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * Start a redis-server. `url` is redis://127.0.0.1:PORT. `stop()` ends it (SIGTERM, waits
 * for the exit) and removes its directory; `restart()` stops it and starts it again on the
 * same port and directory (the append-only file brings the data back); `kill()` SIGKILLs it
 * (a crash: no final write) and leaves the directory for a `restart()`; `pause()` and
 * `resume()` stop and continue it (SIGSTOP, SIGCONT): connections stay open and nothing answers.
 */
export async function startRedisServer () {
  const dir = mkdtempSync(join(tmpdir(), 'peer-tree-redis-'))
  let port = 0
  let proc
  for (let attempt = 0; ; attempt++) {
    port = await freePort()
    try {
      proc = await launch(port, dir)
      break
    } catch (err) {
      // Another process took the port between the probe and the bind: pick another.
      if (attempt < 5 && /Address already in use/i.test(err.log ?? '')) continue
      rmSync(dir, { recursive: true, force: true })
      throw err
    }
  }
  const end = async (signal) => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill(signal)
      // A paused server acts on SIGTERM only once it runs again.
      proc.child.kill('SIGCONT')
    }
    await proc.exited
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop () {
      await end('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
    async kill () { await end('SIGKILL') },
    pause () { proc.child.kill('SIGSTOP') },
    resume () { proc.child.kill('SIGCONT') },
    async restart () {
      await end('SIGTERM')
      proc = await launch(port, dir)
    }
  }
}
