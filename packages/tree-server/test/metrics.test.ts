// The server's timing hooks (opts.metrics) and PeerTreeMetrics, the prom-client metrics of
// `peer-tree-server/metrics`: what each counts, over real sockets.
import { describe, expect, test } from 'vitest'
import { PeerTreeMetrics } from '../src/metrics/index.js'
import { MemoryStore } from '../src/index.js'
import type { ServerMetrics, StoreOp } from '../src/index.js'
import { timedStore } from '../src/observer.js'
import { TestClient, buildTree, joinTree, startServer } from './helpers/socket-harness.js'

/** A hook recorder: each call as [hook, op?]. */
function recorder (): ServerMetrics & { calls: Array<[string, StoreOp?]> } {
  const calls: Array<[string, StoreOp?]> = []
  return {
    calls,
    onStoreCall: (op, seconds) => { expect(seconds).toBeGreaterThanOrEqual(0); calls.push(['store', op]) },
    onPlacement: (seconds) => { expect(seconds).toBeGreaterThanOrEqual(0); calls.push(['placement']) }
  }
}

describe('opts.metrics', () => {
  test('a join times one placement and its store transaction; a create times the store, not a placement', async () => {
    const metrics = recorder()
    const server = await startServer({ metrics })
    const { treeID } = await buildTree(server, 0)
    expect(metrics.calls).toEqual([['store', 'size'], ['store', 'transact']])
    metrics.calls.length = 0
    await joinTree(server, treeID, 'm0')
    expect(metrics.calls).toEqual([['placement'], ['store', 'transact']])
  })

  test('a hook that throws is ignored: the join goes through', async () => {
    const server = await startServer({ metrics: { onPlacement: () => { throw new Error('observer bug') }, onStoreCall: () => { throw new Error('observer bug') } } })
    const { treeID } = await buildTree(server, 1)
    expect((await server.tree.snapshot(treeID))?.size).toBe(2)
    expect(server.tree.stats().counters.joins).toBe(1)
  })

  test('without an onStoreCall hook the store is used as it is (no wrapper per call)', () => {
    const store = new MemoryStore()
    expect(timedStore(store, null)).toBe(store)
    expect(timedStore(store, { onPlacement: () => {} })).toBe(store)
    expect(timedStore(store, { onStoreCall: () => {} })).not.toBe(store)
  })

  test('opts.metrics must be an object', async () => {
    await expect(startServer({ metrics: 'yes' as never })).rejects.toThrow(TypeError)
  })
})

describe('PeerTreeMetrics', () => {
  test('counts follow stats(), timings follow the hooks, in a registry of its own', async () => {
    const metrics = new PeerTreeMetrics()
    const server = await startServer({ metrics })
    metrics.track(server.tree)
    const { treeID } = await buildTree(server, 3)
    const lost = await TestClient.connect(server, 'lost')
    lost.emit('tree:join', { treeID: 'no-such-tree' })
    expect((await lost.nextError('tree:join')).code).toBe('TREE_NOT_FOUND')
    const values = async (name: string): Promise<Array<{ labels: Record<string, unknown>, value: number, metricName?: string }>> =>
      (await metrics.registry.getSingleMetric(name)?.get())?.values ?? []
    expect((await values('peer_tree_joins_total'))[0]?.value).toBe(3)
    expect((await values('peer_tree_creates_total'))[0]?.value).toBe(1)
    expect((await values('peer_tree_members'))[0]?.value).toBe(4)
    expect((await values('peer_tree_trees'))[0]?.value).toBe(1)
    expect((await values('peer_tree_sockets'))[0]?.value).toBe(5)
    const errors = await values('peer_tree_errors_total')
    expect(errors.find((v) => v.labels['code'] === 'TREE_NOT_FOUND')?.value).toBe(1)
    expect(errors.find((v) => v.labels['code'] === 'RATE_LIMITED')?.value).toBe(0)
    const placement = await values('peer_tree_placement_seconds')
    expect(placement.find((v) => v.metricName === 'peer_tree_placement_seconds_count')?.value).toBe(4)
    const store = await values('peer_tree_store_seconds')
    expect(store.find((v) => v.metricName === 'peer_tree_store_seconds_count' && v.labels['op'] === 'size')?.value).toBe(1)
    // No tree or peer ID in any label.
    const text = await metrics.text()
    expect(text).not.toContain(treeID)
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
  })

  test('two tracked servers are summed; untrack removes one', async () => {
    const metrics = new PeerTreeMetrics()
    const a = await startServer()
    const b = await startServer()
    metrics.track(a.tree).track(b.tree)
    await buildTree(a, 1)
    await buildTree(b, 2)
    const joins = async (): Promise<number | undefined> => (await metrics.registry.getSingleMetric('peer_tree_joins_total')?.get())?.values[0]?.value
    expect(await joins()).toBe(3)
    metrics.untrack(a.tree)
    expect(await joins()).toBe(2)
  })

  test('misuse throws', () => {
    expect(() => new PeerTreeMetrics({ prefix: 'bad prefix' })).toThrow(TypeError)
    expect(() => new PeerTreeMetrics().track({} as never)).toThrow(TypeError)
  })
})
