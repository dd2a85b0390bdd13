import type { ClientState } from '../registry.js'
import { reconnectTx } from '../transitions.js'
import { member, throwRefusal, valid } from './context.js'
import type { HandlerContext } from './context.js'

/** `tree:reconnect`: move the member (with its subtree) to a new parent, once per request. */
export async function onReconnect (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const req = valid(ctx.validators.reconnect(payload))
  const b = member(client, req.treeID)
  const params = { peerID: b.peerID, epoch: b.epoch, session: req.session, failed: req.failed === true }
  const out = await ctx.transact(req.treeID, ctx.placing((s) => reconnectTx(s, params, ctx.env)))
  throwRefusal(ctx, out, req.treeID, b)
  // An empty change: the session was stale (the server had already moved it), so it was ignored.
  if (out.change.out.length > 0) {
    ctx.counters.reconnects += 1
    if (req.failed === true) ctx.counters.failedLinks += 1
  }
  ctx.apply(req.treeID, out.change)
}
