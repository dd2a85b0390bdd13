// peer-tree-client/media: MediaRelay, video and audio that survive repair (docs/media.md). An
// entry of its own, so that data-only apps and the client's standalone build do not carry it.
export { MediaRelay, relayMedia } from './media-relay.js'
export type { MediaRelayOptions, MediaRelayEvents, MediaRelayStats } from './media-relay.js'
