/**
 * node:crypto when the runtime has it, fetched at run time so that no bundler ever sees a
 * static `node:` import (this package must load in browsers). `process.getBuiltinModule`
 * exists in Node >= 20.16 (and Deno, Bun), which is what `engines` asks for.
 *
 * Never a silent fallback: in Node (or a runtime that says it is Node) where node:crypto
 * cannot be reached, {@link nodeCryptoStatus} says why and a process warning
 * (`PEER_TREE_NO_NODE_CRYPTO`) is emitted once; hashing then uses @noble/hashes and the
 * default signature backend is WebCrypto, both slower. In a browser there is nothing to say.
 */
import type * as NodeCrypto from 'node:crypto'

export type NodeCryptoModule = typeof NodeCrypto

/** Whether node:crypto is in use, and why not when it is not. */
export interface NodeCryptoStatus {
  available: boolean
  /** Why node:crypto is not in use (absent when it is). */
  reason?: string
}

/** The code of the process warning emitted when Node's crypto cannot be reached. */
export const NO_NODE_CRYPTO_WARNING = 'PEER_TREE_NO_NODE_CRYPTO'

interface ProcessLike {
  versions?: { node?: string }
  getBuiltinModule?: (id: string) => unknown
  emitWarning?: (message: string, options: { code: string }) => void
}

let cached: { mod: NodeCryptoModule | undefined, status: NodeCryptoStatus } | undefined

function load (): { mod: NodeCryptoModule | undefined, status: NodeCryptoStatus } {
  const proc = (globalThis as { process?: ProcessLike }).process
  const node = proc?.versions?.node
  let reason: string
  try {
    if (typeof proc?.getBuiltinModule === 'function') {
      const mod = proc.getBuiltinModule('node:crypto') as NodeCryptoModule | undefined
      if (mod !== undefined && typeof mod.createHash === 'function') return { mod, status: { available: true } }
      reason = 'process.getBuiltinModule did not return node:crypto'
    } else {
      reason = node === undefined
        ? 'not Node (no process.getBuiltinModule)'
        : `Node ${node} has no process.getBuiltinModule (Node >= 20.16 has it)`
    }
  } catch (err) {
    reason = `node:crypto failed to load: ${String((err as Error)?.message ?? err)}`
  }
  if (node !== undefined) {
    proc?.emitWarning?.(`peer-tree-broadcast: node:crypto is not reachable (${reason}); hashing uses @noble/hashes and signatures WebCrypto, both slower`, { code: NO_NODE_CRYPTO_WARNING })
  }
  return { mod: undefined, status: { available: false, reason } }
}

/** The node:crypto module, or `undefined` outside Node-like runtimes. */
export function getNodeCrypto (): NodeCryptoModule | undefined {
  cached ??= load()
  return cached.mod
}

/** Whether node:crypto is in use here, and why not when it is not. */
export function nodeCryptoStatus (): NodeCryptoStatus {
  cached ??= load()
  return { ...cached.status }
}
