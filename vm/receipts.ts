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
import { bytes, bytes32, decode, Domain, encode, hashOf, identField, list, merkleRoot, str, struct, u8, u32, uint, type Infer } from '../core/index.js';

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

/**
 * `receiptHash` of the receipt whose canonical bytes are `bytes` (as `receiptBytes` wrote
 * them), without encoding it again: the commitment's encoding is the receipt's with the
 * message element cut out and the array header one shorter (canonical msgpack writes each
 * element the same way in both). Falls back to decoding for any layout it does not expect.
 */
export function receiptHashOfBytes(bytes: Uint8Array): Uint8Array {
  const span = messageSpan(bytes);
  if (span === null) return receiptHash(decode(ReceiptSchema, bytes));
  // The commitment's bytes, hashed in parts (no copy of them is made).
  return hashOf(Domain.RECEIPT, FIXARRAY_6, bytes.subarray(1, span.start), bytes.subarray(span.end));
}

const FIXARRAY_6 = Uint8Array.of(0x96);

/** Where the message (element 3) of an encoded receipt starts and ends, or null. */
function messageSpan(b: Uint8Array): { start: number; end: number } | null {
  if (b[0] !== 0x97) return null; // fixarray of 7
  let o = 1;
  for (let el = 0; el < 3; el++) {
    const next = skipScalar(b, o);
    if (next < 0) return null;
    o = next;
  }
  const end = skipScalar(b, o);
  const t = b[o]!;
  const isStr = (t >= 0xa0 && t <= 0xbf) || t === 0xd9 || t === 0xda || t === 0xdb;
  return end < 0 || !isStr ? null : { start: o, end };
}

/** The offset after the uint, str or bin at `o`, or -1 for any other type (or past the end). */
function skipScalar(b: Uint8Array, o: number): number {
  const t = b[o];
  if (t === undefined) return -1;
  let end: number;
  if (t <= 0x7f) end = o + 1; // positive fixint
  else if (t >= 0xa0 && t <= 0xbf) end = o + 1 + (t & 0x1f); // fixstr
  else if (t === 0xcc || t === 0xcd || t === 0xce) end = o + 1 + (1 << (t - 0xcc)); // uint 8/16/32
  else if (t === 0xd9 || t === 0xc4) end = o + 2 + be(b, o + 1, 1); // str8 / bin8
  else if (t === 0xda || t === 0xc5) end = o + 3 + be(b, o + 1, 2); // str16 / bin16
  else if (t === 0xdb || t === 0xc6) end = o + 5 + be(b, o + 1, 4); // str32 / bin32
  else return -1;
  return end <= b.length ? end : -1;
}

/** The big-endian unsigned integer of `n` bytes at `at`. */
function be(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[at + i]!;
  return v;
}

/** The header's resultsRoot over receipt hashes in transaction order. */
export function resultsRootOf(receiptHashes: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(receiptHashes);
}
