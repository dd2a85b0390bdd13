import type { Socket } from 'socket.io-client'

export interface FeedTrees {
  /** How many trees the feed has. */
  trees: number
  /** Relay members per tree, as the server counted them (empty when unknown). */
  relays: number[]
}

/**
 * Asks the signalling server how many trees the feed `key` has (its source created them with
 * an owner proof), and how many relays each has. While the feed has none (its source is not
 * up yet, or restarting), asks again with a growing delay, up to `maxDelayMs` between tries.
 */
export function lookupTrees (socket: Socket, key: string, maxDelayMs = 5_000): Promise<FeedTrees> {
  return new Promise((resolve) => {
    let delay = 250
    const onReply = (msg: { key?: unknown, trees?: unknown, relays?: unknown }): void => {
      if (msg?.key !== key || typeof msg.trees !== 'number') return
      if (msg.trees > 0) {
        socket.off('tree:lookup', onReply)
        socket.off('tree:error', onError)
        const relays = Array.isArray(msg.relays) && msg.relays.length === msg.trees && msg.relays.every((n) => typeof n === 'number') ? msg.relays as number[] : []
        resolve({ trees: msg.trees, relays })
        return
      }
      setTimeout(ask, delay)
      delay = Math.min(delay * 2, maxDelayMs)
    }
    // A refused lookup (a rate limit, the store down) is asked again like an empty answer.
    const onError = (msg: { event?: unknown }): void => {
      if (msg?.event === 'tree:lookup') onReply({ key, trees: 0 })
    }
    const ask = (): void => { socket.emit('tree:lookup', { key }) }
    socket.on('tree:lookup', onReply)
    socket.on('tree:error', onError)
    ask()
  })
}

/**
 * The tree to relay in: one of those with the fewest relays (chosen at random among them),
 * so that relays spread evenly and every tree keeps enough forwarding capacity.
 */
export function chooseHomeTree (trees: number, relays: number[], random: () => number = Math.random): number {
  if (relays.length !== trees) return Math.floor(random() * trees)
  const fewest = Math.min(...relays)
  const candidates = relays.flatMap((n, i) => (n === fewest ? [i] : []))
  return candidates[Math.floor(random() * candidates.length)] as number
}
