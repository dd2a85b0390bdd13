/** What the runner knows of one bench after running it (or not). */
export interface BenchResult {
  name: string
  title?: string
  status: 'ok' | 'failed' | 'not run'
  figures?: Record<string, unknown>
  error?: string
  reason?: string
  seconds?: number
}
export interface Machine { cpu: string, cores: number, load: number[], node: string }
export type Parsed = { ok: true, figures: Record<string, unknown> } | { ok: false, error: string }
/** The figures of a bench's stdout: its last line, `{"bench", "figures"}` (or a plain object with `plain`). */
export function parseFigures (stdout: string, opts?: { plain?: boolean }): Parsed
/** `text` on one line, cut to `n` characters. */
export function clip (text: unknown, n: number): string
/** [bench, figure, value] rows of one result. */
export function resultRows (result: BenchResult): [string, string, string][]
/** The whole table, the machine first. */
export function renderTable (machine: Machine, results: BenchResult[]): string
export function machineLine (machine: Machine): string
