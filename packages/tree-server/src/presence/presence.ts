/**
 * Where the server processes sharing a store say they are alive: each one counts its own
 * heartbeats in a shared table, and every process reads the table to see which others have
 * stopped (liveness.ts decides). Counts, never clocks: processes on different machines need
 * not agree on the time.
 *
 * Taking over a process's members goes through a fence: one compare-and-set that succeeds
 * only if the process's count is still the one judged dead. So a process that beat meanwhile
 * (it was only slow) is never adopted, and a process that is fenced learns it at its next
 * beat, before it can act again for members that are no longer its own.
 */

/** Heartbeat counts by process (or RETIRED / FENCED). */
export type HeartbeatTable = Record<string, number>

/** The count of a process that shut down on purpose: its members may be adopted at once. */
export const RETIRED = -1
/** The count of a process that was fenced: its members are being adopted; it must let go of them. */
export const FENCED = -2

export interface ProcessPresence {
  /**
   * Count one heartbeat of `processID`; resolves to its count after it (1 when it was not
   * listed), or to FENCED (counting nothing) when the others fenced it, or RETIRED.
   */
  beat: (processID: string) => Promise<number>
  /** Every listed process with its count. */
  list: () => Promise<HeartbeatTable>
  /** `processID` shut down: list it as RETIRED so that the others adopt its members now. */
  retire: (processID: string) => Promise<void>
  /**
   * Fence `processID` if its count is still `count`: it is listed FENCED (and told so at its
   * next beat). Resolves true if this call fenced it, false if its count had moved.
   */
  fence: (processID: string, count: number) => Promise<boolean>
  /** Take a FENCED `processID` off the list once its members were adopted. */
  forget: (processID: string) => Promise<void>
}
