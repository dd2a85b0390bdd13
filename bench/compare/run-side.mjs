// One side of the comparison in a process of its own, so neither side pays for what the
// other left behind (WebRTC threads closing, a grown heap). Prints `{ figures, setup }` as
// JSON on its last stdout line. Run by bench/gossipsub.mjs:
//   node bench/compare/run-side.mjs feed|gossipsub '<workload as JSON>' '<options as JSON>'
import { runFeed } from './feed-swarm.mjs'
import { runGossipsub } from './gossipsub-swarm.mjs'

const [side, workloadJson, optionsJson = '{}'] = process.argv.slice(2)
const run = { feed: runFeed, gossipsub: runGossipsub }[side]
if (run === undefined) {
  console.error('usage: node bench/compare/run-side.mjs feed|gossipsub <workload JSON> [options JSON]')
  process.exit(2)
}
const result = await run(JSON.parse(workloadJson), JSON.parse(optionsJson))
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
