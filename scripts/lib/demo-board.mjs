// The demo's own socket.io namespace, `/demo`, beside the tree server's signalling: peers
// report how many entries they delivered (`demo:report`), tree views watch a feed
// (`demo:watch`) and get its forest model (`demo:forest`) each time a tree changes or a
// report arrives, and every socket of the namespace gets the live feeds (`demo:feeds`).
// Reports are display-only: they feed the drawing and nothing else, so a peer that lies
// about its delivery only mislabels its own node.
import { feedTreeOf, forestModel, parseReport } from './forest-model.mjs'

/** Models of a feed go out at most this often (ms): a busy feed changes its trees many times a second. */
const PUSH_MS = 100

export function startBoard (io, treeServer) {
  const nsp = io.of('/demo')
  /** socket.id → its latest report. */
  const reports = new Map()
  /** key → tree indices alive now. */
  const feeds = new Map()
  /** key → trees the feed had at most, so a view still draws a tree that ended. */
  const widths = new Map()
  const dirty = new Set()
  let timer = null
  let dropped = 0
  let closed = false

  const feedsList = () => [...feeds.keys()]
  const touch = (key) => {
    dirty.add(key)
    if (timer === null && !closed) timer = setTimeout(flush, PUSH_MS)
  }
  async function flush () {
    timer = null
    const keys = [...dirty]
    dirty.clear()
    for (const key of keys) {
      const model = await modelOf(key)
      if (!closed) nsp.to(roomOf(key)).emit('demo:forest', model)
    }
  }
  async function modelOf (key) {
    const width = widths.get(key) ?? 0
    const snapshots = await Promise.all(Array.from({ length: width }, (_, i) => treeServer.snapshot(`${key}.${i}`)))
    return forestModel({ key, snapshots, reports: reports.values() })
  }

  const onCreated = (treeID) => {
    const f = feedTreeOf(treeID)
    if (f === undefined) return
    const fresh = !feeds.has(f.key)
    if (fresh) feeds.set(f.key, new Set())
    feeds.get(f.key).add(f.index)
    widths.set(f.key, Math.max(widths.get(f.key) ?? 0, f.index + 1))
    if (fresh) nsp.emit('demo:feeds', feedsList())
  }
  const onEnded = (treeID) => {
    const f = feedTreeOf(treeID)
    const trees = f === undefined ? undefined : feeds.get(f.key)
    if (trees === undefined) return
    trees.delete(f.index)
    if (trees.size === 0) { feeds.delete(f.key); nsp.emit('demo:feeds', feedsList()) }
  }
  const onChanged = (treeID) => {
    const f = feedTreeOf(treeID)
    if (f !== undefined) touch(f.key)
  }
  treeServer.on('treeCreated', onCreated)
  treeServer.on('treeEnded', onEnded)
  treeServer.on('treeChanged', onChanged)

  nsp.on('connection', (socket) => {
    socket.emit('demo:feeds', feedsList())
    socket.on('demo:report', (msg) => {
      const report = parseReport(msg)
      if (report === undefined) { dropped++; return }
      reports.set(socket.id, report)
      touch(report.key)
    })
    socket.on('demo:watch', async (key) => {
      if (typeof key !== 'string' || feedTreeOf(`${key}.0`) === undefined) { dropped++; return }
      for (const room of socket.rooms) if (room.startsWith('view:')) socket.leave(room)
      socket.join(roomOf(key))
      socket.emit('demo:forest', await modelOf(key))
    })
    socket.on('disconnect', () => {
      const report = reports.get(socket.id)
      reports.delete(socket.id)
      if (report !== undefined) touch(report.key)
    })
  })

  return {
    /** Reports and watch requests dropped as malformed. */
    stats: () => ({ reports: reports.size, feeds: feeds.size, dropped }),
    model: modelOf,
    close () {
      closed = true
      if (timer !== null) clearTimeout(timer)
      treeServer.off('treeCreated', onCreated)
      treeServer.off('treeEnded', onEnded)
      treeServer.off('treeChanged', onChanged)
    }
  }
}

function roomOf (key) { return `view:${key}` }
