/**
 * `peer-tree-server/redis`: the tree store and the heartbeat table on Redis. Apart from the
 * main entry, so that a server on the in-memory store never loads a Redis client.
 */
export { RedisStore } from './redis-store.js'
export type { RedisCommandClient, RedisConnectOptions, RedisStoreOptions, RedisStoreStats } from './redis-store.js'
export { RedisPresence } from '../../presence/redis-presence.js'
export type { PresenceClient, RedisPresenceOptions } from '../../presence/redis-presence.js'
