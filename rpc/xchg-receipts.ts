/**
 * Offline proofs of the data-exchange layer (vm xchg), their JSON form and their checks,
 * shared by the node (which builds them) and the SDK (which verifies them with nothing but
 * validator sets):
 * - a record's receipt: the record with every field, its position and Merkle path in its
 *   batch, and the batch's state record (root, receiver, acknowledgment bits, deadline)
 *   with its state proof, the header of that height and the header's commit certificate;
 * - a document's proof: the document's state record (digest, signers, every signature with
 *   the key it was made with, the block that closed it) with the same proof chain.
 * `verifyXchgReceipt` and `verifyDocProof` check, in order: the certificate is signed by
 * more than 2/3 of the power of the trusted set the header names (one of the sets handed
 * in: a receipt made after a validator-set change needs the set of its height), the header
 * is of this chain, the state proof recomputes the header's stateRoot for the record's key,
 * and (a receipt) the record's digest is at its position under the batch's root, or (a
 * document) every stored signature verifies against its stored key. Any changed byte fails.
 */
import {
  decode, decodeAddress, encodeAddress, equalBytes, fromHex, headerHash, merkleProof, sha256Utf8, to0x, toHex, verifyCommit, verifyFor, verifyMerkleProof, SovError, type ValidatorSet,
} from '../core/index.js';
import { verifyProof } from '../state/index.js';
import { xchg } from '../vm/index.js';
import type { CommitView, HeaderView } from './facade.js';
import { commitFromView, headerFromView } from './records.js';

/** The data-exchange SDK's error codes, each with what it means (callers match on the codes, never on messages). */
export const XCHG_ERRORS = {
  XCHG_VERIFY_FAILED: 'a receipt, container or document proof that does not verify: a certificate not signed by a trusted set, a state proof that misses the root, a record not under its batch root, a bad signature, another chain',
  XCHG_BAD_INPUT: 'input the SDK refuses before anything is signed or sent: a digest or consent reference that is not 32 bytes, a batch of no record or too many, too many purposes or legal bases',
  XCHG_SEND_FAILED: 'a batch the node refused or that failed in execution (its code and message are in the error; the batches committed before it are listed)',
} as const satisfies Record<string, string>;
export type XchgErrorCode = keyof typeof XCHG_ERRORS;

export class XchgError extends SovError {
  constructor(code: XchgErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}

export class XchgVerifyError extends XchgError {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('XCHG_VERIFY_FAILED', message, meta);
  }
}

/** A record, every field spelled out (addresses bech32m, bytes 0x-hex, times ms). */
export interface XchgRecordJson {
  sender: string;
  seq: number;
  receiver: string;
  payload: string;
  purpose: string;
  legalBasis: string;
  /** 0x-hex of 32 bytes, or '' for none. */
  consent: string;
  time: number;
}

/** A state record with the proof of its bytes against a certified header. */
export interface CertifiedState {
  height: number;
  header: HeaderView;
  commit: CommitView;
  /** The stored bytes, 0x-hex (null: proven absent). */
  raw: string | null;
  /** The state proof, 0x-hex. */
  proof: string;
}

export const RECEIPT_TYPE = 'sov-xchg-receipt';
export const DOC_PROOF_TYPE = 'sov-xchg-document-proof';

export interface XchgReceipt {
  type: typeof RECEIPT_TYPE;
  version: 1;
  chainId: string;
  addressPrefix: string;
  record: XchgRecordJson;
  /** The batch: its first record number and size, the record's position in it and its Merkle path (leaf upwards). */
  batch: { first: number; count: number; position: number; path: string[] };
  state: CertifiedState;
}

export interface XchgDocProof {
  type: typeof DOC_PROOF_TYPE;
  version: 1;
  chainId: string;
  addressPrefix: string;
  id: number;
  state: CertifiedState;
}

export interface XchgVerifyOptions {
  /** The validator sets the caller trusts: the one the header names is used. */
  validators: ValidatorSet | readonly ValidatorSet[];
  /** The chain the proof must be of (default: the one it states). */
  chainId?: string;
  /**
   * A verifier's cache of what it has checked (optional): certified headers by
   * `height:header hash:set hash`, and proven state records by root, key, bytes and proof.
   * Receipts of one page share their header, certificate and usually the batch's proof, so
   * with a cache each is checked once. Holds at most VERIFY_CACHE_LIMIT entries; emptied when full.
   */
  cache?: Set<string>;
}

export const VERIFY_CACHE_LIMIT = 8192;

export const recordToJson = (r: xchg.XchgRecord, prefix: string): XchgRecordJson => ({
  sender: encodeAddress(prefix, r.sender), seq: r.seq, receiver: encodeAddress(prefix, r.receiver), payload: to0x(r.payload),
  purpose: r.purpose, legalBasis: r.legalBasis, consent: r.consent.length === 0 ? '' : to0x(r.consent), time: r.time,
});

