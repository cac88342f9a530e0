/**
 * The data-exchange module in the ledger: agencies record batches of exchange records (the
 * Merkle root of the records' digests, the sender's record numbers in order), governance
 * allows a sender without the agency role, the receiver acknowledges records by ranges, and
 * institutions sign documents in groups by a deadline (by their own transaction or by an
 * off-chain signature someone submits), refuse them, or let them expire. Each refusal with
 * its code and the state it leaves; the node-side index entries of a batch; forged
 * signatures stop at authentication.
 */
import t from 'tap';
import {
  addressField, concatBytes, decode, encode, list, merkleProof, merkleRoot, sha256, sha256Utf8, signFor, str, struct, toHex, Tx, uint, utf8, verifyMerkleProof, type Infer,
} from '../../core/index.js';
import { ActionKind, gov, loadParams, makeAction, xchg, type ProposalAction } from '../index.js';
import { addr, Chain, CHAIN, failsWith, HOUR, K, ok, rejectedWith, T0 } from './harness.js';

type Key = typeof K.agency;
type Send = Infer<typeof xchg.SendArgs>;
type Range = Infer<typeof xchg.AckRange>;

const digest = (s: string) => sha256(utf8(s));
const NONE = new Uint8Array(0);
const PURPOSES = ['tax-assessment', 'urn:schema:income@2'];
const BASES = ['Act 90/2003 art. 12'];
const item = (i: number, o: Partial<xchg.XchgItem> = {}): xchg.XchgItem => ({ payload: digest(`payload-${i}`), purpose: 0, basis: 0, consent: NONE, time: T0 + i, ...o });
const items = (n: number) => Array.from({ length: n }, (_, i) => item(i));
const sendArgs = (first: number, records: readonly xchg.XchgItem[], o: Partial<Send> = {}): Send => ({ receiver: addr(K.ministry), first, purposes: PURPOSES, bases: BASES, records, ...o });

async function pass(c: Chain, action: ProposalAction) {
  const r = await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action, reason: 'xchg' }));
  const { id } = decode(gov.IdResult, r.result);
  return c.run(c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id, reason: 'agreed' }));
}
const send = (c: Chain, k: Key, a: Send) => c.run(c.tx(k, 'xchg', 'send', xchg.SendArgs, a));
const ack = (c: Chain, k: Key, ranges: Range[]) => c.run(c.tx(k, 'xchg', 'acknowledge', xchg.AckArgs, { ranges }));
const range = (first: number, offset: number, count: number): Range => ({ sender: addr(K.agency), first, offset, count });
const batch = async (c: Chain, k: Key, first: number) => decode(xchg.XchgBatchSchema, (await c.state.get(xchg.XchgKeys.batch(addr(k), first)))!);
const sender = async (c: Chain, k: Key) => decode(xchg.XchgSenderSchema, (await c.state.get(xchg.XchgKeys.sender(addr(k))))!);
const doc = async (c: Chain, id: number) => decode(xchg.DocumentSchema, (await c.state.get(xchg.XchgKeys.doc(id)))!);

