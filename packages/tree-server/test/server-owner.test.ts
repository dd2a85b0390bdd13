// Owned trees: tree:challenge, then tree:create with an Ed25519 owner proof.
import * as ed from '@noble/ed25519'
import { io as connectSocket } from 'socket.io-client'
import { describe, expect, onTestFinished, test } from 'vitest'
import { ownerSignable, ownedTreeId, serverIdentityOf } from '../src/protocol.js'
import { TestClient, joinTree, startServer, until } from './helpers/socket-harness.js'
import type { TestServer } from './helpers/socket-harness.js'

interface Owner {
  sk: Uint8Array
  key: string
}

async function makeOwner (): Promise<Owner> {
  const sk = ed.utils.randomSecretKey()
  return { sk, key: Buffer.from(await ed.getPublicKeyAsync(sk)).toString('base64url') }
}

/** A proof for `server`, named as a client that connects to its URL names it. */
async function proof (server: TestServer | string, owner: Owner, nonce: string, index: number, signer: Uint8Array = owner.sk) {
  const id = typeof server === 'string' ? server : serverIdentityOf(server.url)
  const signature = Buffer.from(await ed.signAsync(ownerSignable(id, nonce, owner.key, index), signer)).toString('base64url')
  return { key: owner.key, index, nonce, signature }
}

async function challenge (client: TestClient): Promise<string> {
  client.emit('tree:challenge')
  return (await client.next('tree:challenge')).nonce
}

describe('owner proofs', () => {
  test('a valid proof creates the tree <key>.<index>, and others join it', async () => {
    const server = await startServer()
    const owner = await makeOwner()
    const client = await TestClient.connect(server)
    const nonce = await challenge(client)
    client.emit('tree:create', { ref: 'owned', owner: await proof(server, owner, nonce, 2) })
    const d = await client.next('tree:discover')
    expect(d).toMatchObject({ treeID: ownedTreeId(owner.key, 2), ref: 'owned', parent: null, reason: 'create' })
    expect((await server.tree.snapshot(d.treeID))?.owner).toBe(owner.key)
    const m = await joinTree(server, d.treeID, 'm')
    expect(m.discover.parent).toBe(d.peerID)
  })

  test('several outstanding nonces on one socket: concurrent creates of a feed all succeed', async () => {
    const server = await startServer()
    const owner = await makeOwner()
    const client = await TestClient.connect(server)
    const nonces = await Promise.all([challenge(client), challenge(client), challenge(client)])
    for (const [i, nonce] of nonces.entries()) client.emit('tree:create', { ref: `t${i}`, owner: await proof(server, owner, nonce, i) })
    for (let i = 0; i < 3; i++) {
      expect((await client.next('tree:discover', (d) => d.ref === `t${i}`)).treeID).toBe(ownedTreeId(owner.key, i))
    }
  })

  test('a signature by another key is NOT_OWNER', async () => {
    const server = await startServer()
    const owner = await makeOwner()
    const thief = await makeOwner()
    const client = await TestClient.connect(server)
    const nonce = await challenge(client)
    client.emit('tree:create', { ref: 'stolen', owner: await proof(server, owner, nonce, 0, thief.sk) })
    expect(await client.nextError('tree:create')).toMatchObject({ code: 'NOT_OWNER', ref: 'stolen' })
    expect(await server.tree.snapshot(ownedTreeId(owner.key, 0))).toBeUndefined()
  })

  test('a proof made for another server is NOT_OWNER; with named identities, also when the client sends that server\'s name as its Host', async () => {
    const a = await startServer()
    const b = await startServer()
    const owner = await makeOwner()
    // B got a nonce from A and had the owner sign it as a proof for B.
    const relay = await TestClient.connect(a, 'relay')
    const nonce = await challenge(relay)
    relay.emit('tree:create', { ref: 'relayed', owner: await proof(b, owner, nonce, 0) })
    expect(await relay.nextError('tree:create')).toMatchObject({ code: 'NOT_OWNER', ref: 'relayed' })
    // A server that names its identities does not take the Host header's word for it.
    const named = await startServer({ serverIdentities: ['Feeds.Example.org'] })
    const forged = connectSocket(named.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { host: 'b.example' } })
    onTestFinished(() => { forged.disconnect() })
    const replies: Array<[string, unknown]> = []
    forged.onAny((event: string, payload: unknown) => replies.push([event, payload]))
    await new Promise<void>((resolve) => forged.once('connect', () => resolve()))
    const ask = async (): Promise<string> => {
      const got = new Promise<string>((resolve) => forged.once('tree:challenge', (m: { nonce: string }) => resolve(m.nonce)))
      forged.emit('tree:challenge')
      return await got
    }
    const error = new Promise((resolve) => forged.once('tree:error', resolve))
    const n1 = await ask()
    forged.emit('tree:create', { ref: 'forged', owner: await proof('b.example', owner, n1, 0) })
    expect(await error).toMatchObject({ code: 'NOT_OWNER', ref: 'forged' })
    const created = new Promise((resolve) => forged.once('tree:discover', resolve))
    const n2 = await ask()
    forged.emit('tree:create', { ref: 'named', owner: await proof('feeds.example.org', owner, n2, 0) })
    expect(await created).toMatchObject({ treeID: ownedTreeId(owner.key, 0), ref: 'named' })
  })

  test('a nonce is single use: a replayed proof is NOT_OWNER', async () => {
    const server = await startServer()
    const owner = await makeOwner()
    const client = await TestClient.connect(server)
    const nonce = await challenge(client)
    const p = await proof(server, owner, nonce, 0)
    client.emit('tree:create', { ref: 'first', owner: p })
    await client.next('tree:discover')
    client.emit('tree:create', { ref: 'replay', owner: await proof(server, owner, nonce, 1) })
    expect(await client.nextError('tree:create')).toMatchObject({ code: 'NOT_OWNER', ref: 'replay' })
    // A nonce is also bound to the socket it was sent to.
    const other = await TestClient.connect(server, 'other')
    const n2 = await challenge(client)
    other.emit('tree:create', { ref: 'elsewhere', owner: await proof(server, owner, n2, 1) })
    expect(await other.nextError('tree:create')).toMatchObject({ code: 'NOT_OWNER' })
  })

  test('a stale nonce is NOT_OWNER, and so is a proof without a challenge', async () => {
    let now = 1_000_000
    const server = await startServer({ challengeTtlMs: 30_000, now: () => now })
    const owner = await makeOwner()
    const client = await TestClient.connect(server)
    const nonce = await challenge(client)
    now += 30_001
    client.emit('tree:create', { ref: 'late', owner: await proof(server, owner, nonce, 0) })
    expect(await client.nextError('tree:create')).toMatchObject({ code: 'NOT_OWNER' })
    client.emit('tree:create', { ref: 'unasked', owner: await proof(server, owner, 'never-issued', 0) })
    expect(await client.nextError('tree:create')).toMatchObject({ code: 'NOT_OWNER' })
  })

  test('TREE_EXISTS while the owned tree has a source; the ID is free again once it ends', async () => {
    const server = await startServer()
    const owner = await makeOwner()
    const first = await TestClient.connect(server, 'first')
    first.emit('tree:create', { ref: 'a', owner: await proof(server, owner, await challenge(first), 5) })
    await first.next('tree:discover')
    const second = await TestClient.connect(server, 'second')
    second.emit('tree:create', { ref: 'b', owner: await proof(server, owner, await challenge(second), 5) })
    expect(await second.nextError('tree:create')).toEqual({ code: 'TREE_EXISTS', message: 'Tree already exists.', event: 'tree:create', ref: 'b', treeID: ownedTreeId(owner.key, 5) })
    first.close()
    const member = await TestClient.connect(server, 'watcher')
    await until(async () => await server.tree.snapshot(ownedTreeId(owner.key, 5)) === undefined, 'the tree ended with its source', member)
    second.emit('tree:create', { ref: 'c', owner: await proof(server, owner, await challenge(second), 5) })
    expect((await second.next('tree:discover', (d) => d.ref === 'c')).treeID).toBe(ownedTreeId(owner.key, 5))
  })

  test('malformed owner fields are INVALID_PAYLOAD', async () => {
    const server = await startServer()
    const client = await TestClient.connect(server)
    const nonce = await challenge(client)
    client.emit('tree:create', { ref: 'x', owner: { key: 'short', index: 0, nonce, signature: 'A'.repeat(86) } })
    expect(await client.nextError('tree:create')).toMatchObject({ code: 'INVALID_PAYLOAD' })
    client.emit('tree:create', { ref: 'y', owner: { key: 'A'.repeat(43), index: 64, nonce, signature: 'A'.repeat(86) } })
    expect(await client.nextError('tree:create')).toMatchObject({ code: 'INVALID_PAYLOAD' })
  })
})

