import { MAX_OWNED_TREE_INDEX } from '../constants.js'
import { ownedTreeId } from '../protocol.js'
import type { ClientState } from '../registry.js'
import { valid } from './context.js'
import type { HandlerContext } from './context.js'

/**
 * `tree:lookup`: how many owned trees a key has, counted from index 0 until the first that
 * does not exist. A feed's source creates `<key>.0` … `<key>.<m-1>`, so this is m, and a
 * subscriber needs only the key. 0 while the source is not up (the subscriber asks again).
 * With each tree's number of relay members, so a subscriber can be a relay where relays are
 * fewest and the trees keep disjoint interiors.
 */
export async function onLookup (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const { key } = valid(ctx.validators.lookup(payload))
  const relays: number[] = []
  while (relays.length <= MAX_OWNED_TREE_INDEX) {
    const tree = await ctx.get(ownedTreeId(key, relays.length))
    if (tree === undefined) break
    let n = 0
    for (const id in tree.members) if (tree.members[id]?.role === 'relay') n++
    relays.push(n)
  }
  client.socket.emit('tree:lookup', { key, trees: relays.length, relays })
}
