import { issueChallenge } from '../owner-proof.js'
import type { ClientState } from '../registry.js'
import type { HandlerContext } from './context.js'

/**
 * `tree:challenge`: mint a nonce for an owner proof. A socket holds at most
 * `maxTreesPerSocket` of them (it can own no more trees than that).
 */
export function onChallenge (ctx: HandlerContext, client: ClientState): void {
  const { now, challengeTtlMs, maxTreesPerSocket } = ctx.opts
  const c = issueChallenge(client.challenges, now(), challengeTtlMs, maxTreesPerSocket)
  client.socket.emit('tree:challenge', { nonce: c.nonce })
}
