// The command line of `peer-tree-server`, parsed without I/O: defaults, every server limit
// under its kebab-case name, values the library accepts, and one clear message per mistake.
import { describe, expect, test } from 'vitest'
import { DEFAULT_COMMAND_GRACE_MS, DEFAULT_HOST, DEFAULT_PORT, FLAG_NAMES, helpText, parseCommand } from '../src/command/options.js'
import type { CommandOptions } from '../src/command/options.js'
import { resolveOptions } from '../src/options.js'

function options (argv: string[]): CommandOptions {
  const parsed = parseCommand(argv)
  if (parsed.kind !== 'run') throw new Error(`expected options, got ${JSON.stringify(parsed)}`)
  return parsed.options
}

function errorOf (argv: string[]): string {
  const parsed = parseCommand(argv)
  if (parsed.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(parsed)}`)
  return parsed.message
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

describe('parseCommand', () => {
  test('no flags: the command defaults (a 10 s grace period, unlike the library) and nothing else set', () => {
    expect(options([])).toEqual({ port: DEFAULT_PORT, host: DEFAULT_HOST, redis: null, server: { reconnectGraceMs: DEFAULT_COMMAND_GRACE_MS } })
    expect(DEFAULT_COMMAND_GRACE_MS).toBe(10_000)
  })

  test('every numeric server option has a flag of its name in kebab-case (the grace period is --grace-ms), and --server-identities', () => {
    const resolved = resolveOptions(undefined) as unknown as Record<string, unknown>
    const numeric = Object.keys(resolved).filter((name) => typeof resolved[name] === 'number')
    for (const name of numeric) {
      const flag = name === 'reconnectGraceMs' ? 'grace-ms' : kebab(name)
      expect(FLAG_NAMES, name).toContain(flag)
      const value = name === 'reconnectGraceMs' ? '0' : '7'
      expect(options([`--${flag}`, value]).server, flag).toMatchObject({ [name]: Number(value) })
    }
    expect(FLAG_NAMES).toContain('server-identities')
    expect(FLAG_NAMES).toEqual(expect.arrayContaining(['port', 'host', 'help']))
  })

  test('what it parses, the library accepts', () => {
    const o = options(['--k', '2', '--k1', '12', '--signals-per-second', 'Infinity', '--requests-per-second', '2.5',
      '--server-identities', 'Feeds.Example.org, 127.0.0.1:3000', '--link-timeout-ms=1', '--port=0', '--host', '0.0.0.0'])
    expect(o.port).toBe(0)
    expect(o.host).toBe('0.0.0.0')
    expect(o.server).toMatchObject({ k: 2, k1: 12, signalsPerSecond: Infinity, requestsPerSecond: 2.5, linkTimeoutMs: 1, serverIdentities: ['feeds.example.org', '127.0.0.1:3000'] })
    expect(() => resolveOptions(o.server)).not.toThrow()
  })

  test('--redis takes a redis:// or rediss:// URL, kept apart from the server options', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://user:secret@cache.example.org:6380/2']) {
      const o = options(['--redis', url])
      expect(o.redis).toBe(url)
      expect(o.server).not.toHaveProperty('redis')
    }
  })

  test.each([
    [['--k', '0'], '--k must be a positive integer'],
    [['--k', '1.5'], '--k must be a positive integer'],
    [['--k', '3x'], '--k must be a positive integer'],
    [['--max-trees', ''], '--max-trees must be a positive integer'],
    [['--port=-1'], '--port must be an integer from 0 to 65535'],
    [['--port', '-1'], "Option '--port' argument is ambiguous"],
    [['--port', '65536'], '--port must be an integer from 0 to 65535'],
    [['--grace-ms', '2147483648'], '--grace-ms must be an integer from 0 to 2147483647'],
    [['--challenge-ttl-ms', '0'], '--challenge-ttl-ms must be an integer from 1'],
    [['--signals-per-second=-5'], '--signals-per-second must be a positive number or Infinity'],
    [['--server-identities', 'a,,b'], '--server-identities must be a comma-separated list'],
    [['--host', ''], '--host must be an address'],
    [['--nope'], "Unknown option '--nope'"],
    [['--port'], "'--port <value>' argument missing"],
    [['positional'], 'positional'],
    [['--redis', 'http://127.0.0.1:6379'], '--redis must be a redis:// or rediss:// URL'],
    [['--redis=127.0.0.1:6379'], '--redis must be a redis:// or rediss:// URL']
  ])('%j is refused: %s', (argv, why) => {
    const message = errorOf(argv)
    expect(message).toContain(why)
    expect(message).toContain('usage: peer-tree-server')
  })

  test('--help and -h give the help text, whatever else is there', () => {
    expect(parseCommand(['--help'])).toEqual({ kind: 'help', text: helpText() })
    expect(parseCommand(['-h', '--k', '2'])).toEqual({ kind: 'help', text: helpText() })
  })

  test('the help text lists every flag with its default', () => {
    const text = helpText()
    for (const name of FLAG_NAMES) expect(text).toMatch(new RegExp(`^ {2}--${name}\\b`, 'm'))
    expect(text).toMatch(/--grace-ms <n> .*\(default 10000\)$/m)
    expect(text).toMatch(/--k1 <n> .*\(default 10\)$/m)
  })
})
