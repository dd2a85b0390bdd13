// UpstreamWatch: an upstream whose tree lags the others, or that is silent while they speak, is named.
import { describe, expect, it } from 'vitest'
import { UpstreamWatch } from '../src/net/upstream-watch.js'

const opts = { graceMs: 1_000, lagBlocks: 16, lagMs: 2_000, silentMs: 3_000 }

describe('UpstreamWatch', () => {
  it('names an upstream whose tree brings nothing while the others deliver, after the grace and the lag time', () => {
    const w = new UpstreamWatch<string>(opts)
    for (const l of ['a', 'b', 'mute']) w.add(l, 0)
    let t = 0
    const verdicts = []
    for (let i = 0; i < 100 && verdicts.length === 0; i++) {
      t += 100
      w.delivered('a', i, t)
      w.delivered('b', i, t)
      w.heard('mute', t) // it sends HAVEs, but no blocks
      verdicts.push(...w.check(t))
    }
    expect(verdicts).toEqual([{ link: 'mute', reason: 'UPSTREAM_LAGGING' }])
    expect(t).toBe(100 * (16 + 20)) // 16 blocks behind at 1.6 s, then 2 s more
  })

  it('names a silent upstream while another is heard; nobody while all are silent (an idle source)', () => {
    const w = new UpstreamWatch<string>(opts)
    w.add('a', 0); w.add('silent', 0)
    expect(w.check(10_000)).toEqual([]) // everyone silent: nothing to compare with
    w.heard('a', 10_000)
    expect(w.check(10_001)).toEqual([{ link: 'silent', reason: 'UPSTREAM_SILENT' }])
  })

  it('judges no link within its grace, owes nothing from before it came up, and never judges a lone upstream', () => {
    const w = new UpstreamWatch<string>(opts)
    w.add('a', 0)
    for (let i = 0; i < 1_000; i++) w.delivered('a', i, 0)
    expect(w.check(100_000)).toEqual([])
    w.add('new', 100_000) // the other tree delivered 1,000 blocks before it came up
    w.heard('new', 100_000)
    w.delivered('a', 1_000, 100_500)
    w.delivered('new', 1_000, 100_500)
    expect(w.check(100_500)).toEqual([])
    expect(w.check(103_000)).toEqual([]) // past the grace: not behind, and heard within silentMs
  })

  it('answers to this peer\'s own WANTs do not count as its tree keeping up, nor against the others', () => {
    const w = new UpstreamWatch<string>(opts)
    w.add('a', 0); w.add('b', 0)
    for (let i = 0; i < 300; i++) w.delivered('a', i, 0, true) // a late joiner's history, from a
    w.heard('b', 2_500)
    w.heard('a', 2_500)
    expect(w.check(2_500)).toEqual([])
    expect(w.check(5_000)).toEqual([])
    expect(w.highOf('a')).toBe(299)
  })
})
