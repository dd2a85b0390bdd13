// The hostile peers (shared with the hostile demo, scripts/lib/attackers.mjs) and what the
// hostile swarm tests build around them: a source, honest subscribers that record what they
// delivered and what they spent, and attackers closed with the swarm.
import wrtc from '@roamhq/wrtc'
import { Feed, createNodeEd25519, type Ed25519, type FeedSource, type FeedSubscriber, type FeedLink } from 'peer-tree-broadcast'
import { eclipseSockets, hostileRelay, type EclipseSockets, type HostileRelay } from '../../scripts/lib/attackers.mjs'
import type { Swarm } from './swarm.js'
import { until } from './wait.js'

export { eclipseSockets, hostileRelay, withJunk, feedTreeIDs } from '../../scripts/lib/attackers.mjs'
export type { EclipseSockets, HostileRelay } from '../../scripts/lib/attackers.mjs'

export const ed25519 = createNodeEd25519()

/** An Ed25519 that counts the signatures it verifies (node:crypto underneath). */
export function countingEd25519 (): Ed25519 & { verified: number } {
  const verifySync = ed25519.verifySync as NonNullable<Ed25519['verifySync']>
  const counted = {
    ...ed25519,
    verified: 0,
    verify: async (s: Uint8Array, m: Uint8Array, k: Uint8Array) => { counted.verified++; return await ed25519.verify(s, m, k) },
    verifySync: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => { counted.verified++; return verifySync(s, m, k) }
  }
  return counted
}

/**
 * Short link timeouts, so that a link that never comes up is given up within the test:
 * the peers' own (2 s) and the server's confirmation deadline (2 s).
 */
export const PEER_TIMEOUT_MS = 2_000
export const SERVER_OPTIONS = { linkTimeoutMs: 2_000 }

export interface Honest {
  sub: FeedSubscriber
  seqs: number[]
  invalid: Array<{ peerID: string, reason: string }>
  /** Bytes sent to upstreams (WANTs), closed links included. */
  upBytesSent: () => number
  /** Upstream links lost (closed by either end) since joining: each is a re-placement. */
  upstreamsLost: () => number
  /** Downstream links this subscriber ever had. */
  downstreamLinks: () => number
}

export async function source (swarm: Swarm, url: string, opts: Parameters<typeof Feed.create>[1] = {}): Promise<FeedSource> {
  const feed = await Feed.create(swarm.socket(url), { wrtc, ed25519, peer: { timeout: PEER_TIMEOUT_MS }, ...opts })
  swarm.onClose(() => feed.close())
  return feed
}

export async function honest (swarm: Swarm, url: string, key: string, opts: Parameters<typeof Feed.join>[2] = {}): Promise<Honest> {
  const socket = swarm.socket(url)
  const sub = await Feed.join(socket, key, { wrtc, ed25519, peer: { timeout: PEER_TIMEOUT_MS }, ...opts })
  let closedUpBytes = 0
  let lost = 0
  let down = 0
  sub.forest.on('link', (link: FeedLink) => { if (link.direction === 'down') down++ })
  sub.forest.on('unlink', (link: FeedLink) => {
    if (link.direction !== 'up') return
    closedUpBytes += link.bytesSent
    lost++
  })
  const w: Honest = {
    sub,
    seqs: [],
    invalid: [],
    upBytesSent: () => closedUpBytes + sub.forest.upstreams().reduce((n, l) => n + l.bytesSent, 0),
    upstreamsLost: () => lost,
    downstreamLinks: () => down
  }
  sub.on('entry', ({ seq }) => { w.seqs.push(seq) })
  sub.on('invalid', (r) => { w.invalid.push(r) })
  sub.on('error', () => {})
  swarm.onClose(() => { sub.close(); socket.disconnect() })
  return w
}

export function eclipse (swarm: Swarm, ...args: Parameters<typeof eclipseSockets>): EclipseSockets {
  const a = eclipseSockets(...args)
  swarm.onClose(() => { a.close() })
  return a
}

export function relay (swarm: Swarm, ...args: Parameters<typeof hostileRelay>): HostileRelay {
  const a = hostileRelay(...args)
  swarm.onClose(() => { a.close() })
  return a
}

export const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i)

/** Appends `n` entries, 10 every 10 ms (pacing for the stream; tests wait on deliveries). */
export async function appendPaced (feed: FeedSource, n: number, from = 0): Promise<void> {
  const appends: Array<Promise<unknown>> = []
  for (let i = from; i < from + n; i++) {
    appends.push(feed.append({ i }))
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await Promise.all(appends)
}

/** Waits until every honest subscriber delivered `n` entries; the error says how many each got. */
export async function delivered (subs: Honest[], n: number, ms = 10_000): Promise<void> {
  await until(() => subs.every((w) => w.seqs.length >= n), {
    ms,
    what: `every honest subscriber delivered ${n} entries`,
    describe: () => `delivered ${subs.map((w) => w.seqs.length).join(', ')} of ${n}`
  })
}

/** Waits until every honest subscriber has an upstream in all `trees`. */
export async function connected (subs: Honest[], trees: number, ms = 10_000): Promise<void> {
  await until(() => subs.every((w) => w.sub.stats().trees === trees), {
    ms,
    what: `every honest subscriber has an upstream in all ${trees} trees`,
    describe: () => subs.map((w) => w.sub.stats().trees).join(',')
  })
}
