// peer-tree-client/core: the client without a WebRTC library. `new PeerTreeClient(socket,
// { Peer })` makes its links with the given class: `DataPeer` (below, over the platform's own
// RTCPeerConnection, data only) or simple-peer. This entry never loads simple-peer, so a
// browser bundle of it carries none of simple-peer's Node polyfills.
import { definePeerTreeClient, type PeerTreeClient as Client } from './peer-tree-client.js'

// Pure: a bundle that takes only TypedEmitter or DataPeer from here drops the client.
export const PeerTreeClient = /* @__PURE__ */ definePeerTreeClient()
export type PeerTreeClient = Client
export type {
  PeerTreeClientOptions, PeerTreeClientEvents, CreateOptions, ConnectOptions, TreeOwner, LinkInfo
} from './peer-tree-client.js'
export { PeerTreeError, ClientErrorCodes } from './errors.js'
export type { ClientErrorCode, PeerTreeErrorCode } from './errors.js'
export type { PeerOptions, PeerConstructor, LinkPeer } from './create-peer.js'
export { DEFAULT_TIMEOUT_MS } from './constants.js'
export { toBase64Url } from './encoding.js'
export { DataPeer, type DataPeerOptions, type DataPeerEvents, type DataPeerError, type DataPeerSignal } from './data-peer.js'
/** The typed emitter the client is built on (an unhandled 'error' is dropped, not thrown); peer-tree-broadcast reuses it. */
export { TypedEmitter } from './emitter.js'
export type { EventMap } from './emitter.js'
