import { EventEmitter } from 'node:events'

/**
 * Just enough of a socket.io-client socket for unit tests: `sent` records what the client
 * emits, `deliver(event, payload)` plays the server. Never reaches a network.
 */
export function fakeSocket (): any {
  const socket: any = new EventEmitter()
  socket.sent = [] as unknown[][]
  socket.emit = function (event: string, ...args: unknown[]) {
    socket.sent.push([event, ...args])
    return true
  }
  socket.off = socket.removeListener
  socket.deliver = (event: string, payload: unknown) => { for (const fn of socket.listeners(event)) fn(payload) }
  return socket
}
