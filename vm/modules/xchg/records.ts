/**
 * The data-exchange module's records. Agencies exchange data directly; the ledger keeps only
 * proofs that agency A sent data D to agency B, for purpose P, under legal basis L, with
 * consent C, and that B acknowledged it:
 * - a sender's next record sequence number (record ids are `sender/seq`, taken in order,
 *   like an account's nonces: a batch that reuses one is refused);
 * - batches: one receiver, up to max_batch records, kept as the Merkle root of the records'
 *   digests (each record provable against it) with the receiver's acknowledgment bitmap;
 * - senders that governance allows without the agency role;
 * - documents to be signed by several institutions (documents.ts).
 * The records' fields travel in the batch transaction (so every node can index and serve
 * them); the state holds only the root, so a record's proof is its Merkle path plus the
 * batch record's state proof. No payload ever reaches the ledger: only its digest.
 */
import {
  addressField, bytes, bytes32, concatBytes, Domain, hashOf, sha256Utf8, list, optional, publicKeyField, signatureField, str, struct, u8, u16, u32, uint, type Infer,
} from '../../../core/index.js';
import { record } from '../../keys.js';
import { field, indexSpec } from '../../module.js';
import { u64be as u64 } from '../../keys.js';

/** A u64 big-endian (the index keys' integers). */
export { u64 };

/** The most records one batch (and acknowledgments one transaction) may hold. */
export const MAX_XCHG_BATCH = 10_000;
/** A purpose or schema code: `tax-assessment`, `urn:schema:income@2`, ... */
export const purposeField = str(64, /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,63}$/);
/** A legal basis: a statute and its article, `Act 90/2003 art. 12`. */
export const legalBasisField = str(128);
/** Distinct purposes, and legal bases, one batch may name. */
export const MAX_BATCH_CODES = 64;

/**
 * A record as the batch transaction carries it: the payload's digest, the purpose and the
 * legal basis (indexes into the batch's lists), the consent reference (empty, or 32 bytes:
 * a consent credential's digest or any other digest) and the sender's time (ms).
 */
export const XchgItemSchema = struct('XchgItem', { payload: bytes32, purpose: u16, basis: u16, consent: bytes({ max: 32 }), time: uint });
export type XchgItem = Infer<typeof XchgItemSchema>;

/**
 * A record with every field spelled out: what its digest covers, what a receipt carries and
 * what an auditor reads. `seq` is its number among the sender's records (its id is sender/seq).
 */
export const XchgRecordSchema = struct('XchgRecord', {
  sender: addressField,
  seq: uint,
  receiver: addressField,
  payload: bytes32,
  purpose: purposeField,
  legalBasis: legalBasisField,
  consent: bytes({ max: 32 }),
  time: uint,
});
export type XchgRecord = Infer<typeof XchgRecordSchema>;

/** Bytes of a digest's input after the domain prefix, at most (no consent: 32 fewer). */
const DIGEST_INPUT = 20 + 20 + 8 + 32 + 32 + 32 + 1 + 32 + 8;
const input = new Uint8Array(DIGEST_INPUT);
const inputView = new DataView(input.buffer);

function writeU64(at: number, n: number): void {
  inputView.setUint32(at, Math.floor(n / 0x1_0000_0000));
  inputView.setUint32(at + 4, n >>> 0);
}

/** The digest of a record given its purpose's and legal basis's own digests (a batch hashes each once). */
function digestOf(sender: Uint8Array, receiver: Uint8Array, seq: number, payload: Uint8Array, purposeHash: Uint8Array, basisHash: Uint8Array, consent: Uint8Array, time: number): Uint8Array {
  input.set(sender, 0);
  input.set(receiver, 20);
  writeU64(40, seq);
  input.set(payload, 48);
  input.set(purposeHash, 80);
  input.set(basisHash, 112);
  input[144] = consent.length;
  input.set(consent, 145);
  writeU64(145 + consent.length, time);
  return hashOf(Domain.XCHG_RECORD, input.subarray(0, 153 + consent.length));
}

