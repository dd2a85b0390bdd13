// RedisPresence on a real redis-server: counts, retirement, the fence's compare-and-set and
// its marker, and IDs that are only keys.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { FENCED, RETIRED } from '../src/presence/presence.js'
import { RedisPresence } from '../src/presence/redis-presence.js'
import { RedisStore } from '../src/store/redis/index.js'
import { startRedisServer } from '../../../test/helpers/redis-server.js'
import type { RedisServer } from '../../../test/helpers/redis-server.js'

let redis: RedisServer
let store: RedisStore
beforeAll(async () => {
  redis = await startRedisServer()
  store = await RedisStore.connect(redis.url)
})
afterAll(async () => {
  await store.close()
  await redis.stop()
})

test('beats count per process; a retired process stays retired', async () => {
  const presence = new RedisPresence(store.client, { prefix: 'p1:' })
  expect(await presence.beat('a')).toBe(1)
  expect(await presence.beat('a')).toBe(2)
  expect(await presence.beat('__proto__')).toBe(1)
  expect(await presence.list()).toEqual(JSON.parse('{"a": 2, "__proto__": 1}'))
  expect(Object.hasOwn(await presence.list(), '__proto__')).toBe(true)
  await presence.retire('a')
  expect(await presence.beat('a')).toBe(RETIRED)
  expect((await presence.list())['a']).toBe(RETIRED)
})

test('a fence lands only on the count judged dead; the fenced process is told at every beat, also once forgotten', async () => {
  const presence = new RedisPresence(store.client, { prefix: 'p2:' })
  await presence.beat('b')
  await presence.beat('b')
  expect(await presence.fence('b', 1)).toBe(false)
  expect(await presence.beat('b')).toBe(3)
  expect(await presence.fence('b', 3)).toBe(true)
  expect(await presence.fence('b', 3)).toBe(false)
  expect(await presence.list()).toEqual({ b: FENCED })
  expect(await presence.beat('b')).toBe(FENCED)
  await presence.forget('b')
  expect(await presence.list()).toEqual({})
  expect(await presence.beat('b')).toBe(FENCED)
  // Forget leaves a live process alone.
  await presence.beat('c')
  await presence.forget('c')
  expect(await presence.list()).toEqual({ c: 1 })
})