t.test("send: a batch takes the sender's next record numbers and keeps the Merkle root of its records", async (tt) => {
  const c = await Chain.create();
  const recs = [item(0, { consent: digest('consent-0') }), item(1, { purpose: 1 }), item(2)];
  const r = await send(c, K.agency, sendArgs(0, recs));
  ok(tt, r);
  const res = decode(xchg.SendResult, r.result);
  const digests = xchg.batchRecords(addr(K.agency), addr(K.ministry), 0, PURPOSES, BASES, recs).map(xchg.recordDigest);
  const root = merkleRoot(digests);
  tt.same([res.first, res.count, toHex(res.root)], [0, 3, toHex(root)], "first, count and the root of the records' digests");
  const ackBy = c.time + (await loadParams(c.state)).xchg_ack_window_ms;
  tt.same(await batch(c, K.agency, 0), { receiver: addr(K.ministry), count: 3, root, time: c.time, height: c.height, acked: 0, ackBits: NONE, ackTime: 0, ackBy });
  tt.ok(verifyMerkleProof(root, digests[1]!, 1, 3, merkleProof(digests, 1)), 'each record is provable against the root');
  tt.same(await sender(c, K.agency), { nextSeq: 3, batches: 1 });
  tt.same(r.events.map((e) => e.name), ['sent']);
  tt.same(decode(xchg.SentEvent, r.events[0]!.data), { sender: addr(K.agency), receiver: addr(K.ministry), first: 0, count: 3, root });

  const r2 = await send(c, K.agency, sendArgs(3, items(2)));
  ok(tt, r2, 'the second batch continues the numbering');
  tt.match(decode(xchg.SendResult, r2.result), { first: 3, count: 2 });
  tt.same(await sender(c, K.agency), { nextSeq: 5, batches: 2 });
  ok(tt, await send(c, K.ministry, sendArgs(0, items(1), { receiver: addr(K.agency) })), 'each sender numbers its own records');

  failsWith(tt, await send(c, K.agency, sendArgs(0, recs)), 'DUPLICATE_RECORD_ID', 'the same batch again');
  failsWith(tt, await send(c, K.agency, sendArgs(4, items(1))), 'DUPLICATE_RECORD_ID', 'a first inside a batch');
  failsWith(tt, await send(c, K.agency, sendArgs(6, items(1))), 'XCHG_SEQ_GAP');
  tt.same(await sender(c, K.agency), { nextSeq: 5, batches: 2 }, 'refused batches change nothing');
  tt.equal(await c.state.get(xchg.XchgKeys.batch(addr(K.agency), 6)), undefined);
});

t.test('send: who may send, the batch size, the receiver and the records', async (tt) => {
  const c = await Chain.create();
  const bank = (first: number) => send(c, K.bankA, sendArgs(first, items(1)));
  failsWith(tt, await bank(0), 'NOT_XCHG_SENDER', 'a bank holds no agency role');
  const allowed = await pass(c, makeAction(ActionKind.ALLOW_XCHG_SENDER, { account: addr(K.bankA), allowed: true, legalRef: 'Act 5/2026' }));
  tt.ok(allowed.events.some((e) => e.module === 'xchg' && e.name === 'sender_allowed'), 'a sender_allowed event');
  tt.same(decode(xchg.XchgAllowedSchema, (await c.state.get(xchg.XchgKeys.allowed(addr(K.bankA))))!), { legalRef: 'Act 5/2026', height: c.height });
  ok(tt, await bank(0), 'allowed by governance');
  await pass(c, makeAction(ActionKind.ALLOW_XCHG_SENDER, { account: addr(K.bankA), allowed: false, legalRef: 'withdrawn' }));
  tt.equal(await c.state.get(xchg.XchgKeys.allowed(addr(K.bankA))), undefined, 'the allowance is deleted');
  failsWith(tt, await bank(1), 'NOT_XCHG_SENDER', 'no longer allowed');

  failsWith(tt, await send(c, K.agency, sendArgs(0, [])), 'BAD_XCHG_BATCH', 'no record');
  ok(tt, await send(c, K.agency, sendArgs(0, items(xchg.MAX_XCHG_BATCH))), 'a full batch of 10,000 records');
  tt.same(await sender(c, K.agency), { nextSeq: 10_000, batches: 1 });
  ok(tt, await ack(c, K.ministry, [range(0, 0, xchg.MAX_XCHG_BATCH)]), 'the receiver acknowledges all 10,000 in one transaction');
  const full = await batch(c, K.agency, 0);
  tt.same([full.acked, full.ackBits.length, full.ackBits.every((x) => x === 0xff)], [10_000, 1250, true]);
  // 10,001 records: the args schema (at most MAX_XCHG_BATCH records) refuses them before the handler.
  const Wide = struct('XchgSendArgs', { receiver: addressField, first: uint, purposes: list(str(64), 64), bases: list(str(128), 64), records: list(xchg.XchgItemSchema, 20_000) });
  const over = c.rawTx(K.agency, 'xchg', 'send', encode(Wide, sendArgs(10_000, items(xchg.MAX_XCHG_BATCH + 1))));
  failsWith(tt, await c.run(over), 'MALFORMED_ARGS', '10,001 records: refused by the args schema');
  // Governance lowers max_xchg_batch: a batch (and an acknowledgment) over it is BAD_XCHG_BATCH (BAD_XCHG_ACK).
  await pass(c, makeAction(ActionKind.SET_PARAM, { name: 'max_xchg_batch', value: 2 }));
  tt.equal((await loadParams(c.state)).max_xchg_batch, 2);
  failsWith(tt, await send(c, K.agency, sendArgs(10_000, items(3))), 'BAD_XCHG_BATCH', 'over the lowered limit');
  ok(tt, await send(c, K.agency, sendArgs(10_000, items(2))), 'at the lowered limit');
  failsWith(tt, await ack(c, K.ministry, [range(0, 0, 3)]), 'BAD_XCHG_ACK', 'an acknowledgment over the lowered limit');

  const bad = (o: Partial<Send>, recs = items(1)) => send(c, K.agency, sendArgs(10_002, recs, o));
  failsWith(tt, await bad({ receiver: addr(K.alice) }), 'BAD_XCHG_RECEIVER', 'a receiver that is not an institution');
  failsWith(tt, await bad({ receiver: addr(K.agency) }), 'BAD_XCHG_RECEIVER', 'the sender itself');
  failsWith(tt, await bad({}, [item(0, { purpose: 2 })]), 'BAD_XCHG_RECORD', 'a purpose the batch does not list');
  failsWith(tt, await bad({}, [item(0, { basis: 1 })]), 'BAD_XCHG_RECORD', 'a legal basis the batch does not list');
  failsWith(tt, await bad({ bases: [] }), 'BAD_XCHG_RECORD', 'no legal basis listed');
  failsWith(tt, await bad({ bases: [''] }), 'BAD_XCHG_RECORD', 'an empty legal basis');
  failsWith(tt, await bad({}, [item(0, { consent: new Uint8Array(5) })]), 'BAD_XCHG_RECORD', 'a consent reference of 5 bytes');
  tt.same(await sender(c, K.agency), { nextSeq: 10_002, batches: 2 }, 'none of them took a record number');
});

