import type { ServerErrorCode } from './protocol.js'

/** Codes the client produces itself; the server's codes (ServerErrorCodes) pass through unchanged. */
export const ClientErrorCodes = {
  /** `create()` or `connect()` on a client that already is in a tree. */
  ALREADY_IN_TREE: 'ALREADY_IN_TREE',
  /** A method was called after `destroy()`. */
  ERR_DESTROYED: 'ERR_DESTROYED',
  /** A method got an argument of the wrong type or range. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** Signing the owner proof for `create({ owner })` failed. */
  OWNER_PROOF_FAILED: 'OWNER_PROOF_FAILED',
  /** An application event handler threw; the error is the `cause`. The tree is not disturbed. */
  HANDLER_ERROR: 'HANDLER_ERROR',
  /** A MediaRelay could not add or swap a track on a downstream link (the link was closing). */
  MEDIA_FAILED: 'MEDIA_FAILED'
} as const
export type ClientErrorCode = (typeof ClientErrorCodes)[keyof typeof ClientErrorCodes]
export type PeerTreeErrorCode = ClientErrorCode | ServerErrorCode

/** The one error class of peer-tree-client; `code` is stable, the message is for humans. */
export class PeerTreeError extends Error {
  readonly code: PeerTreeErrorCode

  constructor (code: PeerTreeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PeerTreeError'
    this.code = code
  }
}
