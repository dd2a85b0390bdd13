import { roomOf } from '../registry.js'
import type { ClientState } from '../registry.js'
import { signalRoute } from '../transitions.js'
import { member, refuse, valid } from './context.js'
import type { HandlerContext } from './context.js'

/** `peer:signal`: relay to the other end of one of this member's own links, and nowhere else. */
export async function onSignal (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const msg = valid(ctx.validators.signal(payload))
  const b = member(client, msg.treeID)
  const route = signalRoute(await ctx.get(msg.treeID), b, msg.session)
  if (!route.ok) refuse(ctx, route.code, undefined, msg.treeID, b)
  ctx.io.to(roomOf(route.to)).emit('peer:signal', { treeID: msg.treeID, session: msg.session, signal: msg.signal })
  ctx.counters.signalsRelayed += 1
}
