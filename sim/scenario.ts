/**
 * A simulation scenario: every option, its default and why, and the command line that sets
 * them (`npm run simulate -- --help` prints this list).
 */
import { parseArgs } from 'node:util'
import type { ChurnOptions } from './churn-model.js'
import type { BandwidthClass, NetworkOptions } from './network-model.js'

export interface FeedSettings {
  /**
   * Blocks a peer keeps encoded to answer WANTs. The real default is 4,096: lru-cache sizes its
   * tables by it, which at 100,000 peers is gigabytes for nothing (a churn gap lasts a second).
   */
  cacheBlocks: number
  /** Block indices the dedup window remembers (the real default is 8,192). */
  dedupWindow: number
  /**
   * Delivered blocks a subscriber keeps decoded (the real default keeps all, which at 100,000
   * peers is every entry 100,000 times over); older ones are served from the cache or further up.
   */
  retainBlocks: number
  /** How often a subscriber looks for gaps and judges its upstreams (Feed.join uses 50 ms). */
  tickMs: number
  gapGraceMs: number
  wantTimeoutMs: number
  /** Virtual time one signature takes at the source (ms): a busy source batches entries. */
  signMs: number
}

export interface Scenario {
  seed: number
  /** Subscribers present before the first append (silent relays included). */
  peers: number
  trees: number
  k: number
  k1: number
  entries: number
  /** Entries appended per second. */
  rate: number
  /** Entries appended together (the source then signs them into fewer blocks). */
  burst: number
  entryBytes: number
  backfill: boolean
  /** The initial peers join at times spread evenly at random over this window (ms). */
  joinWindowMs: number
  /** How long after the last append survivors may take to get everything (ms). */
  drainMs: number
  /** Fraction of the initial peers that are silent relays (relay in every tree, forward nothing). */
  silent: number
  /** Where a newcomer's log starts: at the tip when it joined, or at the start (it backfills the history). */
  newcomersFrom: 'tip' | 'start'
  network: NetworkOptions
  churn: ChurnOptions
  feed: FeedSettings
  /** PeerTreeClient's connection timeout (ms). */
  timeoutMs: number
  /** Round trips between two peers from the answer to a working data channel (ICE, DTLS, SCTP). */
  handshakeRtts: number
}

export const DEFAULT_SCENARIO: Scenario = {
  seed: 1,
  peers: 1_000,
  trees: 3,
  k: 3,
  k1: 4,
  entries: 1_000,
  rate: 100,
  burst: 1,
  entryBytes: 40,
  backfill: true,
  joinWindowMs: 5_000,
  drainMs: 30_000,
  silent: 0,
  newcomersFrom: 'tip',
  network: {
    latencyMs: 50,
    latencySigma: 0.5,
    serverRttMs: 20,
    uploadClasses: [{ mbps: 2, share: 0.2 }, { mbps: 10, share: 0.5 }, { mbps: 50, share: 0.3 }],
    sourceMbps: 100,
    messageCostMs: 0.02
  },
  churn: {
    sessions: 'poisson',
    ratePerMin: 0.1,
    weibullShape: 0.5,
    replace: true,
    flash: null,
    mass: null,
    interior: 0,
    departure: 'leave',
    crashDetectMs: 20_000
  },
  feed: {
    cacheBlocks: 256,
    dedupWindow: 256,
    retainBlocks: 4,
    tickMs: 50,
    gapGraceMs: 150,
    wantTimeoutMs: 1_000,
    signMs: 0.03
  },
  timeoutMs: 10_000,
  handshakeRtts: 2
}

