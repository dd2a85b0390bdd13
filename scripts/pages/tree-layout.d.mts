// Types of tree-layout.mjs, for the TypeScript tests that use it.
export const LAYOUT: { nodeGap: number, levelHeight: number, margin: number }
export interface Positioned { x: number, y: number }
export function layoutTree<N extends { id: string, parent: string | null, depth: number, placed: boolean }> (
  tree: { nodes: N[] },
  d3: { stratify: () => unknown, tree: () => unknown },
  opts?: { nodeGap: number, levelHeight: number, margin: number }
): { width: number, height: number, nodes: Array<N & Positioned>, links: Array<{ id: string, parent: string, x1: number, y1: number, x2: number, y2: number }> }
