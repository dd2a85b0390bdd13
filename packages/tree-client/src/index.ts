import { PeerTreeClient } from './peer-tree-client.js'

export { PeerTreeClient }
export type {
  PeerTreeClientOptions, PeerTreeClientEvents, CreateOptions, ConnectOptions, TreeOwner, LinkInfo
} from './peer-tree-client.js'
export { PeerTreeError, ClientErrorCodes } from './errors.js'
export type { ClientErrorCode, PeerTreeErrorCode } from './errors.js'
export type { PeerOptions } from './create-peer.js'
export { MediaRelay, relayMedia } from './media-relay.js'
export type { MediaRelayOptions, MediaRelayEvents, MediaRelayStats } from './media-relay.js'
export { DEFAULT_TIMEOUT_MS } from './constants.js'
export { toBase64Url } from './encoding.js'
export default PeerTreeClient
/** The typed emitter the client is built on (an unhandled 'error' is dropped, not thrown); peer-tree-broadcast reuses it. */
export { TypedEmitter } from './emitter.js'
export type { EventMap } from './emitter.js'
