// Several processes on one store: a process that stops beating is judged dead by the others,
// which adopt its members (they wait the grace period for a resume on any process, then
// leave); an outage of the presence table kills nobody; a process judged dead while it was
// only cut off lets go of everything once it is back. Two PeerTreeServers in this process
// stand for two processes: one MemoryStore, one MemoryPresence.
import { describe, expect, test } from 'vitest'
import type { PeerTreeServer } from '../src/peer-tree-server.js'
import { MemoryPresence } from '../src/presence/memory-presence.js'
import { FENCED } from '../src/presence/presence.js'
import type { HeartbeatTable, ProcessPresence } from '../src/presence/presence.js'
import { MemoryStore } from '../src/store/memory-store.js'
import { at, buildTree, peer, startServer, TestClient } from './helpers/socket-harness.js'
import type { TestServer } from './helpers/socket-harness.js'

const HEARTBEAT_MS = 20

/** One process's view of the shared presence: it can be cut off, and its reads can be awaited. */
class ProcessView implements ProcessPresence {
  cutOff = false
  #beats = 0
  #waiters: Array<{ at: number, resolve: () => void }> = []
  readonly #shared: ProcessPresence

  constructor (shared: ProcessPresence) { this.#shared = shared }

  async beat (id: string): Promise<number> {
    this.#beats++
    for (const w of this.#waiters.filter((w) => this.#beats >= w.at)) w.resolve()
    this.#waiters = this.#waiters.filter((w) => this.#beats < w.at)
    this.#check()
    return await this.#shared.beat(id)
  }

  async retire (id: string): Promise<void> { this.#check(); await this.#shared.retire(id) }
  async fence (id: string, count: number): Promise<boolean> { this.#check(); return await this.#shared.fence(id, count) }
  async forget (id: string): Promise<void> { this.#check(); await this.#shared.forget(id) }
  async list (): Promise<HeartbeatTable> {
    this.#check()
    return await this.#shared.list()
  }

  /** Resolves after this process has tried `n` more heartbeats (each one a look at the table too). */
  async beats (n: number): Promise<void> {
    await new Promise<void>((resolve) => { this.#waiters.push({ at: this.#beats + n, resolve }) })
  }

  #check (): void { if (this.cutOff) throw new Error('presence unreachable') }
}

async function processes (opts: { graceMs: number }): Promise<{ a: TestServer, b: TestServer, viewA: ProcessView, viewB: ProcessView }> {
  const store = new MemoryStore()
  const shared = new MemoryPresence()
  const viewA = new ProcessView(shared)
  const viewB = new ProcessView(shared)
  const common = { store, heartbeatMs: HEARTBEAT_MS, reconnectGraceMs: opts.graceMs, k: 1, k1: 1 }
  const a = await startServer({ ...common, presence: viewA, processID: 'A' })
  const b = await startServer({ ...common, presence: viewB, processID: 'B' })
  return { a, b, viewA, viewB }
}

/** The process dies at once: no heartbeat, no disconnect handling, its sockets cut. */
async function kill (server: TestServer): Promise<void> {
  server.tree.close()
  await new Promise<void>((resolve) => { server.io.close(() => resolve()) })
}

/** Resolves once `check` holds, checking again on each of the server's `treeChanged` events. */
async function changedUntil (tree: PeerTreeServer, check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    // Listening before checking: a change between the two is not missed.
    const changed = new Promise((resolve) => tree.once('treeChanged', resolve))
    if (await check()) return
    await changed
  }
}

async function adoption (tree: PeerTreeServer): Promise<[string, number]> {
  return await new Promise((resolve) => tree.once('adopted', (processID, n) => resolve([processID, n])))
}

describe('failover between processes sharing a store', () => {
  test("a dead process's members are adopted, wait the grace period, and keep their places when they resume elsewhere", async () => {
    const { a, b } = await processes({ graceMs: 60_000 })
    const { treeID, source, members } = await buildTree(a, 2) // src[m0[m1]]
    const before = await b.tree.snapshot(treeID)
    expect(before?.peers.every((p) => !p.detached)).toBe(true)

    const adopted = adoption(b.tree)
    await kill(a)
    expect(await adopted).toEqual(['A', 3])
    const after = await b.tree.snapshot(treeID)
    expect(after?.peers.map((p) => [p.peerID, p.parent, p.detached])).toEqual(before?.peers.map((p) => [p.peerID, p.parent, true]))
    expect(b.tree.stats()).toMatchObject({ peers: 3, counters: { adopted: 3 } })

    // The source's client resumes on B: the same place, and messages reach it there.
    const back = await TestClient.connect(b, 'source-again')
    back.emit('tree:resume', { treeID, token: source.discover.token })
    expect(await back.next('tree:discover')).toMatchObject({ peerID: source.discover.peerID, parent: null, reason: 'resume' })
    const m0 = await TestClient.connect(b, 'm0-again')
    m0.emit('tree:resume', { treeID, token: at(members, 0).discover.token })
    expect(await m0.next('tree:discover')).toMatchObject({ peerID: at(members, 0).discover.peerID, parent: source.discover.peerID, session: at(members, 0).discover.session })
    m0.emit('peer:signal', { treeID, session: at(members, 0).discover.session, signal: 'still here' })
    expect((await back.next('peer:signal')).signal).toBe('still here')
    expect(peer(await b.tree.snapshot(treeID), at(members, 0).discover.peerID).detached).toBe(false)
  })

  test('adopted members that never resume leave when the grace period ends; their subtrees are re-placed', async () => {
    const { a, b } = await processes({ graceMs: 50 })
    const { treeID, source, members } = await buildTree(a, 2) // src[m0[m1]]
    const adopted = adoption(b.tree)
    await kill(a)
    await adopted
    // The source and m1 come back on B; m0, between them, never does.
    const src = await TestClient.connect(b, 'source-again')
    src.emit('tree:resume', { treeID, token: source.discover.token })
    await src.next('tree:discover')
    const m1 = await TestClient.connect(b, 'm1-again')
    m1.emit('tree:resume', { treeID, token: at(members, 1).discover.token })
    const m0ID = at(members, 0).discover.peerID
    await changedUntil(b.tree, async () => (await b.tree.snapshot(treeID))?.peers.every((p) => p.peerID !== m0ID) === true)
    const snap = await b.tree.snapshot(treeID)
    expect(snap?.peers.map((p) => [p.peerID, p.parent])).toEqual([[source.discover.peerID, null], [at(members, 1).discover.peerID, source.discover.peerID]])
    expect(b.tree.stats().counters.leaves).toBe(1)
    // m1 was told its new place (after its resume, or in it if m0's time ran out first).
    await m1.sync()
    expect([...m1.unread('tree:discover')].pop()).toMatchObject({ peerID: at(members, 1).discover.peerID, parent: source.discover.peerID })
  })

  test('an outage of the presence table, which nobody could beat through, makes no process adopt another', async () => {
    const { a, b, viewA, viewB } = await processes({ graceMs: 60_000 })
    const { treeID } = await buildTree(a, 1)
    const reported: string[] = []
    b.tree.on('error', (err) => { reported.push(err.code) })
    viewA.cutOff = true
    viewB.cutOff = true
    await viewB.beats(10) // far longer than the dead time (3 beats)
    // Ten failed beats are one outage: said once.
    expect(reported).toEqual(['STORE_UNAVAILABLE'])
    viewA.cutOff = false
    viewB.cutOff = false
    await viewB.beats(2)
    await viewA.beats(2)
    await viewB.beats(2)
    expect(b.tree.stats().counters.adopted).toBe(0)
    expect((await b.tree.snapshot(treeID))?.peers.every((p) => !p.detached)).toBe(true)
  })

  test('a process that beats again before it is fenced keeps its members, however late it was judged', async () => {
    const shared = new MemoryPresence()
    expect(await shared.beat('A')).toBe(1)
    // B read count 1 and judged A dead; A beat meanwhile: the fence misses, nothing is adopted.
    expect(await shared.beat('A')).toBe(2)
    expect(await shared.fence('A', 1)).toBe(false)
    expect(await shared.beat('A')).toBe(3)
    expect(await shared.fence('A', 3)).toBe(true)
    expect(await shared.beat('A')).toBe(FENCED)
    await shared.forget('A')
    expect(await shared.list()).toEqual({})
    // Told for good: its marker outlives its entry.
    expect(await shared.beat('A')).toBe(FENCED)
  })

  test('a process judged dead while cut off lets go of its members once back; they resume where they are', async () => {
    const { a, b, viewA } = await processes({ graceMs: 60_000 })
    const { treeID, source } = await buildTree(a, 1)
    const adopted = adoption(b.tree)
    viewA.cutOff = true
    expect(await adopted).toEqual(['A', 2])
    const dropped = new Promise((resolve) => source.client.socket.once('disconnect', resolve))
    viewA.cutOff = false
    await dropped
    expect(a.tree.stats().peers).toBe(0)
    // It goes on under a new name: what it binds now is not what the others are adopting.
    expect(a.tree.processID).not.toBe('A')
    // Its old binding is stale: a resume is what brings the member back.
    const back = await TestClient.connect(a, 'source-again')
    back.emit('tree:resume', { treeID, token: source.discover.token })
    expect(await back.next('tree:discover')).toMatchObject({ peerID: source.discover.peerID, reason: 'resume' })
    expect(peer(await a.tree.snapshot(treeID), source.discover.peerID).detached).toBe(false)
  })

  test('a process that shuts down is adopted at once, without waiting for the dead time', async () => {
    const { a, b } = await processes({ graceMs: 60_000 })
    await buildTree(a, 1)
    const adopted = adoption(b.tree)
    await a.tree.shutdown()
    expect(await adopted).toEqual(['A', 2])
  })
})