t.test('a forged sender signature stops at authentication', async (tt) => {
  const c = await Chain.create();
  const good = c.tx(K.agency, 'xchg', 'send', xchg.SendArgs, sendArgs(0, items(1)));
  const sig = new Uint8Array(good.signatures[0]!.signature);
  sig[0]! ^= 1;
  const corrupt = Tx.fromData({ ...good.data, signatures: [{ ...good.signatures[0]!, signature: sig }] });
  rejectedWith(tt, await c.block([corrupt.bytes]), 'TX_BAD_SIGNATURE', 'a corrupted signature');
  const altered = Tx.fromData({ ...good.data, body: { ...good.body, args: encode(xchg.SendArgs, sendArgs(0, items(2))) } });
  rejectedWith(tt, await c.block([altered.bytes]), 'TX_BAD_SIGNATURE', 'args changed after signing');
  const other = c.tx(K.bankA, 'xchg', 'send', xchg.SendArgs, sendArgs(0, items(1)), { signer: addr(K.agency), nonce: 0 });
  rejectedWith(tt, await c.block([other.bytes]), 'TX_KEY_NOT_AUTHORIZED', "signed by bank A's key, claiming the agency");
  tt.equal(await c.state.get(xchg.XchgKeys.sender(addr(K.agency))), undefined, 'no batch recorded');
  ok(tt, await c.run(good), 'the genuine transaction still goes through');
});

