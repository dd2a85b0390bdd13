/**
 * The command line of `peer-tree-server`, parsed without I/O: argv in, the options to run
 * with (or the help text, or one error message) out. Every server limit that is a number
 * has a flag of the same name in kebab-case; ranges are the library's own.
 */
import { parseArgs } from 'node:util'
import {
  DEFAULT_CHALLENGE_TTL_MS, DEFAULT_K, DEFAULT_K1, DEFAULT_LINK_TIMEOUT_MS, DEFAULT_MAX_K, DEFAULT_MAX_PEERS_PER_TREE,
  DEFAULT_MAX_SIGNAL_BYTES, DEFAULT_MAX_SIGNAL_BYTES_PER_LINK, DEFAULT_MAX_SIGNALS_PER_LINK, DEFAULT_MAX_TREES,
  DEFAULT_MAX_TREES_PER_SOCKET, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_SIGNALS_PER_SECOND, MAX_TIMER_MS, DEFAULT_HEARTBEAT_MS
} from '../constants.js'
import type { PeerTreeServerOptions } from '../options.js'

/** The command's own default port when `--port` is not given. */
export const DEFAULT_PORT = 3000
export const DEFAULT_HOST = '127.0.0.1'
/**
 * The command's grace period (the library's is 0): a process that stops must not orphan
 * peers whose WebRTC links still work while they resume on another process.
 */
export const DEFAULT_COMMAND_GRACE_MS = 10_000

/** Server options a command line can set (no store, clock or hooks). */
export type CommandServerOptions = Omit<PeerTreeServerOptions, 'store' | 'now' | 'metrics' | 'presence' | 'processID'>

export interface CommandOptions {
  port: number
  host: string
  /** `redis://` or `rediss://` URL of the Redis that the processes share; none: trees in this process's memory. */
  redis?: string | null
  server: CommandServerOptions
}

export type ParsedCommand =
  | { kind: 'run', options: CommandOptions }
  | { kind: 'help', text: string }
  | { kind: 'error', message: string }

type Kind = 'port' | 'host' | 'url' | 'count' | 'rate' | 'delay0' | 'delay1' | 'names'
type Target = 'port' | 'host' | 'redis' | keyof CommandServerOptions

interface Flag {
  name: string
  target: Target
  kind: Kind
  fallback: string
  help: string
}

const FLAGS: readonly Flag[] = [
  { name: 'port', target: 'port', kind: 'port', fallback: String(DEFAULT_PORT), help: 'TCP port to listen on; 0 picks a free one' },
  { name: 'host', target: 'host', kind: 'host', fallback: DEFAULT_HOST, help: 'address to listen on (0.0.0.0 for every interface)' },
  { name: 'redis', target: 'redis', kind: 'url', fallback: '', help: 'redis:// URL of the Redis the processes share (none: trees in this process only)' },
  { name: 'k', target: 'k', kind: 'count', fallback: String(DEFAULT_K), help: 'most children a member holds' },
  { name: 'k1', target: 'k1', kind: 'count', fallback: String(DEFAULT_K1), help: 'most children the source holds' },
  { name: 'grace-ms', target: 'reconnectGraceMs', kind: 'delay0', fallback: String(DEFAULT_COMMAND_GRACE_MS), help: 'how long a membership outlives its socket, waiting for tree:resume (0: leaves at once)' },
  { name: 'max-k', target: 'maxK', kind: 'count', fallback: String(DEFAULT_MAX_K), help: 'cap on the k/k1 a client may ask for in tree:create' },
  { name: 'max-peers-per-tree', target: 'maxPeersPerTree', kind: 'count', fallback: String(DEFAULT_MAX_PEERS_PER_TREE), help: 'most members in one tree, the source included' },
  { name: 'max-trees', target: 'maxTrees', kind: 'count', fallback: String(DEFAULT_MAX_TREES), help: 'most trees the store may hold' },
  { name: 'max-trees-per-socket', target: 'maxTreesPerSocket', kind: 'count', fallback: String(DEFAULT_MAX_TREES_PER_SOCKET), help: 'most memberships one socket may hold' },
  { name: 'signals-per-second', target: 'signalsPerSecond', kind: 'rate', fallback: String(DEFAULT_SIGNALS_PER_SECOND), help: 'peer:* events per socket per second (Infinity: no limit)' },
  { name: 'requests-per-second', target: 'requestsPerSecond', kind: 'rate', fallback: String(DEFAULT_REQUESTS_PER_SECOND), help: 'tree:* events per socket per second (Infinity: no limit)' },
  { name: 'max-signal-bytes', target: 'maxSignalBytes', kind: 'count', fallback: String(DEFAULT_MAX_SIGNAL_BYTES), help: 'largest signal, in bytes of JSON' },
  { name: 'max-signals-per-link', target: 'maxSignalsPerLink', kind: 'count', fallback: String(DEFAULT_MAX_SIGNALS_PER_LINK), help: 'most signals one end may send on one link' },
  { name: 'max-signal-bytes-per-link', target: 'maxSignalBytesPerLink', kind: 'count', fallback: String(DEFAULT_MAX_SIGNAL_BYTES_PER_LINK), help: 'most bytes of signals one end may send on one link' },
  { name: 'challenge-ttl-ms', target: 'challengeTtlMs', kind: 'delay1', fallback: String(DEFAULT_CHALLENGE_TTL_MS), help: 'lifetime of an owner-proof nonce' },
  { name: 'link-timeout-ms', target: 'linkTimeoutMs', kind: 'delay1', fallback: String(DEFAULT_LINK_TIMEOUT_MS), help: 'time for both ends to confirm a new link before it is given up' },
  { name: 'heartbeat-ms', target: 'heartbeatMs', kind: 'delay1', fallback: String(DEFAULT_HEARTBEAT_MS), help: 'how often a process sharing a store beats and looks for dead ones (dead after 3 beats)' },
  { name: 'server-identities', target: 'serverIdentities', kind: 'names', fallback: '', help: 'comma-separated hosts this server answers to in owner proofs (none: each handshake\'s Host header)' }
]

