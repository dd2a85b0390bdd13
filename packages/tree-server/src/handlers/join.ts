import { PeerTreeServerError } from '../errors.js'
import { mintPeerId, mintToken } from '../ids.js'
import type { ClientState } from '../registry.js'
import { joinTx } from '../transitions.js'
import { throwRefusal, valid } from './context.js'
import type { HandlerContext } from './context.js'

/** `tree:join`: place a new member breadth-first and introduce it to its parent. */
export async function onJoin (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const req = valid(ctx.validators.join(payload))
  // Also refuses a source joining its own tree (the original made it its own child).
  if (client.memberships.has(req.treeID)) throw PeerTreeServerError.ALREADY_IN_TREE()
  if (client.memberships.size >= ctx.opts.maxTreesPerSocket) {
    throw PeerTreeServerError.TOO_MANY_TREES('This socket holds too many memberships.')
  }
  const peerID = mintPeerId()
  const token = mintToken(peerID)
  const params = { peerID, role: req.role ?? 'relay', token, maxPeers: ctx.opts.maxPeersPerTree } as const
  const out = await ctx.transact(req.treeID, ctx.placing((s) => joinTx(s, params, ctx.env)))
  // A refused join may still have placed waiting members on the way: their messages go out anyway.
  if (out.error === undefined) ctx.registry.bind(client, { treeID: req.treeID, peerID, epoch: 0, ref: null })
  ctx.apply(req.treeID, out.change)
  throwRefusal(ctx, out, req.treeID)
  ctx.counters.joins += 1
}