t.test('acknowledge: only the receiver, each record once, within its batch', async (tt) => {
  const c = await Chain.create();
  ok(tt, await send(c, K.agency, sendArgs(0, items(10))));
  ok(tt, await send(c, K.agency, sendArgs(10, items(3))));
  const r = await ack(c, K.ministry, [range(0, 0, 2), range(0, 5, 3)]);
  ok(tt, r, 'two ranges of one batch in one transaction');
  tt.same(r.events.map((e) => decode(xchg.AckEvent, e.data)), [
    { sender: addr(K.agency), first: 0, offset: 0, count: 2, receiver: addr(K.ministry) },
    { sender: addr(K.agency), first: 0, offset: 5, count: 3, receiver: addr(K.ministry) },
  ]);
  let a = await batch(c, K.agency, 0);
  tt.same([a.acked, [...a.ackBits], a.ackTime], [5, [0b1100_0111, 0], c.time], 'records 0, 1, 5, 6, 7');
  tt.same(Array.from({ length: 10 }, (_, i) => xchg.ackBit(a.ackBits, i)), [true, true, false, false, false, true, true, true, false, false]);
  const firstAck = c.time;
  ok(tt, await ack(c, K.ministry, [range(0, 9, 1), range(10, 0, 3)]), 'ranges of two batches');
  a = await batch(c, K.agency, 0);
  const b = await batch(c, K.agency, 10);
  tt.same([a.acked, [...a.ackBits], a.ackTime], [6, [0b1100_0111, 0b0100_0000], c.time]);
  tt.same([b.acked, [...b.ackBits], b.ackTime], [3, [0b1110_0000], c.time]);
  tt.ok(c.time > firstAck, 'the acknowledgment time moves on');
  const concerned = await c.block([c.tx(K.ministry, 'xchg', 'acknowledge', xchg.AckArgs, { ranges: [range(0, 4, 1)] })]);
  tt.ok(concerned.accounts[0]!.some((x) => toHex(x) === toHex(addr(K.agency))), 'an acknowledgment concerns the sender');

  failsWith(tt, await ack(c, K.bankA, [range(0, 2, 1)]), 'XCHG_NOT_RECEIVER', 'another institution');
  failsWith(tt, await ack(c, K.agency, [range(0, 2, 1)]), 'XCHG_NOT_RECEIVER', 'the sender');
  failsWith(tt, await ack(c, K.ministry, [range(0, 2, 2), range(0, 3, 1)]), 'XCHG_ALREADY_ACKNOWLEDGED', 'twice in one transaction');
  failsWith(tt, await ack(c, K.ministry, [range(0, 0, 1)]), 'XCHG_ALREADY_ACKNOWLEDGED', 'in a later transaction');
  failsWith(tt, await ack(c, K.ministry, [range(0, 2, 1), range(10, 1, 1)]), 'XCHG_ALREADY_ACKNOWLEDGED', 'a fresh range then an acknowledged one');
  failsWith(tt, await ack(c, K.ministry, [range(1, 0, 1)]), 'XCHG_RECORD_NOT_FOUND', 'no batch starts at 1');
  failsWith(tt, await ack(c, K.ministry, [range(99, 0, 1)]), 'XCHG_RECORD_NOT_FOUND', 'an unknown batch');
  failsWith(tt, await ack(c, K.ministry, [range(0, 8, 3)]), 'XCHG_RECORD_NOT_FOUND', 'a range past the batch');
  failsWith(tt, await ack(c, K.ministry, []), 'BAD_XCHG_ACK', 'no range');
  failsWith(tt, await ack(c, K.ministry, [range(0, 2, 0)]), 'BAD_XCHG_ACK', 'no record');
  failsWith(tt, await ack(c, K.ministry, [range(0, 0, xchg.MAX_XCHG_BATCH + 1)]), 'BAD_XCHG_ACK', 'over the limit');
  a = await batch(c, K.agency, 0);
  tt.same([a.acked, [...a.ackBits]], [7, [0b1100_1111, 0b0100_0000]], 'record 4 since; refused acknowledgments change nothing');
});

