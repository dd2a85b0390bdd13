// The media relay's decisions, with plain objects for tracks: which track goes to which
// sender, and what a re-placement does (swap in place, never add a second sender).
import { describe, expect, test } from 'vitest'
import { MediaPlan, planSink, slotsOf, type TrackLike } from '../src/media-plan.js'

const video = (id: string): TrackLike => ({ kind: 'video', id })
const audio = (id: string): TrackLike => ({ kind: 'audio', id })

describe('slotsOf', () => {
  test('ranks each track among the earlier ones of its kind, and skips a repeated track', () => {
    const v1 = video('v1')
    const slots = slotsOf([audio('a1'), v1, video('v2'), v1])
    expect([...slots].map(([slot, t]) => [slot, t.id])).toEqual([['audio:0', 'a1'], ['video:0', 'v1'], ['video:1', 'v2']])
  })
})

describe('planSink', () => {
  test('adds what a sink lacks, replaces what differs, keeps what matches, removes nothing', () => {
    const current = new Map([['audio:0', audio('a2')], ['video:0', video('v1')], ['video:1', video('v3')]] as const)
    const carried = new Map([['audio:0', audio('a1')], ['video:0', video('v1')], ['video:2', video('old')]] as const)
    expect(planSink(current, carried)).toEqual([
      { type: 'replace', slot: 'audio:0', from: audio('a1'), to: audio('a2') },
      { type: 'add', slot: 'video:1', track: video('v3') }
    ])
  })
})

describe('MediaPlan', () => {
  test('a source: every sink gets its own tracks, added once, whenever the sink appears', () => {
    const plan = new MediaPlan<TrackLike>()
    expect(plan.addSink('early')).toEqual([])
    const v = video('cam')
    expect(plan.setOwn([v])).toEqual([{ sink: 'early', action: { type: 'add', slot: 'video:0', track: v } }])
    expect(plan.addSink('late')).toEqual([{ sink: 'late', action: { type: 'add', slot: 'video:0', track: v } }])
    expect(plan.addSink('late')).toEqual([])
    // Tracks from upstream do not override the source's own.
    expect(plan.trackArrived(video('other'))).toEqual([])
    expect(plan.carried('early').get('video:0')).toBe(v)
  })

  test('a sink that appears before any media gets the tracks when they arrive', () => {
    const plan = new MediaPlan<TrackLike>()
    plan.upstreamChanged()
    expect(plan.addSink('child')).toEqual([])
    const v = video('v1')
    expect(plan.trackArrived(v)).toEqual([{ sink: 'child', action: { type: 'add', slot: 'video:0', track: v } }])
    expect(plan.trackArrived(v)).toEqual([])
  })

  test('a re-placement swaps the new upstream\'s tracks into every existing sender, slot by slot', () => {
    const plan = new MediaPlan<TrackLike>()
    plan.addSink('stream')
    plan.addSink('child')
    plan.upstreamChanged()
    const [a1, v1] = [audio('a1'), video('v1')]
    plan.trackArrived(v1)
    plan.trackArrived(a1)
    plan.addSink('other')

    // The old upstream is gone: nothing changes until the new one's tracks arrive.
    plan.upstreamChanged()
    expect(plan.current.get('video:0')).toBe(v1)
    const v2 = video('v2')
    const actions = plan.trackArrived(v2)
    expect(actions).toEqual(['stream', 'child', 'other'].map((sink) => ({ sink, action: { type: 'replace', slot: 'video:0', from: v1, to: v2 } })))
    expect(actions.some(({ action }) => action.type === 'add')).toBe(false)
    // Audio still carries the old upstream's track until the new audio arrives.
    expect(plan.carried('child').get('audio:0')).toBe(a1)
    const a2 = audio('a2')
    expect(plan.trackArrived(a2).map(({ action }) => action)).toEqual(Array(3).fill({ type: 'replace', slot: 'audio:0', from: a1, to: a2 }))
  })

  test('a new upstream that sends a kind the old one did not adds a sender for it', () => {
    const plan = new MediaPlan<TrackLike>()
    plan.addSink('child')
    plan.upstreamChanged()
    plan.trackArrived(video('v1'))
    plan.upstreamChanged()
    const a = audio('a1')
    expect(plan.trackArrived(a)).toEqual([{ sink: 'child', action: { type: 'add', slot: 'audio:0', track: a } }])
  })

  test('ranks restart per upstream link: the new link\'s first video takes video:0', () => {
    const plan = new MediaPlan<TrackLike>()
    plan.addSink('child')
    plan.upstreamChanged()
    plan.trackArrived(video('v1'))
    plan.trackArrived(video('v2'))
    plan.upstreamChanged()
    const actions = plan.trackArrived(video('v3'))
    expect(actions.map(({ action }) => action.slot)).toEqual(['video:0'])
    expect(plan.carried('child').get('video:1')?.id).toBe('v2')
  })

  test('a removed sink is planned for no more', () => {
    const plan = new MediaPlan<TrackLike>()
    plan.addSink('child')
    plan.removeSink('child')
    plan.upstreamChanged()
    expect(plan.trackArrived(video('v1'))).toEqual([])
    expect(plan.carried('child').size).toBe(0)
  })
})
