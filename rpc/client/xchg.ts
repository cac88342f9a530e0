/**
 * The data-exchange SDK (vm xchg) for agencies and auditors:
 * - building batches: `xchgBatch` turns records (payload digest, purpose, legal basis,
 *   consent reference, time) into the `xchg.send` args, and computes the records' digests and
 *   Merkle root as the ledger will, so a sender knows its record ids and root before sending;
 *   `sendXchgRecords` sends any number of records to one receiver in batches and waits;
 * - digests: `payloadDigest` (SHA-256 of the data exchanged) and `consentRef` (SHA-256 of a
 *   consent credential's id, so no readable id goes on chain);
 * - documents: `signDocument`, a signer's signature over a registered document, to submit
 *   with `xchg.sign_doc`;
 * - receipts: `verifyXchgReceipt` and `verifyDocProof` (rpc/xchg-receipts.ts) check them
 *   with the validator sets alone; `exportReceiptContainer` wraps a receipt in a W3C
 *   Verifiable Credential signed by the exporting institution (eddsa-jcs-2022, did:key) for
 *   an auditor's archive, and `verifyReceiptContainer` checks both layers.
 */
import {
  addressFromPublicKey, decodeAddress, encodeAddress, fromHex, merkleRoot, sha256, sha256Utf8, signFor, to0x, type KeyPair,
} from '../../core/index.js';
import { xchg } from '../../vm/index.js';
import type { SubmitView } from '../facade.js';
import { RECEIPT_TYPE, verifyXchgReceipt, XchgError, XchgVerifyError, type VerifiedReceipt, type XchgReceipt, type XchgVerifyOptions } from '../xchg-receipts.js';
import type { Wallet } from './builders.js';
import { didKeyOf } from './cred/did.js';
import { signCredential, verifyCredentialProof, VC_V2_CONTEXT } from './cred/vc.js';

/** A record as a sender describes it. */
export interface XchgRecordInput {
  /** The digest of the data sent (32 bytes, or 0x-hex): payloadDigest(data). */
  payload: Uint8Array | string;
  /** The purpose or schema code. */
  purpose: string;
  legalBasis: string;
  /** The consent reference: 32 bytes (0x-hex), e.g. consentRef(credentialId); omit for none. */
  consent?: Uint8Array | string;
  /** The sender's time (ms). */
  time: number;
}

/** SHA-256 of the data exchanged: what a record carries instead of the data. */
export const payloadDigest = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? sha256Utf8(data) : sha256(data));
/** A consent reference for a consent credential (or any consent document) by its id. */
export const consentRef = (id: string): Uint8Array => sha256Utf8(id);

const bytes32 = (v: Uint8Array | string, what: string): Uint8Array => {
  const b = typeof v === 'string' ? fromHex(v) : v;
  if (!(b instanceof Uint8Array) || b.length !== 32) throw new XchgError('XCHG_BAD_INPUT', `${what} is 32 bytes`);
  return b;
};

export interface XchgBatch {
  /** The `xchg.send` args. */
  args: { receiver: Uint8Array; first: number; purposes: string[]; bases: string[]; records: xchg.XchgItem[] };
  /** Every record spelled out, in order, and its digest. */
  records: xchg.XchgRecord[];
  digests: Uint8Array[];
  /** The Merkle root the ledger will record. */
  root: Uint8Array;
}

/** Build one batch (1..10,000 records) of `sender` to `receiver`, taking record numbers first, first + 1, ... */
export function xchgBatch(sender: Uint8Array, receiver: Uint8Array, first: number, inputs: readonly XchgRecordInput[]): XchgBatch {
  if (inputs.length < 1 || inputs.length > xchg.MAX_XCHG_BATCH) throw new XchgError('XCHG_BAD_INPUT', `a batch holds 1..${xchg.MAX_XCHG_BATCH} records`);
  const purposes: string[] = [];
  const bases: string[] = [];
  const indexOf = (list: string[], v: string): number => {
    let i = list.indexOf(v);
    if (i < 0) {
      i = list.push(v) - 1;
      if (list.length > xchg.MAX_BATCH_CODES) throw new XchgError('XCHG_BAD_INPUT', `a batch names at most ${xchg.MAX_BATCH_CODES} purposes and legal bases: split it`);
    }
    return i;
  };
  const items: xchg.XchgItem[] = inputs.map((r) => ({
    payload: bytes32(r.payload, 'a payload digest'), purpose: indexOf(purposes, r.purpose), basis: indexOf(bases, r.legalBasis),
    consent: r.consent === undefined || r.consent === '' ? new Uint8Array(0) : bytes32(r.consent, 'a consent reference'), time: r.time,
  }));
  const records = xchg.batchRecords(sender, receiver, first, purposes, bases, items);
  const digests = xchg.batchDigests(sender, receiver, first, purposes, bases, items);
  return { args: { receiver, first, purposes, bases, records: items }, records, digests, root: merkleRoot(digests) };
}

/** The sender's next record number, read from the ledger (0 before its first batch). */
export async function nextRecordSeq(wallet: Wallet, prefix: string): Promise<number> {
  const r = await wallet.client.getRecord({ kind: 'xchg_sender', address: wallet.address(prefix) });
  return (r.value as { nextSeq?: number } | null)?.nextSeq ?? 0;
}

/**
 * Send `inputs` to `receiver` (an address) in batches of `batchSize` (default 1,000), each a
 * transaction of the wallet's signer; waits for each to commit. Returns the record ids
 * (first and count of each batch) and their roots. Throws on a failed batch.
 */