/**
 * A record's digest, the item of its batch's Merkle tree: SHA-256 of the domain prefix
 * `sov/xchg-record` and a zero byte, then, fixed width: sender (20 bytes), receiver (20),
 * seq (u64 big-endian), payload digest (32), SHA-256 of the purpose's UTF-8 (32), SHA-256 of
 * the legal basis's UTF-8 (32), the consent reference's length (one byte: 0 or 32) and its
 * bytes, the sender's time (u64 big-endian). Anyone can recompute it from a receipt's record.
 */
export function recordDigest(r: XchgRecord): Uint8Array {
  return digestOf(r.sender, r.receiver, r.seq, r.payload, sha256Utf8(r.purpose), sha256Utf8(r.legalBasis), r.consent, r.time);
}

/** The digests of a batch's records, in order, straight from the batch's items (what the ledger hashes). */
export function batchDigests(sender: Uint8Array, receiver: Uint8Array, first: number, purposes: readonly string[], bases: readonly string[], items: readonly XchgItem[]): Uint8Array[] {
  const ph = purposes.map(sha256Utf8);
  const bh = bases.map(sha256Utf8);
  const out = new Array<Uint8Array>(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    out[i] = digestOf(sender, receiver, first + i, it.payload, ph[it.purpose]!, bh[it.basis]!, it.consent, it.time);
  }
  return out;
}

/** The batch's records spelled out, in order (seq first, first + 1, ...). */
export function batchRecords(sender: Uint8Array, receiver: Uint8Array, first: number, purposes: readonly string[], bases: readonly string[], items: readonly XchgItem[]): XchgRecord[] {
  return items.map((it, i) => ({
    sender, seq: first + i, receiver, payload: it.payload, purpose: purposes[it.purpose]!, legalBasis: bases[it.basis]!, consent: it.consent, time: it.time,
  }));
}

export const XchgSenderSchema = struct('XchgSender', { nextSeq: uint, batches: uint });
export type XchgSender = Infer<typeof XchgSenderSchema>;

export const XchgBatchSchema = struct('XchgBatch', {
  receiver: addressField,
  count: u32,
  /** Merkle root (core merkleRoot) of the records' digests, in seq order. */
  root: bytes32,
  /** Block time and height of the batch. */
  time: uint,
  height: uint,
  /** Records acknowledged so far. */
  acked: u32,
  /** The receiver's acknowledgments: bit i (most significant first) for record first + i. */
  ackBits: bytes({ max: MAX_XCHG_BATCH / 8 }),
  /** Block time of the latest acknowledgment (0: none). */
  ackTime: uint,
  /** Block time by which the receiver is to acknowledge (time + xchg_ack_window_ms): unacknowledged after it, a record is overdue. */
  ackBy: uint,
});
export type XchgBatch = Infer<typeof XchgBatchSchema>;

export const XchgAllowedSchema = struct('XchgAllowed', { legalRef: str(128), height: uint });

/** Document states. */
export const DocStatus = { OPEN: 0, COMPLETE: 1, REFUSED: 2, EXPIRED: 3 } as const;
export const DOC_STATUS_NAMES = ['open', 'complete', 'refused', 'expired'] as const;
export const MAX_DOC_GROUPS = 16;
export const MAX_DOC_SIGNERS = 64;

/**
 * One signature of a document: the signer, the key it signed with (the account's key at the
 * time), and either an Ed25519 signature over the document's signing bytes (docSignBytes) or,
 * for a signature given by the signer's own transaction, no signature and that transaction's
 * hash.
 */
export const DocSignatureSchema = struct('DocSignature', {
  signer: addressField,
  publicKey: optional(publicKeyField),
  signature: optional(signatureField),
  txHash: bytes32,
  time: uint,
  height: uint,
});
export type DocSignature = Infer<typeof DocSignatureSchema>;

export const DocumentSchema = struct('XchgDocument', {
  digest: bytes32,
  title: str(128),
  registrant: addressField,
  /** Groups signed in order; the signers within one group sign in any order. */
  groups: list(list(addressField, MAX_DOC_SIGNERS), MAX_DOC_GROUPS),
  /** Block time after which no one may sign (ms). */
  deadline: uint,
  legalRef: str(128),
  status: u8,
  signatures: list(DocSignatureSchema, MAX_DOC_SIGNERS),
  /** Who refused and why (status refused). */
  refusedBy: optional(addressField),
  reason: str(256),
  /** The block that completed, refused or expired it (0 while open). */
  closedHeight: uint,
  time: uint,
  height: uint,
});
export type XchgDocument = Infer<typeof DocumentSchema>;
export const DocCounterSchema = struct('XchgDocCounter', { next: uint });