/** Every command-line option: name, what it sets, and how. */
const OPTIONS = {
  seed: { type: 'string', help: 'seed of the run (same seed, same run)', set: (s: Scenario, v: string) => { s.seed = int(v) }, get: (s: Scenario) => s.seed },
  peers: { type: 'string', help: 'subscribers before the first append', set: (s: Scenario, v: string) => { s.peers = int(v) }, get: (s: Scenario) => s.peers },
  trees: { type: 'string', help: 'trees of the feed (m)', set: (s: Scenario, v: string) => { s.trees = int(v) }, get: (s: Scenario) => s.trees },
  k: { type: 'string', help: 'children per relay', set: (s: Scenario, v: string) => { s.k = int(v) }, get: (s: Scenario) => s.k },
  k1: { type: 'string', help: "the source's children per tree", set: (s: Scenario, v: string) => { s.k1 = int(v) }, get: (s: Scenario) => s.k1 },
  entries: { type: 'string', help: 'entries appended', set: (s: Scenario, v: string) => { s.entries = int(v) }, get: (s: Scenario) => s.entries },
  rate: { type: 'string', help: 'entries appended per second', set: (s: Scenario, v: string) => { s.rate = num(v) }, get: (s: Scenario) => s.rate },
  burst: { type: 'string', help: 'entries appended at once (fewer, larger blocks)', set: (s: Scenario, v: string) => { s.burst = int(v) }, get: (s: Scenario) => s.burst },
  'entry-bytes': { type: 'string', help: 'bytes per entry', set: (s: Scenario, v: string) => { s.entryBytes = int(v) }, get: (s: Scenario) => s.entryBytes },
  'no-backfill': { type: 'boolean', help: 'subscribers do not ask for what the trees lost', set: (s: Scenario) => { s.backfill = false } },
  'join-window': { type: 'string', help: 'the initial peers join over this many ms', set: (s: Scenario, v: string) => { s.joinWindowMs = num(v) }, get: (s: Scenario) => s.joinWindowMs },
  drain: { type: 'string', help: 'ms after the last append for survivors to catch up', set: (s: Scenario, v: string) => { s.drainMs = num(v) }, get: (s: Scenario) => s.drainMs },
  silent: { type: 'string', help: 'fraction of the initial peers that are silent relays', set: (s: Scenario, v: string) => { s.silent = num(v) }, get: (s: Scenario) => s.silent },
  'newcomers-from': { type: 'string', help: "a newcomer's log starts at the tip (tip) or backfills the whole history (start)", set: (s: Scenario, v: string) => { s.newcomersFrom = oneOf(v, ['tip', 'start'] as const) }, get: (s: Scenario) => s.newcomersFrom },
  latency: { type: 'string', help: 'median one-way link latency (ms)', set: (s: Scenario, v: string) => { s.network.latencyMs = num(v) }, get: (s: Scenario) => s.network.latencyMs },
  'latency-sigma': { type: 'string', help: 'shape of the log-normal per-peer RTT', set: (s: Scenario, v: string) => { s.network.latencySigma = num(v) }, get: (s: Scenario) => s.network.latencySigma },
  'server-rtt': { type: 'string', help: "the signalling server's own round trip (ms)", set: (s: Scenario, v: string) => { s.network.serverRttMs = num(v) }, get: (s: Scenario) => s.network.serverRttMs },
  upload: { type: 'string', help: 'upload classes, Mbit/s:share,... (e.g. 2:0.2,10:0.5,50:0.3)', set: (s: Scenario, v: string) => { s.network.uploadClasses = classes(v) }, get: (s: Scenario) => s.network.uploadClasses.map((c) => `${c.mbps}:${c.share}`).join(',') },
  'source-upload': { type: 'string', help: "the source's upload (Mbit/s)", set: (s: Scenario, v: string) => { s.network.sourceMbps = num(v) }, get: (s: Scenario) => s.network.sourceMbps },
  'message-cost': { type: 'string', help: 'processing per received message (ms)', set: (s: Scenario, v: string) => { s.network.messageCostMs = num(v) }, get: (s: Scenario) => s.network.messageCostMs },
  sessions: { type: 'string', help: 'churn: none | poisson | weibull', set: (s: Scenario, v: string) => { s.churn.sessions = oneOf(v, ['none', 'poisson', 'weibull'] as const) }, get: (s: Scenario) => s.churn.sessions },
  churn: { type: 'string', help: 'fraction of peers leaving per minute (0.1: 10 %)', set: (s: Scenario, v: string) => { s.churn.ratePerMin = num(v) }, get: (s: Scenario) => s.churn.ratePerMin },
  'weibull-shape': { type: 'string', help: 'shape of Weibull sessions', set: (s: Scenario, v: string) => { s.churn.weibullShape = num(v) }, get: (s: Scenario) => s.churn.weibullShape },
  'no-replace': { type: 'boolean', help: 'peers that leave are not replaced by newcomers', set: (s: Scenario) => { s.churn.replace = false } },
  flash: { type: 'string', help: 'flash crowd: N@T[:over] (N newcomers T ms after the first append, over ms)', set: (s: Scenario, v: string) => { s.churn.flash = flash(v) } },
  mass: { type: 'string', help: 'mass departure: x@T (fraction x of the peers leave T ms after the first append)', set: (s: Scenario, v: string) => { s.churn.mass = mass(v) } },
  kill: { type: 'string', help: 'interior peers leaving during the middle half of the stream, each replaced (the demo: 8)', set: (s: Scenario, v: string) => { s.churn.interior = int(v) }, get: (s: Scenario) => s.churn.interior },
  departure: { type: 'string', help: 'leave (says so) | crash (vanishes)', set: (s: Scenario, v: string) => { s.churn.departure = oneOf(v, ['leave', 'crash'] as const) }, get: (s: Scenario) => s.churn.departure },
  'crash-detect': { type: 'string', help: 'ms until a crash is noticed by the server and the links', set: (s: Scenario, v: string) => { s.churn.crashDetectMs = num(v) }, get: (s: Scenario) => s.churn.crashDetectMs },
  'cache-blocks': { type: 'string', help: 'Subscriber cacheBlocks', set: (s: Scenario, v: string) => { s.feed.cacheBlocks = int(v) }, get: (s: Scenario) => s.feed.cacheBlocks },
  'dedup-window': { type: 'string', help: 'Subscriber dedupWindow', set: (s: Scenario, v: string) => { s.feed.dedupWindow = int(v) }, get: (s: Scenario) => s.feed.dedupWindow },
  'retain-blocks': { type: 'string', help: 'Subscriber retention (delivered blocks kept)', set: (s: Scenario, v: string) => { s.feed.retainBlocks = int(v) }, get: (s: Scenario) => s.feed.retainBlocks },
  'tick-ms': { type: 'string', help: 'Subscriber tickMs', set: (s: Scenario, v: string) => { s.feed.tickMs = num(v) }, get: (s: Scenario) => s.feed.tickMs },
  'sign-ms': { type: 'string', help: 'virtual ms per signature at the source', set: (s: Scenario, v: string) => { s.feed.signMs = num(v) }, get: (s: Scenario) => s.feed.signMs },
  timeout: { type: 'string', help: 'peer connection timeout (ms)', set: (s: Scenario, v: string) => { s.timeoutMs = num(v) }, get: (s: Scenario) => s.timeoutMs },
  handshake: { type: 'string', help: 'round trips from answer to open data channel', set: (s: Scenario, v: string) => { s.handshakeRtts = num(v) }, get: (s: Scenario) => s.handshakeRtts },
} as const

