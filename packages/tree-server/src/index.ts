import { PeerTreeServer } from './peer-tree-server.js'

export { PeerTreeServer }
export type { AnyServer, PeerTreeServerConstructor, PeerTreeServerEvents, ServerStats } from './peer-tree-server.js'
export type { PeerTreeServerOptions } from './options.js'
export type { ServerMetrics, StoreOp } from './observer.js'
export { PeerTreeServerError, DEFAULT_MESSAGES } from './errors.js'
export type { ErrorContext } from './errors.js'
export { MemoryStore } from './store/memory-store.js'
export { MemoryPresence } from './presence/memory-presence.js'
export { RETIRED, FENCED } from './presence/presence.js'
export type { ProcessPresence, HeartbeatTable } from './presence/presence.js'
export type { TreeStore, TxFn, TxResult, HeldMember } from './store/store.js'
export type { TreeState, MemberState, MemberRole, PendingEntry, PendingReason } from './tree-state.js'
export type { TreeSnapshot, PeerSnapshot } from './snapshot.js'
export type { Counters } from './handlers/context.js'
export * from './constants.js'
export * from './protocol.js'
export default PeerTreeServer
