import { PeerTreeError } from './errors.js'
import { serverIdentityOf } from './protocol.js'
import type { ChallengeMessage, ErrorMessage, TreeSocket } from './protocol.js'

interface Waiter {
  resolve: (nonce: string) => void
  reject: (err: PeerTreeError) => void
}

/**
 * Hands out server challenge nonces to the clients that share one socket, first come
 * first served: several clients (one per tree of a feed) may ask at once, and every
 * nonce the server sends to this socket is good for any one create on it. The server
 * answers requests in order, so a refusal (`tree:error` for `tree:challenge`, e.g. a rate
 * limit) belongs to the oldest waiter too.
 */
class ChallengeQueue {
  #waiting: Waiter[] = []

  constructor (private readonly socket: TreeSocket) {
    socket.on('tree:challenge', (msg: ChallengeMessage) => {
      if (typeof msg?.nonce !== 'string') return
      this.#waiting.shift()?.resolve(msg.nonce)
    })
    socket.on('tree:error', (msg: ErrorMessage) => {
      if (msg?.event !== 'tree:challenge') return
      this.#waiting.shift()?.reject(new PeerTreeError(msg.code, String(msg.message)))
    })
  }

  next (): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject })
      this.socket.emit('tree:challenge')
    })
  }
}

const queues = new WeakMap<TreeSocket, ChallengeQueue>()

/**
 * The identity of the server `socket` talks to, as owner proofs name it: the host of the URL
 * its Manager was made for (socket.io-client keeps it as `uri`; a socket made without one
 * connects to the page's own host).
 */
export function serverIdentity (socket: TreeSocket): string {
  const manager = (socket as unknown as { io?: { uri?: unknown, } }).io
  if (typeof manager?.uri === 'string' && manager.uri.length > 0) {
    const id = serverIdentityOf(manager.uri)
    if (id !== '') return id
  }
  const host = (globalThis as { location?: { host?: unknown } }).location?.host
  return typeof host === 'string' ? host.toLowerCase() : ''
}

/** Asks the server for a fresh nonce on `socket`; rejects with the server's refusal. */
export function requestChallenge (socket: TreeSocket): Promise<string> {
  let queue = queues.get(socket)
  if (queue === undefined) queues.set(socket, (queue = new ChallengeQueue(socket)))
  return queue.next()
}
