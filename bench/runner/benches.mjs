// Every benchmark the runner runs, in table order: how to start it (a script of this
// repository, run with Node from the repository root), its arguments at full and at quick
// size, and what it needs to run at all. Each prints its figures as its last stdout line
// (bench/report.mjs) when BENCH_JSON=1 is in its environment.

const MINUTE = 60_000

export const BENCHES = [
  {
    name: 'chain-latency',
    title: 'per relay hop',
    about: 'a chain of feed relays against a chain of bare simple-peer relays, one run',
    script: 'bench/chain-latency.mjs',
    args: ['6'],
    quickArgs: ['3']
  },
  {
    name: 'verify',
    title: 'verify (Node)',
    about: 'verifyBlock per Ed25519 backend, entry size and entries per block',
    script: 'packages/broadcast/bench/verify.bench.mjs',
    env: { BENCH_SECONDS: '1' },
    quickEnv: { BENCH_SECONDS: '0.2' }
  },
  {
    name: 'browser-verify',
    title: 'verify (Chromium)',
    about: 'verifyLog in a Chromium page, WebCrypto and noble',
    script: 'bench/browser-verify.mjs',
    quickEnv: { BENCH_ENTRIES: '16384' },
    needs: ['/usr/bin/chromium']
  },
  {
    name: 'joins',
    title: 'joins (in-process)',
    about: 'raw socket.io clients joining one tree of a server in the same process',
    script: 'bench/joins.mjs',
    args: ['2000'],
    quickArgs: ['300']
  },
  {
    name: 'server-command',
    title: 'joins (command)',
    about: 'the peer-tree-server command as a process: joins, /metrics, SIGTERM drains',
    script: 'bench/server-command.mjs',
    args: ['1000'],
    quickArgs: ['200'],
    needs: ['/usr/sbin/haproxy']
  },
  {
    name: 'sizes',
    title: 'browser builds',
    about: 'gzip -9 sizes of the standalone builds and of esbuild apps, against budgets',
    script: 'bench/sizes.mjs'
  },
  {
    name: 'gossipsub',
    title: 'feed vs gossipsub',
    about: 'the same 25-node workload on a feed and on js-libp2p gossipsub, one process each',
    script: 'bench/gossipsub.mjs',
    quickArgs: ['--entries', '400'],
    timeoutMs: 30 * MINUTE
  },
  {
    name: 'feed-cpu',
    title: 'CPU per block',
    about: 'CPU time a feed and a bare tree spend per delivered block at 20 and 100 entries/s, and idle',
    script: 'bench/feed-cpu.mjs',
    quickArgs: ['--rounds', '1', '--seconds', '4', '--idle-seconds', '2']
  },
  {
    name: 'video',
    title: 'live video',
    about: 'the same canvas as feed entries (1 and 2 trees) and as a MediaStream relayed by MediaRelay, Chromium pages, one run',
    script: 'bench/video.mjs',
    args: ['--seconds', '8'],
    quickArgs: ['--seconds', '3', '--players', '3']
  },
  {
    name: 'sim',
    title: 'simulator',
    about: 'one seeded simulated run: real server transitions and feed code over simulated links, 10 %/min churn',
    // Bundled and run by sim/launch.mjs (as npm run simulate): tsx would cost a tenth more CPU.
    script: 'sim/launch.mjs',
    args: ['--json', '--seed', '1', '--peers', '2000', '--entries', '1000', '--burst', '50'],
    quickArgs: ['--json', '--seed', '1', '--peers', '500', '--entries', '200', '--burst', '50'],
    plain: true,
    needs: ['sim/launch.mjs'],
    timeoutMs: 10 * MINUTE
  }
]

export const DEFAULT_TIMEOUT_MS = 15 * MINUTE
export const QUICK_TIMEOUT_MS = 5 * MINUTE
