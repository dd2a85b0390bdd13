import { STORE_RETRY_MS } from '../constants.js'
import type { ClientState } from '../registry.js'
import { detachTx, leaveTx } from '../transitions.js'
import type { HandlerContext } from './context.js'

/**
 * The socket is gone. Without a grace period each membership leaves at once (its children are
 * re-placed now); with one, each is parked: it keeps its place, takes no new children, and
 * leaves when the grace period ends unless a `tree:resume` rebinds it first.
 * Returns the errors met, one per membership at most, so one failure does not stop the rest.
 */
export async function onDisconnect (ctx: HandlerContext, client: ClientState): Promise<unknown[]> {
  const errors: unknown[] = []
  for (const b of [...client.memberships.values()]) {
    try {
      if (ctx.opts.reconnectGraceMs === 0) {
        const out = await ctx.transact(b.treeID, (s) => leaveTx(s, b, ctx.env))
        ctx.registry.unbind(b.peerID)
        if (out.error === undefined) ctx.counters.leaves += 1
        ctx.apply(b.treeID, out.change)
      } else {
        ctx.park(b, ctx.opts.reconnectGraceMs)
        await ctx.transact(b.treeID, (s) => detachTx(s, b))
      }
    } catch (err) {
      // The store refused: keep the membership parked and retry its removal later, so it
      // does not stay in the tree as a ghost. (With grace, the grace timer already does.)
      if (ctx.opts.reconnectGraceMs === 0) ctx.park(b, STORE_RETRY_MS)
      errors.push(err)
    }
  }
  return errors
}
