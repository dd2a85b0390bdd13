import { PeerTreeServerError } from '../errors.js'
import type { ClientState } from '../registry.js'
import { resumeTx } from '../transitions.js'
import { throwRefusal, valid } from './context.js'
import type { HandlerContext } from './context.js'

/** `tree:resume`: rebind a membership (same peer ID and place) to this socket. */
export async function onResume (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const req = valid(ctx.validators.resume(payload))
  const held = client.memberships.get(req.treeID)
  if (held !== undefined && held.peerID !== req.peerID) throw PeerTreeServerError.ALREADY_IN_TREE()
  if (held === undefined && client.memberships.size >= ctx.opts.maxTreesPerSocket) {
    throw PeerTreeServerError.TOO_MANY_TREES('This socket holds too many memberships.')
  }
  const out = await ctx.transact(req.treeID, (s) => resumeTx(s, { peerID: req.peerID, token: req.token }, ctx.env))
  throwRefusal(ctx, out, req.treeID)
  const ref = ctx.registry.binding(req.peerID)?.ref ?? null
  ctx.registry.bind(client, { treeID: req.treeID, peerID: req.peerID, epoch: out.epoch ?? 0, ref })
  ctx.apply(req.treeID, out.change)
  ctx.counters.resumes += 1
}
