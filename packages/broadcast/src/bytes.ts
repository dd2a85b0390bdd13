/**
 * Byte helpers shared by the codecs: argument checks (API misuse throws, like noble)
 * and comparisons that do not allocate.
 */

/**
 * Throws `TypeError` unless `value` is a Uint8Array, `RangeError` unless it has `length`
 * bytes (when given). For arguments of the public API, not for network input.
 */
export function assertBytes (value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a Uint8Array, got ${describe(value)}`)
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`)
  }
}

/** Throws `TypeError`/`RangeError` unless `value` is an integer in [min, max]. */
export function assertInteger (value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${describe(value)}`)
  }
  if (value < min || value > max) throw new RangeError(`${name} must be in [${min}, ${max}], got ${value}`)
}

/** Equal length and bytes. */
export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Compares `a` with `len` bytes of `b` from `offset`, without making a view. */
export function equalAt (a: Uint8Array, b: Uint8Array, offset: number): boolean {
  if (offset < 0 || offset + a.length > b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[offset + i]) return false
  return true
}

/** True when every byte is zero. */
export function isZero (bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false
  return true
}

/** Lower-case hex, for map keys and messages. */
export function toHex (bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] as number).toString(16).padStart(2, '0')
  return out
}

/** Parses lower- or upper-case hex; throws on odd length or a bad digit. */
export function fromHex (hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new TypeError('hex must be a string of an even number of hex digits')
  }
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object'
  return typeof value
}