describe('tree:lookup', () => {
  test('counts the owned trees of a key from index 0, and 0 once its source is gone', async () => {
    const server = await startServer()
    const owner = await makeOwner()
    const source = await TestClient.connect(server)
    const asker = await TestClient.connect(server)
    const lookup = async (key = owner.key): Promise<number> => {
      asker.emit('tree:lookup', { key })
      return (await asker.next('tree:lookup')).trees
    }
    expect(await lookup()).toBe(0)
    for (const index of [0, 1, 2]) {
      const nonce = await challenge(source)
      source.emit('tree:create', { ref: `r${index}`, owner: await proof(server, owner, nonce, index) })
      await source.next('tree:discover')
    }
    expect(await lookup()).toBe(3)
    const tree1 = ownedTreeId(owner.key, 1)
    const relay = await joinTree(server, tree1, 'relay-in-1')
    const leaf = await joinTree(server, tree1, 'leaf-in-1', 'leaf')
    const relays = async (): Promise<number[]> => {
      asker.emit('tree:lookup', { key: owner.key })
      return (await asker.next('tree:lookup')).relays
    }
    // A declared role counts for nothing until both ends of its link say it works.
    expect(await relays()).toEqual([0, 0, 0])
    relay.client.emit('peer:connected', { treeID: tree1, session: relay.discover.session })
    await relay.client.sync()
    expect(await relays()).toEqual([0, 0, 0])
    for (const m of [relay, leaf]) source.emit('peer:connected', { treeID: tree1, session: m.discover.session })
    leaf.client.emit('peer:connected', { treeID: tree1, session: leaf.discover.session })
    await leaf.client.sync()
    await source.sync()
    asker.emit('tree:lookup', { key: owner.key })
    expect(await asker.next('tree:lookup')).toEqual({ key: owner.key, trees: 3, relays: [0, 1, 0] })
    asker.emit('tree:lookup', { key: 'not a key' })
    expect((await asker.nextError('tree:lookup')).code).toBe('INVALID_PAYLOAD')
    source.close()
    await until(async () => (await lookup()) === 0, 'the lookup finds no tree', asker)
  })
})
