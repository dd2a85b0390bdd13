// FeedLink over real WebRTC: what an attacker's fragments make it hold, and links killed
// mid-send (in a child process, so that a crash of the native stack fails the test instead
// of the test runner).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import wrtc from '@roamhq/wrtc'
import { Packr } from 'msgpackr'
import SimplePeer from 'simple-peer'
import { afterEach, expect, onTestFinished, test } from 'vitest'
import { FeedLink } from '../src/net/feed-link.js'
import { SimplePeerLink } from '../src/net/simple-peer-link.js'
import { MessageType } from '../src/wire.js'
import { until } from '../../../test/helpers/wait.js'

const peers: SimplePeer.Instance[] = []
afterEach(() => { for (const p of peers.splice(0)) p.destroy() })

async function connectedPair (): Promise<[SimplePeer.Instance, SimplePeer.Instance]> {
  const a = new SimplePeer({ initiator: true, wrtc })
  const b = new SimplePeer({ wrtc })
  peers.push(a, b)
  a.on('signal', (s) => b.signal(s))
  b.on('signal', (s) => a.signal(s))
  await Promise.all([new Promise((resolve) => a.once('connect', resolve)), new Promise((resolve) => b.once('connect', resolve))])
  return [a, b]
}

test('an attacker sending small fragment pieces in large frames cannot make a link hold more than its cap', async () => {
  const [attacker, victim] = await connectedPair()
  const reassembly = { maxPendingBytes: 64 * 1024, maxPendingMessages: 4096 }
  const link = new FeedLink(new SimplePeerLink(victim), { tree: 0, direction: 'up', remote: 'attacker' }, { frame () {}, malformed () {}, close () {} }, { reassembly })
  // Each frame: a 1,000-byte first piece of a message that never completes, and 14 KB of
  // trailing junk the decoder ignores. Counted as 1,000 bytes; a view would keep 15 KB.
  const packr = new Packr({ useRecords: false })
  const junk = new Uint8Array(14_000)
  let sent = 0
  let worst = 0
  for (let id = 0; id < 300; id++) {
    const frame = packr.pack([MessageType.FRAGMENT, id, 0, 2, new Uint8Array(1000).fill(id & 0xff), junk])
    attacker.send(frame)
    sent += frame.length
  }
  await until(() => {
    worst = Math.max(worst, link.reassembler.retainedBytes)
    return link.bytesReceived === sent
  }, { what: 'the victim received every frame', describe: () => `${link.bytesReceived} of ${sent} bytes` })
  expect(link.reassembler.pendingMessages).toBe(65) // 65 × 1,000 B fill the 64 KiB cap
  expect(link.reassembler.heldBytes).toBeLessThanOrEqual(reassembly.maxPendingBytes)
  expect(link.reassembler.retainedBytes).toBeLessThanOrEqual(reassembly.maxPendingBytes)
  expect(worst).toBeLessThanOrEqual(reassembly.maxPendingBytes)
  link.close()
})

// This end's peer or the link is killed while a stream is being sent, 200 times, in a process
// of its own so that a crash fails the test instead of the runner. Without the guard the
// process died of SIGSEGV in every run. What the guard cannot reach is a close that comes from
// the other end: @roamhq/wrtc 0.10.0 releases its native channel on its own signalling thread
// when the remote closes it, so a send (or a readyState read) in progress at that instant can
// still crash; `node bench/send-churn.mjs` measures how often, and it stays out of this suite
// because no JavaScript check can make it deterministic.
test('links killed mid-send 200 times over from this end: no send after close, and the process survives (needs a build)', async () => {
  const script = fileURLToPath(new URL('./fixtures/send-churn.mjs', import.meta.url))
  const child = spawn(process.execPath, [script, '200', '7', 'peer,link'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  // The child and its remote must not outlive a test that failed or timed out.
  onTestFinished(() => { child.kill('SIGKILL') })
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])))
  // @roamhq/wrtc prints this for a candidate it cannot parse and goes on: noise, not a failure.
  const errors = err.split('\n').filter((line) => line !== '' && line !== 'Ignoring unsupported ICE candidate.')
  expect({ code, signal, err: errors.join('\n').slice(-500) }).toEqual({ code: 0, signal: null, err: '' })
  expect(JSON.parse(out)).toMatchObject({ rounds: 200, badSends: 0 })
}, 180_000)

// @roamhq/wrtc never fires bufferedamountlow (and has no bufferedAmountLowThreshold): a link
// that queued behind a full channel must find the drain some other way, or it holds its queue
// for good while the channel sits empty.
test('a burst past the high-water mark on a channel without the bufferedamountlow event is delivered whole', async () => {
  const [a, b] = await connectedPair()
  let messages = 0
  const count = () => { messages++ }
  const sender = new FeedLink(new SimplePeerLink(a), { tree: 0, direction: 'down', remote: 'b' }, { frame () {}, malformed () {}, close () {} })
  const receiver = new FeedLink(new SimplePeerLink(b), { tree: 0, direction: 'up', remote: 'a' }, { frame: count, malformed: count, close () {} })
  const message = new Packr({ useRecords: false }).pack([MessageType.HAVE, 1, new Uint8Array(15_000)])
  const burst = 200 // 3 MB at once: far past the 256 KiB the link lets the channel hold
  for (let i = 0; i < burst; i++) expect(sender.send(message)).toBe(true)
  await until(() => messages === burst, { what: 'every message of the burst arrived', describe: () => `${messages} of ${burst}, ${receiver.bytesReceived} of ${sender.bytesSent} bytes` })
  expect(receiver.bytesReceived).toBe(sender.bytesSent)
  sender.close()
  receiver.close()
})
