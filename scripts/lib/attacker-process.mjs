// The hostile peers of the demo, in a process of their own (forked by hostile-mix.mjs), so
// that the CPU time and memory the demo reports for its own process are what the victims
// (server, source, honest subscribers) spent, not what the attackers spent.
// Commands come over the IPC channel; every reply is { id, ...result }.
import { eclipseSockets, hostileRelay } from './attackers.mjs'

const attackers = [] // { kind, handle }
const timers = new Set()
const FAR = 2 ** 40

function every (ms, fn) {
  const t = setInterval(fn, ms)
  timers.add(t)
}

const commands = {
  eclipse ({ url, key, count, trees }) {
    const handle = eclipseSockets(url, key, { count, trees })
    attackers.push({ kind: 'eclipse', handle })
    return {}
  },
  relay ({ url, key, kind, trees }) {
    const opts = {
      silent: { forward: false },
      liar: { have: FAR },
      flooder: {},
      junk: { junkBytes: 4096 },
      replayer: { record: 200 }
    }[kind]
    const handle = hostileRelay(url, key, { trees, ...opts })
    attackers.push({ kind, handle })
    if (kind === 'flooder') {
      // Every 100 ms, per tree: 5 WANTs for the first 64 blocks (real history) and 5 past the end
      // (300 WANTs a second over 3 trees, about 4 KB/s).
      let far = 1_000_000
      every(100, () => {
        for (const t of trees) {
          handle.wantFlood({ tree: t, from: 0, to: 63, count: 5 })
          handle.wantFlood({ tree: t, from: far, to: far + 63, step: 64, count: 5 })
        }
        far += 5 * 64
      })
    }
    if (kind === 'replayer') every(500, () => { if (handle.recorded.length > 0) handle.replay() })
    // Answer once placed in every tree (or after 5 s), so that the demo's next joiners come after it.
    return new Promise((resolve) => {
      const end = Date.now() + 5_000
      const check = () => {
        if (handle.peerIDs().every((id) => id !== null) || Date.now() > end) resolve({})
        else setTimeout(check, 20)
      }
      check()
    })
  },
  stats () {
    const out = {}
    for (const { kind, handle } of attackers) {
      const s = out[kind] ?? (out[kind] = { count: 0, peerIDs: [] })
      s.count += kind === 'eclipse' ? handle.sockets.length : 1
      if (kind === 'eclipse') {
        for (const set of handle.peerIDs) s.peerIDs.push(...set)
        s.confirmed = (s.confirmed ?? 0) + handle.stats.confirmed
      } else {
        s.peerIDs.push(...handle.peerIDs().filter((id) => id !== null))
        for (const [k, v] of Object.entries(handle.stats)) s[k] = (s[k] ?? 0) + v
      }
    }
    return { attackers: out, cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000), rss: process.memoryUsage().rss }
  },
  close () {
    for (const t of timers) clearInterval(t)
    for (const { handle } of attackers) handle.close()
    setTimeout(() => process.exit(0), 200)
    return {}
  }
}

process.on('message', async ({ id, cmd, args }) => {
  let result
  try {
    result = await commands[cmd](args ?? {})
  } catch (err) {
    result = { error: String(err) }
  }
  process.send({ id, ...result })
})
process.on('disconnect', () => process.exit(0))
