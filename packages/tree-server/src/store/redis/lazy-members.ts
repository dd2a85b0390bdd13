/**
 * A tree's members as a transaction body sees them when only some are loaded: a Proxy over
 * the members fetched so far. A touch of a member that was not fetched (read, `in`,
 * `Object.hasOwn`, write, delete) records it as missing and sees it as absent; enumerating
 * the members records that the whole tree is wanted. A run that recorded either is thrown
 * away by the store, which fetches what was missing and runs the body again; only a run
 * that missed nothing counts, and then what it changed is exactly the members it touched.
 *
 * No I/O here.
 */
import type { PeerId } from '../../protocol.js'
import type { MemberState } from '../../tree-state.js'

/**
 * Property names that runtimes and tools probe on any object (JSON.stringify, promise
 * resolution, test matchers, inspection). They are never members: a server-minted peer ID is
 * 22 base64url characters, which none of these is, so probing them is not a miss.
 */
const NOT_MEMBERS = new Set([
  'toJSON', 'then', 'constructor', '__proto__', 'valueOf', 'toString', 'toLocaleString',
  'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'asymmetricMatch', 'nodeType',
  '$$typeof', '@@__IMMUTABLE_ITERABLE__@@', '@@__IMMUTABLE_RECORD__@@', 'inspect'
])

/**
 * A run that missed members and then went on to touch this many fetched ones before missing
 * another is stopped there: what it does next rests on members it saw as absent (a walk down
 * the tree that met unfetched children falls back to a breadth-first scan, which would miss
 * a whole level of the tree at once). The slack lets one loop over a member's children (up to
 * k1 of them, each touched twice by `getMember`) collect all its misses in one round.
 */
const HITS_BEFORE_STOP = 24

/** Thrown from inside a run to stop it (see HITS_BEFORE_STOP); the store throws the run away. */
export const STOP_RUN = Symbol('stop run')

/** What the store knows of a tree's members at one version: JSON per fetched member, null if fetched and absent. */
export type Fetched = Map<PeerId, string | null>

/** A member's JSON as written, and its holder (for the holder index). */
export interface MemberWrite {
  id: PeerId
  json: string
  oldHolder: string | null
  newHolder: string | null
}

export interface MemberDelete {
  id: PeerId
  oldHolder: string | null
}

export interface MemberDiff {
  puts: MemberWrite[]
  dels: MemberDelete[]
}

export class LazyMembers {
  /** Members this run touched that were not fetched: fetch them and run again. */
  readonly missing = new Set<PeerId>()
  /** This run enumerated the members: fetch the whole tree and run again. */
  wantsAll = false
  /** What the body sees as `state.members`. */
  readonly view: Record<PeerId, MemberState>
  readonly #fetched: Fetched
  // Only members the run touched are parsed into the target (and only those can have changed).
  readonly #target: Record<PeerId, MemberState> = Object.create(null)
  readonly #deleted = new Set<PeerId>()
  #hitsSinceMiss = 0

  constructor (fetched: Fetched) {
    this.#fetched = fetched
    this.view = new Proxy(this.#target, {
      get: (target, key, receiver) => {
        if (this.#present(key)) return target[key as string]
        return Reflect.get(target, key, receiver)
      },
      has: (target, key) => this.#present(key) || Reflect.has(target, key),
      getOwnPropertyDescriptor: (target, key) => {
        this.#present(key)
        return Reflect.getOwnPropertyDescriptor(target, key)
      },
      set: (target, key, value) => {
        this.#present(key)
        if (typeof key === 'string') this.#deleted.delete(key)
        return Reflect.set(target, key, value)
      },
      defineProperty: (target, key, desc) => {
        this.#present(key)
        if (typeof key === 'string') this.#deleted.delete(key)
        return Reflect.defineProperty(target, key, desc)
      },
      deleteProperty: (target, key) => {
        if (this.#present(key) && typeof key === 'string') this.#deleted.add(key)
        return Reflect.deleteProperty(target, key)
      },
      ownKeys: () => {
        // The whole tree it is, then: nothing this run does next counts.
        this.wantsAll = true
        throw STOP_RUN
      }
    })
  }

  /** True if this run saw a complete view (its result may be committed). */
  get complete (): boolean {
    return this.missing.size === 0 && !this.wantsAll
  }

  /**
   * Whether `key` is a member present in this run (parsing it into the target on first touch),
   * recording a miss for a member ID that was never fetched.
   */
  #present (key: string | symbol): boolean {
    if (typeof key !== 'string' || NOT_MEMBERS.has(key)) return false
    this.#hitsSinceMiss++
    if (Object.hasOwn(this.#target, key)) return true
    if (this.#deleted.has(key)) return false
    const json = this.#fetched.get(key)
    if (json === undefined) {
      if (!this.missing.has(key)) {
        if (this.missing.size > 0 && this.#hitsSinceMiss > HITS_BEFORE_STOP) throw STOP_RUN
        this.missing.add(key)
      }
      this.#hitsSinceMiss = 0
      return false
    }
    if (json === null) return false
    this.#target[key] = JSON.parse(json) as MemberState
    return true
  }

  /** The members this run wrote or deleted, compared with what was fetched. */
  diff (): MemberDiff {
    const puts: MemberWrite[] = []
    const dels: MemberDelete[] = []
    for (const id of Object.keys(this.#target)) {
      const m = this.#target[id] as MemberState
      const json = JSON.stringify(m)
      const before = this.#fetched.get(id) ?? null
      if (before === json) continue
      puts.push({ id, json, oldHolder: holderOf(before), newHolder: m.holder ?? null })
    }
    for (const id of this.#deleted) {
      const before = this.#fetched.get(id) ?? null
      if (before !== null) dels.push({ id, oldHolder: holderOf(before) })
    }
    return { puts, dels }
  }
}

/** The diff between the members a body returned as a new object and the whole tree as fetched. */
export function diffWhole (members: Record<PeerId, MemberState>, fetched: Fetched): MemberDiff {
  const puts: MemberWrite[] = []
  const dels: MemberDelete[] = []
  for (const [id, m] of Object.entries(members)) {
    const json = JSON.stringify(m)
    const before = fetched.get(id) ?? null
    if (before !== json) puts.push({ id, json, oldHolder: holderOf(before), newHolder: m.holder ?? null })
  }
  for (const [id, before] of fetched) {
    if (before !== null && !Object.hasOwn(members, id)) dels.push({ id, oldHolder: holderOf(before) })
  }
  return { puts, dels }
}

function holderOf (json: string | null): string | null {
  if (json === null) return null
  return (JSON.parse(json) as Partial<MemberState>).holder ?? null
}

/** A plain members object (own properties only, `__proto__` included) from fetched JSON. */
export function membersFrom (fetched: Fetched): Record<PeerId, MemberState> {
  const parts: string[] = []
  for (const [id, json] of fetched) if (json !== null) parts.push(`${JSON.stringify(id)}:${json}`)
  // JSON.parse makes `__proto__` an own property, where an assignment would set the prototype.
  return JSON.parse(`{${parts.join(',')}}`) as Record<PeerId, MemberState>
}
