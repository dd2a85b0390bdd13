// The wire protocol lives in peer-tree-protocol, shared with peer-tree-server (a dependency of
// both, so neither reaches into the other's source); the standalone build inlines it.
import type { Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from 'peer-tree-protocol'
export * from 'peer-tree-protocol'

/** A socket.io-client socket as the protocol types it. */
export type TreeSocket = Socket<ServerToClientEvents, ClientToServerEvents>
