import { MAX_OWNED_TREE_INDEX } from '../constants.js'
import { ownedTreeId } from '../protocol.js'
import type { ClientState } from '../registry.js'
import { valid } from './context.js'
import type { HandlerContext } from './context.js'

/**
 * `tree:lookup`: how many owned trees a key has, counted from index 0 until the first that
 * does not exist. A feed's source creates `<key>.0` … `<key>.<m-1>`, so this is m, and a
 * subscriber needs only the key. 0 while the source is not up (the subscriber asks again).
 */
export async function onLookup (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const { key } = valid(ctx.validators.lookup(payload))
  let trees = 0
  while (trees <= MAX_OWNED_TREE_INDEX && (await ctx.get(ownedTreeId(key, trees))) !== undefined) trees++
  client.socket.emit('tree:lookup', { key, trees })
}
