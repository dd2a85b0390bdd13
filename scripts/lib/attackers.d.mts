// Types of attackers.mjs, for the TypeScript tests that use it.
import type { Socket } from 'socket.io-client'

export function feedTreeIDs (key: string, trees: number): string[]
export function withJunk (block: Uint8Array, junk: Uint8Array): Uint8Array

export interface EclipseStats {
  joined: number
  confirmed: number
  childrenOffered: number
  signalsSent: number
  signalBytes: number
  errors: Record<string, number>
}
export interface EclipseSockets {
  stats: EclipseStats
  /** Every peerID the server gave these sockets, per entry of `trees`. */
  peerIDs: Array<Set<string>>
  sockets: Socket[]
  placed: Promise<void[]>
  close: () => void
}
export function eclipseSockets (url: string, key: string, opts?: {
  count?: number
  trees?: number[]
  signalFlood?: { count?: number, bytes?: number }
}): EclipseSockets

export interface HostileRelayStats {
  children: number
  upstreams: number
  upstreamsLost: number
  bytesIn: number
  bytesOut: number
  blocksIn: number
  /** HAVE messages from its upstreams (an idle source's heartbeats among them). */
  havesIn: number
  wantsSent: number
  replayed: number
}
export interface HostileRelay {
  stats: HostileRelayStats
  recorded: Uint8Array[]
  socket: Socket
  peerIDs: () => Array<string | null>
  childCount: () => number
  upstreamCount: () => number
  sendDown: (messages: Uint8Array[]) => number
  sendUp: (bytes: Uint8Array, tree?: number) => number
  replay: (blocks?: Uint8Array[]) => number
  wantFlood: (opts: { tree?: number, from: number, to: number, count: number, step?: number }) => number
  close: () => void
}
export function hostileRelay (url: string, key: string, opts?: {
  trees?: number[]
  forward?: boolean
  passWants?: boolean
  have?: number
  junkBytes?: number
  record?: number
  timeout?: number
}): HostileRelay
