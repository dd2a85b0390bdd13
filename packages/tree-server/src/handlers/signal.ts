import { PeerTreeServerError } from '../errors.js'
import { roomOf } from '../registry.js'
import type { ClientState } from '../registry.js'
import { giveUpLinkTx, signalRoute } from '../transitions.js'
import { jsonBytes } from '../validate.js'
import { member, refuse, valid } from './context.js'
import type { HandlerContext } from './context.js'

/**
 * `peer:signal`: relay to the other end of one of this member's own links, and nowhere else,
 * within the link's limits. A link that goes over them is given up: the child is placed
 * elsewhere, avoiding that parent, and the sender gets SIGNAL_LIMIT.
 */
export async function onSignal (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const msg = valid(ctx.validators.signal(payload))
  const b = member(client, msg.treeID)
  const route = await ctx.read(msg.treeID, (s) => signalRoute(s, b, msg.session))
  if (!route.ok) refuse(ctx, route.code, undefined, msg.treeID, b)
  const verdict = ctx.signals.admit(msg.session, route.child, route.side, msg.signal, jsonBytes(msg.signal))
  if (verdict === 'early') {
    ctx.counters.signalsDropped += 1
    return
  }
  if (verdict === 'over') {
    ctx.counters.signalsDropped += 1
    const out = await ctx.transact(msg.treeID, (s) => giveUpLinkTx(s, { child: route.child, session: msg.session }, ctx.env))
    if (out.change.out.length > 0) ctx.counters.failedLinks += 1
    ctx.apply(msg.treeID, out.change)
    throw PeerTreeServerError.SIGNAL_LIMIT({ treeID: msg.treeID })
  }
  ctx.io.to(roomOf(route.to)).emit('peer:signal', { treeID: msg.treeID, session: msg.session, signal: msg.signal })
  ctx.counters.signalsRelayed += 1
}
