import type { Socket } from 'socket.io-client'
import type { ChallengeMessage } from './protocol.js'

/**
 * Hands out server challenge nonces to the clients that share one socket, first come
 * first served: several clients (one per tree of a feed) may ask at once, and every
 * nonce the server sends to this socket is good for any one create on it.
 */
class ChallengeQueue {
  #waiting: Array<(nonce: string) => void> = []

  constructor (private readonly socket: Socket) {
    socket.on('tree:challenge', (msg: ChallengeMessage) => {
      if (typeof msg?.nonce !== 'string') return
      this.#waiting.shift()?.(msg.nonce)
    })
  }

  next (): Promise<string> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve)
      this.socket.emit('tree:challenge')
    })
  }
}

const queues = new WeakMap<Socket, ChallengeQueue>()

/** Asks the server for a fresh nonce on `socket`. */
export function requestChallenge (socket: Socket): Promise<string> {
  let queue = queues.get(socket)
  if (queue === undefined) queues.set(socket, (queue = new ChallengeQueue(socket)))
  return queue.next()
}
