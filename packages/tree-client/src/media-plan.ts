/**
 * The decisions of the media relay, with no WebRTC in them: which track goes to which
 * sender, and what a re-placement changes. The relay (media-relay.ts) carries the actions out.
 *
 * Tracks are matched by slot: a track's kind and its rank among the tracks of that kind
 * (`video:0`, `audio:0`). A slot is the same on every peer of the tree, so when a new upstream
 * sends a new `video:0`, it takes the old `video:0`'s place in every sink in place.
 */

/** What the plan needs of a track (a MediaStreamTrack has both). */
export interface TrackLike {
  readonly kind: string
  readonly id: string
}

/** A position a track fills: its kind and its rank among the tracks of that kind, e.g. `video:0`. */
export type Slot = `${string}:${number}`

/** Which track fills each slot, in slot order. */
export type SlotTracks<T> = ReadonlyMap<Slot, T>

/**
 * What to do on one sink (a downstream link's senders, or the stable stream the app plays).
 * `add` gives the sink a sender it did not have (on a link that is up, a renegotiation);
 * `replace` swaps the track of an existing sender in place (no renegotiation, no new
 * `'track'` or `'stream'` at the far end).
 */
export type SinkAction<T> =
  | { type: 'add', slot: Slot, track: T }
  | { type: 'replace', slot: Slot, from: T, to: T }

export interface PlannedAction<T> {
  sink: string
  action: SinkAction<T>
}

/** The slots of a list of tracks: each track ranked among the earlier ones of its kind. */
export function slotsOf<T extends TrackLike> (tracks: readonly T[]): Map<Slot, T> {
  const slots = new Map<Slot, T>()
  for (const track of tracks) {
    if ([...slots.values()].some((t) => t.id === track.id)) continue
    slots.set(nextSlot(slots, track.kind), track)
  }
  return slots
}

/** The actions that make `carried` (what a sink has) match `current`, in slot order. */
export function planSink<T extends TrackLike> (current: SlotTracks<T>, carried: SlotTracks<T>): Array<SinkAction<T>> {
  const actions: Array<SinkAction<T>> = []
  for (const [slot, track] of current) {
    const had = carried.get(slot)
    if (had === undefined) actions.push({ type: 'add', slot, track })
    else if (had.id !== track.id) actions.push({ type: 'replace', slot, from: had, to: track })
  }
  // A slot the sink has and `current` lacks is left as it is: removing a sender would
  // renegotiate, and the next upstream's track of that slot can still take its place.
  return actions
}

function nextSlot (slots: SlotTracks<TrackLike>, kind: string): Slot {
  let rank = 0
  for (const track of slots.values()) if (track.kind === kind) rank++
  return `${kind}:${rank}`
}

/**
 * The relay's state: the current media, what each sink carries, and which tracks arrived on
 * the current upstream link. Every method returns the actions to carry out and records them
 * as done; a sink whose action failed is dropped by the caller (`removeSink`).
 */
export class MediaPlan<T extends TrackLike> {
  #current = new Map<Slot, T>()
  /** Tracks that arrived on the current upstream link, by slot (ranks count from 0 per link). */
  #arrived = new Map<Slot, T>()
  #sinks = new Map<string, Map<Slot, T>>()
  #own = false

  /** The tracks every sink should carry, by slot. */
  get current (): SlotTracks<T> { return this.#current }

  /** This peer's own media (the source's): it is what every sink carries; upstream tracks are ignored. */
  setOwn (tracks: readonly T[]): Array<PlannedAction<T>> {
    this.#own = true
    this.#current = slotsOf(tracks)
    return this.#planAll()
  }

  /**
   * The upstream link changed (a re-placement, or the first upstream). Nothing is sent:
   * every sink keeps its old tracks (a still picture) until the new upstream's tracks arrive
   * and take their slots, so no sender is removed and no link renegotiates.
   */
  upstreamChanged (): void {
    this.#arrived = new Map()
  }

  /** A track arrived on the current upstream link. A repeat of one already placed does nothing. */
  trackArrived (track: T): Array<PlannedAction<T>> {
    if (this.#own) return []
    if ([...this.#arrived.values()].some((t) => t.id === track.id)) return []
    const slot = nextSlot(this.#arrived, track.kind)
    this.#arrived.set(slot, track)
    this.#current.set(slot, track)
    return this.#planAll()
  }

  /** A sink appeared (a downstream link came up): it gets the current tracks, if there are any yet. */
  addSink (sink: string): Array<PlannedAction<T>> {
    if (!this.#sinks.has(sink)) this.#sinks.set(sink, new Map())
    return this.#plan(sink)
  }

  removeSink (sink: string): void {
    this.#sinks.delete(sink)
  }

  /** What `sink` carries now, by slot. */
  carried (sink: string): SlotTracks<T> {
    return this.#sinks.get(sink) ?? new Map()
  }

  #planAll (): Array<PlannedAction<T>> {
    return [...this.#sinks.keys()].flatMap((sink) => this.#plan(sink))
  }

  #plan (sink: string): Array<PlannedAction<T>> {
    const carried = this.#sinks.get(sink)
    if (carried === undefined) return []
    const actions = planSink(this.#current, carried)
    for (const action of actions) carried.set(action.slot, action.type === 'add' ? action.track : action.to)
    return actions.map((action) => ({ sink, action }))
  }
}
