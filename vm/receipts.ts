/**
 * Receipts and events, in canonical form. A receipt is an array in this order:
 *   [txHash, status, code, message, work, events, result]
 * - status: 0 success, 1 failure (the transaction's writes were reverted, its nonce used);
 * - code / message: the stable numeric error code (errors.ts) and a readable message, 0 and
 *   "" on success;
 * - work: the work units the transaction used (params.ts);
 * - events: [module, name, data] each, data being the canonical encoding of that event's own
 *   schema (docs/vm.md lists them); a failed transaction has none;
 * - result: method-specific bytes (a batch payout's per-recipient codes, a new id), or empty.
 * A receipt's hash is hashOf("receipt", encode(ReceiptCommitment)): every field but the
 * message, which is for people and may be reworded without a hard fork (as CometBFT leaves
 * the log out of its results hash). A block's resultsRoot is core merkleRoot of its receipts'
 * hashes, in transaction order.
 */
import { bytes, bytes32, Domain, encode, hashOf, identField, list, merkleRoot, str, struct, u8, u32, uint, type Infer } from '../core/index.js';

export const MAX_EVENTS_PER_TX = 20_000;
export const MAX_EVENT_BYTES = 64 * 1024;
export const MAX_RESULT_BYTES = 256 * 1024;
export const MAX_MESSAGE_BYTES = 256;

export const EventSchema = struct('Event', { module: identField, name: identField, data: bytes({ max: MAX_EVENT_BYTES }) });
export type Event = Infer<typeof EventSchema>;

export const ReceiptStatus = { OK: 0, FAILED: 1 } as const;

export const ReceiptSchema = struct('Receipt', {
  txHash: bytes32,
  status: u8,
  code: u32,
  message: str(MAX_MESSAGE_BYTES),
  work: uint,
  events: list(EventSchema, MAX_EVENTS_PER_TX),
  result: bytes({ max: MAX_RESULT_BYTES }),
});
export type Receipt = Infer<typeof ReceiptSchema>;

/** Cut a message to the receipt's limit on a code-point boundary (never splitting a pair). */
export function clipMessage(m: string): string {
  if (Buffer.byteLength(m, 'utf8') <= MAX_MESSAGE_BYTES) return m;
  let out = '';
  let n = 0;
  for (const ch of m) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (n + b > MAX_MESSAGE_BYTES - 3) break;
    out += ch;
    n += b;
  }
  return out + '...';
}

export function receiptBytes(r: Receipt): Uint8Array {
  return encode(ReceiptSchema, r);
}

/** What the receipt hash commits to: the receipt without its message. */
export const ReceiptCommitmentSchema = struct('ReceiptCommitment', {
  txHash: bytes32,
  status: u8,
  code: u32,
  work: uint,
  events: list(EventSchema, MAX_EVENTS_PER_TX),
  result: bytes({ max: MAX_RESULT_BYTES }),
});

export function receiptHash(r: Receipt): Uint8Array {
  const c = { txHash: r.txHash, status: r.status, code: r.code, work: r.work, events: r.events, result: r.result };
  return hashOf(Domain.RECEIPT, encode(ReceiptCommitmentSchema, c));
}

/** The header's resultsRoot over receipt hashes in transaction order. */
export function resultsRootOf(receiptHashes: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(receiptHashes);
}
