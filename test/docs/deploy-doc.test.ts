// docs/deploy.md against what runs: its haproxy config is valid haproxy (the tests' balancer
// runs it, test/helpers/haproxy.ts), and the tests change only addresses and check intervals.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { HAPROXY, documentedConfig, testConfig } from '../helpers/haproxy.js'

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
