// Where each node of one tree goes in the SVG, from the forest model (no DOM, so a test runs
// it in Node): d3-hierarchy's tidy tree for the members placed under the source, one level per
// link from it; members waiting for a place in a row of their own below. d3-hierarchy's
// `stratify` and `tree` are passed in: the page imports them as a module, tests from the package.

export const LAYOUT = { nodeGap: 46, levelHeight: 64, margin: 28 }

/**
 * @param {{ nodes: Array<{ id: string, parent: string | null, depth: number, placed: boolean }> }} tree
 * @param {{ stratify: Function, tree: Function }} d3
 * @returns {{ width: number, height: number, nodes: Array<object & { x: number, y: number }>, links: Array<{ id: string, parent: string, x1: number, y1: number, x2: number, y2: number }> }}
 */
export function layoutTree (tree, d3, { nodeGap, levelHeight, margin } = LAYOUT) {
  const placed = tree.nodes.filter((n) => n.placed)
  const waiting = tree.nodes.filter((n) => !n.placed)
  const nodes = []
  const links = []
  let levels = 0
  if (placed.length > 0) {
    const root = d3.stratify().id((n) => n.id).parentId((n) => (n.depth === 0 ? null : n.parent))(placed)
    d3.tree().nodeSize([nodeGap, levelHeight])(root)
    for (const d of root.descendants()) {
      nodes.push({ ...d.data, x: d.x, y: d.y })
      if (d.parent !== null) links.push({ id: d.data.id, parent: d.parent.data.id, x1: d.parent.x, y1: d.parent.y, x2: d.x, y2: d.y })
      levels = Math.max(levels, d.depth + 1)
    }
  }
  const rowY = levels * levelHeight + (levels > 0 ? levelHeight / 2 : 0)
  waiting.forEach((n, i) => nodes.push({ ...n, x: i * nodeGap, y: rowY }))
  // Shift everything right of the margin: the tidy tree centres the source on x = 0.
  const minX = Math.min(0, ...nodes.map((n) => n.x))
  const maxX = Math.max(0, ...nodes.map((n) => n.x))
  for (const n of nodes) { n.x += margin - minX; n.y += margin }
  for (const l of links) { l.x1 += margin - minX; l.x2 += margin - minX; l.y1 += margin; l.y2 += margin }
  const rows = levels + (waiting.length > 0 ? 1 : 0)
  return {
    width: maxX - minX + 2 * margin,
    height: Math.max(1, rows) * levelHeight + margin,
    nodes,
    links
  }
}
