// node:crypto is reached through process.getBuiltinModule (Node >= 20.16, what `engines`
// asks for). Where it is missing in Node, the fallback is never silent: the status says why,
// a process warning is emitted, and asking for the node backend throws with the reason.
import { readFileSync } from 'node:fs'
import { afterEach, expect, test, vi } from 'vitest'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  vi.resetModules()
})

test('in this Node, node:crypto is in use for hashing and is the node backend', async () => {
  const { nodeCryptoStatus } = await import('../src/crypto/node-crypto.js')
  const { hashBackendName } = await import('../src/crypto/hash.js')
  expect(nodeCryptoStatus()).toEqual({ available: true })
  expect(hashBackendName).toBe('node')
})

test('a Node without process.getBuiltinModule says so: status, one warning, and a clear error for the node backend', async () => {
  const warnings: Array<[string, unknown]> = []
  const overrides: Record<string | symbol, unknown> = {
    getBuiltinModule: undefined,
    versions: { ...process.versions, node: '20.15.1' },
    emitWarning: (message: string, options: unknown) => { warnings.push([message, options]) }
  }
  vi.stubGlobal('process', new Proxy(process, {
    get: (target, key) => (key in overrides ? overrides[key] : Reflect.get(target, key))
  }))
  vi.resetModules()
  const { nodeCryptoStatus, NO_NODE_CRYPTO_WARNING } = await import('../src/crypto/node-crypto.js')
  const { hashBackendName, sha256 } = await import('../src/crypto/hash.js')
  const { createNodeEd25519, hasNodeEd25519 } = await import('../src/crypto/ed25519.js')
  expect(hashBackendName).toBe('noble')
  expect(sha256(new Uint8Array([1])).length).toBe(32)
  expect(nodeCryptoStatus()).toEqual({ available: false, reason: 'Node 20.15.1 has no process.getBuiltinModule (Node >= 20.16 has it)' })
  expect(hasNodeEd25519()).toBe(false)
  expect(() => createNodeEd25519()).toThrow(/node:crypto is not available: Node 20.15.1 has no process.getBuiltinModule/)
  expect(warnings).toHaveLength(1)
  expect(warnings[0]![1]).toEqual({ code: NO_NODE_CRYPTO_WARNING })
})

test('every package asks for the Node that has process.getBuiltinModule', () => {
  for (const path of ['../../../package.json', '../package.json', '../../tree-client/package.json', '../../tree-server/package.json']) {
    const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { engines?: { node?: string } }
    expect([path, pkg.engines?.node]).toEqual([path, '>=20.16'])
  }
})
