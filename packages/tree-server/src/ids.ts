/** Random, unguessable IDs, all base64url. Knowing an ID is what lets a client address a tree, member or link. */
import { randomBytes } from 'node:crypto'
import { ID_BYTES, TOKEN_SECRET_BYTES, TREE_ID_BYTES } from './constants.js'
import type { PeerId, SessionId, TreeId } from './protocol.js'

export function mintTreeId (): TreeId {
  return randomBytes(TREE_ID_BYTES).toString('base64url')
}

export function mintPeerId (): PeerId {
  return randomBytes(ID_BYTES).toString('base64url')
}

export function mintSessionId (): SessionId {
  return randomBytes(ID_BYTES).toString('base64url')
}

/** Names one server process (one PeerTreeServer) among those sharing a store. */
export function mintProcessId (): string {
  return randomBytes(ID_BYTES).toString('base64url')
}

/** `<peerID>.<secret>`: the peer ID names the member to check, the secret proves it. */
export function mintToken (peerID: PeerId): string {
  return `${peerID}.${randomBytes(TOKEN_SECRET_BYTES).toString('base64url')}`
}
