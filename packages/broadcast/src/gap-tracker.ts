/**
 * Which block indices are held, as sorted disjoint ranges (compact for long logs: a log
 * received in order is one range). Answers the contiguous prefix from a floor, the highest
 * index seen (held or announced by a peer), and the missing ranges in between.
 *
 * Adding the next index in order is O(1); anything else is a binary search plus, when a new
 * range appears or two merge, an array splice over the ranges (not the indices).
 */
import { assertInteger } from './bytes.js'
import { MAX_SAFE_U64 } from './constants.js'
import type { BlockIndex, IndexRange } from './types.js'

export interface GapTrackerOptions {
  /** First index of interest: the prefix and the missing ranges start here. @default 0 */
  floor?: BlockIndex
}

export class GapTracker {
  readonly floor: BlockIndex
  readonly #starts: number[] = []
  readonly #ends: number[] = []
  #count = 0
  #announced = -1

  constructor (options: GapTrackerOptions = {}) {
    const floor = options.floor ?? 0
    assertInteger(floor, 'floor', 0, MAX_SAFE_U64)
    this.floor = floor
  }

  /** Number of indices held. */
  get size (): number {
    return this.#count
  }

  /** Highest index held, -1 when none. */
  get highestHeld (): number {
    const n = this.#ends.length
    return n === 0 ? -1 : (this.#ends[n - 1] as number)
  }

  /** Highest index held or announced, -1 when none. */
  get highestSeen (): number {
    return Math.max(this.#announced, this.highestHeld)
  }

  /** The first index at or above the floor that is not held: the end of the contiguous prefix. */
  get contiguousEnd (): number {
    const i = this.#rangeAtOrBefore(this.floor)
    if (i >= 0 && (this.#ends[i] as number) >= this.floor) return (this.#ends[i] as number) + 1
    return this.floor
  }

  /** True when `index` is held. */
  has (index: BlockIndex): boolean {
    const i = this.#rangeAtOrBefore(index)
    return i >= 0 && index <= (this.#ends[i] as number)
  }

  /** Notes that a peer holds blocks up to `index` (a HAVE), so what lies below is missing. */
  announce (index: BlockIndex): void {
    assertInteger(index, 'index', -1, MAX_SAFE_U64)
    if (index > this.#announced) this.#announced = index
  }

  /** Marks `index` held; false when it already was. */
  add (index: BlockIndex): boolean {
    assertInteger(index, 'index', 0, MAX_SAFE_U64)
    const starts = this.#starts
    const ends = this.#ends
    const n = ends.length
    // In-order fast path: extends or follows the last range.
    if (n === 0 || index > (ends[n - 1] as number) + 1) {
      starts.push(index)
      ends.push(index)
      this.#count++
      return true
    }
    if (index === (ends[n - 1] as number) + 1) {
      ends[n - 1] = index
      this.#count++
      return true
    }
    const i = this.#rangeAtOrBefore(index)
    if (i >= 0 && index <= (ends[i] as number)) return false
    const joinsLeft = i >= 0 && (ends[i] as number) + 1 === index
    const joinsRight = i + 1 < n && (starts[i + 1] as number) - 1 === index
    if (joinsLeft && joinsRight) {
      ends[i] = ends[i + 1] as number
      starts.splice(i + 1, 1)
      ends.splice(i + 1, 1)
    } else if (joinsLeft) {
      ends[i] = index
    } else if (joinsRight) {
      starts[i + 1] = index
    } else {
      starts.splice(i + 1, 0, index)
      ends.splice(i + 1, 0, index)
    }
    this.#count++
    return true
  }

  /** Marks every index of `[from, to]` held. */
  addRange (from: BlockIndex, to: BlockIndex): void {
    assertInteger(from, 'from', 0, MAX_SAFE_U64)
    assertInteger(to, 'to', from, MAX_SAFE_U64)
    const starts = this.#starts
    const ends = this.#ends
    // Ranges i..j touch [from, to] (overlap or adjacent): they merge into one.
    const i = this.#firstRangeEndingAtOrAfter(from - 1)
    const j = this.#rangeAtOrBefore(to + 1)
    if (i > j) {
      starts.splice(i, 0, from)
      ends.splice(i, 0, to)
      this.#count += to - from + 1
      return
    }
    const start = Math.min(from, starts[i] as number)
    const end = Math.max(to, ends[j] as number)
    let covered = 0
    for (let k = i; k <= j; k++) covered += (ends[k] as number) - (starts[k] as number) + 1
    starts.splice(i, j - i + 1, start)
    ends.splice(i, j - i + 1, end)
    this.#count += end - start + 1 - covered
  }

  /** Marks `index` not held; false when it was not. */
  delete (index: BlockIndex): boolean {
    assertInteger(index, 'index', 0, MAX_SAFE_U64)
    const starts = this.#starts
    const ends = this.#ends
    const i = this.#rangeAtOrBefore(index)
    if (i < 0 || index > (ends[i] as number)) return false
    const start = starts[i] as number
    const end = ends[i] as number
    if (start === end) {
      starts.splice(i, 1)
      ends.splice(i, 1)
    } else if (index === start) {
      starts[i] = index + 1
    } else if (index === end) {
      ends[i] = index - 1
    } else {
      ends[i] = index - 1
      starts.splice(i + 1, 0, index + 1)
      ends.splice(i + 1, 0, end)
    }
    this.#count--
    return true
  }

  /** The held ranges, ascending (at most `limit`). */
  ranges (limit: number = Infinity): IndexRange[] {
    const out: IndexRange[] = []
    for (let i = 0; i < this.#starts.length && out.length < limit; i++) {
      out.push([this.#starts[i] as number, this.#ends[i] as number])
    }
    return out
  }

  /** The ranges in `[floor, highestSeen]` not held, ascending (at most `limit`). */
  missing (limit: number = Infinity): IndexRange[] {
    const out: IndexRange[] = []
    const top = this.highestSeen
    let cursor = this.floor
    let i = Math.max(0, this.#rangeAtOrBefore(this.floor))
    for (; i < this.#starts.length && cursor <= top && out.length < limit; i++) {
      const start = this.#starts[i] as number
      const end = this.#ends[i] as number
      if (end < cursor) continue
      if (start > cursor) out.push([cursor, Math.min(start - 1, top)])
      cursor = end + 1
    }
    if (cursor <= top && out.length < limit) out.push([cursor, top])
    return out
  }

  /** Index of the first range whose end is >= index, the number of ranges when none. */
  #firstRangeEndingAtOrAfter (index: number): number {
    const ends = this.#ends
    let lo = 0
    let hi = ends.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((ends[mid] as number) >= index) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  /** Index of the last range whose start is <= index, -1 when none. */
  #rangeAtOrBefore (index: number): number {
    const starts = this.#starts
    let lo = 0
    let hi = starts.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if ((starts[mid] as number) <= index) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }
}
