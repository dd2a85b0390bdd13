/**
 * Which other server processes are dead, from what the heartbeat table shows over time. No
 * I/O and no clock of its own: the caller feeds it each read of the table (or the fact that
 * the read failed) with its own time, and gets back the processes to adopt.
 *
 * A process is dead when its count has not moved for `deadAfterMs` of this process's time,
 * counted only while this process itself could read the table: a read that fails (the store
 * is down or unreachable) restarts every process's clock, with twice the dead time (the
 * others' connections may come back later than this one's), so that an outage, when nobody
 * could beat, never makes one process evict another's members. A process that shut down on
 * purpose (RETIRED), or that was fenced but not yet fully adopted (FENCED), is dead at once.
 * Being judged dead is not enough to be adopted: the adopter fences first (presence.ts).
 */
import { FENCED, RETIRED } from './presence/presence.js'
import type { HeartbeatTable } from './presence/presence.js'

export interface Sighting {
  /** The count last read. */
  count: number
  /** When (this process's ms) the count was last seen to move, or the clock restarted. */
  since: number
}

export interface LivenessState {
  /** This process: never judged. */
  self: string
  deadAfterMs: number
  /** Every other process in the table. */
  seen: Record<string, Sighting>
  /** The last read failed: the next good read restarts every clock. */
  blind: boolean
}

export interface Dead {
  processID: string
  /** Its count when judged, for `forget` (which leaves a process that beats again). */
  count: number
}

export function newLiveness (self: string, deadAfterMs: number): LivenessState {
  return { self, deadAfterMs, seen: {}, blind: false }
}

/** Fold one read of the table into `state`; `table` null means the read failed. Returns the dead. */
export function observe (state: LivenessState, table: HeartbeatTable | null, now: number): Dead[] {
  if (table === null) {
    state.blind = true
    return []
  }
  const seen: Array<[string, Sighting]> = []
  const dead: Dead[] = []
  for (const [processID, count] of Object.entries(table)) {
    if (processID === state.self) continue
    const before = Object.hasOwn(state.seen, processID) ? state.seen[processID] : undefined
    const moved = before === undefined || before.count !== count || state.blind
    // Back from a failed read: everyone gets the dead time once more on top.
    const sighting = moved ? { count, since: state.blind ? now + state.deadAfterMs : now } : before
    seen.push([processID, sighting])
    if (count === RETIRED || count === FENCED || now - sighting.since >= state.deadAfterMs) dead.push({ processID, count })
  }
  // fromEntries defines own keys, so a process ID such as `__proto__` stays a plain key.
  state.seen = Object.fromEntries(seen)
  state.blind = false
  return dead
}