/** Every flag the command takes, `--help` included: what `--help` lists. */
export const FLAG_NAMES: readonly string[] = [...FLAGS.map((f) => f.name), 'help']

const USAGE = 'usage: peer-tree-server [options]'

export function helpText (): string {
  const width = Math.max(...FLAGS.map((f) => f.name.length)) + 10
  const lines = FLAGS.map((f) => {
    const left = `  --${f.name} ${f.kind === 'host' || f.kind === 'names' ? '<host>' : f.kind === 'url' ? '<url>' : '<n>'}`.padEnd(width)
    return `${left}${f.help} (default ${f.fallback === '' ? 'none' : f.fallback})`
  })
  return [
    USAGE,
    '',
    'Serves peer trees on socket.io (path /socket.io/) over HTTP, with GET /healthz, /readyz and',
    '/metrics on the same port. Trees live in this process\'s memory, or with --redis in a Redis that',
    'several processes share (behind a load balancer). The first line on stdout is',
    '"listening on http://HOST:PORT". SIGTERM or SIGINT drains: no new sockets, every client is',
    'told to resume elsewhere and disconnected, then the process exits 0.',
    '',
    ...lines,
    '  --help'.padEnd(width) + 'print this and exit',
    '',
    'Exit codes: 0 after a drain or --help, 1 when the server cannot start, 2 for bad usage.'
  ].join('\n')
}

/** The number in `text` for `flag`, or a message saying what it must be. */
function valueOf (flag: Flag, text: string): number | string | readonly string[] | { error: string } {
  const bad = (what: string): { error: string } => ({ error: `--${flag.name} must be ${what}, got '${text}'` })
  switch (flag.kind) {
    case 'host':
      return text.length > 0 ? text : bad('an address')
    case 'url': {
      let url: URL | null = null
      try { url = new URL(text) } catch {}
      return url !== null && (url.protocol === 'redis:' || url.protocol === 'rediss:') ? text : bad('a redis:// or rediss:// URL')
    }
    case 'names': {
      const names = text.split(',').map((n) => n.trim().toLowerCase())
      return names.every((n) => n.length > 0) ? names : bad('a comma-separated list of hosts')
    }
    case 'port': {
      const n = /^\d+$/.test(text) ? Number(text) : NaN
      return n >= 0 && n <= 65535 ? n : bad('an integer from 0 to 65535')
    }
    case 'count': {
      const n = /^\d+$/.test(text) ? Number(text) : NaN
      return Number.isSafeInteger(n) && n >= 1 ? n : bad('a positive integer')
    }
    case 'rate': {
      const n = text === 'Infinity' ? Infinity : /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN
      return n > 0 ? n : bad('a positive number or Infinity')
    }
    case 'delay0':
    case 'delay1': {
      const min = flag.kind === 'delay0' ? 0 : 1
      const n = /^\d+$/.test(text) ? Number(text) : NaN
      return n >= min && n <= MAX_TIMER_MS ? n : bad(`an integer from ${min} to ${MAX_TIMER_MS} (ms)`)
    }
  }
}

/** Reads the command line (without `node` and the script). */
export function parseCommand (argv: readonly string[]): ParsedCommand {
  const error = (message: string): ParsedCommand => ({ kind: 'error', message: `${message}\n${USAGE} (--help lists the options)` })
  let values: Record<string, string | boolean | undefined>
  try {
    const options = Object.fromEntries([
      ...FLAGS.map((f) => [f.name, { type: 'string' as const }]),
      ['help', { type: 'boolean' as const, short: 'h' }]
    ])
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>
  } catch (err) {
    return error(err instanceof Error ? err.message : String(err))
  }
  if (values['help'] === true) return { kind: 'help', text: helpText() }

  const picked: Record<string, unknown> = {}
  for (const flag of FLAGS) {
    const text = values[flag.name]
    if (text === undefined && flag.fallback === '') continue
    const value = valueOf(flag, typeof text === 'string' ? text : flag.fallback)
    if (typeof value === 'object' && 'error' in value) return error(value.error)
    if (text !== undefined || flag.target === 'port' || flag.target === 'host' || flag.target === 'reconnectGraceMs') picked[flag.target] = value
  }
  const { port, host, redis, ...server } = picked
  return { kind: 'run', options: { port: port as number, host: host as string, redis: (redis as string | undefined) ?? null, server: server as CommandServerOptions } }
}
