import type { ClientState } from '../registry.js'
import { linkFailedTx } from '../transitions.js'
import { member, throwRefusal, valid } from './context.js'
import type { HandlerContext } from './context.js'

/** `peer:failed`: the parent end reports a link to a child failed; the slot frees now. */
export async function onFailed (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const msg = valid(ctx.validators.failed(payload))
  const b = member(client, msg.treeID)
  const out = await ctx.transact(msg.treeID, (s) => linkFailedTx(s, { peerID: b.peerID, epoch: b.epoch, session: msg.session }, ctx.env))
  throwRefusal(ctx, out, msg.treeID, b)
  ctx.counters.reportedLinks += 1
  ctx.apply(msg.treeID, out.change)
}
