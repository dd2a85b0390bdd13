import { MAX_OWNED_TREE_INDEX } from '../constants.js'
import { workingRelays } from '../link-state.js'
import { ownedTreeId } from '../protocol.js'
import type { ClientState } from '../registry.js'
import { valid } from './context.js'
import type { HandlerContext } from './context.js'

/**
 * `tree:lookup`: how many owned trees a key has, counted from index 0 until the first that
 * does not exist. A feed's source creates `<key>.0` … `<key>.<m-1>`, so this is m, and a
 * subscriber needs only the key. 0 while the source is not up (the subscriber asks again).
 * With each tree's number of relays, so a subscriber can be a relay where relays are fewest
 * and the trees keep disjoint interiors. Only relays that hang from the source over working
 * links count: a role is only what a client says, and sockets that never open a link would
 * otherwise steer every honest joiner away from the trees they hold.
 */
export async function onLookup (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const { key } = valid(ctx.validators.lookup(payload))
  const relays: number[] = []
  while (relays.length <= MAX_OWNED_TREE_INDEX) {
    const tree = await ctx.get(ownedTreeId(key, relays.length))
    if (tree === undefined) break
    relays.push(workingRelays(tree))
  }
  client.socket.emit('tree:lookup', { key, trees: relays.length, relays })
}
