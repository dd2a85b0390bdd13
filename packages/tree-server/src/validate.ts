/**
 * One valibot schema per client event. Bad input from the network is a value, not an
 * exception: each validator returns `{ ok: true, value }` or `{ ok: false, code, message }`.
 * Unknown keys are dropped; `null` counts as absent for optional fields.
 */
import * as v from 'valibot'
import { MAX_ID_LENGTH, MAX_OWNED_TREE_INDEX, MAX_REF_LENGTH } from './constants.js'
import type { ClientToServerEvents } from './protocol.js'

export type Validated<T> = { ok: true; value: T } | { ok: false; code: 'INVALID_PAYLOAD'; message: string }

/** Server-minted IDs are base64url; anything else can only be an unknown ID. */
const idSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_LENGTH), v.regex(/^[A-Za-z0-9_-]+$/, 'Not an ID.'))

/** A plain tree ID, or `<key>.<index>` for an owned tree. `__proto__` passes: it is just an unknown tree. */
const treeIdSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(MAX_ID_LENGTH),
  v.regex(/^[A-Za-z0-9_-]+(\.[0-9]{1,2})?$/, 'Not a tree ID.')
)

/** Exactly one base64url spelling per byte string, so one key cannot name two trees. */
function canonicalBase64url (s: string): boolean {
  return Buffer.from(s, 'base64url').toString('base64url') === s
}

const publicKeySchema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{43}$/, 'Not a 32-byte base64url key.'),
  v.check(canonicalBase64url, 'Not canonical base64url.')
)
const signatureSchema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{86}$/, 'Not a 64-byte base64url signature.'),
  v.check(canonicalBase64url, 'Not canonical base64url.')
)
const degreeSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(1))

const ownerSchema = v.object({
  key: publicKeySchema,
  index: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_OWNED_TREE_INDEX)),
  nonce: idSchema,
  signature: signatureSchema
})

const createSchema = v.object({
  ref: v.pipe(v.string(), v.maxLength(MAX_REF_LENGTH)),
  k: v.nullish(degreeSchema),
  k1: v.nullish(degreeSchema),
  owner: v.nullish(ownerSchema)
})

const joinSchema = v.object({
  treeID: treeIdSchema,
  role: v.nullish(v.picklist(['relay', 'leaf']))
})

const reconnectSchema = v.object({
  treeID: treeIdSchema,
  session: v.nullable(idSchema),
  failed: v.nullish(v.boolean())
})

const treeOnlySchema = v.object({ treeID: treeIdSchema })

/** `<peerID>.<secret>`, both base64url: the peer ID part says which member to check. */
const resumeSchema = v.pipe(
  v.object({
    treeID: treeIdSchema,
    token: v.pipe(v.string(), v.maxLength(MAX_ID_LENGTH), v.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'Not a resume token.'))
  }),
  v.transform((r) => ({ ...r, peerID: r.token.slice(0, r.token.indexOf('.')) }))
)

const linkSchema = v.object({ treeID: treeIdSchema, session: idSchema })

/** Size of a value as JSON, in UTF-8 bytes; Infinity for what JSON cannot hold (too deep, say). */
export function jsonBytes (value: unknown): number {
  try {
    const s = JSON.stringify(value)
    return s === undefined ? Infinity : Buffer.byteLength(s)
  } catch {
    return Infinity
  }
}

function signalSchema (maxSignalBytes: number) {
  return v.object({
    treeID: treeIdSchema,
    session: idSchema,
    signal: v.pipe(
      v.unknown(),
      v.check((s) => s !== undefined && s !== null, 'Missing signal.'),
      v.check((s) => jsonBytes(s) <= maxSignalBytes, `Signal larger than ${maxSignalBytes} bytes.`)
    )
  })
}

const lookupSchema = v.object({ key: publicKeySchema })

/** treeID and ref of a payload, when they look sane, to echo in `tree:error`. */
const echoSchema = v.object({
  treeID: v.fallback(v.optional(v.pipe(v.string(), v.maxLength(MAX_ID_LENGTH))), undefined),
  ref: v.fallback(v.optional(v.pipe(v.string(), v.maxLength(MAX_REF_LENGTH))), undefined)
})

export interface Echo {
  treeID?: string | undefined
  ref?: string | undefined
}

export function echoOf (payload: unknown): Echo {
  const r = v.safeParse(echoSchema, payload)
  return r.success ? r.output : {}
}

function validator<S extends v.GenericSchema> (event: keyof ClientToServerEvents, schema: S) {
  return (payload: unknown): Validated<v.InferOutput<S>> => {
    const r = v.safeParse(schema, payload)
    if (r.success) return { ok: true, value: r.output }
    const issue = r.issues[0]
    const path = v.getDotPath(issue)
    const where = path === null ? '' : ` at ${path}`
    return { ok: false, code: 'INVALID_PAYLOAD', message: `Invalid ${event} payload${where}: ${issue.message}` }
  }
}

export function createValidators (opts: { maxSignalBytes: number }) {
  return {
    create: validator('tree:create', createSchema),
    join: validator('tree:join', joinSchema),
    reconnect: validator('tree:reconnect', reconnectSchema),
    leave: validator('tree:leave', treeOnlySchema),
    resume: validator('tree:resume', resumeSchema),
    signal: validator('peer:signal', signalSchema(opts.maxSignalBytes)),
    connected: validator('peer:connected', linkSchema),
    failed: validator('peer:failed', linkSchema),
    lookup: validator('tree:lookup', lookupSchema)
  }
}

export type Validators = ReturnType<typeof createValidators>
export type ValidCreate = v.InferOutput<typeof createSchema>
export type ValidJoin = v.InferOutput<typeof joinSchema>
export type ValidReconnect = v.InferOutput<typeof reconnectSchema>
export type ValidResume = v.InferOutput<typeof resumeSchema>
export type ValidSignal = v.InferOutput<ReturnType<typeof signalSchema>>
export type ValidLink = v.InferOutput<typeof linkSchema>