export const RUN_FLAGS = {
  json: { type: 'boolean', help: 'print the result as JSON (instead of the table)' },
  plots: { type: 'string', help: 'write the SVG plots into this folder (runs the plot scenarios)' },
  validate: { type: 'boolean', help: 'run the real 24-peer churn demo and the same scenario simulated, side by side' },
  help: { type: 'boolean', help: 'this list' }
} as const

export interface Command {
  scenario: Scenario
  json: boolean
  plots: string | undefined
  validate: boolean
  help: boolean
}

export function parseCommand (argv: string[]): Command {
  const options: Record<string, { type: 'string' | 'boolean' }> = {}
  for (const [name, o] of Object.entries({ ...OPTIONS, ...RUN_FLAGS })) options[name] = { type: o.type }
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  const scenario = structuredClone(DEFAULT_SCENARIO)
  for (const [name, o] of Object.entries(OPTIONS)) {
    const v = values[name]
    if (v === undefined || v === false) continue
    ;(o.set as (s: Scenario, v: string) => void)(scenario, String(v))
  }
  return {
    scenario,
    json: values['json'] === true,
    plots: typeof values['plots'] === 'string' ? values['plots'] : undefined,
    validate: values['validate'] === true,
    help: values['help'] === true
  }
}

export function helpText (): string {
  const lines = ['usage: npm run simulate -- [options]', '']
  for (const [name, o] of Object.entries({ ...OPTIONS, ...RUN_FLAGS })) {
    const arg = o.type === 'string' ? ` <${name === 'plots' ? 'dir' : 'v'}>` : ''
    const def = 'get' in o ? ` (default ${String(o.get(DEFAULT_SCENARIO))})` : ''
    lines.push(`  --${name}${arg}`.padEnd(26) + o.help + def)
  }
  return lines.join('\n')
}

function num (v: string): number {
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`not a number >= 0: ${v}`)
  return n
}

function int (v: string): number {
  const n = num(v)
  if (!Number.isInteger(n)) throw new RangeError(`not an integer: ${v}`)
  return n
}

function oneOf<T extends string> (v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new RangeError(`${v} is not one of ${allowed.join(', ')}`)
  return v as T
}

function classes (v: string): BandwidthClass[] {
  return v.split(',').map((part) => {
    const [mbps, share] = part.split(':')
    return { mbps: num(mbps ?? ''), share: num(share ?? '1') }
  })
}

function flash (v: string): ChurnOptions['flash'] {
  const m = /^(\d+)@(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(v)
  if (m === null) throw new RangeError(`--flash wants N@T[:over], got ${v}`)
  return { peers: int(m[1] as string), atMs: num(m[2] as string), overMs: num(m[3] ?? '1000') }
}

function mass (v: string): ChurnOptions['mass'] {
  const m = /^(\d*\.?\d+)@(\d+(?:\.\d+)?)$/.exec(v)
  if (m === null) throw new RangeError(`--mass wants x@T, got ${v}`)
  return { fraction: num(m[1] as string), atMs: num(m[2] as string) }
}
