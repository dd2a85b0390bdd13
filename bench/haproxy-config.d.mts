/** The system's haproxy. */
export const HAPROXY: string
/** The config in the one ```haproxy block of docs/deploy.md (or of `doc`). */
export function documentedConfig (doc?: string): string

export interface TestConfigOptions {
  /** host:port of each signalling process, in order; named s1, s2, ... */
  backends: readonly string[]
  port: number
  statsSocket: string
  /** Health-check interval (ms); a server leaves the pool after one failed check and comes back after one good one. @default 100 */
  checkMs?: number
}

/** The documented config with a test's address, runtime socket, servers and fast checks; `backend` is its backend section's name. */
export function testConfig (doc: string, opts: TestConfigOptions): { config: string, backend: string }
