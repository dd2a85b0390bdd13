// create({ owner }) against a real server: the proof names the server the socket reached,
// so it is accepted there and nowhere else.
import { generateKeyPairSync, sign } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'
import { io as connectSocket } from 'socket.io-client'
import { expect, onTestFinished, test } from 'vitest'
import { PeerTreeServer } from 'peer-tree-server'
import type { PeerTreeServerOptions } from 'peer-tree-server'
import { PeerTreeClient } from '../src/index.js'
import type { PeerTreeError } from '../src/index.js'
import { serverIdentity } from '../src/challenge.js'
import { nextEvent } from '../../../test/helpers/wait.js'

async function startServer (opts: PeerTreeServerOptions = {}): Promise<string> {
  const http = createServer()
  const io = new Server(http)
  const tree = new PeerTreeServer(io, opts)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => { tree.close(); await new Promise<void>((resolve) => { io.close(() => resolve()) }) })
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`
}

function owner () {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const key = publicKey.export({ format: 'jwk' }).x as string
  return { publicKey: key, index: 0, sign: (bytes: Uint8Array) => new Uint8Array(sign(null, bytes, privateKey)) }
}

function clientOn (url: string): PeerTreeClient {
  const socket = connectSocket(url, { transports: ['websocket'], forceNew: true, reconnection: false })
  const client = new PeerTreeClient(socket)
  onTestFinished(() => { client.destroy(); socket.disconnect() })
  return client
}

test('the server identity a client signs is the host of the URL its socket was made for', () => {
  const socket = connectSocket('http://Feeds.Example.org:8080/x', { autoConnect: false })
  expect(serverIdentity(socket)).toBe('feeds.example.org:8080')
})

test('an owned tree is created on the server the client talks to', async () => {
  const url = await startServer()
  const o = owner()
  const client = clientOn(url)
  client.create({ owner: o })
  const [treeID] = await nextEvent<[string]>(client, 'discover')
  expect(treeID).toBe(`${o.publicKey}.0`)
})

test('a server that answers to other names refuses the proof: NOT_OWNER', async () => {
  const url = await startServer({ serverIdentities: ['feeds.example.org'] })
  const client = clientOn(url)
  client.create({ owner: owner() })
  const [err] = await nextEvent<[PeerTreeError]>(client, 'error')
  expect(err.code).toBe('NOT_OWNER')
})
