// The redis-server that tests start for themselves; the benchmarks share the same code.
export { startRedisServer } from '../../bench/redis-server.mjs'
export type { RedisServer } from '../../bench/redis-server.mjs'
