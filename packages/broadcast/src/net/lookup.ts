import type { Socket } from 'socket.io-client'

/**
 * Asks the signalling server how many trees the feed `key` has (its source created them with
 * an owner proof). While the feed has none (its source is not up yet, or restarting), asks
 * again with a growing delay, up to `maxDelayMs` between tries.
 */
export function lookupTrees (socket: Socket, key: string, maxDelayMs = 5_000): Promise<number> {
  return new Promise((resolve) => {
    let delay = 250
    const onReply = (msg: { key?: unknown, trees?: unknown }): void => {
      if (msg?.key !== key || typeof msg.trees !== 'number') return
      if (msg.trees > 0) {
        socket.off('tree:lookup', onReply)
        resolve(msg.trees)
        return
      }
      setTimeout(ask, delay)
      delay = Math.min(delay * 2, maxDelayMs)
    }
    const ask = (): void => { socket.emit('tree:lookup', { key }) }
    socket.on('tree:lookup', onReply)
    ask()
  })
}
