// A peer of the demo tells the demo server how many entries it delivered (the source: how
// many it appended) and its peerID in each tree, over the demo's own namespace `/demo` on the
// same connection as its signalling socket. Display-only: the live tree view draws each
// node's lag from it; the feed neither sends nor needs any of it. Runs in pages and in Node.

/** How often the figures are looked at (ms); a report goes out only when they changed. */
const EVERY_MS = 250

/**
 * @param {import('socket.io-client').Socket} socket the peer's signalling socket
 * @param {{ stats: () => { entries: number }, forest: { clients: Array<{ peerID: string | null } | undefined> } }} node a Feed source or subscriber
 * @param {{ key: string, name?: string, source?: boolean }} opts
 * @returns {{ send: () => void, close: () => void }}
 */
export function reportDelivery (socket, node, { key, name, source = false }) {
  const demo = socket.io.socket('/demo')
  let last = ''
  const send = () => {
    const delivered = node.stats().entries
    const peerIDs = Array.from(node.forest.clients, (c) => c?.peerID ?? null)
    const now = `${delivered} ${peerIDs.join(' ')}`
    if (now === last || !demo.connected) return
    last = now
    demo.emit('demo:report', { key, delivered, peerIDs, source, ...(name !== undefined && { name }) })
  }
  const timer = setInterval(send, EVERY_MS)
  // A report must not keep a Node process alive.
  timer.unref?.()
  demo.on('connect', () => { last = ''; send() })
  return {
    send,
    close () {
      clearInterval(timer)
      demo.disconnect()
    }
  }
}
