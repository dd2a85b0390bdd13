import { ServerErrorCodes } from './protocol.js'
import type { CreateRef, ErrorMessage, ServerErrorCode, TreeId } from './protocol.js'

export { ServerErrorCodes }
export type { ServerErrorCode }

/** The message each code carries on the wire unless a handler gives a more precise one. */
export const DEFAULT_MESSAGES: Readonly<Record<ServerErrorCode, string>> = {
  INVALID_PAYLOAD: 'Invalid payload.',
  // The original's exact string: clients match on it.
  TREE_NOT_FOUND: 'Tree does not exist.',
  // The original client's string for a second create().
  ALREADY_IN_TREE: 'Already connected to tree.',
  NOT_IN_TREE: 'Not a member of that tree.',
  UNKNOWN_SESSION: 'Unknown session.',
  TREE_FULL: 'Tree is full.',
  TOO_MANY_TREES: 'Too many trees.',
  RATE_LIMITED: 'Too many requests.',
  NOT_OWNER: 'Owner proof failed.',
  // The original server's string for an ID collision on create.
  TREE_EXISTS: 'Tree already exists.',
  BAD_TOKEN: 'Bad or expired resume token.',
  STORE_UNAVAILABLE: 'Tree store unavailable; the request was refused.',
  SIGNAL_LIMIT: 'Too many signals on this link; it was given up.'
}

export interface ErrorContext {
  /** The client event that caused it. */
  event?: string | undefined
  treeID?: TreeId | undefined
  ref?: CreateRef | undefined
  /** The underlying error (a store failure, say). */
  cause?: unknown
}

/**
 * An error with a stable `code` (one of `ServerErrorCodes`). `message` is prefixed with
 * the code; `text` is the bare message that goes on the wire.
 */
export class PeerTreeServerError extends Error {
  override name = 'PeerTreeServerError'
  readonly code: ServerErrorCode
  readonly text: string
  readonly event: string | undefined
  readonly treeID: TreeId | undefined
  readonly ref: CreateRef | undefined

  constructor (code: ServerErrorCode, text: string = DEFAULT_MESSAGES[code], ctx: ErrorContext = {}) {
    super(`${code}: ${text}`, ctx.cause === undefined ? undefined : { cause: ctx.cause })
    this.code = code
    this.text = text
    this.event = ctx.event
    this.treeID = ctx.treeID
    this.ref = ctx.ref
    Error.captureStackTrace?.(this, PeerTreeServerError)
  }

  /** The same error with the request's context filled in where it was missing. */
  withContext (ctx: ErrorContext): PeerTreeServerError {
    return new PeerTreeServerError(this.code, this.text, {
      event: this.event ?? ctx.event,
      treeID: this.treeID ?? ctx.treeID,
      ref: this.ref ?? ctx.ref,
      cause: this.cause ?? ctx.cause
    })
  }

  /** The `tree:error` payload for this error. */
  toWire (): ErrorMessage {
    const msg: ErrorMessage = { code: this.code, message: this.text }
    if (this.event !== undefined) msg.event = this.event
    if (this.treeID !== undefined) msg.treeID = this.treeID
    if (this.ref !== undefined) msg.ref = this.ref
    return msg
  }

  static INVALID_PAYLOAD (text?: string, ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('INVALID_PAYLOAD', text, ctx) }
  static TREE_NOT_FOUND (ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('TREE_NOT_FOUND', undefined, ctx) }
  static ALREADY_IN_TREE (ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('ALREADY_IN_TREE', undefined, ctx) }
  static NOT_IN_TREE (ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('NOT_IN_TREE', undefined, ctx) }
  static UNKNOWN_SESSION (text?: string, ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('UNKNOWN_SESSION', text, ctx) }
  static TREE_FULL (text?: string, ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('TREE_FULL', text, ctx) }
  static TOO_MANY_TREES (text?: string, ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('TOO_MANY_TREES', text, ctx) }
  static RATE_LIMITED (ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('RATE_LIMITED', undefined, ctx) }
  static NOT_OWNER (text?: string, ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('NOT_OWNER', text, ctx) }
  static TREE_EXISTS (ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('TREE_EXISTS', undefined, ctx) }
  static BAD_TOKEN (ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('BAD_TOKEN', undefined, ctx) }
  static STORE_UNAVAILABLE (ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('STORE_UNAVAILABLE', undefined, ctx) }
  static SIGNAL_LIMIT (ctx?: ErrorContext): PeerTreeServerError { return new PeerTreeServerError('SIGNAL_LIMIT', undefined, ctx) }
}
