// The runner's pure part: what a bench's output says (its last stdout line, a JSON object) and
// the one table made of every bench's result. No I/O here, so a test can feed it anything.
import { rowsFor } from './rows.mjs'

/**
 * The figures a bench printed. The last non-empty stdout line is `{"bench", "figures"}`; a
 * bench that prints its figures as a plain object (the simulator's `--json`) has `plain`, and
 * then the last line, or failing that the whole output, is taken as the figures.
 * Returns `{ ok: true, figures }` or `{ ok: false, error }`.
 */
export function parseFigures (stdout, { plain = false } = {}) {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '')
  const last = lines.at(-1)
  if (last === undefined) return { ok: false, error: 'printed nothing on stdout' }
  let value = tryJson(last)
  if (value === undefined && plain) value = tryJson(stdout)
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: `last stdout line is not a JSON object: ${clip(last, 80)}` }
  }
  if (plain) return { ok: true, figures: value }
  if (typeof value.bench !== 'string' || value.figures === null || typeof value.figures !== 'object') {
    return { ok: false, error: 'last stdout line has no "bench" and "figures"' }
  }
  return { ok: true, figures: value.figures }
}

function tryJson (text) {
  try { return JSON.parse(text) } catch { return undefined }
}

/** `text` cut to `n` characters on one line. */
export function clip (text, n) {
  const one = String(text).replace(/\s+/g, ' ').trim()
  return one.length <= n ? one : `${one.slice(0, n - 1)}…`
}

/**
 * The rows of one bench's result: its figures as the bench's own row maker reads them, or one
 * row saying it failed (with its error) or was not run (with why).
 * `result`: `{ name, title, status: 'ok' | 'failed' | 'not run', figures?, error?, reason?, seconds? }`.
 */
export function resultRows (result) {
  const section = result.title ?? result.name
  if (result.status === 'failed') return [[section, 'FAILED', clip(result.error ?? 'unknown error', 100)]]
  if (result.status === 'not run') return [[section, 'not run', result.reason ?? '']]
  try {
    const rows = rowsFor(result.name, result.figures ?? {})
    return rows.length === 0 ? [[section, '(no figures)', '']] : rows.map(([what, value]) => [section, what, value])
  } catch (err) {
    // Figures of an unexpected shape are shown as the bench reported them, not lost.
    return [[section, 'figures', clip(JSON.stringify(result.figures), 100)], [section, '(row error)', clip(err.message, 100)]]
  }
}

/** The whole table: a header naming the machine, then every bench's rows in columns. */
export function renderTable (machine, results) {
  const rows = [['bench', 'figure', 'value'], ...results.flatMap(resultRows)]
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c].length)))
  const line = (r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`.trimEnd()
  const failed = results.filter((r) => r.status === 'failed').length
  return [
    `machine: ${machineLine(machine)}`,
    '',
    line(rows[0]),
    line(rows[0].map((h, i) => '-'.repeat(i < 2 ? widths[i] : h.length))),
    ...rows.slice(1).map(line),
    '',
    `${results.length - failed} of ${results.length} benches without failure${failed > 0 ? `; failed: ${results.filter((r) => r.status === 'failed').map((r) => r.name).join(', ')}` : ''}`
  ].join('\n')
}

/** `{ cpu, cores, load, node }` as one line. */
export function machineLine ({ cpu, cores, load, node }) {
  return `${cores} × ${cpu}, load average ${load.map((l) => l.toFixed(2)).join(' ')}, Node ${node}`
}