export function recordFromJson(j: XchgRecordJson, prefix: string): xchg.XchgRecord {
  return {
    sender: decodeAddress(j.sender, prefix), seq: j.seq, receiver: decodeAddress(j.receiver, prefix), payload: fromHex(j.payload, 32),
    purpose: j.purpose, legalBasis: j.legalBasis, consent: j.consent === '' ? new Uint8Array(0) : fromHex(j.consent, 32), time: j.time,
  };
}

/** The Merkle path of position `i` among `digests`, 0x-hex (core merkleProof). */
export const pathOf = (digests: readonly Uint8Array[], i: number): string[] => merkleProof(digests, i).map(to0x);

/** A cache entry's name: the SHA-256 of what was checked (entries stay small). */
const cacheKey = (what: string): string => toHex(sha256Utf8(what));

/** Check a certified state record for `key`: the header's set, its certificate, the state proof. Returns the raw bytes. */
function checkCertified(s: CertifiedState, key: Uint8Array, chainId: string, opts: XchgVerifyOptions, fail: (m: string) => never): Uint8Array | null {
  let header;
  let commit;
  let raw: Uint8Array | null;
  let proof: Uint8Array;
  try {
    header = headerFromView(s.header);
    commit = commitFromView(s.commit);
    raw = s.raw === null ? null : fromHex(s.raw);
    proof = fromHex(s.proof);
  } catch (e) {
    return fail(`malformed proof: ${(e as Error).message}`);
  }
  if (header.chainId !== chainId) fail(`the header is of chain ${header.chainId}, not ${chainId}`);
  if (header.height !== s.height) fail(`the header is of height ${header.height}, the proof claims ${s.height}`);
  const sets = Array.isArray(opts.validators) ? opts.validators : [opts.validators as ValidatorSet];
  const set = sets.find((v) => equalBytes(v.hash, header.validatorsHash));
  if (set === undefined) fail(`the header at height ${header.height} names a validator set none of the trusted sets is`);
  const cache = opts.cache;
  if (cache !== undefined && cache.size >= VERIFY_CACHE_LIMIT) cache.clear();
  const hash = headerHash(header);
  // The certificate, once per header (its signatures and block hash are part of what is remembered).
  const certified = cacheKey(`c:${chainId}:${header.height}:${toHex(hash)}:${toHex(set!.hash)}:${s.commit.round}:${JSON.stringify(s.commit.signatures)}:${s.commit.blockHash}`);
  if (!cache?.has(certified)) {
    try {
      verifyCommit(chainId, commit, set!, { height: header.height, blockHash: hash });
    } catch (e) {
      fail(`commit certificate: ${(e as Error).message}`);
    }
    cache?.add(certified);
  }
  const proven = cacheKey(`p:${toHex(header.stateRoot)}:${toHex(key)}:${s.raw}:${s.proof}`);
  if (!cache?.has(proven)) {
    if (!verifyProof(header.stateRoot, key, raw, proof)) fail("the state proof does not match the header's stateRoot");
    cache?.add(proven);
  }
  return raw;
}

export interface VerifiedReceipt {
  record: XchgRecordJson;
  /** Where and when the batch was recorded. */
  sent: { height: number; time: number };
  acknowledged: boolean;
  /** The receiver's deadline; overdue: unacknowledged and the proof's header is past it. */
  ackBy: number;
  overdue: boolean;
  /** The height the proof was made at (its header's), and that header's time. */
  provenAt: { height: number; time: number };
}

