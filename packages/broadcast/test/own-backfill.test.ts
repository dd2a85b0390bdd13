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
    const own = new OwnBackfill<string>(options)
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

  test('an honest subscriber catching up on 8,300 blocks through one link gets them all without one WANT refused by the upstream\'s budget', () => {
    const own = new OwnBackfill<string>(options)
    own.historyClaimed(HISTORY - 1)
    const budget = new WantBudget(0)
    let verified = -1
    let refused = 0
    let now = 0
    // The upstream answers every granted WANT at once, in order (loopback): the fastest an
    // honest subscriber can be asked to go.
    for (; now <= 20_000 && verified < HISTORY - 1; now += TICK_MS) {
      const top = believed(verified)
      const { wants } = own.round(now, logUpTo(verified), top, [{ link: 'up', tree: 0, highest: top }], [verified])
      for (const w of wants) {
        if (budget.ask(w.to - w.from + 1, now) !== 'granted') { refused++; continue }
        for (let i = w.from; i <= w.to; i++) { own.received(i); budget.sent(200, now) }
        verified = Math.max(verified, w.to)
      }
    }
    expect(refused).toBe(0)
    expect(verified).toBe(HISTORY - 1)
    // At the upstream's rate of 1,024 blocks/s, after a burst of 1,024: about 7.1 s.
    expect(now).toBeLessThanOrEqual(8_000)
  })
})

describe('AskPacer', () => {
  test('grants a link its burst, then its rate; each link has its own', () => {
    const p = new AskPacer<string>({ blocksPerSecond: 100, blockBurst: 50 })
    expect(p.take('a', 64, 0)).toBe(50)
    expect(p.take('a', 1, 0)).toBe(0)
    expect(p.take('b', 10, 0)).toBe(10)
    expect(p.take('a', 64, 250)).toBe(25)
    p.forget('a')
    expect(p.available('a', 250)).toBe(50)
  })
})
