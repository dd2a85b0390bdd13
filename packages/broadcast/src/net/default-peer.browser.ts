/**
 * In browsers a feed's links use DataPeer, the tree client's data-only peer over the browser's
 * own RTCPeerConnection (about 2 KB gzipped): a feed never hands its peers to the application,
 * so it needs none of simple-peer's streams, whose browser build weighs 28 KB gzipped. It
 * speaks simple-peer's signals, so browser members and Node members (simple-peer) connect.
 */
import { DataPeer, type PeerConstructor } from 'peer-tree-client/core'

export const DEFAULT_PEER: PeerConstructor | undefined = DataPeer