/** Verify a receipt with nothing but trusted validator sets. Throws XchgVerifyError naming what failed. */
export function verifyXchgReceipt(receipt: XchgReceipt, opts: XchgVerifyOptions): VerifiedReceipt {
  const fail = (m: string): never => {
    throw new XchgVerifyError(m, { sender: receipt?.record?.sender, seq: receipt?.record?.seq });
  };
  if (receipt?.type !== RECEIPT_TYPE || receipt.version !== 1) fail(`not a ${RECEIPT_TYPE} of version 1`);
  const chainId = opts.chainId ?? receipt.chainId;
  if (receipt.chainId !== chainId) fail(`the receipt is of chain ${receipt.chainId}, not ${chainId}`);
  let record: xchg.XchgRecord;
  let path: Uint8Array[];
  try {
    record = recordFromJson(receipt.record, receipt.addressPrefix);
    path = receipt.batch.path.map((p) => fromHex(p, 32));
  } catch (e) {
    return fail(`malformed receipt: ${(e as Error).message}`);
  }
  const { first, count, position } = receipt.batch;
  if (![first, count, position].every((n) => Number.isSafeInteger(n) && n >= 0) || position >= count || record.seq !== first + position) {
    fail(`record ${record.seq} is not at position ${position} of the batch starting at ${first} (of ${count})`);
  }
  const raw = checkCertified(receipt.state, xchg.XchgKeys.batch(record.sender, first), chainId, opts, fail);
  if (raw === null) fail(`the ledger holds no batch ${first} of ${receipt.record.sender}`);
  let batch: xchg.XchgBatch;
  try {
    batch = decode(xchg.XchgBatchSchema, raw!);
  } catch (e) {
    return fail(`the proven batch does not decode: ${(e as Error).message}`);
  }
  if (batch.count !== count) fail(`the batch holds ${batch.count} records, the receipt says ${count}`);
  if (!equalBytes(batch.receiver, record.receiver)) fail('the record names another receiver than its batch');
  if (!verifyMerkleProof(batch.root, xchg.recordDigest(record), position, count, path)) fail("the record is not in its batch: its digest and path do not give the batch's root");
  const header = headerFromView(receipt.state.header);
  const acknowledged = xchg.ackBit(batch.ackBits, position);
  return {
    record: receipt.record, sent: { height: batch.height, time: batch.time }, acknowledged, ackBy: batch.ackBy,
    overdue: !acknowledged && header.time > batch.ackBy, provenAt: { height: header.height, time: header.time },
  };
}

export interface VerifiedDocument {
  id: number;
  digest: string;
  title: string;
  status: (typeof xchg.DOC_STATUS_NAMES)[number];
  registrant: string;
  /** Signers by group, in order. */
  groups: string[][];
  deadline: number;
  legalRef: string;
  signatures: { signer: string; publicKey: string | null; signature: string | null; txHash: string; time: number; height: number }[];
  refusedBy: string | null;
  reason: string;
  /** The block that completed, refused or expired it (0: open). */
  closedHeight: number;
  provenAt: { height: number; time: number };
}

/** Verify a document's proof with nothing but trusted validator sets; `digest` (optional) must be the document's. Throws XchgVerifyError. */
export function verifyDocProof(p: XchgDocProof, opts: XchgVerifyOptions & { digest?: Uint8Array; requireComplete?: boolean }): VerifiedDocument {
  const fail = (m: string): never => {
    throw new XchgVerifyError(m, { id: p?.id });
  };
  if (p?.type !== DOC_PROOF_TYPE || p.version !== 1) fail(`not a ${DOC_PROOF_TYPE} of version 1`);
  const chainId = opts.chainId ?? p.chainId;
  if (p.chainId !== chainId) fail(`the proof is of chain ${p.chainId}, not ${chainId}`);
  if (!Number.isSafeInteger(p.id) || p.id < 1) fail('a document id is a positive integer');
  const raw = checkCertified(p.state, xchg.XchgKeys.doc(p.id), chainId, opts, fail);
  if (raw === null) fail(`the ledger holds no document ${p.id}`);
  let d: xchg.XchgDocument;
  try {
    d = decode(xchg.DocumentSchema, raw!);
  } catch (e) {
    return fail(`the proven document does not decode: ${(e as Error).message}`);
  }
  if (opts.digest !== undefined && !equalBytes(opts.digest, d.digest)) fail(`document ${p.id} is of digest ${to0x(d.digest)}, not ${to0x(opts.digest)}`);
  if (opts.requireComplete && d.status !== xchg.DocStatus.COMPLETE) fail(`document ${p.id} is ${xchg.DOC_STATUS_NAMES[d.status]}, not complete`);
  const payload = xchg.docSignPayload(p.id, d.digest);
  for (const s of d.signatures) {
    if (s.signature !== null && (s.publicKey === null || !verifyFor(xchg.DOC_SIGN_TAG, chainId, payload, s.signature, s.publicKey))) {
      fail(`the signature of ${encodeAddress(p.addressPrefix, s.signer)} does not verify against its key`);
    }
  }
  const header = headerFromView(p.state.header);
  const a = (b: Uint8Array): string => encodeAddress(p.addressPrefix, b);
  return {
    id: p.id, digest: to0x(d.digest), title: d.title, status: xchg.DOC_STATUS_NAMES[d.status] ?? fail(`unknown status ${d.status}`), registrant: a(d.registrant),
    groups: d.groups.map((g) => g.map(a)), deadline: d.deadline, legalRef: d.legalRef,
    signatures: d.signatures.map((s) => ({
      signer: a(s.signer), publicKey: s.publicKey === null ? null : to0x(s.publicKey), signature: s.signature === null ? null : to0x(s.signature), txHash: to0x(s.txHash), time: s.time, height: s.height,
    })),
    refusedBy: d.refusedBy === null ? null : a(d.refusedBy), reason: d.reason, closedHeight: d.closedHeight, provenAt: { height: header.height, time: header.time },
  };
}
