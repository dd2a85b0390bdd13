// What the command runs, in this process with a store of the test's own: /readyz answers
// 503, within its bound, when the store does not answer, and drain() closes everything.
import { expect, test } from 'vitest'
import { READY_TIMEOUT_MS, startCommandServer } from '../src/command/app.js'
import { MemoryStore } from '../src/index.js'
import type { TreeStore } from '../src/index.js'

const options = { port: 0, host: '127.0.0.1', server: {} }

async function status (url: string): Promise<number> {
  // A bound on a hang, well above the endpoint's own: a probe that hangs fails here.
  return (await fetch(url, { signal: AbortSignal.timeout(READY_TIMEOUT_MS + 2000) })).status
}

test('/readyz: 200 while the store answers, 503 when its size() never resolves or rejects, and it never hangs', async () => {
  const memory = new MemoryStore()
  let mode: 'ok' | 'hang' | 'fail' = 'ok'
  let sizeCalls = 0
  const store: TreeStore = {
    get: async (id) => await memory.get(id),
    transact: async (id, fn) => await memory.transact(id, fn),
    read: async (id, fn) => await memory.read(id, fn),
    heldBy: async (holder) => await memory.heldBy(holder),
    size: async () => {
      sizeCalls++
      if (mode === 'hang') return await new Promise<number>(() => {})
      if (mode === 'fail') throw new Error('store down')
      return await memory.size()
    }
  }
  const server = await startCommandServer(options, { store })
  try {
    expect(await status(`${server.url}/readyz`)).toBe(200)
    mode = 'fail'
    expect(await status(`${server.url}/readyz`)).toBe(503)
    mode = 'hang'
    expect(await status(`${server.url}/readyz`)).toBe(503)
    const calls = sizeCalls
    // While one size() hangs, probes wait on it rather than piling up calls.
    expect(await status(`${server.url}/readyz`)).toBe(503)
    expect(sizeCalls).toBe(calls)
    expect(await status(`${server.url}/healthz`)).toBe(200)
  } finally {
    await server.drain()
  }
})

test('drain() stops listening and is idempotent', async () => {
  const server = await startCommandServer(options)
  expect(await status(`${server.url}/healthz`)).toBe(200)
  const [a, b] = await Promise.all([server.drain(), server.drain()])
  expect([a, b]).toEqual([0, 0])
  expect(server.http.listening).toBe(false)
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
})