t.test('documents: registered by an institution, signed in group order by own transaction or by a submitted signature', async (tt) => {
  const c = await Chain.create();
  const D = digest('inter-agency agreement');
  const groups = [[addr(K.agency), addr(K.ministry)], [addr(K.bankA)]];
  const reg = (k: Key, o: Partial<Infer<typeof xchg.RegisterDocArgs>> = {}) =>
    c.run(c.tx(k, 'xchg', 'register_doc', xchg.RegisterDocArgs, { digest: D, title: 'Agreement', groups, deadline: c.time + 10 * HOUR, legalRef: 'Act 7/2026', ...o }));
  failsWith(tt, await reg(K.alice), 'NOT_AUTHORIZED', 'a person registers no document');
  failsWith(tt, await reg(K.agency, { groups: [] }), 'DOC_BAD_SIGNERS', 'no group');
  failsWith(tt, await reg(K.agency, { groups: [[addr(K.agency)], []] }), 'DOC_BAD_SIGNERS', 'an empty group');
  failsWith(tt, await reg(K.agency, { groups: [[addr(K.agency)], [addr(K.bankA), addr(K.agency)]] }), 'DOC_BAD_SIGNERS', 'a signer listed twice');
  failsWith(tt, await reg(K.agency, { groups: [[addr(K.agency), addr(K.alice)]] }), 'DOC_BAD_SIGNERS', 'a signer that is not an institution');
  failsWith(tt, await reg(K.agency, { deadline: c.time }), 'DOC_BAD_DEADLINE', 'a deadline in the past');
  failsWith(tt, await reg(K.agency, { deadline: c.time + 5_000 }), 'DOC_BAD_DEADLINE', "a deadline at the block's own time");

  const deadline = c.time + 10 * HOUR;
  const r = await reg(K.agency);
  ok(tt, r);
  tt.same(decode(xchg.DocIdResult, r.result), { id: 1 });
  tt.same(decode(xchg.DocRegisteredEvent, r.events[0]!.data), { id: 1, digest: D, registrant: addr(K.agency), deadline });
  tt.match(await doc(c, 1), { digest: D, title: 'Agreement', registrant: addr(K.agency), groups, deadline, status: xchg.DocStatus.OPEN, signatures: [], closedHeight: 0, height: c.height });

  const sign = (k: Key, signer: Key, signature: Uint8Array | null = null, id = 1) => c.run(c.tx(k, 'xchg', 'sign_doc', xchg.SignDocArgs, { id, signer: addr(signer), signature }));
  const offChain = (k: Key, id = 1, d = D, chain = CHAIN) => signFor(xchg.DOC_SIGN_TAG, chain, xchg.docSignPayload(id, d), k.secretKey);
  failsWith(tt, await sign(K.bankA, K.bankA), 'DOC_OUT_OF_ORDER', 'group 2 before group 1 is done');
  failsWith(tt, await sign(K.bankB, K.bankB), 'DOC_NOT_SIGNER');
  const own = c.tx(K.agency, 'xchg', 'sign_doc', xchg.SignDocArgs, { id: 1, signer: addr(K.agency), signature: null });
  const s1 = await c.run(own);
  ok(tt, s1, 'the agency signs by its own transaction');
  tt.same(decode(xchg.DocSignedEvent, s1.events[0]!.data), { id: 1, signer: addr(K.agency), group: 0 });
  tt.same((await doc(c, 1)).signatures, [{ signer: addr(K.agency), publicKey: null, signature: null, txHash: own.hash, time: c.time, height: c.height }]);
  failsWith(tt, await sign(K.agency, K.agency), 'DOC_ALREADY_SIGNED');
  failsWith(tt, await sign(K.bankA, K.bankA), 'DOC_OUT_OF_ORDER', 'group 1 is not done yet');
  failsWith(tt, await sign(K.bankB, K.ministry), 'DOC_BAD_SIGNATURE', "no signature, from another account than the signer's");
  failsWith(tt, await sign(K.bankB, K.ministry, offChain(K.bankB)), 'DOC_BAD_SIGNATURE', "bank B's key, not the ministry's");
  failsWith(tt, await sign(K.bankB, K.ministry, offChain(K.ministry, 1, digest('other'))), 'DOC_BAD_SIGNATURE', 'over another digest');
  failsWith(tt, await sign(K.bankB, K.ministry, offChain(K.ministry, 1, D, 'other-chain')), 'DOC_BAD_SIGNATURE', 'for another chain');
  const sig = offChain(K.ministry);
  const s2 = await c.block([c.tx(K.bankB, 'xchg', 'sign_doc', xchg.SignDocArgs, { id: 1, signer: addr(K.ministry), signature: sig })]);
  ok(tt, s2.receipts[0]!, "bank B submits the ministry's signature");
  tt.ok(s2.accounts[0]!.some((x) => toHex(x) === toHex(addr(K.ministry))), "the transaction concerns the ministry (its history lists it)");
  tt.match((await doc(c, 1)).signatures[1], { signer: addr(K.ministry), publicKey: K.ministry.publicKey, signature: sig, height: c.height });
  tt.equal((await doc(c, 1)).status, xchg.DocStatus.OPEN, 'open until the last signature');

  const last = await sign(K.bankA, K.bankA);
  ok(tt, last, 'the last signer completes it');
  tt.same(last.events.map((e) => e.name), ['doc_signed', 'doc_completed']);
  tt.same(decode(xchg.DocClosedEvent, last.events[1]!.data), { id: 1, digest: D, by: null, reason: '' });
  tt.match(await doc(c, 1), { status: xchg.DocStatus.COMPLETE, closedHeight: c.height });
  tt.equal((await doc(c, 1)).signatures.length, 3);
  failsWith(tt, await sign(K.bankA, K.bankA), 'DOC_CLOSED', 'signing a complete document');
  failsWith(tt, await c.run(c.tx(K.bankA, 'xchg', 'refuse_doc', xchg.RefuseDocArgs, { id: 1, reason: 'late' })), 'DOC_CLOSED');
  failsWith(tt, await sign(K.agency, K.agency, null, 2), 'DOC_NOT_FOUND');
});

