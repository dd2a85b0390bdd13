import SimplePeer from 'simple-peer'

/** What the application passes through to simple-peer (`wrtc`, `config`, `channelConfig`, `stream`, ...). */
export type PeerOptions = Omit<SimplePeer.Options, 'initiator'>

/** The only place that constructs a simple-peer instance. The caller's options are never mutated. */
export function createPeer (opts: PeerOptions, initiator: boolean): SimplePeer.Instance {
  return new SimplePeer({ ...opts, initiator })
}
