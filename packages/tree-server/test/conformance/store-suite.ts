/**
 * The contract every TreeStore must keep, as one suite. A store's own test file calls
 * `runStoreSuite('name', () => makeStore())`; the factory is called once per test and may
 * be async (a Redis store connects and takes a key prefix of its own there). `sibling`
 * gives a second store on the same data, as another process would have (a store that
 * lives in one process is its own sibling).
 */
import { describe, expect, test } from 'vitest'
import type { TreeStore, TxResult } from '../../src/store/store.js'
import { addMember, getMember, newTree } from '../../src/tree-state.js'
import type { TreeState } from '../../src/tree-state.js'

export interface StoreSuiteOptions {
  sibling?: (store: TreeStore) => TreeStore | Promise<TreeStore>
}

function sampleTree (treeID: string, source = 'src'): TreeState {
  return newTree({ treeID, k: 2, k1: 3, owner: null, source, token: `${source}.secret` })
}

function put<R> (state: TreeState, result: R): TxResult<R> {
  return { op: 'put', state, result }
}

/** A tree with members a, b (held by p1) and c (held by p2) under the source (held by p1). */
function heldTree (treeID: string): TreeState {
  const tree = newTree({ treeID, k: 2, k1: 3, owner: null, source: 'src', token: 'src.secret', holder: 'p1' })
  addMember(tree, 'a', 'relay', 'a.x', 'p1')
  addMember(tree, 'b', 'leaf', 'b.x', 'p1')
  addMember(tree, 'c', 'leaf', 'c.x', 'p2')
  return tree
}

const byID = (a: { treeID: string, peerID: string }, b: { treeID: string, peerID: string }): number =>
  `${a.treeID} ${a.peerID}`.localeCompare(`${b.treeID} ${b.peerID}`)

