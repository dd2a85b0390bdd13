/**
 * node:crypto when the runtime has it, fetched at run time so that no bundler ever sees a
 * static `node:` import (this package must load in browsers). `process.getBuiltinModule`
 * exists in Node >= 20.16 (and Deno, Bun); elsewhere this is `undefined`.
 */
import type * as NodeCrypto from 'node:crypto'

export type NodeCryptoModule = typeof NodeCrypto

let cached: NodeCryptoModule | null | undefined

/** The node:crypto module, or `undefined` outside Node-like runtimes. */
export function getNodeCrypto(): NodeCryptoModule | undefined {
  if (cached === undefined) {
    try {
      const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
      const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCryptoModule | undefined
      cached = mod && typeof mod.createHash === 'function' ? mod : null
    } catch {
      cached = null
    }
  }
  return cached ?? undefined
}
