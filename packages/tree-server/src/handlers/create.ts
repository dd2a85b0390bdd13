import { PeerTreeServerError } from '../errors.js'
import { mintPeerId, mintToken, mintTreeId } from '../ids.js'
import { identitiesFor, takeChallenge, verifyOwnerProof } from '../owner-proof.js'
import { ownedTreeId } from '../protocol.js'
import type { TreeId } from '../protocol.js'
import type { ClientState } from '../registry.js'
import { createTx } from '../transitions.js'
import { valid, throwRefusal } from './context.js'
import type { HandlerContext } from './context.js'

/** `tree:create`: a new tree with this socket as its source. */
export async function onCreate (ctx: HandlerContext, client: ClientState, payload: unknown): Promise<void> {
  const req = valid(ctx.validators.create(payload))
  for (const b of client.memberships.values()) {
    if (b.ref === req.ref) throw PeerTreeServerError.ALREADY_IN_TREE()
  }
  if (client.memberships.size >= ctx.opts.maxTreesPerSocket) {
    throw PeerTreeServerError.TOO_MANY_TREES('This socket holds too many memberships.')
  }
  if (await ctx.storeSize() >= ctx.opts.maxTrees) {
    throw PeerTreeServerError.TOO_MANY_TREES('The server holds too many trees.')
  }

  let treeID: TreeId
  let owner: string | null = null
  if (req.owner != null) {
    const proof = req.owner
    // Single use: the attempt spends the nonce, so a bad signature cannot be retried on it.
    if (!takeChallenge(client.challenges, proof.nonce, ctx.opts.now())) {
      throw PeerTreeServerError.NOT_OWNER('Unknown, used or expired nonce; send tree:challenge first.')
    }
    const identities = identitiesFor(ctx.opts.serverIdentities, client.socket.handshake.headers.host)
    if (!(await verifyOwnerProof(proof, identities))) {
      throw PeerTreeServerError.NOT_OWNER('Bad owner signature (or one made for another server).')
    }
    treeID = ownedTreeId(proof.key, proof.index)
    owner = proof.key
  } else {
    treeID = mintTreeId()
  }

  const k = req.k == null ? ctx.opts.k : Math.min(req.k, ctx.opts.maxK)
  const k1 = req.k1 == null ? ctx.opts.k1 : Math.min(req.k1, ctx.opts.maxK)
  const peerID = mintPeerId()
  const token = mintToken(peerID)
  const out = await ctx.transact(treeID, (s) => createTx(s, { treeID, k, k1, owner, source: peerID, token, ref: req.ref, holder: ctx.env.holder ?? null }))
  throwRefusal(ctx, out, treeID)
  ctx.registry.bind(client, { treeID, peerID, epoch: 0, ref: req.ref })
  ctx.apply(treeID, out.change)
  ctx.counters.creates += 1
}
