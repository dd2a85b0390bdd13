import type { ClientState } from '../registry.js'
import { leaveTx } from '../transitions.js'
import { member, throwRefusal, valid } from './context.js'
import type { HandlerContext } from './context.js'

/** `tree:leave`: remove the member; its children are re-placed, or the tree ends if it was the source. */
export async function onLeave (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const req = valid(ctx.validators.leave(payload))
  const b = member(client, req.treeID)
  const out = await ctx.transact(req.treeID, (s) => leaveTx(s, b, ctx.env))
  throwRefusal(ctx, out, req.treeID, b)
  ctx.apply(req.treeID, out.change)
  ctx.counters.leaves += 1
}
