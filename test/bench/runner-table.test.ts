// The bench runner's pure part: reading a bench's last stdout line, and the one table, where
// a failed bench is a row with its error and the others keep theirs. No benchmark runs here;
// only `--help` starts the runner itself.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { parseFigures, renderTable, resultRows, type BenchResult } from '../../bench/runner/table.mjs'
import { parseOptions } from '../../bench/runner/options.mjs'

const machine = { cpu: 'Test CPU', cores: 2, load: [1.5, 1, 0.5], node: 'v20.0.0' }

describe('parseFigures', () => {
  test('takes the figures from the last line', () => {
    const out = 'a table a person reads\n  more\n{"bench":"joins","figures":{"joinsPerSecond":840}}\n'
    expect(parseFigures(out)).toEqual({ ok: true, figures: { joinsPerSecond: 840 } })
  })

  test('says what is wrong with a last line that is not the figures', () => {
    expect(parseFigures('')).toEqual({ ok: false, error: 'printed nothing on stdout' })
    const notJson = parseFigures('{"bench":"x","figures":{}}\nDone in 3 s\n')
    expect(notJson.ok).toBe(false)
    expect(!notJson.ok && notJson.error).toContain('Done in 3 s')
    expect(parseFigures('{"figures":{}}')).toEqual({ ok: false, error: 'last stdout line has no "bench" and "figures"' })
    expect(parseFigures('[1,2]').ok).toBe(false)
  })

  test('a plain bench may print its object on one line or over several', () => {
    expect(parseFigures('{"peers":10000,"deliveryRatio":1}', { plain: true })).toEqual({ ok: true, figures: { peers: 10000, deliveryRatio: 1 } })
    expect(parseFigures('{\n  "peers": 10,\n  "trees": 3\n}\n', { plain: true })).toEqual({ ok: true, figures: { peers: 10, trees: 3 } })
  })
})

describe('the table', () => {
  const results: BenchResult[] = [
    { name: 'joins', title: 'joins (in-process)', status: 'ok', figures: { clients: 2000, joinsPerSecond: 840, depth: 4 } },
    { name: 'verify', title: 'verify (Node)', status: 'failed', error: 'exit 1: Error: Cannot find module dist/index.js' },
    { name: 'sim', title: 'simulator', status: 'not run', reason: 'sim/main.ts does not exist' },
    { name: 'chain-latency', title: 'per relay hop', status: 'ok', figures: { bareMedianHopMs: 0.28, addedPerHopMs: 0.31, hops: 6 } }
  ]
  const table = renderTable(machine, results)

  test('names the machine first', () => {
    expect(table.split('\n')[0]).toBe('machine: 2 × Test CPU, load average 1.50 1.00 0.50, Node v20.0.0')
  })

  test('a failed bench is a row with its error, and the benches after it keep their rows', () => {
    expect(resultRows(results[1] as BenchResult)).toEqual([['verify (Node)', 'FAILED', 'exit 1: Error: Cannot find module dist/index.js']])
    const lines = table.split('\n')
    const failed = lines.findIndex((l) => l.includes('FAILED'))
    expect(failed).toBeGreaterThan(0)
    expect(lines[failed]).toContain('Cannot find module')
    expect(lines.slice(failed).some((l) => l.includes('addedPerHopMs') && l.includes('0.31'))).toBe(true)
    expect(table).toContain('3 of 4 benches without failure; failed: verify')
  })

  test('a bench not run says why', () => {
    expect(resultRows(results[2] as BenchResult)).toEqual([['simulator', 'not run', 'sim/main.ts does not exist']])
  })

  test('figures of a bench without a row maker are shown key by key', () => {
    expect(resultRows(results[3] as BenchResult)).toEqual([
      ['per relay hop', 'bareMedianHopMs', '0.28'],
      ['per relay hop', 'addedPerHopMs', '0.31'],
      ['per relay hop', 'hops', '6']
    ])
  })

  test('figures of an unexpected shape are shown as reported, not lost', () => {
    const rows = resultRows({ name: 'sizes', status: 'ok', figures: { builds: 'not a list' } })
    expect(rows[0]?.[1]).toBe('figures')
    expect(rows[0]?.[2]).toContain('not a list')
  })

  test('the gossipsub comparison shows both sides and the ratio', () => {
    const side = (cpu: number, p50: number, copies: number, bytes: number) => ({ cpuMsPerDelivery: cpu, latencyP50Ms: p50, latencyP99Ms: p50 * 3, copiesPerEntry: copies, bytesPerEntry: bytes, deliveryRatio: 1 })
    const rows = resultRows({
      name: 'gossipsub',
      status: 'ok',
      figures: {
        workload: { receivers: 24, entries: 2000, entryBytes: 100, rate: 400 },
        feed: side(0.1, 50, 3, 400),
        gossipsub: side(3, 5000, 5, 1400),
        ratios: { cpuPerDelivery: 30, latencyP50: 100, latencyP99: 100, copiesPerEntry: 5 / 3, bytesPerEntry: 3.5 }
      }
    })
    const copies = rows.find((r) => r[1].startsWith('copies'))
    expect(copies?.[2]).toBe('3.00 vs 5.00 (1.7x)')
    expect(rows.find((r) => r[1].startsWith('CPU'))?.[2]).toBe('0.100 vs 3.000 (30.0x)')
  })
})

describe('options', () => {
  test('--only, --quick and --json', () => {
    expect(parseOptions(['--only', 'joins,sizes', '--quick', '--json'])).toEqual({ only: ['joins', 'sizes'], quick: true, json: true, help: false, list: false })
    expect(parseOptions(['--only=sizes'])).toMatchObject({ only: ['sizes'] })
  })

  test('`npm run bench --quick` reaches the runner as npm_config_quick', () => {
    expect(parseOptions([], { npm_config_quick: 'true' })).toMatchObject({ quick: true })
  })

  test('an unknown argument is an error, not ignored', () => {
    expect(parseOptions(['--quik'])).toEqual({ error: 'unknown argument: --quik' })
  })

  test('bench/run-all.mjs --help prints its usage and exits 0 without running a bench', () => {
    const script = fileURLToPath(new URL('../../bench/run-all.mjs', import.meta.url))
    const run = spawnSync(process.execPath, [script, '--help'], { encoding: 'utf8', timeout: 30_000 })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('usage: node bench/run-all.mjs')
    expect(run.stdout).toContain('--quick')
    expect(run.stderr).toBe('')
  })
})
