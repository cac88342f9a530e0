/**
 * Typed errors for every layer. Each error carries a stable string `code` (part of the
 * public contract: RPC, logs and tests match on it, never on the message) and structured
 * `meta`. Errors that can be provoked by a remote peer say what to do with that peer:
 * `reject` (the input is provably bad: penalise the sender) or `ignore` (not useful now,
 * not the sender's fault). Throw `SovError` subclasses for bad input; a plain `Error` means a
 * broken internal invariant.
 */

export type PeerAction = 'reject' | 'ignore';

export const ErrorCodes = {
  // codec
  CODEC_TRUNCATED: 'CODEC_TRUNCATED',
  CODEC_TRAILING_BYTES: 'CODEC_TRAILING_BYTES',
  CODEC_TOO_LARGE: 'CODEC_TOO_LARGE',
  CODEC_TOO_DEEP: 'CODEC_TOO_DEEP',
  CODEC_FORBIDDEN_TYPE: 'CODEC_FORBIDDEN_TYPE',
  CODEC_WRONG_TYPE: 'CODEC_WRONG_TYPE',
  CODEC_OUT_OF_RANGE: 'CODEC_OUT_OF_RANGE',
  CODEC_BAD_LENGTH: 'CODEC_BAD_LENGTH',
  CODEC_NON_CANONICAL: 'CODEC_NON_CANONICAL',
  CODEC_INVALID_UTF8: 'CODEC_INVALID_UTF8',
  // crypto
  CRYPTO_BAD_KEY: 'CRYPTO_BAD_KEY',
  CRYPTO_BAD_SIGNATURE: 'CRYPTO_BAD_SIGNATURE',
  // addresses and encodings of the outside world
  ADDRESS_INVALID: 'ADDRESS_INVALID',
  ADDRESS_WRONG_PREFIX: 'ADDRESS_WRONG_PREFIX',
  HEX_INVALID: 'HEX_INVALID',
  // chain objects
  TX_WRONG_CHAIN: 'TX_WRONG_CHAIN',
  TX_BAD_SIGNATURE: 'TX_BAD_SIGNATURE',
  COMMIT_INVALID: 'COMMIT_INVALID',
  VOTE_INVALID: 'VOTE_INVALID',
  VALIDATOR_SET_INVALID: 'VALIDATOR_SET_INVALID',
  BLOCK_INVALID: 'BLOCK_INVALID',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base of every typed error in the project. */
export class SovError extends Error {
  readonly code: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly peerAction: PeerAction;

  constructor(code: string, message: string, meta: Record<string, unknown> = {}, peerAction: PeerAction = 'reject') {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.meta = meta;
    this.peerAction = peerAction;
  }

  toJSON(): { code: string; message: string; meta: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, meta: this.meta };
  }
}

/** Bytes that are not the one canonical encoding of a value of the expected type. */
export class CodecError extends SovError {
  constructor(code: ErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'reject');
  }
}

/** A key or signature that is malformed or does not verify. */
export class CryptoError extends SovError {
  constructor(code: ErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'reject');
  }
}

/** A malformed address or hex string from the outside world. */
export class FormatError extends SovError {
  constructor(code: ErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'reject');
  }
}

/** A well-formed chain object that breaks a rule (wrong chain, bad certificate, ...). */
export class ValidationError extends SovError {
  constructor(code: ErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'reject');
  }
}

export function isSovError(e: unknown): e is SovError {
  return e instanceof SovError;
}
