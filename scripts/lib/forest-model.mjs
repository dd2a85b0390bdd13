// The live tree view's model, built on the demo server: a feed's tree snapshots (the tree
// server's own description of each tree) and its peers' delivery reports turned into what the
// page draws. Pure: no I/O, so a test feeds it values.
//
// A peer is one member in each of the feed's trees, under a different peerID in each; its
// report lists those peerIDs (one per tree) with how many entries it delivered. The source's
// report is the reference: a member's lag is how many entries it is behind the source's head.
// Reports are display-only: any peer can report anything, so nothing but the drawing uses them.

/** A feed's tree IDs are `<key>.<index>`; a feed key is 43 base64url characters. */
const FEED_TREE = /^([A-Za-z0-9_-]{43})\.(\d{1,3})$/

/** `{ key, index }` for a tree of a feed, or undefined for any other tree ID. */
export function feedTreeOf (treeID) {
  const m = FEED_TREE.exec(treeID)
  return m === null ? undefined : { key: m[1], index: Number(m[2]) }
}

/**
 * @param {{ key: string, snapshots: Array<import('peer-tree-server').TreeSnapshot | undefined>, reports: Iterable<DeliveryReport> }} input
 *   `snapshots[i]` is tree i of the feed (undefined while it does not exist).
 * @returns {ForestModel}
 */
export function forestModel ({ key, snapshots, reports }) {
  const byPeer = new Map()
  let head = null
  let peers = 0
  for (const r of reports) {
    if (r.key !== key) continue
    peers++
    for (const id of r.peerIDs) if (typeof id === 'string') byPeer.set(id, r)
    if (r.source) head = Math.max(head ?? 0, r.delivered)
  }
  const trees = snapshots.map((snap, index) => treeModel(index, `${key}.${index}`, snap, byPeer, head))
  return { key, head, peers, trees }
}

function treeModel (index, treeID, snap, byPeer, head) {
  if (snap === undefined) return { index, treeID, exists: false, size: 0, depth: 0, waiting: 0, nodes: [] }
  const nodes = snap.peers.map((p) => {
    const report = byPeer.get(p.peerID)
    const placed = p.depth >= 0
    return {
      id: p.peerID,
      // Members cut off from the source are drawn apart; a parent is given only to placed ones.
      parent: placed ? p.parent : null,
      depth: p.depth,
      placed,
      role: p.role,
      detached: p.detached,
      name: report?.name ?? null,
      delivered: report === undefined ? null : report.delivered,
      lag: lagOf(p.role === 'source', report, head)
    }
  })
  return {
    index,
    treeID,
    exists: true,
    size: snap.size,
    depth: Math.max(0, ...nodes.map((n) => n.depth)),
    waiting: nodes.filter((n) => !n.placed).length,
    nodes
  }
}

/** Entries behind the source's head; 0 for the source; null when either side has not reported. */
function lagOf (isSource, report, head) {
  if (isSource) return 0
  if (report === undefined || head === null) return null
  return Math.max(0, head - report.delivered)
}

/**
 * A report as a peer sent it (network input): the value when it is well formed, else
 * undefined (the caller drops and counts it).
 * @returns {DeliveryReport | undefined}
 */
export function parseReport (msg) {
  if (typeof msg !== 'object' || msg === null) return undefined
  const { key, peerIDs, delivered, source, name } = msg
  if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(key)) return undefined
  if (!Array.isArray(peerIDs) || peerIDs.length > 64) return undefined
  if (!peerIDs.every((id) => id === null || (typeof id === 'string' && id.length > 0 && id.length <= 64))) return undefined
  if (!Number.isSafeInteger(delivered) || delivered < 0) return undefined
  if (source !== undefined && typeof source !== 'boolean') return undefined
  if (name !== undefined && (typeof name !== 'string' || name.length > 32)) return undefined
  return { key, peerIDs: peerIDs.slice(), delivered, source: source === true, name: name ?? null }
}

/**
 * @typedef {{ key: string, peerIDs: Array<string | null>, delivered: number, source: boolean, name: string | null }} DeliveryReport
 * @typedef {{ id: string, parent: string | null, depth: number, placed: boolean, role: string, detached: boolean, name: string | null, delivered: number | null, lag: number | null }} NodeModel
 * @typedef {{ index: number, treeID: string, exists: boolean, size: number, depth: number, waiting: number, nodes: NodeModel[] }} TreeModel
 * @typedef {{ key: string, head: number | null, peers: number, trees: TreeModel[] }} ForestModel
 */
