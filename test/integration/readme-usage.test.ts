// The original README's usage code, nearly verbatim, against the built packages
// (required as CommonJS, the way the README does).
import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough, Writable } from 'node:stream'
import { afterEach, expect, test } from 'vitest'
import { until } from '../helpers/wait.js'

const require = createRequire(import.meta.url)
const cleanups: Array<() => void> = []
afterEach(() => { for (const c of cleanups.splice(0).reverse()) c() })

test('README usage: create, discover, connect by treeID, piped data reaches every peer', async () => {
  // Server, as in the README (listening on loopback and an ephemeral port for the test).
  const io = require('socket.io')() // A socket.io instance for signalling
  const PeerTreeServer = require('peer-tree-server')
  const treeServer = new PeerTreeServer(io, {
    k: 2, // k is the maximum number of downstream connections per peer,
    k1: 3 // k1 is the maximum number of downstream connections for the source (10 in the README; 3 so data crosses relays)
  })
  const http = createServer()
  io.attach(http)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  cleanups.push(() => { treeServer.close(); io.close() })

  const PeerTreeClient = require('peer-tree-client')
  const wrtc = require('@roamhq/wrtc')
  const makeSocket = (): any => {
    const socket = require('socket.io-client')(url, { forceNew: true }) // A socket.io-client instance for signalling
    cleanups.push(() => socket.disconnect())
    return socket
  }

  // Client: create a new tree and become the source.
  const readableStream = new PassThrough()
  const treeClient = new PeerTreeClient(makeSocket(), { wrtc })
  cleanups.push(() => treeClient.destroy())
  treeClient.create()
  const treeID: string = await new Promise((resolve) => {
    treeClient.on('discover', (treeID: string) => {
      // The tree has been created with the returned ID
      const written = treeClient.write('hello world') // nobody is downstream yet: reaches no one
      expect(written).toBe(0)
      resolve(treeID)
    })
  })
  let sourceDownstream = 0
  treeClient.on('downstreamPeer', (peer: any) => {
    sourceDownstream++
    // pipe our data to every downstream peer
    readableStream.pipe(peer)
  })
  expect(typeof treeID).toBe('string')

  // Clients: connect to the existing tree, replicate the upstream content downstream.
  const N = 8
  const got: string[][] = []
  let connectedUp = 0
  let connectedDown = 0
  for (let i = 0; i < N; i++) {
    const chunks: string[] = []
    got.push(chunks)
    const replica = new PassThrough()
    const writableStream = new Writable({
      write (chunk, _enc, next) { chunks.push(chunk.toString()); replica.write(chunk); next() }
    })
    const client = new PeerTreeClient(makeSocket(), { wrtc })
    cleanups.push(() => client.destroy())
    client.connect(treeID)
    client.on('discover', function (id: string) {
      // Tree exists, but we may not be connected to an upstream peer yet
      expect(id).toBe(treeID)
    })
    client.on('upstreamPeer', (peer: any) => {
      connectedUp++
      peer.pipe(writableStream) // this is our stream data
    })
    client.on('downstreamPeer', (peer: any) => {
      connectedDown++
      replica.pipe(peer) // either replicate the upstream content, or pipe else
    })
  }
  await until(() => connectedUp === N && sourceDownstream + connectedDown === N, {
    what: 'every peer is connected up and down',
    describe: () => `up ${connectedUp}/${N}, down ${sourceDownstream + connectedDown}/${N}`
  })

  readableStream.write('hello tree')
  await until(() => got.every((chunks) => chunks.join('').includes('hello tree')), {
    what: 'every peer received the data',
    describe: () => `${got.filter((c) => c.join('').includes('hello tree')).length}/${N}`
  })
  // k1 = 3 was honoured; the other five peers got the data through relays.
  expect(sourceDownstream).toBe(3)
})
