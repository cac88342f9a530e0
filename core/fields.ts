/**
 * Field schemas shared by the chain objects: chain ids, addresses, keys, signatures, and the
 * protocol-wide size limits that bound every decoder.
 */
import { bytes, str } from './schema.js';
import { ADDRESS_LENGTH } from './address.js';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './ed25519.js';

/** Lower-case letters, digits, '.', '_' and '-'; starts with a letter or digit; at most 48. */
export const CHAIN_ID_RE = /^[a-z0-9][a-z0-9._-]{0,47}$/;
export const chainIdField = str(48, CHAIN_ID_RE);
export const addressField = bytes({ length: ADDRESS_LENGTH });
export const publicKeyField = bytes({ length: PUBLIC_KEY_LENGTH });
export const signatureField = bytes({ length: SIGNATURE_LENGTH });
/** Module and method names: lower-case identifiers. */
export const identField = str(32, /^[a-z][a-z0-9_]{0,31}$/);

export const Limits = Object.freeze({
  /** Largest encoded transaction. */
  MAX_TX_BYTES: 1024 * 1024,
  /** Most signatures on one transaction (multi-signature accounts). */
  MAX_TX_SIGNATURES: 16,
  /** Most transactions in one block. */
  MAX_BLOCK_TXS: 20_000,
  /** Largest encoded block. */
  MAX_BLOCK_BYTES: 64 * 1024 * 1024,
  /** Most validators in a set (and so signatures in a commit). */
  MAX_VALIDATORS: 256,
  /** Most evidence items in one block. */
  MAX_BLOCK_EVIDENCE: 256,
  /** Upper bound of one validator's power and of a set's total. */
  MAX_TOTAL_POWER: 2 ** 50,
});
