import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'
import { io as connectSocket, type Socket } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import { PeerTreeServer, type PeerTreeServerOptions } from 'peer-tree-server'
import { PeerTreeClient, type PeerTreeClientOptions } from 'peer-tree-client'
import type SimplePeer from 'simple-peer'

export interface SignalServer {
  url: string
  io: Server
  treeServer: PeerTreeServer
  http: HttpServer
}

/** A client in a test swarm, with what it saw. Data it receives upstream is relayed downstream. */
export interface TestPeer {
  name: string
  socket: Socket
  client: PeerTreeClient
  received: string[]
  upstreams: number
  downstreams: number
  disconnects: number
  discovers: number
  errors: Error[]
  upstream: SimplePeer.Instance | null
}

/** Owns every server, socket and client a test starts, and closes them all in `close()`. */
export class Swarm {
  #closers: Array<() => Promise<void> | void> = []
  peers: TestPeer[] = []

  async server (opts: PeerTreeServerOptions = {}): Promise<SignalServer> {
    const http = createServer()
    const io = new Server(http)
    const treeServer = new PeerTreeServer(io, opts)
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const { port } = http.address() as AddressInfo
    this.#closers.push(async () => {
      treeServer.close()
      await new Promise<void>((resolve) => { io.close(() => resolve()) })
    })
    return { url: `http://127.0.0.1:${port}`, io, treeServer, http }
  }

  socket (url: string): Socket {
    const socket = connectSocket(url, { transports: ['websocket'], forceNew: true })
    this.#closers.push(() => { socket.disconnect() })
    return socket
  }

  /** A PeerTreeClient on its own socket; `relay` forwards upstream data to every downstream peer. */
  peer (url: string, opts: PeerTreeClientOptions & { name?: string, relay?: boolean } = {}): TestPeer {
    const { name, relay = true, ...clientOpts } = opts
    const socket = this.socket(url)
    const client = new PeerTreeClient(socket, { wrtc, ...clientOpts })
    const peer: TestPeer = {
      name: name ?? `p${this.peers.length}`,
      socket,
      client,
      received: [],
      upstreams: 0,
      downstreams: 0,
      disconnects: 0,
      discovers: 0,
      errors: [],
      upstream: null
    }
    client.on('discover', () => { peer.discovers++ })
    client.on('disconnect', () => { peer.disconnects++; peer.upstream = null })
    client.on('downstreamPeer', () => { peer.downstreams++ })
    client.on('error', (err) => { peer.errors.push(err) })
    client.on('upstreamPeer', (up) => {
      peer.upstreams++
      peer.upstream = up
      up.on('data', (chunk: Uint8Array) => {
        peer.received.push(Buffer.from(chunk).toString())
        if (relay && !client.destroyed) client.write(chunk)
      })
    })
    this.#closers.push(() => { client.destroy() })
    this.peers.push(peer)
    return peer
  }

  /** Runs `close` when the swarm closes (in reverse order of registration). */
  onClose (close: () => Promise<void> | void): void {
    this.#closers.push(close)
  }

  async close (): Promise<void> {
    const closers = this.#closers.reverse()
    this.#closers = []
    for (const close of closers) {
      try { await close() } catch { /* keep closing the rest */ }
    }
    this.peers = []
  }
}