t.test('documents: refusal, the deadline and expiry', async (tt) => {
  const c = await Chain.create();
  const groups = [[addr(K.agency)], [addr(K.ministry), addr(K.bankA)]];
  const reg = async (deadline: number) => decode(xchg.DocIdResult, (await c.run(c.tx(K.ministry, 'xchg', 'register_doc', xchg.RegisterDocArgs, { digest: digest(`d${deadline}`), title: 'T', groups, deadline, legalRef: '' }))).result).id;
  const sign = (k: Key, id: number, dt?: number) => c.run(c.tx(k, 'xchg', 'sign_doc', xchg.SignDocArgs, { id, signer: addr(k), signature: null }), dt);
  const refuse = (k: Key, id: number, reason: string, dt?: number) => c.run(c.tx(k, 'xchg', 'refuse_doc', xchg.RefuseDocArgs, { id, reason }), dt);
  const expire = (k: Key, id: number, dt?: number) => c.run(c.tx(k, 'xchg', 'expire_doc', xchg.ExpireDocArgs, { id }), dt);

  // Refusal: by a listed signer that has not signed (any group), with its reason.
  const aDeadline = c.time + HOUR;
  const a = await reg(aDeadline);
  ok(tt, await sign(K.agency, a));
  failsWith(tt, await refuse(K.bankB, a, 'not mine'), 'DOC_NOT_SIGNER');
  failsWith(tt, await refuse(K.agency, a, 'changed my mind'), 'DOC_ALREADY_SIGNED');
  const r = await refuse(K.bankA, a, 'clause 4 is unlawful');
  ok(tt, r);
  tt.same(r.events.map((e) => e.name), ['doc_refused']);
  tt.same(decode(xchg.DocClosedEvent, r.events[0]!.data), { id: a, digest: digest(`d${aDeadline}`), by: addr(K.bankA), reason: 'clause 4 is unlawful' });
  tt.match(await doc(c, a), { status: xchg.DocStatus.REFUSED, refusedBy: addr(K.bankA), reason: 'clause 4 is unlawful', closedHeight: c.height });
  failsWith(tt, await sign(K.ministry, a), 'DOC_CLOSED', 'signing a refused document');
  failsWith(tt, await expire(K.alice, a, 2 * HOUR), 'DOC_CLOSED', 'expiring a refused document');

  // The deadline: signing at it is allowed, after it refused; expiry only after it, by anyone.
  const deadline = c.time + HOUR;
  const b = await reg(deadline);
  failsWith(tt, await expire(K.alice, b), 'DOC_NOT_EXPIRED', 'before the deadline');
  ok(tt, await sign(K.agency, b, deadline - c.time), 'signed in the block at the deadline');
  tt.equal(c.time, deadline);
  failsWith(tt, await expire(K.alice, b, 0), 'DOC_NOT_EXPIRED', 'at the deadline');
  failsWith(tt, await sign(K.ministry, b, 1), 'DOC_DEADLINE_PASSED', 'one millisecond after it');
  failsWith(tt, await refuse(K.bankA, b, 'too late'), 'DOC_DEADLINE_PASSED');
  const e = await expire(K.alice, b);
  ok(tt, e, 'anyone closes it expired');
  tt.same(decode(xchg.DocClosedEvent, e.events[0]!.data), { id: b, digest: digest(`d${deadline}`), by: null, reason: '' });
  tt.same(e.events.map((x) => x.name), ['doc_expired']);
  tt.match(await doc(c, b), { status: xchg.DocStatus.EXPIRED, closedHeight: c.height, refusedBy: null });
  tt.equal((await doc(c, b)).signatures.length, 1, 'the signature given before is kept');
  failsWith(tt, await expire(K.alice, b), 'DOC_CLOSED', 'expired once');
  failsWith(tt, await expire(K.alice, 99), 'DOC_NOT_FOUND');
  failsWith(tt, await refuse(K.agency, 99, ''), 'DOC_NOT_FOUND');
});

