// Joins into trees of 1k, 10k and 100k members, the in-memory store and the Redis store side
// by side: joins per second (`joinTx` through `store.transact`, one after the other, as one
// tree's joins are in one process), and what a Redis join costs: members fetched, read round
// trips, members written, bytes of the commit script's arguments, and bytes Redis received
// (its INFO total_net_input_bytes, reads included). Starts its own redis-server.
// Run after a build: node bench/redis-store.mjs [joins per size=1000] [sizes=1000,10000,100000]
import { MemoryStore } from 'peer-tree-server'
import { RedisStore } from 'peer-tree-server/redis'
import { importSource, machine } from './lib.mjs'
import { startRedisServer } from './redis-server.mjs'

const JOINS = Number(process.argv[2] ?? 1000)
const SIZES = (process.argv[3] ?? '1000,10000,100000').split(',').map(Number)

// The transitions are internal to the server package: bundled from source for this run.
const { createTx, joinTx } = await importSource('packages/tree-server/src/transitions.ts')

/** One join; its link IDs are counted within the run, so a run the store repeats mints the same ones. */
async function join (store, treeID, i, holder) {
  const peerID = `p${i}`
  const role = i % 3 === 0 ? 'relay' : 'leaf'
  await store.transact(treeID, (s) => {
    let n = 0
    return joinTx(s, { peerID, role, token: `${peerID}.x`, maxPeers: 1_000_000 }, { mintSession: () => `${peerID}-${++n}`, holder })
  })
}

async function netInput (client) {
  const info = await client.sendCommand(['INFO', 'stats'])
  return Number(/total_net_input_bytes:(\d+)/.exec(info)[1])
}

const redis = await startRedisServer()
const rows = []
try {
  for (const size of SIZES) {
    const treeID = `bench-${size}`
    // The tree is built by joins through the in-memory store (the Redis store builds the same
    // tree from the same joins, as its tests check) and copied into Redis in one commit:
    // building 100k members one Redis join at a time would take minutes.
    const memory = new MemoryStore()
    await memory.transact(treeID, (s) => createTx(s, { treeID, k: 4, k1: 10, owner: null, source: 'src', token: 'src.x', ref: 'r', holder: 'proc-1' }))
    for (let i = 0; i < size - 1; i++) await join(memory, treeID, i, 'proc-1')
    const copy = JSON.parse(JSON.stringify(await memory.get(treeID)))

    let t0 = performance.now()
    for (let i = 0; i < JOINS; i++) await join(memory, treeID, size + i, 'proc-2')
    const memoryRate = JOINS / ((performance.now() - t0) / 1000)

    for (const cacheMembers of [0, 100_000]) {
      // Loaded by another store, so the measured one starts knowing nothing of the tree (its
      // cache fills as it goes), as a process that joins members into a tree others built.
      const loader = await RedisStore.connect(redis.url, { prefix: `bench${size}:`, timeoutMs: 120_000, cacheMembers: 0 })
      await loader.transact(treeID, () => ({ op: 'put', state: structuredClone(copy), result: null }))
      await loader.close()
      const store = await RedisStore.connect(redis.url, { prefix: `bench${size}:`, timeoutMs: 120_000, cacheMembers })
      const before = store.stats
      const inBefore = await netInput(store.client)
      t0 = performance.now()
      const fetchedPerJoin = []
      for (let i = 0; i < JOINS; i++) {
        const was = store.stats.membersFetched
        await join(store, treeID, size + i, 'proc-2')
        fetchedPerJoin.push(store.stats.membersFetched - was)
      }
      const redisRate = JOINS / ((performance.now() - t0) / 1000)
      const inAfter = await netInput(store.client)
      const after = store.stats
      if ((await store.get(treeID)).size !== size + JOINS) throw new Error('a join was lost')
      await store.transact(treeID, () => ({ op: 'delete', result: null }))
      await store.close()
      const per = (k) => (after[k] - before[k]) / JOINS
      rows.push({
        size: `${size}, ${cacheMembers === 0 ? 'no cache' : 'cache'}`,
        memory: Math.round(memoryRate),
        redis: Math.round(redisRate),
        fetched: per('membersFetched').toFixed(1),
        reads: per('reads').toFixed(1),
        median: fetchedPerJoin.sort((a, b) => a - b)[JOINS >> 1],
        scans: fetchedPerJoin.filter((f) => f > size / 10).length,
        written: per('membersWritten').toFixed(1),
        commitBytes: Math.round(per('commitBytes')),
        netBytes: Math.round((inAfter - inBefore) / JOINS)
      })
    }
  }
} finally {
  await redis.stop()
}

console.log(`${JOINS} joins per size, one after the other, into trees built by joins (k = 4, k1 = 10, one member in three a relay); ${machine}; redis-server on loopback`)
console.log('| members | memory joins/s | Redis joins/s | members fetched / join: mean (median) | joins that fetched > 10 % of the tree | reads / join | members written / join | commit argument bytes / join | bytes Redis received / join |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
for (const r of rows) console.log(`| ${r.size} | ${r.memory} | ${r.redis} | ${r.fetched} (${r.median}) | ${r.scans} | ${r.reads} | ${r.written} | ${r.commitBytes} | ${r.netBytes} |`)
process.exit(0)
