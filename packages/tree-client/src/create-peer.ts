import type SimplePeer from 'simple-peer'

/** A link's peer as the client hands it out: a simple-peer instance (its types come with this package). */
export type LinkPeer = SimplePeer.Instance

/** What the application passes through to simple-peer (`wrtc`, `config`, `channelConfig`, `stream`, ...). */
export type PeerOptions = Omit<SimplePeer.Options, 'initiator'>

/**
 * The WebRTC peer class a client makes its links with: simple-peer (peer-tree-client's
 * default), or one that offers the part of simple-peer a link uses (peer-tree-client/core's
 * DataPeer): the events signal/connect/close/error, `signal`, `write`, `destroy`, `destroyed`.
 */
export type PeerConstructor = new (opts: SimplePeer.Options) => unknown

/** The only place that constructs a peer. The caller's options are never mutated. */
export function createPeer (opts: PeerOptions, initiator: boolean, Peer: PeerConstructor): SimplePeer.Instance {
  // A simple-peer, or a class that offers the part of it the client and the application use.
  return new Peer({ ...opts, initiator }) as SimplePeer.Instance
}
