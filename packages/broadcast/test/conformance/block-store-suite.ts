/**
 * What every BlockStore must do, as plain async cases with no test runner inside, so the same
 * cases run in Node (MemoryBlockStore, FileBlockStore) and, bundled, in a browser page
 * (IndexedDbBlockStore). `open()` opens the same store again each time it is called: a
 * persistent store must give back what was written before it was closed.
 */
import type { BlockStore } from '../../src/net/block-store.js'

export interface StoreContext {
  open: () => Promise<BlockStore>
}

export interface StoreCase {
  name: string
  /** Needs a store that keeps its blocks across close and open. */
  persistent?: boolean
  run: (ctx: StoreContext) => Promise<void>
}

function check (ok: boolean, message: string): void {
  if (!ok) throw new Error(message)
}

function same (a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i])
}

/** Distinct bytes for block `i`, of a length that varies with it. */
function record (i: number): Uint8Array {
  return Uint8Array.from({ length: 8 + (i % 13) * 37 }, (_, j) => (i * 31 + j) & 0xff)
}

async function rejects (p: Promise<unknown>, type: new (...args: never[]) => Error, what: string): Promise<void> {
  try {
    await p
  } catch (err) {
    check(err instanceof type, `${what}: rejected with ${String(err)}, not a ${type.name}`)
    return
  }
  throw new Error(`${what}: did not reject`)
}

export const blockStoreCases: StoreCase[] = [
  {
    name: 'a new store is empty',
    async run ({ open }) {
      const store = await open()
      check(store.length === 0, `length ${store.length}`)
      check(await store.get(0) === undefined, 'get(0) of an empty store')
      await store.close()
    }
  },
  {
    name: 'appends in order; length counts appends not yet written; get gives the bytes back',
    async run ({ open }) {
      const store = await open()
      const writes = Array.from({ length: 20 }, (_, i) => store.append(i, record(i)))
      check(store.length === 20, `length ${store.length} right after 20 appends`)
      for (let i = 0; i < 20; i++) check(same(await store.get(i), record(i)), `block ${i} while written`)
      await Promise.all(writes)
      for (let i = 0; i < 20; i++) check(same(await store.get(i), record(i)), `block ${i} once written`)
      check(await store.get(20) === undefined, 'get past the end')
      await store.close()
    }
  },
  {
    name: 'an append out of order is refused and changes nothing',
    async run ({ open }) {
      const store = await open()
      await store.append(0, record(0))
      await rejects(store.append(2, record(2)), RangeError, 'append(2) at length 1')
      await rejects(store.append(0, record(0)), RangeError, 'append(0) again')
      check(store.length === 1, `length ${store.length}`)
      await store.append(1, record(1))
      check(same(await store.get(1), record(1)), 'block 1')
      await store.close()
    }
  },
  {
    name: 'a view into a larger buffer is kept as exactly its bytes',
    async run ({ open }) {
      const store = await open()
      const big = Uint8Array.from({ length: 4096 }, (_, j) => j & 0xff)
      const view = big.subarray(100, 150)
      await store.append(0, view)
      const back = await store.get(0)
      check(same(back, big.slice(100, 150)), `got ${back?.length} bytes`)
      await store.close()
    }
  },
  {
    name: 'truncate drops the tail and appends go on from there; past the end it does nothing',
    async run ({ open }) {
      const store = await open()
      for (let i = 0; i < 10; i++) await store.append(i, record(i))
      check(await store.truncate?.(10) === undefined, 'truncate at the length drops nothing')
      await store.truncate?.(6)
      check(store.length === 6, `length ${store.length} after truncate(6)`)
      check(await store.get(6) === undefined, 'block 6 after truncate(6)')
      await store.append(6, record(60))
      check(same(await store.get(6), record(60)), 'the new block 6')
      check(same(await store.get(5), record(5)), 'block 5 kept')
      let threw = false
      try { await store.truncate?.(-1) } catch (err) { threw = err instanceof RangeError }
      check(threw || store.truncate === undefined, 'truncate(-1) throws a RangeError')
      await store.close()
    }
  },
  {
    name: 'a reopened store holds what was written, in order, and appends go on',
    persistent: true,
    async run ({ open }) {
      const first = await open()
      for (let i = 0; i < 30; i++) void first.append(i, record(i))
      await first.close()
      const second = await open()
      check(second.length === 30, `length ${second.length} after reopening`)
      for (let i = 0; i < 30; i++) check(same(await second.get(i), record(i)), `block ${i} after reopening`)
      await rejects(second.append(29, record(29)), RangeError, 'append(29) after reopening at 30')
      await second.append(30, record(30))
      await second.close()
      const third = await open()
      check(third.length === 31, `length ${third.length}`)
      check(same(await third.get(30), record(30)), 'block 30')
      await third.close()
    }
  },
  {
    name: 'a truncation survives reopening',
    persistent: true,
    async run ({ open }) {
      const store = await open()
      for (let i = 0; i < 12; i++) await store.append(i, record(i))
      await store.truncate?.(4)
      await store.append(4, record(40))
      await store.close()
      const again = await open()
      check(again.length === 5, `length ${again.length}`)
      check(same(await again.get(4), record(40)), 'block 4 is the one appended after truncating')
      await again.close()
    }
  }
]

/** Runs every case `open` can take; resolves with the names run, throws at the first failure. */
export async function runBlockStoreCases (makeContext: (name: string) => StoreContext, persistent: boolean): Promise<string[]> {
  const ran: string[] = []
  for (const c of blockStoreCases) {
    if (c.persistent === true && !persistent) continue
    try {
      await c.run(makeContext(c.name))
    } catch (err) {
      throw new Error(`${c.name}: ${(err as Error).message}`)
    }
    ran.push(c.name)
  }
  return ran
}
