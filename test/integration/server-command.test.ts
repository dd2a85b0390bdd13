// `peer-tree-server`, the command of peer-tree-server, as a real process: it starts and says
// where, --help and bad usage, the three HTTP endpoints, /metrics as Prometheus text whose
// counts move with joins, and the SIGTERM drain (clients told, connections closed so their
// socket.io reconnects, exit 0).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { io as connectSocket, type Socket } from 'socket.io-client'
import { afterEach, describe, expect, test } from 'vitest'
import { FLAG_NAMES } from '../../packages/tree-server/src/command/options.js'
import { nextEvent } from '../helpers/wait.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const binFile = join(root, 'packages/tree-server/bin/peer-tree-server.mjs')
/** The link the install makes, as `npx peer-tree-server` runs it. */
const installed = join(root, 'node_modules/.bin/peer-tree-server')

interface Ran { code: number | null, signal: NodeJS.Signals | null, out: string, err: string }

const children: ChildProcessWithoutNullStreams[] = []
const sockets: Socket[] = []
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect()
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

function exited (child: ChildProcessWithoutNullStreams): Promise<Ran> {
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, out, err })))
}

/** Runs the installed command to its end. */
async function run (...args: string[]): Promise<Ran> {
  const child = spawn(installed, args, { cwd: root })
  children.push(child)
  return await exited(child)
}

/** Starts the command on a free port; resolves once it printed where it listens. */
async function start (...args: string[]): Promise<{ child: ChildProcessWithoutNullStreams, url: string, firstLine: string, end: Promise<Ran> }> {
  const child = spawn(process.execPath, [binFile, '--port', '0', ...args], { cwd: root })
  children.push(child)
  const lines = createInterface({ input: child.stdout })
  const [firstLine] = await nextEvent<[string]>(lines, 'line', { what: 'the first line on stdout', ms: 15_000 })
  lines.close()
  const end = exited(child)
  const url = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(firstLine)?.[1] ?? ''
  return { child, url, firstLine, end }
}

function connect (url: string): Socket {
  const socket = connectSocket(url, { transports: ['websocket'], forceNew: true })
  sockets.push(socket)
  return socket
}

/**
 * Prometheus text format, line by line: `# HELP name text`, `# TYPE name type`, or
 * `name{label="value",...} number` (a float as Go parses it: NaN in any case, +Inf, -Inf). Returns each sample's value by its name and labels, and
 * each metric's declared type; throws on a line that is none of these.
 */
function parseProm (text: string): { samples: Map<string, number>, types: Map<string, string> } {
  const samples = new Map<string, number>()
  const types = new Map<string, string>()
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
  const sample = new RegExp(`^(${NAME})(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*",?)*\\})? (-?[0-9.e+-]+|(?:[Nn][Aa][Nn])|[+-]?Inf)$`)
  for (const line of text.split('\n')) {
    if (line === '') continue
    const help = new RegExp(`^# HELP (${NAME}) .*$`).exec(line)
    if (help !== null) continue
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line)
    if (type !== null) { types.set(type[1] ?? '', type[2] ?? ''); continue }
    const m = sample.exec(line)
    if (m === null) throw new Error(`not Prometheus text: ${line}`)
    samples.set(`${m[1] ?? ''}${m[2] ?? ''}`, Number(m[3]))
  }
  return { samples, types }
}

