// Types of forest-model.mjs, for the TypeScript tests that use it.
import type { TreeSnapshot } from 'peer-tree-server'

export interface DeliveryReport {
  key: string
  /** This peer's peerID in each tree of the feed (null where it is not placed). */
  peerIDs: Array<string | null>
  /** Entries delivered (the source: entries appended). */
  delivered: number
  source: boolean
  name: string | null
}
export interface NodeModel {
  id: string
  parent: string | null
  depth: number
  placed: boolean
  role: string
  detached: boolean
  name: string | null
  delivered: number | null
  lag: number | null
}
export interface TreeModel {
  index: number
  treeID: string
  exists: boolean
  size: number
  depth: number
  waiting: number
  nodes: NodeModel[]
}
export interface ForestModel {
  key: string
  head: number | null
  peers: number
  trees: TreeModel[]
}
export function feedTreeOf (treeID: string): { key: string, index: number } | undefined
export function forestModel (input: { key: string, snapshots: Array<TreeSnapshot | undefined>, reports: Iterable<DeliveryReport> }): ForestModel
export function parseReport (msg: unknown): DeliveryReport | undefined