export function runStoreSuite (name: string, makeStore: () => TreeStore | Promise<TreeStore>, opts: StoreSuiteOptions = {}): void {
  const sibling = opts.sibling ?? ((store: TreeStore) => store)
  describe(`TreeStore conformance: ${name}`, () => {
    test('an unknown tree reads as undefined, also for prototype names', async () => {
      const store = await makeStore()
      for (const id of ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        expect(await store.get(id)).toBeUndefined()
      }
      expect(await store.size()).toBe(0)
    })

    test('transact sees undefined for a missing tree, and a put creates it', async () => {
      const store = await makeStore()
      let seen: TreeState | undefined | null = null
      const result = await store.transact('t1', (s) => { seen = s; return put(sampleTree('t1'), 'made') })
      expect(seen).toBeUndefined()
      expect(result).toBe('made')
      expect(await store.get('t1')).toEqual(sampleTree('t1'))
      expect(await store.size()).toBe(1)
    })

    test('what is read back equals what was written, through JSON', async () => {
      const store = await makeStore()
      const tree = sampleTree('t1')
      tree.members['a'] = { parent: 'src', session: 's1', children: [], role: 'leaf', confirmed: true, parentConfirmed: true, failedParents: ['p0'], detached: false, token: 'a.x', epoch: 2, holder: 'proc-1', slot: -1, relayRoom: -1, leafParent: -1, anySlot: -1 }
      tree.members['src']?.children.push('a')
      tree.size = 2
      tree.pending.push({ peer: 'a', reason: 'reconnect' })
      await store.transact('t1', () => put(structuredClone(tree), null))
      const back = await store.get('t1')
      expect(back).toEqual(JSON.parse(JSON.stringify(tree)))
    })

    test('a transaction sees the latest committed state and can change it in place', async () => {
      const store = await makeStore()
      await store.transact('t1', () => put(sampleTree('t1'), null))
      await store.transact('t1', (s) => {
        if (s === undefined) throw new Error('missing')
        s.k = 7
        return put(s, null)
      })
      expect((await store.get('t1'))?.k).toBe(7)
    })

    test("'none' writes nothing and returns the result", async () => {
      const store = await makeStore()
      await store.transact('t1', () => put(sampleTree('t1'), null))
      const r = await store.transact('t1', () => ({ op: 'none', result: 42 }))
      expect(r).toBe(42)
      expect(await store.get('t1')).toEqual(sampleTree('t1'))
      const missing = await store.transact('t2', () => ({ op: 'none', result: 'x' }))
      expect(missing).toBe('x')
      expect(await store.get('t2')).toBeUndefined()
      expect(await store.size()).toBe(1)
    })

    test("'delete' removes the tree", async () => {
      const store = await makeStore()
      await store.transact('t1', () => put(sampleTree('t1'), null))
      await store.transact('t1', () => ({ op: 'delete', result: null }))
      expect(await store.get('t1')).toBeUndefined()
      expect(await store.size()).toBe(0)
    })

    test('a throwing transaction rejects with its error and writes nothing', async () => {
      const store = await makeStore()
      await store.transact('t1', () => put(sampleTree('t1'), null))
      const boom = new Error('boom')
      await expect(store.transact('t1', () => { throw boom })).rejects.toBe(boom)
      await expect(store.transact('t2', () => { throw boom })).rejects.toBe(boom)
      expect(await store.get('t1')).toEqual(sampleTree('t1'))
      expect(await store.get('t2')).toBeUndefined()
    })

    test('trees are independent, prototype-named ones included', async () => {
      const store = await makeStore()
      await store.transact('__proto__', () => put(sampleTree('__proto__', 'p'), null))
      await store.transact('constructor', () => put(sampleTree('constructor', 'c'), null))
      expect((await store.get('__proto__'))?.source).toBe('p')
      expect((await store.get('constructor'))?.source).toBe('c')
      expect(await store.get('other')).toBeUndefined()
      expect(await store.size()).toBe(2)
    })

    test('concurrent transactions on one tree are atomic: no update is lost', async () => {
      const store = await makeStore()
      await store.transact('t1', () => put(sampleTree('t1'), null))
      const n = 50
      await Promise.all(Array.from({ length: n }, async () => await store.transact('t1', (s) => {
        if (s === undefined) throw new Error('missing')
        s.k += 1
        return put(s, null)
      })))
      expect((await store.get('t1'))?.k).toBe(2 + n)
    })

    test('concurrent creates of one tree: exactly one wins', async () => {
      const store = await makeStore()
      const results = await Promise.all(Array.from({ length: 10 }, async (_, i) => await store.transact('t1', (s) => {
        if (s !== undefined) return { op: 'none', result: false }
        return put(sampleTree('t1', `src${i}`), true)
      })))
      expect(results.filter(Boolean)).toHaveLength(1)
      expect(await store.size()).toBe(1)
    })

    test('read sees what was committed, also members it looks up, and writes nothing', async () => {
      const store = await makeStore()
      await store.transact('t1', () => put(heldTree('t1'), null))
      const seen = await store.read('t1', (s) => s === undefined
        ? null
        : { size: s.size, a: getMember(s, 'a')?.role, c: getMember(s, 'c')?.holder, zed: getMember(s, 'zed') })
      expect(seen).toEqual({ size: 4, a: 'relay', c: 'p2', zed: undefined })
      expect(await store.read('t2', (s) => s)).toBeUndefined()
      expect(await store.get('t2')).toBeUndefined()
      expect(await store.get('t1')).toEqual(heldTree('t1'))
      expect(await store.size()).toBe(1)
    })

    test('heldBy lists members by holder and follows holder changes, removals and deleted trees', async () => {
      const store = await makeStore()
      await store.transact('t1', () => put(heldTree('t1'), null))
      await store.transact('t2', () => put(heldTree('t2'), null))
      const held = async (holder: string): Promise<string[]> =>
        (await store.heldBy(holder)).sort(byID).map((h) => `${h.treeID} ${h.peerID}`)
      expect(await held('p1')).toEqual(['t1 a', 't1 b', 't1 src', 't2 a', 't2 b', 't2 src'])
      expect(await held('p2')).toEqual(['t1 c', 't2 c'])
      expect(await held('p3')).toEqual([])
      await store.transact('t1', (s) => {
        if (s === undefined) throw new Error('missing')
        const a = getMember(s, 'a')
        const c = getMember(s, 'c')
        if (a === undefined || c === undefined) throw new Error('missing member')
        a.holder = 'p3'
        c.holder = null
        delete s.members['b']
        s.size -= 1
        return put(s, null)
      })
      expect(await held('p1')).toEqual(['t1 src', 't2 a', 't2 b', 't2 src'])
      expect(await held('p2')).toEqual(['t2 c'])
      expect(await held('p3')).toEqual(['t1 a'])
      await store.transact('t2', () => ({ op: 'delete', result: null }))
      expect(await held('p1')).toEqual(['t1 src'])
      expect(await held('p2')).toEqual([])
    })

    test('two stores on the same data: read-modify-write transactions from both all land', async () => {
      const a = await makeStore()
      const b = await sibling(a)
      await a.transact('t1', () => put(heldTree('t1'), null))
      const n = 40
      const bump = async (store: TreeStore): Promise<void> => {
        await store.transact('t1', (s) => {
          if (s === undefined) throw new Error('missing')
          const m = getMember(s, 'a')
          if (m === undefined) throw new Error('missing member')
          s.k += 1
          m.epoch += 1
          return put(s, null)
        })
      }
      await Promise.all(Array.from({ length: n }, async (_, i) => { await bump(i % 2 === 0 ? a : b) }))
      const back = await b.get('t1')
      expect(back?.k).toBe(2 + n)
      expect(back?.members['a']?.epoch).toBe(n)
    })

    test('a throwing body that looked at members first rejects with its error and writes nothing', async () => {
      const store = await makeStore()
      await store.transact('t1', () => put(heldTree('t1'), null))
      const boom = new Error('boom')
      await expect(store.transact('t1', (s) => {
        if (s === undefined || getMember(s, 'c') === undefined || getMember(s, 'nobody') !== undefined) return { op: 'none', result: null }
        throw boom
      })).rejects.toBe(boom)
      expect(await store.get('t1')).toEqual(heldTree('t1'))
      expect((await store.heldBy('p2')).map((h) => h.peerID)).toEqual(['c'])
    })
  })
}
