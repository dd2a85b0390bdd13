// How often @roamhq/wrtc crashes (SIGSEGV) when links die mid-send, by who kills them. Each run
// is a process of 200 links, each sending a stream through a FeedLink until it is killed:
// by the other end (a peer in another process destroys itself), by this end's peer, or by the
// link. FeedLink never sends on a channel JavaScript knows is not open; a close from the other
// end is released by wrtc on its own thread, which no JavaScript check can order against a
// send, so those runs can still crash. Prints crashes per kind. After a build:
//   node bench/send-churn.mjs [runs=6] [rounds=200]
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { machine } from './lib.mjs'

const runs = Number(process.argv[2] ?? 6)
const rounds = String(process.argv[3] ?? 200)
const script = fileURLToPath(new URL('../packages/broadcast/test/fixtures/send-churn.mjs', import.meta.url))
console.log(`send churn: ${runs} runs of ${rounds} links killed mid-send, per kind of kill (${machine})`)
for (const kills of ['peer,link', 'remote']) {
  let crashed = 0
  let badSends = 0
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [script, rounds, String(i + 1), kills], { encoding: 'utf8' })
    if (r.signal !== null || r.status !== 0) crashed++
    const last = r.stdout.trim().split('\n').pop()
    if (last?.startsWith('{') === true) badSends += JSON.parse(last).badSends
  }
  console.log(`killed by ${kills === 'remote' ? 'the other end' : 'this end (peer or link)'}: ${crashed} of ${runs} runs crashed; sends after a close JavaScript knew of: ${badSends}`)
}
