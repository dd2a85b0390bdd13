const CODES = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].map((c, i) => [c, i]))

/** Decodes unpadded base64url; undefined for anything else. Feed keys travel in this form. */
export function fromBase64Url (text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((text.length * 3) / 4))
  let bits = 0
  let value = 0
  let o = 0
  for (const c of text) {
    const v = CODES.get(c)
    if (v === undefined) return undefined
    value = (value << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (value >> bits) & 0xff
    }
  }
  // Leftover bits must be zero, so each byte string has exactly one encoding.
  if ((value & ((1 << bits) - 1)) !== 0) return undefined
  return out
}
