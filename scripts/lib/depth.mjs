// Depth of a feed's trees, as the server holds them, and the breadth-first optimum for the
// same members: relays take the shallow slots, so each level holds what the relays above
// it can feed (the source k1, each relay k); leaves take children only once relays ran out.

/** The smallest depth that holds `relays` relays and `leaves` leaves under a source of k1 slots. */
export function optimumDepth (relays, leaves, k, k1) {
  let depth = 0
  let slots = k1
  let r = relays
  let l = leaves
  while (r + l > 0) {
    if (slots <= 0) return Infinity
    depth++
    const rHere = Math.min(r, slots)
    const lHere = Math.min(l, slots - rHere)
    r -= rHere
    l -= lHere
    // Leaves feed the next level only when no relay is left to.
    slots = rHere * k + (r === 0 ? lHere * k : 0)
  }
  return depth
}

/**
 * Per tree: its deepest member, the optimum, members cut off from the source (depth -1),
 * and the mean depth of the members in `honest` (peerIDs; all members when absent).
 */
export async function treeDepths (treeServer, key, trees, honest) {
  const out = []
  for (let t = 0; t < trees; t++) {
    const snap = await treeServer.snapshot(`${key}.${t}`)
    if (snap === undefined) { out.push({ tree: t, members: 0, relays: 0, depth: -1, optimum: -1, relayDepth: -1, relayOptimum: -1, cutOff: 0, meanHonest: NaN, honestCutOff: 0 }); continue }
    const members = snap.peers.filter((p) => p.peerID !== snap.source)
    const placed = members.filter((p) => p.depth >= 0)
    const relayMembers = placed.filter((p) => p.role === 'relay')
    const relays = members.filter((p) => p.role === 'relay').length
    const mine = members.filter((p) => honest === undefined || honest.has(p.peerID))
    const placedMine = mine.filter((p) => p.depth >= 0)
    out.push({
      tree: t,
      members: members.length,
      relays,
      depth: Math.max(0, ...placed.map((p) => p.depth)),
      optimum: optimumDepth(relays, members.length - relays, snap.k, snap.k1),
      // Relays alone: placement holds them to the breadth-first optimum for their number.
      relayDepth: Math.max(0, ...relayMembers.map((p) => p.depth)),
      relayOptimum: optimumDepth(relays, 0, snap.k, snap.k1),
      cutOff: members.length - placed.length,
      meanHonest: placedMine.reduce((n, p) => n + p.depth, 0) / Math.max(1, placedMine.length),
      honestCutOff: mine.length - placedMine.length
    })
  }
  return out
}
