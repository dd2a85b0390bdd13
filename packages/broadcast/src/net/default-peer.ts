/**
 * The WebRTC peer class a feed's links use unless `peer.Peer` says otherwise. In Node: none
 * given, so the tree client's own default, simple-peer (over `wrtc`). The browser builds of
 * this package replace this module with default-peer.browser.ts.
 */
import type { PeerConstructor } from 'peer-tree-client'

export const DEFAULT_PEER: PeerConstructor | undefined = undefined
