// The live tree view: watches one feed on the demo's namespace and draws each of its trees as
// SVG whenever the server sends a new model (a tree changed, or a peer reported). The model
// (forest-model.mjs, on the server) says who is below whom and each member's lag; the layout
// is d3-hierarchy's tidy tree (tree-layout.mjs); the drawing is plain SVG.
import { stratify, tree } from '/lib/d3-hierarchy.mjs'
import { layoutTree } from './tree-layout.mjs'

const SVG = 'http://www.w3.org/2000/svg'
const $ = (id) => document.getElementById(id)
const demo = globalThis.io('/demo', { transports: ['websocket'] })
let key = new URLSearchParams(location.search).get('key')

demo.on('connect', () => { if (key !== null) demo.emit('demo:watch', key) })
demo.on('demo:feeds', (keys) => {
  // Without a key in the address, the view follows the first live feed.
  if (key === null && keys.length > 0) {
    key = keys[0]
    history.replaceState(null, '', `?key=${key}`)
    demo.emit('demo:watch', key)
  }
  const others = keys.filter((k) => k !== key)
  $('feeds').replaceChildren(...(others.length === 0 ? ['none'] : others.flatMap((k, i) => [i > 0 ? ', ' : '', link(k)])))
})
demo.on('demo:forest', (model) => {
  if (model.key !== key) return
  $('key').textContent = model.key
  $('head').textContent = model.head === null ? 'not reported' : `${model.head} entries`
  $('peers').textContent = String(model.peers)
  $('forest').replaceChildren(...model.trees.map(drawTree))
  document.body.dataset.trees = String(model.trees.length)
  document.body.dataset.head = String(model.head)
})

function drawTree (t) {
  const section = document.createElement('section')
  section.className = 'tree'
  section.dataset.tree = String(t.index)
  const h2 = document.createElement('h2')
  h2.textContent = t.exists
    ? `tree ${t.index}: ${t.size} members, depth ${t.depth}${t.waiting > 0 ? `, ${t.waiting} waiting for a place` : ''}`
    : `tree ${t.index}: not there (its source is gone)`
  section.append(h2)
  if (!t.exists) return section
  const layout = layoutTree(t, { stratify, tree })
  const svg = el('svg', { width: layout.width, height: layout.height, viewBox: `0 0 ${layout.width} ${layout.height}` })
  for (const l of layout.links) svg.append(el('line', { class: 'link', 'data-child': l.id, 'data-parent': l.parent, x1: l.x1, y1: l.y1, x2: l.x2, y2: l.y2 }))
  for (const n of layout.nodes) svg.append(drawNode(t.index, n))
  section.append(svg)
  return section
}

function drawNode (treeIndex, n) {
  const lagClass = n.lag === null ? 'lag-unknown' : n.lag === 0 ? 'lag-0' : n.lag < 64 ? 'lag-some' : 'lag-many'
  const g = el('g', {
    class: `peer role-${n.role} ${lagClass}${n.placed ? '' : ' waiting'}`,
    transform: `translate(${n.x},${n.y})`,
    'data-tree': treeIndex,
    'data-peer': n.id,
    'data-depth': n.depth,
    'data-lag': n.lag === null ? '' : n.lag
  })
  const title = el('title', {})
  title.textContent = `${n.name ?? 'unreported peer'} (${n.id}), ${n.role}, depth ${n.depth}` +
    `${n.delivered === null ? '' : `, ${n.delivered} entries delivered`}${n.detached ? ', detached' : ''}`
  const label = el('text', { y: -12 })
  label.textContent = n.role === 'source' ? 'source' : (n.name ?? n.id.slice(0, 6))
  const lag = el('text', { y: 20 })
  lag.textContent = n.lag === null ? '?' : n.role === 'source' ? '' : `lag ${n.lag}`
  g.append(title, el('circle', { r: 8 }), label, lag)
  return g
}

function el (name, attrs) {
  const node = document.createElementNS(SVG, name)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v))
  return node
}

function link (k) {
  const a = document.createElement('a')
  a.href = `?key=${k}`
  a.className = 'key'
  a.textContent = k.slice(0, 10) + '…'
  return a
}
