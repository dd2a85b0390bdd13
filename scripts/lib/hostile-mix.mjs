// The demo's side of its attackers: forks attacker-process.mjs and drives it over IPC.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * The relaying attackers of the hostile demo, in the order they join between batches of
 * honest joiners (the raw eclipse sockets come apart, first). The silent relays come last:
 * a relay joining below one of them would never receive a block to misuse.
 */
export const RELAY_KINDS = ['liar', 'flooder', 'junk', 'replayer', 'silent', 'silent']

export function startAttackers () {
  const child = fork(fileURLToPath(new URL('./attacker-process.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  let next = 0
  const waiting = new Map()
  let exit = null
  child.on('message', (msg) => {
    const done = waiting.get(msg.id)
    waiting.delete(msg.id)
    done?.(msg)
  })
  child.on('exit', (code, signal) => {
    exit = { code, signal }
    for (const done of waiting.values()) done({ error: `the attacker process exited (${signal ?? code})` })
    waiting.clear()
  })
  // Every command is bounded: a starved attacker process must not hang the demo.
  const send = (cmd, args, ms = 15_000) => new Promise((resolve) => {
    if (exit !== null) { resolve({ error: 'the attacker process is gone' }); return }
    const id = next++
    const timer = setTimeout(() => { waiting.delete(id); resolve({ error: `no answer to ${cmd} in ${ms} ms` }) }, ms)
    waiting.set(id, (msg) => { clearTimeout(timer); resolve(msg) })
    child.send({ id, cmd, args })
  })
  return {
    eclipse: (url, key, count, trees) => send('eclipse', { url, key, count, trees }),
    relay: (url, key, kind, trees) => send('relay', { url, key, kind, trees }),
    stats: () => send('stats'),
    get exit () { return exit },
    async close () {
      if (exit === null) await send('close', undefined, 5_000)
      if (exit !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
  }
}
