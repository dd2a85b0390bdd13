/**
 * The command's Redis: one client for the tree store and the heartbeats, and the pair the
 * socket.io adapter needs (sharded pub/sub; a subscribing connection can do nothing else).
 *
 * The adapter is `@socket.io/redis-adapter`'s sharded one (SPUBLISH/SSUBSCRIBE, Redis 7) in
 * its static mode: every process subscribes to one channel when it starts, and each emit to a
 * member's room (`pt:<peerID>`) reaches every other process, which hands it to the socket if
 * it holds it. The dynamic mode (a channel per room) would send a signal to one process only,
 * but it subscribes to a room's channel after the socket joined the room, without waiting:
 * an offer sent to a member that just joined or resumed could be published before its
 * process listens, and be lost. The streams adapter would also reach every process, and
 * keeps messages through a short outage, which signals (stale after seconds) do not need.
 *
 * Outages are answers, not waits: the command client and the publisher queue nothing while
 * Redis is away (calls reject at once; the server answers STORE_UNAVAILABLE, the adapter
 * drops the signal). The subscriber keeps its queue, so that the subscriptions made while
 * Redis was away are made when it is back (there is one, made at start).
 */
import { createClient } from '@redis/client'
import { createShardedAdapter } from '@socket.io/redis-adapter'
import { RedisPresence } from '../presence/redis-presence.js'
import { RedisStore } from '../store/redis/index.js'

/** How long the command waits for Redis when it starts before it gives up (exit 1). */
export const REDIS_CONNECT_TIMEOUT_MS = 5_000
/** Time between attempts to reach a lost Redis again. */
const RECONNECT_MS = 250
/** A store or heartbeat call that has not answered within this rejects (the 1 s answer bound of the servers). */
const CALL_TIMEOUT_MS = 500

export interface CommandRedis {
  store: RedisStore
  presence: RedisPresence
  adapter: ReturnType<typeof createShardedAdapter>
  /** Close the three connections. */
  close: () => Promise<void>
}

type Client = ReturnType<typeof createClient>

function client (url: string, offlineQueue: boolean): Client {
  const c = createClient({
    url,
    disableOfflineQueue: !offlineQueue,
    socket: { reconnectStrategy: () => RECONNECT_MS, connectTimeout: CALL_TIMEOUT_MS }
  })
  // A lost connection shows as rejected calls and as the server's 'error' events; an
  // 'error' without a listener would end the process.
  c.on('error', () => {})
  return c
}

async function end (c: Client): Promise<void> {
  try {
    if (c.isReady) await c.quit()
    else await c.disconnect()
  } catch {
    // Already closed.
  }
}

export async function connectRedis (url: string): Promise<CommandRedis> {
  const commands = client(url, false)
  const publisher = client(url, false)
  const subscriber = client(url, true)
  const all = [commands, publisher, subscriber]
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${redacted(url)} within ${REDIS_CONNECT_TIMEOUT_MS} ms`)), REDIS_CONNECT_TIMEOUT_MS)
  })
  try {
    await Promise.race([Promise.all(all.map(async (c) => await c.connect())), late])
  } catch (err) {
    await Promise.all(all.map(end))
    throw err
  } finally {
    clearTimeout(timer)
  }
  return {
    store: new RedisStore(commands, { timeoutMs: CALL_TIMEOUT_MS }),
    presence: new RedisPresence(commands, { timeoutMs: CALL_TIMEOUT_MS }),
    adapter: createShardedAdapter(publisher, subscriber, { subscriptionMode: 'static' }),
    close: async () => { await Promise.all(all.map(end)) }
  }
}

/** The URL without its password, for messages. */
function redacted (url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return 'the given URL'
  }
}
