// One line on the depth of a feed's trees, from the server's snapshots: per tree, how deep
// its relays sit beside the breadth-first optimum for that many relays, and its deepest member.

/** Depth of the deepest of n relays in a breadth-first-optimal tree: levels of k1, k1·k, ... */
export function optimumDepth (n, k, k1) {
  let level = 0
  for (let width = k1, seen = 0; seen < n; width *= k) { level++; seen += width }
  return level
}

export async function depthLine (treeServer, treeIDs) {
  const parts = []
  for (const [i, id] of treeIDs.entries()) {
    const snap = await treeServer.snapshot(id)
    if (snap === undefined) { parts.push(`tree ${i}: gone`); continue }
    const relays = snap.peers.filter((p) => p.role === 'relay')
    const deepest = (ps) => ps.reduce((d, p) => Math.max(d, p.depth), 0)
    parts.push(`tree ${i}: ${relays.length} relays at depth <= ${deepest(relays)} (optimum ${optimumDepth(relays.length, snap.k, snap.k1)}), deepest member ${deepest(snap.peers)}`)
  }
  return parts.join('; ')
}