/** What a signer signs off chain: the document's id and digest (core signFor with tag DOC_SIGN_TAG and the chain id). */
export const DocSignPayload = struct('XchgDocSign', { id: uint, digest: bytes32 });
export const DOC_SIGN_TAG = 'sov/xchg-doc-sign';

export const xchgRecords = {
  xchg_sender: record(0xb0, [field.address('address')], XchgSenderSchema, 'XchgSender [nextSeq, batches]: the sender\'s next record sequence number'),
  xchg_batch: record(0xb1, [field.address('sender'), field.id('first')], XchgBatchSchema, 'XchgBatch [receiver, count, root, time, height, acked, ackBits, ackTime, ackBy]: records first..first+count-1 of the sender'),
  xchg_allowed: record(0xb2, [field.address('address')], XchgAllowedSchema, 'XchgAllowed [legalRef, height]: a sender governance allows without the agency role'),
  xchg_doc: record(0xb3, [field.id('id')], DocumentSchema, 'XchgDocument [digest, title, registrant, groups, deadline, legalRef, status (0 open, 1 complete, 2 refused, 3 expired), signatures [[signer, publicKey, signature, txHash, time, height]], refusedBy, reason, closedHeight, time, height]'),
  xchg_doc_counter: record(0xb4, [], DocCounterSchema, 'XchgDocCounter [next]: the next document id'),
};
export const XchgKeys = {
  sender: xchgRecords.xchg_sender.keyOf,
  batch: xchgRecords.xchg_batch.keyOf,
  allowed: xchgRecords.xchg_allowed.keyOf,
  doc: xchgRecords.xchg_doc.keyOf,
  docCounter: xchgRecords.xchg_doc_counter.keyOf,
};

/** Whether bit `i` of an acknowledgment bitmap is set. */
export function ackBit(bits: Uint8Array, i: number): boolean {
  const b = bits[i >> 3];
  return b !== undefined && (b & (0x80 >> (i & 7))) !== 0;
}

/** The module's node-side indexes (ids are literals, never reused). */
export const XchgIndexes = {
  pair: indexSpec(1, 'sender 20, receiver 20, block time u64 -> first seq u64, sender 20: a batch between two agencies'),
  agency: indexSpec(2, 'agency 20, block time u64 -> first seq u64, sender 20: a batch the agency sent or received (the agency\'s exchange history)'),
  purpose: indexSpec(3, 'SHA-256 of the purpose 32, block time u64 -> first seq u64, sender 20: a batch holding records of the purpose'),
  consent: indexSpec(4, 'consent reference 32 -> sender 20, seq u64: a record under the consent'),
  batch: indexSpec(5, 'sender 20, first seq u64 -> empty: a batch, found by the seqs it holds'),
  doc: indexSpec(6, 'document digest 32 -> id u64: a document registered for signing'),
};

/** The node-side index keys (module.ts IndexSpec), shared by the module that writes them and the RPC that reads them. */
export const XchgIndexKey = {
  /** By sender, receiver and block time: a batch (value: first seq u64, sender 20, as for agency and purpose). */
  pair: (sender: Uint8Array, receiver: Uint8Array, time: number): Uint8Array => concatBytes(sender, receiver, u64(time)),
  /** By one agency (sender or receiver) and block time: a batch. */
  agency: (agency: Uint8Array, time: number): Uint8Array => concatBytes(agency, u64(time)),
  /** By consent reference: a record (value: sender 20, seq u64). */
  consent: (consent: Uint8Array): Uint8Array => consent,
  /** By purpose (its SHA-256) and block time: a batch holding records of it. */
  purpose: (purposeHash: Uint8Array, time: number): Uint8Array => concatBytes(purposeHash, u64(time)),
  /** By sender and first seq: a batch (to find the batch holding a seq). */
  batch: (sender: Uint8Array, first: number): Uint8Array => concatBytes(sender, u64(first)),
  /** By document digest: a document (value: id u64). */
  doc: (digest: Uint8Array): Uint8Array => digest,
};

export function readU64(b: Uint8Array, at: number): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at));
}
