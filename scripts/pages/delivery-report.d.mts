// Types of delivery-report.mjs, for the TypeScript tests that use it.
import type { Socket } from 'socket.io-client'

export function reportDelivery (
  socket: Socket,
  node: { stats: () => { entries: number }, forest: { clients: ReadonlyArray<{ peerID: string | null } | undefined> } },
  opts: { key: string, name?: string, source?: boolean }
): { send: () => void, close: () => void }