async function metricsOf (url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`)
  return parseProm(await res.text()).samples
}

describe('start and usage', () => {
  test('starts on a free port and its first line is exactly "listening on http://HOST:PORT"', async () => {
    const { firstLine, url } = await start()
    expect(firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/)
    expect(url).not.toBe('')
    expect(url).not.toMatch(/:0$/)
  })

  test('--help (through the installed link) exits 0 and lists every option with its default', async () => {
    const r = await run('--help')
    expect(r.code).toBe(0)
    for (const name of FLAG_NAMES) expect(r.out).toContain(`--${name}`)
    expect(r.out).toContain('(default 10000)') // --grace-ms, the command's own default
    expect(r.out).toContain('(default 127.0.0.1)')
  })

  test.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--port', 'eighty'], '--port must be an integer from 0 to 65535'],
    [['--port', '70000'], '--port must be an integer from 0 to 65535'],
    [['--k', '0'], '--k must be a positive integer'],
    [['--grace-ms', '-1'], '--grace-ms'],
    [['--signals-per-second', '0'], '--signals-per-second must be a positive number or Infinity'],
    [['--redis', 'localhost'], '--redis must be a redis:// or rediss:// URL'],
    [['stray'], 'stray']
  ])('bad usage %j exits 2 and says why', async (args, why) => {
    const r = await run(...args)
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.err).toContain(why)
  })

  test('a port already taken: exit 1 and the reason', async () => {
    const first = await start()
    const port = new URL(first.url).port
    const child = spawn(process.execPath, [binFile, '--port', port], { cwd: root })
    children.push(child)
    const r = await exited(child)
    expect(r.code).toBe(1)
    expect(r.err).toContain('EADDRINUSE')
  })
})

describe('endpoints', () => {
  test('/healthz 200, /readyz 200, /metrics Prometheus text with its content type; others 404', async () => {
    const { url } = await start()
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    expect((await fetch(`${url}/readyz`)).status).toBe(200)
    const metrics = await fetch(`${url}/metrics`)
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const { samples, types } = parseProm(await metrics.text())
    const expected: Record<string, string> = {
      peer_tree_joins_total: 'counter',
      peer_tree_repairs_total: 'counter',
      peer_tree_signals_relayed_total: 'counter',
      peer_tree_errors_total: 'counter',
      peer_tree_trees: 'gauge',
      peer_tree_members: 'gauge',
      peer_tree_sockets: 'gauge',
      peer_tree_placement_seconds: 'histogram',
      peer_tree_store_seconds: 'histogram'
    }
    for (const [name, type] of Object.entries(expected)) expect(types.get(name), name).toBe(type)
    for (const name of types.keys()) expect(name).toMatch(/^peer_tree_/)
    expect(samples.get('peer_tree_errors_total{code="TREE_NOT_FOUND"}')).toBe(0)
    expect((await fetch(`${url}/nowhere`)).status).toBe(404)
    expect((await fetch(`${url}/healthz`, { method: 'POST' })).status).toBe(405)
  })

  test('/metrics moves with joins: joins, members, trees, sockets, errors by code, placement and store timings', async () => {
    const { url } = await start()
    const before = await metricsOf(url)
    expect(before.get('peer_tree_joins_total')).toBe(0)
    expect(before.get('peer_tree_trees')).toBe(0)

    const source = connect(url)
    const created = nextEvent<[{ treeID: string }]>(source, 'tree:discover')
    source.emit('tree:create', { ref: 'r' })
    const [{ treeID }] = await created
    const members = [connect(url), connect(url)]
    for (const m of members) {
      const placed = nextEvent(m, 'tree:discover')
      m.emit('tree:join', { treeID })
      await placed
    }
    const lost = connect(url)
    const refused = nextEvent<[{ code: string }]>(lost, 'tree:error')
    lost.emit('tree:join', { treeID: 'no-such-tree' })
    expect((await refused)[0].code).toBe('TREE_NOT_FOUND')

    const after = await metricsOf(url)
    expect(after.get('peer_tree_joins_total')).toBe(2)
    expect(after.get('peer_tree_creates_total')).toBe(1)
    expect(after.get('peer_tree_trees')).toBe(1)
    expect(after.get('peer_tree_members')).toBe(3)
    expect(after.get('peer_tree_sockets')).toBe(4)
    expect(after.get('peer_tree_errors_total{code="TREE_NOT_FOUND"}')).toBe(1)
    // Three placement bodies ran: the two joins, and the refused one (its body found no tree).
    expect(after.get('peer_tree_placement_seconds_count')).toBe(3)
    expect(after.get('peer_tree_store_seconds_count{op="transact"}')).toBeGreaterThanOrEqual(3)
    expect(after.get('peer_tree_placement_seconds_bucket{le="+Inf"}')).toBe(3)
  })
})

describe('SIGTERM and SIGINT drain', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s: every client gets server:draining, its connection closes so socket.io will reconnect, and the process exits 0', async (signal) => {
    const { child, url, end } = await start()
    const source = connect(url)
    const created = nextEvent<[{ treeID: string }]>(source, 'tree:discover')
    source.emit('tree:create', { ref: 'r' })
    const [{ treeID }] = await created
    const member = connect(url)
    const placed = nextEvent(member, 'tree:discover')
    member.emit('tree:join', { treeID })
    await placed

    const clients = [source, member]
    const told = clients.map(async (s) => await nextEvent<[{ reason: string }]>(s, 'server:draining', { ms: 5000 }))
    const dropped = clients.map(async (s) => await nextEvent<[string]>(s, 'disconnect', { ms: 5000 }))
    child.kill(signal)
    for (const [notice] of await Promise.all(told)) expect(notice.reason).toBe('shutdown')
    for (const [reason] of await Promise.all(dropped)) expect(reason).toBe('transport close')
    // A transport close (not a server-side disconnect) leaves the client reconnecting by itself.
    for (const s of clients) expect(s.active).toBe(true)

    const r = await Promise.race([end, new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('no exit within 5 s')), 5000))])
    expect(r.code).toBe(0)
    expect(r.err).toContain('drained 2 sockets')
  })
})