export async function sendXchgRecords(
  wallet: Wallet, receiver: string, inputs: readonly XchgRecordInput[], opts: { batchSize?: number; addressPrefix: string; first?: number },
): Promise<{ batches: { first: number; count: number; root: string; tx: SubmitView }[] }> {
  const size = opts.batchSize ?? 1000;
  if (!Number.isInteger(size) || size < 1 || size > xchg.MAX_XCHG_BATCH) throw new XchgError('XCHG_BAD_INPUT', `batchSize is 1..${xchg.MAX_XCHG_BATCH}`);
  const to = decodeAddress(receiver, opts.addressPrefix);
  let first = opts.first ?? (await nextRecordSeq(wallet, opts.addressPrefix));
  const out: { first: number; count: number; root: string; tx: SubmitView }[] = [];
  const made: XchgBatch[] = [];
  for (let i = 0; i < inputs.length; i += size) {
    const b = xchgBatch(wallet.signer, to, first, inputs.slice(i, i + size));
    made.push(b);
    first += b.records.length;
  }
  // The first batch alone (the wallet learns its nonce from it), then the others together:
  // each takes the next nonce as it is built, in order, so their record numbers follow.
  const settle = (b: XchgBatch, tx: SubmitView): void => {
    if (tx.status !== 'committed') {
      throw new XchgError('XCHG_SEND_FAILED', `batch ${b.args.first} (${b.records.length} records) ${tx.status}: ${tx.message ?? ''}`, {
        code: tx.code, hash: tx.hash, committed: out.map((o) => ({ first: o.first, count: o.count, hash: o.tx.hash })),
      });
    }
    out.push({ first: b.args.first, count: b.records.length, root: to0x(b.root), tx });
  };
  if (made.length > 0) settle(made[0]!, await wallet.tx.xchg.send(made[0]!.args, { wait: true }));
  const rest = await Promise.allSettled(made.slice(1).map((b) => wallet.tx.xchg.send(b.args, { wait: true })));
  rest.forEach((r, i) => {
    if (r.status === 'rejected') {
      throw new XchgError('XCHG_SEND_FAILED', `batch ${made[i + 1]!.args.first}: ${(r.reason as Error).message}`, { committed: out.map((o) => ({ first: o.first, count: o.count, hash: o.tx.hash })) });
    }
    settle(made[i + 1]!, r.value);
  });
  return { batches: out };
}

/** A signer's signature over document `id` of `digest` (for xchg.sign_doc, submitted by anyone). */
export const signDocument = (chainId: string, id: number, digest: Uint8Array | string, key: KeyPair): Uint8Array =>
  signFor(xchg.DOC_SIGN_TAG, chainId, xchg.docSignPayload(id, bytes32(digest, 'a document digest')), key.secretKey);

/** The type of the Verifiable Credential that wraps a receipt for an archive. */
export const RECEIPT_CONTAINER_TYPE = 'SovXchgReceiptContainer';

export interface ReceiptContainer {
  '@context': string[];
  type: string[];
  issuer: string;
  validFrom: string;
  credentialSubject: { type: string; receipt: XchgReceipt };
  proof?: unknown;
}

/**
 * Wrap `receipt` for an auditor's archive: a W3C Verifiable Credential whose subject is the
 * receipt, signed by the exporting institution's key (eddsa-jcs-2022, issuer its did:key).
 * `exportedAt`: the export time (ms); it is the credential's validFrom.
 */
export function exportReceiptContainer(receipt: XchgReceipt, key: KeyPair, exportedAt: number): ReceiptContainer & { proof: unknown } {
  if (receipt?.type !== RECEIPT_TYPE) throw new XchgError('XCHG_BAD_INPUT', 'not a receipt');
  const issuer = didKeyOf(key.publicKey);
  const unsigned: ReceiptContainer = {
    '@context': [VC_V2_CONTEXT],
    type: ['VerifiableCredential', RECEIPT_CONTAINER_TYPE],
    issuer,
    validFrom: new Date(exportedAt).toISOString(),
    credentialSubject: { type: 'SovXchgReceipt', receipt },
  };
  return signCredential(unsigned as unknown as Record<string, unknown>, key, { created: new Date(exportedAt).toISOString() }) as unknown as ReceiptContainer & { proof: unknown };
}

/** Check a receipt container: the exporter's signature, then the receipt itself. Returns the exporter (did:key, and its ledger address) and the receipt's verdict. */
export function verifyReceiptContainer(container: unknown, opts: XchgVerifyOptions): { exporter: string; exporterAddress: string; receipt: VerifiedReceipt } {
  const c = container as ReceiptContainer;
  if (typeof c !== 'object' || c === null || !Array.isArray(c.type) || !c.type.includes(RECEIPT_CONTAINER_TYPE)) throw new XchgVerifyError(`not a ${RECEIPT_CONTAINER_TYPE}`);
  let publicKey: Uint8Array;
  try {
    publicKey = verifyCredentialProof(c).publicKey;
  } catch (e) {
    throw new XchgVerifyError(`the container's signature: ${(e as Error).message}`);
  }
  const receipt = verifyXchgReceipt(c.credentialSubject?.receipt, opts);
  return { exporter: c.issuer, exporterAddress: encodeAddress(c.credentialSubject.receipt.addressPrefix, addressFromPublicKey(publicKey)), receipt };
}

