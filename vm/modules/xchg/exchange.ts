/**
 * Exchange records: an agency (or a sender governance allows) records a batch of up to
 * max_batch records of data it sent to one receiver: each record's payload digest, purpose,
 * legal basis, consent reference and the sender's time. The ledger spells every record out,
 * hashes it (records.ts recordDigest), keeps the Merkle root of the batch with the
 * receiver's acknowledgment bitmap, and adds the records to the node's lookup indexes. The
 * receiver acknowledges records by ranges of a batch (up to max_batch per transaction); an
 * acknowledgment by anyone else, or of a record acknowledged already, is refused.
 */
import { addressField, bool, bytes32, concatBytes, encode, equalBytes, list, merkleRoot, sha256Utf8, str, struct, toHex, u32, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { action, event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { GovKeys, InstitutionSchema, Role } from '../gov/records.js';
import { hasRole } from '../gov/roles.js';
import {
  ackBit, batchDigests, legalBasisField, MAX_BATCH_CODES, MAX_XCHG_BATCH, purposeField, u64, XchgAllowedSchema, XchgBatchSchema, XchgIndexKey, XchgItemSchema,
  XchgIndexes, XchgKeys, XchgSenderSchema, type XchgBatch,
} from './records.js';

const hex = toHex;

export const SendArgs = struct('XchgSendArgs', {
  receiver: addressField,
  /** The sequence number of the batch's first record: the sender's next one. */
  first: uint,
  purposes: list(purposeField, MAX_BATCH_CODES),
  bases: list(legalBasisField, MAX_BATCH_CODES),
  records: list(XchgItemSchema, MAX_XCHG_BATCH),
});
export const SendResult = struct('XchgSendResult', { first: uint, count: u32, root: bytes32 });
export const AckRange = struct('XchgAckRange', { sender: addressField, first: uint, offset: u32, count: u32 });
export const AckArgs = struct('XchgAckArgs', { ranges: list(AckRange, 1000) });
export const AllowSenderArgs = struct('XchgAllowSender', { account: addressField, allowed: bool, legalRef: str(128) });

export const SentEvent = struct('XchgSent', { sender: addressField, receiver: addressField, first: uint, count: u32, root: bytes32 });
export const AckEvent = struct('XchgAcknowledged', { sender: addressField, first: uint, offset: u32, count: u32, receiver: addressField });
export const AllowedEvent = struct('XchgSenderAllowed', { account: addressField, allowed: bool, legalRef: str(128) });

export const ExchangeEvents = {
  sent: event('xchg', 'sent', SentEvent, "a batch of exchange records: its receiver, its run of the sender's record numbers, the Merkle root of the records' digests"),
  acknowledged: event('xchg', 'acknowledged', AckEvent, "the receiver acknowledged records first+offset .. first+offset+count-1 of a sender's batch"),
  sender_allowed: event('xchg', 'sender_allowed', AllowedEvent, 'governance allowed (or stopped allowing) an account without the agency role to record exchanges'),
};
const E = ExchangeEvents;

/** The signer may record exchanges: it holds the agency role, or governance allows it. */
async function requireSender(ctx: TxContext): Promise<void> {
  if (await hasRole(ctx, ctx.signer, Role.AGENCY)) return;
  if ((await ctx.get(XchgAllowedSchema, XchgKeys.allowed(ctx.signer))) !== undefined) return;
  fail('NOT_XCHG_SENDER', `${hex(ctx.signer)} holds no agency role and is not an allowed sender`);
}

function setBits(bits: Uint8Array, from: number, count: number): void {
  for (let i = from; i < from + count; i++) bits[i >> 3]! |= 0x80 >> (i & 7);
}

export const exchangeMethods = {
  send: method(SendArgs, "an agency (or an allowed sender) records a batch of up to max_batch records of data sent to one receiver (an institution), taking its record numbers first..first+count-1 (first: its next)", async (ctx, a) => {
    await requireSender(ctx);
    const max = ctx.param('max_xchg_batch');
    const count = a.records.length;
    if (count < 1 || count > max) fail('BAD_XCHG_BATCH', `a batch holds 1..${max} records, not ${count}`, { max });
    ctx.meter.charge(count * ctx.param('cost_xchg_record'), 'the batch\'s records');
    if (equalBytes(a.receiver, ctx.signer)) fail('BAD_XCHG_RECEIVER', 'a sender does not send to itself');
    if ((await ctx.get(InstitutionSchema, GovKeys.institution(a.receiver))) === undefined) fail('BAD_XCHG_RECEIVER', `the receiver ${hex(a.receiver)} is not an institution`);
    for (const b of a.bases) if (b.length === 0) fail('BAD_XCHG_RECORD', 'an empty legal basis');
    const key = XchgKeys.sender(ctx.signer);
    const st = (await ctx.get(XchgSenderSchema, key)) ?? { nextSeq: 0, batches: 0 };
    if (a.first < st.nextSeq) fail('DUPLICATE_RECORD_ID', `record ids ${a.first}.. of ${hex(ctx.signer)} are taken: its next is ${st.nextSeq}`, { next: st.nextSeq });
    if (a.first > st.nextSeq) fail('XCHG_SEQ_GAP', `the sender's next record id is ${st.nextSeq}, not ${a.first}`, { next: st.nextSeq });
    const usedPurposes = new Set<number>();
    for (let i = 0; i < count; i++) {
      const r = a.records[i]!;
      if (r.purpose >= a.purposes.length || r.basis >= a.bases.length) fail('BAD_XCHG_RECORD', `record ${i} names purpose ${r.purpose} and basis ${r.basis}; the batch lists ${a.purposes.length} and ${a.bases.length}`);
      if (r.consent.length !== 0 && r.consent.length !== 32) fail('BAD_XCHG_RECORD', `record ${i}: a consent reference is empty or 32 bytes`);
      usedPurposes.add(r.purpose);
    }
    const root = merkleRoot(batchDigests(ctx.signer, a.receiver, a.first, a.purposes, a.bases, a.records));
    const time = ctx.block.time;
    ctx.put(XchgSenderSchema, key, { nextSeq: a.first + count, batches: st.batches + 1 });
    ctx.put(XchgBatchSchema, XchgKeys.batch(ctx.signer, a.first), {
      receiver: a.receiver, count, root, time, height: ctx.block.height, acked: 0, ackBits: new Uint8Array(0), ackTime: 0, ackBy: time + ctx.param('xchg_ack_window_ms'),
    });
    ctx.emit(E.sent, { sender: ctx.signer, receiver: a.receiver, first: a.first, count, root });
    // The node's lookup indexes: the batch by pair, by each agency, by purpose and by its first id; each record by its consent.
    const where = concatBytes(u64(a.first), ctx.signer);
    ctx.index(XchgIndexes.pair, XchgIndexKey.pair(ctx.signer, a.receiver, time), where);
    ctx.index(XchgIndexes.agency, XchgIndexKey.agency(ctx.signer, time), where);
    ctx.index(XchgIndexes.agency, XchgIndexKey.agency(a.receiver, time), where);
    ctx.index(XchgIndexes.batch, XchgIndexKey.batch(ctx.signer, a.first));
    for (const p of [...usedPurposes].sort((x, y) => x - y)) ctx.index(XchgIndexes.purpose, XchgIndexKey.purpose(sha256Utf8(a.purposes[p]!), time), where);
    for (let i = 0; i < count; i++) {
      const c = a.records[i]!.consent;
      if (c.length === 32) ctx.index(XchgIndexes.consent, XchgIndexKey.consent(c), concatBytes(ctx.signer, u64(a.first + i)));
    }
    return encode(SendResult, { first: a.first, count, root });
  }, { fails: ['NOT_XCHG_SENDER', 'BAD_XCHG_BATCH', 'BAD_XCHG_RECEIVER', 'BAD_XCHG_RECORD', 'DUPLICATE_RECORD_ID', 'XCHG_SEQ_GAP'], result: SendResult }),

  acknowledge: method(AckArgs, "the receiver acknowledges records it received, by ranges of the senders' batches (up to max_batch records per transaction); each record once", async (ctx, a) => {
    const max = ctx.param('max_xchg_batch');
    let total = 0;
    for (const r of a.ranges) total += r.count;
    if (a.ranges.length === 0 || total < 1 || total > max) fail('BAD_XCHG_ACK', `an acknowledgment covers 1..${max} records, not ${total}`, { max });
    ctx.meter.charge(total * ctx.param('cost_xchg_record'), 'the acknowledged records');
    const open = new Map<string, { key: Uint8Array; batch: XchgBatch; bits: Uint8Array }>();
    for (const r of a.ranges) {
      const key = XchgKeys.batch(r.sender, r.first);
      const id = hex(key);
      let b = open.get(id);
      if (b === undefined) {
        const batch = await ctx.get(XchgBatchSchema, key);
        if (batch === undefined) fail('XCHG_RECORD_NOT_FOUND', `${hex(r.sender)} recorded no batch starting at ${r.first}`);
        const bits = new Uint8Array(Math.ceil(batch.count / 8));
        bits.set(batch.ackBits.subarray(0, bits.length));
        b = { key, batch, bits };
        open.set(id, b);
      }
      if (!equalBytes(b.batch.receiver, ctx.signer)) fail('XCHG_NOT_RECEIVER', `records ${r.first}.. of ${hex(r.sender)} went to ${hex(b.batch.receiver)}, not to ${hex(ctx.signer)}`);
      if (r.count < 1 || r.offset + r.count > b.batch.count) fail('XCHG_RECORD_NOT_FOUND', `the batch ${r.first} of ${hex(r.sender)} holds ${b.batch.count} records; offset ${r.offset} count ${r.count} is outside it`);
      for (let i = r.offset; i < r.offset + r.count; i++) {
        if (ackBit(b.bits, i)) fail('XCHG_ALREADY_ACKNOWLEDGED', `record ${r.first + i} of ${hex(r.sender)} is acknowledged already`, { seq: r.first + i });
      }
      setBits(b.bits, r.offset, r.count);
      b.batch = { ...b.batch, acked: b.batch.acked + r.count };
      ctx.emit(E.acknowledged, { sender: r.sender, first: r.first, offset: r.offset, count: r.count, receiver: ctx.signer });
    }
    for (const b of open.values()) ctx.put(XchgBatchSchema, b.key, { ...b.batch, ackBits: b.bits, ackTime: ctx.block.time });
  }, { fails: ['BAD_XCHG_ACK', 'XCHG_RECORD_NOT_FOUND', 'XCHG_NOT_RECEIVER', 'XCHG_ALREADY_ACKNOWLEDGED'] }),
};

export const exchangeActions = {
  allow_xchg_sender: action(30, AllowSenderArgs, 'allow an account without the agency role to record exchanges (allowed: false withdraws it), with the legal reference', async (ctx, a) => {
    const key = XchgKeys.allowed(a.account);
    if (a.allowed) ctx.put(XchgAllowedSchema, key, { legalRef: a.legalRef, height: ctx.block.height });
    else ctx.delete(key);
    ctx.emit(E.sender_allowed, a);
  }),
};

