/**
 * Where the server processes sharing a store say they are alive: each one counts its own
 * heartbeats in a shared table, and every process reads the table to see which others have
 * stopped (liveness.ts decides). Counts, never clocks: processes on different machines need
 * not agree on the time.
 */

/** Heartbeat counts by process. `RETIRED`: the process shut down and asks to be adopted now. */
export type HeartbeatTable = Record<string, number>

/** The count of a process that shut down on purpose (its members may be adopted at once). */
export const RETIRED = -1

export interface ProcessPresence {
  /** Count one heartbeat of `processID`; resolves to its count after it (1 when it was not listed). */
  beat: (processID: string) => Promise<number>
  /** Every listed process with its count. */
  list: () => Promise<HeartbeatTable>
  /** `processID` shut down: list it as RETIRED so that the others adopt its members now. */
  retire: (processID: string) => Promise<void>
  /**
   * Take `processID` off the list once its members were adopted, unless its count moved
   * from `count` meanwhile (it was only paused, and beats again).
   */
  forget: (processID: string, count: number) => Promise<void>
}
