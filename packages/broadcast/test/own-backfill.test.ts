// What a subscriber asks for itself while it catches up, against the budget its upstream keeps
// for the link: the subscriber's rounds (OwnBackfill) and the upstream's WantBudget, on one
// clock that is a number. The log is a stand-in holding blocks 0..verified, in order.
import { describe, expect, test } from 'vitest'
import type { FeedLog } from '../src/log/feed-log.js'
import { AskPacer } from '../src/net/ask-pacer.js'
import { OwnBackfill } from '../src/net/own-backfill.js'
import { WantBudget } from '../src/net/want-budget.js'
import { CLAIM_WINDOW, DEFAULT_GAP_GRACE_MS, DEFAULT_WANT_BATCH, DEFAULT_WANT_TIMEOUT_MS } from '../src/net/net-constants.js'

const options = { gapGraceMs: DEFAULT_GAP_GRACE_MS, wantTimeoutMs: DEFAULT_WANT_TIMEOUT_MS, wantBatch: DEFAULT_WANT_BATCH, maxInFlight: DEFAULT_WANT_BATCH * 8 }
const HISTORY = 8_300 // blocks 0..8299 when the subscriber arrived
const TICK_MS = 50

/** A log holding blocks 0..highestSeen with no gap. */
const logUpTo = (highestSeen: number): FeedLog => ({ highestSeen, startIndex: 0, missing: () => [] }) as unknown as FeedLog

/** What the subscriber believes of the one upstream that said HAVE 8299: its claim within the window. */
const believed = (verified: number): number => Math.min(HISTORY - 1, verified + CLAIM_WINDOW)

describe('OwnBackfill', () => {
  test('the history an opening HAVE announced is asked for as the blocks verify, not one claim window per HAVE', () => {
    // No budget to keep here: only what is history is looked at.
    const own = new OwnBackfill<string>(options, new AskPacer({ blocksPerSecond: 1e9, blockBurst: 1e9, bytesPerSecond: 1e12, byteBurst: 1e12 }))
    own.historyClaimed(HISTORY - 1)
    let verified = -1
    const ask = (now: number): Array<[number, number]> => {
      const top = believed(verified)
      return own.round(now, logUpTo(verified), top, [{ link: 'up', tree: 0, highest: top }], [verified]).wants.map((w) => [w.from, w.to])
    }
    const first = ask(0)
    expect(first[0]).toEqual([0, 63])
    expect(first[first.length - 1]).toEqual([448, 511])
    for (let i = 0; i <= 511; i++) own.received(i)
    verified = 511
    // No HAVE came in between, and no grace passed: the next part is history all the same.
    const second = ask(10)
    expect(second[0]).toEqual([512, 575])
    expect(second[second.length - 1]).toEqual([960, 1023])
  })

  // Blocks of one small entry, and blocks of 16 KiB and 64 KiB: the byte budget (4 MiB/s) binds.
  for (const [blockBytes, history, withinMs] of [[200, 8_300, 8_000], [16_384, 3_000, 12_000], [65_536, 1_000, 16_000]] as const) {
    test(`an honest subscriber catching up on ${history} blocks of ${blockBytes} B through one link gets them all without one WANT refused by the upstream's budget`, () => {
      const own = new OwnBackfill<string>(options)
      own.historyClaimed(history - 1)
      const budget = new WantBudget(0)
      let verified = -1
      let refused = 0
      let now = 0
      // The upstream answers every granted WANT at once, in order (loopback): the fastest an
      // honest subscriber can be asked to go.
      for (; now <= 60_000 && verified < history - 1; now += TICK_MS) {
        const top = Math.min(history - 1, verified + CLAIM_WINDOW)
        const { wants } = own.round(now, logUpTo(verified), top, [{ link: 'up', tree: 0, highest: top }], [verified])
        for (const w of wants) {
          if (budget.ask(w.to - w.from + 1, now) !== 'granted') { refused++; continue }
          for (let i = w.from; i <= w.to; i++) {
            own.received(i)
            budget.sent(blockBytes, now)
            own.planner.pacer.answered('up', blockBytes, now)
          }
          verified = Math.max(verified, w.to)
        }
      }
      expect(refused).toBe(0)
      expect(verified).toBe(history - 1)
      // At the upstream's rates (1,024 blocks/s, 4 MiB/s) after half its bursts: 200 B blocks
      // take about 7.1 s, 16 KiB ones about 11.5 s, 64 KiB ones about 15.6 s.
      expect(now).toBeLessThanOrEqual(withinMs)
    })
  }
})

describe('AskPacer', () => {
  test('grants a link its burst, then its rate; each link has its own', () => {
    const p = new AskPacer<string>({ blocksPerSecond: 100, blockBurst: 50, bytesPerSecond: 1e9, byteBurst: 1e9 })
    expect(p.take('a', 64, 0)).toBe(50)
    expect(p.take('a', 1, 0)).toBe(0)
    expect(p.take('b', 10, 0)).toBe(10)
    expect(p.take('a', 64, 250)).toBe(25)
    p.forget('a')
    expect(p.available('a', 250)).toBe(50)
  })

  test('charges an ask at the last answered size (the largest block until one came), and a bigger block the rest', () => {
    const p = new AskPacer<string>({ blocksPerSecond: 1e6, blockBurst: 1e6, bytesPerSecond: 1_000, byteBurst: 1_000_000 })
    expect(p.available('a', 0)).toBe(3) // 1,000,000 B of 256 KiB blocks, until one arrives
    expect(p.take('a', 1, 0)).toBe(1)
    p.answered('a', 1_000, 0) // it was small: nothing given back, the next asks cost 1,000 B each
    expect(p.available('a', 0)).toBe(737)
    p.answered('a', 2_000, 0) // bigger than charged: the rest is charged
    expect(p.available('a', 0)).toBe(368)
    expect(p.take('a', 1_000, 0)).toBe(368)
    expect(p.available('a', 0)).toBe(1) // in credit by less than a block: one may still be asked
  })
})
