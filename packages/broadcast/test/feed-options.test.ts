// Feed options are checked before anything touches the socket: a bad one is a RangeError.
import type { Socket } from 'socket.io-client'
import { expect, test } from 'vitest'
import { Feed } from '../src/index.js'

// Never used: every call below must throw before it reaches the socket.
const socket = {} as Socket

test('haveIntervalMs must let idle children hear the source twice within their silence limit', async () => {
  for (const haveIntervalMs of [0, 5, 2_501, 10_000, 1.5, Number.NaN]) {
    await expect(Feed.create(socket, { haveIntervalMs })).rejects.toThrow(RangeError)
  }
})

test('trees, k and k1 out of range are refused', async () => {
  await expect(Feed.create(socket, { trees: 0 })).rejects.toThrow(RangeError)
  await expect(Feed.create(socket, { k: 0 })).rejects.toThrow(RangeError)
  await expect(Feed.create(socket, { k1: 65 })).rejects.toThrow(RangeError)
})

test('rewind is a function, and only for a live join', async () => {
  const key = 'A'.repeat(43)
  await expect(Feed.join(socket, key, { rewind: () => 0 })).rejects.toThrow(RangeError)
  await expect(Feed.join(socket, key, { from: 5, rewind: () => 0 })).rejects.toThrow(RangeError)
  await expect(Feed.join(socket, key, { from: 'live', rewind: 3 as never })).rejects.toThrow(TypeError)
})
