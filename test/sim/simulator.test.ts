// The simulator at a small size (a few hundred peers, seeded): it is deterministic, and it
// shows what the feed must do under churn, with silent relays, and in its placement.
import { expect, test } from 'vitest'
import { DEFAULT_SCENARIO, type Scenario } from '../../sim/scenario.js'
import { simulate } from '../../sim/simulation.js'
import type { SimResult } from '../../sim/report.js'

function scenario (change: (s: Scenario) => void): Scenario {
  const s = structuredClone(DEFAULT_SCENARIO)
  Object.assign(s, { seed: 7, peers: 150, entries: 120, rate: 40, joinWindowMs: 2_000, drainMs: 20_000 })
  s.churn = { ...s.churn, sessions: 'none' }
  change(s)
  return s
}

/** The result without what depends on the machine (wall time, memory). */
function figures (r: SimResult): Omit<SimResult, 'wallSeconds' | 'cpuSeconds' | 'peakRssMiB'> {
  const { wallSeconds: _w, cpuSeconds: _c, peakRssMiB: _m, ...rest } = r
  return rest
}

test('the same seed gives the same run, figure for figure; another seed another run', async () => {
  const s = scenario((s) => { s.peers = 60; s.entries = 60; s.churn.sessions = 'poisson'; s.churn.ratePerMin = 2 })
  const a = await simulate(s)
  const b = await simulate(s)
  expect(a.churn.departures).toBeGreaterThan(0)
  expect(figures(b)).toEqual(figures(a))
  const c = await simulate({ ...s, seed: 8 })
  expect(figures(c)).not.toEqual(figures(a))
})

test('with 3 trees and backfill, every surviving peer gets every entry under churn', async () => {
  const r = await simulate(scenario((s) => { s.churn.sessions = 'poisson'; s.churn.ratePerMin = 1.5; s.churn.interior = 6 }))
  expect(r.churn.departures).toBeGreaterThanOrEqual(6)
  expect(r.churn.arrivals).toBe(r.churn.departures)
  expect(r.complete).toBe(r.survivors)
  expect(r.deliveryRatio).toBe(1)
  expect(r.copiesPerEntry).toBeLessThanOrEqual(3.05)
})

test('with 1 tree and no backfill, the same churn loses entries', async () => {
  const r = await simulate(scenario((s) => { s.trees = 1; s.backfill = false; s.churn.sessions = 'poisson'; s.churn.ratePerMin = 1.5; s.churn.interior = 6 }))
  expect(r.churn.departures).toBeGreaterThanOrEqual(6)
  expect(r.complete).toBeLessThan(r.survivors)
  expect(r.deliveryRatio).toBeLessThan(1)
})

test("without churn, every tree's relays sit at the breadth-first optimum for their number", async () => {
  const r = await simulate(scenario((s) => { s.peers = 300; s.entries = 20 }))
  expect(r.depths).toHaveLength(3)
  for (const d of r.depths) {
    expect(d.cutOff).toBe(0)
    expect(d.relaysAtOptimum).toBe(true)
    expect(d.relayDepth).toBe(d.relayOptimum)
  }
  expect(r.depthAtOptimum).toBe(true)
  expect(r.depthAtOptimumAtPlacement).toBe(true)
  expect(r.deliveryRatio).toBe(1)
})

test('silent relays (10 % of the peers, relaying in every tree) do not stop delivery', async () => {
  const r = await simulate(scenario((s) => { s.silent = 0.1 }))
  // The attack is in place (honest children hang below the silent relays) and policed.
  expect(r.silentChildren).toBeGreaterThan(0)
  expect(r.invalid).toBeGreaterThan(0)
  expect(r.survivors).toBe(135)
  expect(r.complete).toBe(r.survivors)
  expect(r.deliveryRatio).toBe(1)
})
