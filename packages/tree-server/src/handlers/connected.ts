import type { ClientState } from '../registry.js'
import { confirmTx } from '../transitions.js'
import { member, throwRefusal, valid } from './context.js'
import type { HandlerContext } from './context.js'

/** `peer:connected`: one end reports its link is up (the link works once both have). */
export async function onConnected (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const msg = valid(ctx.validators.connected(payload))
  const b = member(client, msg.treeID)
  const out = await ctx.transact(msg.treeID, (s) => confirmTx(s, { peerID: b.peerID, epoch: b.epoch, session: msg.session }))
  throwRefusal(ctx, out, msg.treeID, b)
}
