/**
 * The credential library's error codes, each with what it means, in one table (`CRED_ERRORS`).
 * The strings are part of the SDK's public contract (callers, RPC answers and tests match on
 * them, never on messages) and never change. Every error the library throws for bad input is a
 * `CredError` whose constructor takes only a code of this table, so a code missing here does
 * not compile; a plain `Error` out of this folder is a bug. A credential that fails a check is
 * the presenter's fault, so every CredError says `reject`.
 */
import { SovError } from '../../../core/index.js';

export const CRED_ERRORS = {
  CRED_MALFORMED: 'the input does not have the shape the format requires (not JSON, a field missing or of the wrong type, a bad encoding, over a size limit)',
  CRED_UNSUPPORTED: 'a well-formed input using something this library does not implement (another proof type, cryptosuite, JWS alg or digest algorithm)',
  CRED_DID_INVALID: 'not a did:key of an Ed25519 key: another DID method or multicodec, bad multibase, wrong length, or a key the network rule refuses',
  CRED_TAMPERED: 'the issuer signature does not verify over the content (the content or the signature was changed)',
  CRED_ISSUER_MISMATCH: "the credential is validly signed, but by a key that is not the named or expected issuer's",
  CRED_DISCLOSURE_MISMATCH: "an SD-JWT disclosure whose digest is in none of the issuer-signed _sd lists (a changed claim value or salt)",
  CRED_UNDISCLOSED_CLAIM: 'a claim presented as disclosed without a matching disclosure at that place of the signed payload (no disclosure for it, or one that lands where the signed payload has no slot for it)',
  CRED_KEY_BINDING: 'holder key binding fails: the KB-JWT is missing, malformed, not signed by the cnf key, or has the wrong aud, nonce or sd_hash',
  CRED_EXPIRED: 'the credential is past its expiry (exp) at the time given',
  CRED_NOT_YET_VALID: 'the credential is not valid yet (nbf or iat later than the time given)',
  CRED_STATUS_LIST_INVALID: 'a status list that is not multibase base64url of a gzip of at least 16 KB, or a status list credential of the wrong shape',
  CRED_STATUS_LIST_TOO_LARGE: 'a status list that decompresses to more than the limit (MAX_STATUS_LIST_BYTES)',
  CRED_INDEX_OUT_OF_RANGE: 'a status list index that is not an integer inside the list',
  CRED_BATCH_INVALID: 'an anchor batch that is empty, larger than MAX_BATCH_ITEMS, or holds an item that is not a 32-byte digest',
  // The ledger's checks (rpc/client/credentials.ts), each its own code:
  CRED_PROOF_INVALID: "the ledger's proofs do not check: a certificate not signed by the trusted validators, a state proof that misses the header's root, another chain",
  CRED_ANCHOR_MISSING: "no anchor of the credential's batch under its issuer, or the credential's digest is not in it",
  CRED_UNACCREDITED_ISSUER: "the issuer holds no issuer accreditation for the credential's type",
  CRED_ACCREDITATION_INVALID: "the issuer's accreditation, or its accreditor's, was not active when the credential was anchored (suspended or withdrawn before)",
  CRED_KEY_NOT_VALID: "the credential is signed with a key the issuer's account held, but not when the credential was anchored (rotated out before)",
  CRED_WRONG_SCHEMA: "the credential names another schema or type than its anchor's, an unknown schema, or a validity longer than the schema allows",
  CRED_CLAIMS_INVALID: "the subject's claims do not satisfy the schema's JSON Schema",
  CRED_SUSPENDED: "the credential's suspension bit is set in its issuer's list",
  CRED_REVOKED: "the credential's revocation bit is set in its issuer's list",
  CRED_SCHEMA_INVALID: 'a JSON Schema that ajv cannot compile (not valid against its meta-schema, an unknown keyword or format, a bad $ref)',
} as const satisfies Record<string, string>;

export type CredErrorCode = keyof typeof CRED_ERRORS;

/** Each code by name: `CredErrorCodes.CRED_TAMPERED === 'CRED_TAMPERED'`. */
export const CredErrorCodes = Object.freeze(Object.fromEntries(Object.keys(CRED_ERRORS).map((c) => [c, c]))) as { readonly [C in CredErrorCode]: C };

/** An error of the credential library, with a code of the table. */
export class CredError extends SovError {
  declare readonly code: CredErrorCode;
  constructor(code: CredErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'reject');
  }
}

/** Throw a CredError (an expression, for `?? fail(...)`). */
export function credFail(code: CredErrorCode, message: string, meta: Record<string, unknown> = {}): never {
  throw new CredError(code, message, meta);
}
