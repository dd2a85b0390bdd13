// docs/deploy.md against what runs: its haproxy config is valid haproxy (the tests' balancer
// runs it, test/helpers/haproxy.ts), and the tests change only addresses and check intervals;
// its copy of `--help` is the command's; its metrics table names every metric the server
// registers.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { PeerTreeMetrics } from 'peer-tree-server/metrics'
import { helpText } from '../../packages/tree-server/src/command/options.js'
import { HAPROXY, documentedConfig, testConfig } from '../helpers/haproxy.js'

const deployDoc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8')

/** `haproxy -c -f` on `config`: its exit code and what it said. */
function check (config: string): { status: number | null, output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'peer-tree-haproxy-check-'))
  try {
    const file = join(dir, 'haproxy.cfg')
    writeFileSync(file, config)
    const r = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8' })
    return { status: r.status, output: `${r.stdout}${r.stderr}` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const testOpts = { backends: ['127.0.0.1:4001', '127.0.0.1:4002'], port: 4000, statsSocket: '/tmp/peer-tree-test.sock' }

describe('the haproxy config in docs/deploy.md', () => {
  test('passes haproxy -c as documented', () => {
    const r = check(documentedConfig())
    expect(r.output).toContain('Configuration file is valid')
    expect(r.status).toBe(0)
  })

  test('the tests run it with only the listen address, the runtime socket, the servers and the check intervals changed', () => {
    const doc = documentedConfig()
    const { config, backend } = testConfig(doc, testOpts)
    expect(check(config).status).toBe(0)
    const unchanged = (text: string): string[] => text.split('\n').filter((l) => !/^\s+(bind|stats socket|server|default-server) /.test(l))
    expect(unchanged(config)).toEqual(unchanged(doc))
    expect(config).toContain('    bind 127.0.0.1:4000\n')
    expect(config).toContain('    server s1 127.0.0.1:4001\n    server s2 127.0.0.1:4002\n')
    expect(config).toMatch(/^\s+default-server .* inter 100 fall 1 rise 1/m)
    expect(doc).toContain(`backend ${backend}\n`)
  })

  test.each([
    ['bind', /^\s+bind .*\n/m],
    ['stats socket', /^\s+stats socket .*\n/m],
    ['server', /^\s+server .*\n/gm],
    ['default-server', /^\s+default-server .*\n/m]
  ])('a doc without its %s line fails loudly instead of testing another config', (what, line) => {
    expect(() => testConfig(documentedConfig().replace(line, ''), testOpts)).toThrow(what)
  })
})

describe('the command in docs/deploy.md', () => {
  test('every option --help lists appears in deploy.md, whose copy of --help is the command\'s own', () => {
    const help = helpText()
    const flags = [...help.matchAll(/^ {2}(--[a-z0-9-]+)/gm)].map((m) => m[1] ?? '')
    expect(flags.length).toBeGreaterThan(10)
    for (const flag of flags) expect(deployDoc, flag).toContain(flag)
    const copy = /^```text\n(usage: peer-tree-server[\s\S]*?)\n```$/m.exec(deployDoc)?.[1]
    expect(copy).toBe(help)
  })

  test('the metrics table names every metric the server registers, with its type', async () => {
    const registered = await new PeerTreeMetrics().registry.getMetricsAsJSON()
    expect(registered.length).toBeGreaterThan(10)
    const rows = new Map([...deployDoc.matchAll(/^\| `(peer_tree_[a-z_]+)(?:\{[a-z]+\})?` \| (\w+) \|/gm)].map((m) => [m[1], m[2]]))
    for (const { name, type } of registered) expect(rows.get(name), name).toBe(type)
    expect([...rows.keys()].sort()).toEqual(registered.map((m) => m.name).sort())
  })
})
