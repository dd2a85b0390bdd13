// peer-tree-client: the client with simple-peer as its WebRTC peer, so the peers handed out in
// 'upstreamPeer' / 'downstreamPeer' are simple-peer instances (streams, `pipe`), as the
// original's were. peer-tree-client/core is the same client without simple-peer.
import SimplePeer from 'simple-peer'
import { definePeerTreeClient, type PeerTreeClient as Client } from './peer-tree-client.js'

export const PeerTreeClient = definePeerTreeClient(SimplePeer)
export type PeerTreeClient = Client
export type {
  PeerTreeClientOptions, PeerTreeClientEvents, CreateOptions, ConnectOptions, TreeOwner, LinkInfo
} from './peer-tree-client.js'
export { PeerTreeError, ClientErrorCodes } from './errors.js'
export type { ClientErrorCode, PeerTreeErrorCode } from './errors.js'
export type { PeerOptions, PeerConstructor, LinkPeer } from './create-peer.js'
export { DEFAULT_TIMEOUT_MS } from './constants.js'
export { toBase64Url } from './encoding.js'
export default PeerTreeClient
/** The typed emitter the client is built on (an unhandled 'error' is dropped, not thrown); peer-tree-broadcast reuses it. */
export { TypedEmitter } from './emitter.js'
export type { EventMap } from './emitter.js'