t.test("the node-side index entries: a batch's and a document's; none for a failed transaction", async (tt) => {
  const c = await Chain.create();
  const [c0, c2] = [digest('consent-0'), digest('consent-2')];
  const recs = [item(0, { consent: c0, purpose: 1 }), item(1, { purpose: 1 }), item(2, { consent: c2 }), item(3, { purpose: 1 })];
  const D = digest('doc');
  const r = await c.block([
    c.tx(K.agency, 'xchg', 'send', xchg.SendArgs, sendArgs(0, recs)),
    c.tx(K.agency, 'xchg', 'send', xchg.SendArgs, sendArgs(9, items(1))),
    c.tx(K.ministry, 'xchg', 'register_doc', xchg.RegisterDocArgs, { digest: D, title: 'T', groups: [[addr(K.agency)]], deadline: c.time + HOUR, legalRef: '' }),
  ]);
  ok(tt, r.receipts[0]!);
  failsWith(tt, r.receipts[1]!, 'XCHG_SEQ_GAP');
  ok(tt, r.receipts[2]!);
  const [s, m, T] = [addr(K.agency), addr(K.ministry), c.time];
  const u64 = xchg.u64;
  const where = concatBytes(u64(0), s);
  const hex = (es: readonly { key: Uint8Array; value: Uint8Array }[]) => es.map((e) => [toHex(e.key), toHex(e.value)]);
  const entry = (id: number, k: Uint8Array, v: Uint8Array = NONE) => [toHex(concatBytes(new Uint8Array([id]), k)), toHex(v)];
  tt.same(hex(r.indexes[0]!), [
    entry(xchg.XchgIndexes.pair.id, concatBytes(s, m, u64(T)), where),
    entry(xchg.XchgIndexes.agency.id, concatBytes(s, u64(T)), where),
    entry(xchg.XchgIndexes.agency.id, concatBytes(m, u64(T)), where),
    entry(xchg.XchgIndexes.batch.id, concatBytes(s, u64(0))),
    entry(xchg.XchgIndexes.purpose.id, concatBytes(sha256Utf8(PURPOSES[0]!), u64(T)), where),
    entry(xchg.XchgIndexes.purpose.id, concatBytes(sha256Utf8(PURPOSES[1]!), u64(T)), where),
    entry(xchg.XchgIndexes.consent.id, c0, concatBytes(s, u64(0))),
    entry(xchg.XchgIndexes.consent.id, c2, concatBytes(s, u64(2))),
  ], 'pair, both agencies, the batch, each distinct purpose once, each consent');
  tt.same(r.indexes[1], [], 'a failed transaction adds none');
  tt.same(hex(r.indexes[2]!), [entry(xchg.XchgIndexes.doc.id, D, u64(1))], 'a document by its digest');
  tt.ok(r.accounts[0]!.some((x) => toHex(x) === toHex(m)), 'the batch concerns its receiver');
});
