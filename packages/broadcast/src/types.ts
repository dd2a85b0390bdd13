/** Names for the numbers and bytes that travel around, so signatures say what they take. */

/** A feed's name: its Ed25519 public key, 32 bytes. */
export type FeedKey = Uint8Array
/** Position of an entry in its feed, from 0. */
export type Seq = number
/** Position of a block in its feed, from 0. */
export type BlockIndex = number
/** An inclusive range of block indices `[from, to]`, from <= to. */
export type IndexRange = readonly [from: number, to: number]
