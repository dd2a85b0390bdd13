import type { PeerTreeServer } from 'peer-tree-server'
import type { TestPeer } from './swarm.js'

/** A tree as the server holds it: parent and children per peer, and depths. */
export interface TreeView {
  source: string
  parent: Map<string, string | null>
  children: Map<string, string[]>
  depth: Map<string, number>
}

export async function viewTree (treeServer: PeerTreeServer, treeID: string): Promise<TreeView> {
  const snap = await treeServer.snapshot(treeID)
  if (snap === undefined) throw new Error(`the server holds no tree ${treeID}`)
  const parent = new Map<string, string | null>()
  const children = new Map<string, string[]>()
  const depth = new Map<string, number>()
  for (const p of snap.peers) {
    parent.set(p.peerID, p.parent)
    children.set(p.peerID, [...p.children])
    depth.set(p.peerID, p.depth)
  }
  return { source: snap.source, parent, children, depth }
}

/** Every peer below `id` (not `id` itself). */
export function descendants (view: TreeView, id: string): Set<string> {
  const out = new Set<string>()
  const stack = [...(view.children.get(id) ?? [])]
  while (stack.length > 0) {
    const next = stack.pop() as string
    out.add(next)
    stack.push(...(view.children.get(next) ?? []))
  }
  return out
}

/** True when every joined peer has a connected upstream and every parent has all its children connected. */
export function allLinksUp (peers: TestPeer[], view: TreeView): boolean {
  for (const p of peers) {
    const id = p.client.peerID
    if (id === null || !view.parent.has(id)) return false
    if (!p.client.isSource && p.client.upstreamPeer === null) return false
    if (p.client.downstreamPeers.length !== (view.children.get(id)?.length ?? 0)) return false
  }
  return true
}
