/**
 * The data-exchange layer end to end on a real node (in this process), through the SDK: the
 * tax office sends batches of records to the welfare agency, which acknowledges some; every
 * query (by id, agency pair and time, agency history, purpose, consent, status) lists each
 * record once, in order, across pages; a receipt verifies offline with the validator set
 * alone, any changed byte of its record, path, header, certificate or state proof fails it,
 * and after a validator-set change it verifies with the sets handed in; a receipt container
 * (a VC signed by the exporter) verifies; a document signed by three institutions in two
 * groups (one by transaction, two by off-chain signatures) completes, and its proof verifies.
 */
import t from 'tap';
import { decodeAddress, fromHex, sha256Utf8, to0x, ValidatorSet, generateKeyPair, headerHash } from '../../core/index.js';
import {
  ActionKind, consentRef, exportReceiptContainer, makeAction, payloadDigest, signDocument, verifyDocProof, verifyReceiptContainer, verifyXchgReceipt, xchgBatch,
  sendXchgRecords, Wallet, type XchgReceipt, type XchgRecordInput, type XchgRecordView,
} from '../../rpc/index.js';
import { inProcessChain } from './in-process-chain.js';

const chain = inProcessChain(t);
const { manifest: m, client, send } = chain;
const cb = chain.accounts['Central Bank']!;
const bank = chain.accounts['Commercial Bank']!;
const tax = chain.accounts['Tax Office']!;
const welfare = chain.accounts['Welfare Agency']!;
const raw = (a: string) => decodeAddress(a, m.address_prefix);

const setOf = async (height?: number): Promise<ValidatorSet> => {
  const v = await client.getValidators(height);
  return new ValidatorSet(v.validators.map((x) => ({ address: raw(x.address), publicKey: fromHex(x.publicKey, 32), power: x.power })));
};
const ok = async (p: ReturnType<typeof send>, what: string) => {
  const r = await p;
  t.equal(r.status, 'committed', `${what}${r.message ? `: ${r.message}` : ''}`);
  return r;
};
const inputs = (n: number, from: number, purpose: (i: number) => string): XchgRecordInput[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { payload: payloadDigest(`income statement ${i}`), purpose: purpose(i), legalBasis: 'Act 90/2003 art. 12', ...(i % 3 === 0 ? { consent: consentRef(`urn:consent:${i}`) } : {}), time: 1_700_000_000_000 + i };
  });

/** Every record of a query, page by page. */
async function all(q: Parameters<typeof client.xchgListRecords>[0]): Promise<XchgRecordView[]> {
  const out: XchgRecordView[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const r = await client.xchgListRecords({ ...q, ...(cursor ? { cursor } : {}) });
    out.push(...r.items);
    if (r.next === null) return out;
    cursor = r.next;
  }
  throw new Error('too many pages');
}

let genesisSet: ValidatorSet;

t.test('batches, acknowledgments and every query', async (tt) => {
  genesisSet = await setOf(1);
  const sizes = [1000, 500, 1];
  let first = 0;
  const batches = [];
  for (const n of sizes) {
    const b = xchgBatch(raw(tax.address), raw(welfare.address), first, inputs(n, first, (i) => (i % 2 === 0 ? 'income' : 'household')));
    const r = await ok(send(tax, 'xchg', 'send', b.args), `a batch of ${n}`);
    tt.ok(r.height, 'committed at a height');
    batches.push(b);
    first += n;
  }
  const total = first;
  // Resending a batch: its ids are taken.
  const again = await send(tax, 'xchg', 'send', batches[2]!.args);
  tt.equal(again.status, 'failed');
  tt.match(again.message, /taken/, 'DUPLICATE_RECORD_ID');
  // A bank (no agency role) may not send, until governance allows it.
  const byBank = xchgBatch(raw(bank.address), raw(welfare.address), 0, inputs(1, 0, () => 'kyc-check'));
  tt.equal((await send(bank, 'xchg', 'send', byBank.args)).status, 'failed', 'a bank without the agency role cannot send');
  await ok(send(cb, 'gov', 'propose', { action: makeAction(ActionKind.ALLOW_XCHG_SENDER, { account: raw(bank.address), allowed: true, legalRef: 'AML Act art. 3' }), reason: 'aml' }), 'governance allows the bank');
  await ok(send(bank, 'xchg', 'send', byBank.args), 'then the bank sends');

  // One record by id, pending; acknowledged after the welfare agency acknowledges its range.
  const one = await client.xchgGetRecord(tax.address, 1200);
  tt.equal(one?.status, 'pending');
  tt.same([one?.record.seq, one?.record.receiver, one?.batch.first, one?.batch.count], [1200, welfare.address, 1000, 500]);
  tt.equal(one?.record.purpose, 'income');
  await ok(send(welfare, 'xchg', 'acknowledge', { ranges: [{ sender: raw(tax.address), first: 0, offset: 0, count: 1000 }, { sender: raw(tax.address), first: 1000, offset: 150, count: 100 }] }), 'acknowledge 1,100 records');
  tt.equal((await client.xchgGetRecord(tax.address, 1200))?.status, 'acknowledged');
  tt.equal((await client.xchgGetRecord(tax.address, 1300))?.status, 'pending');
  tt.equal(await client.xchgGetRecord(tax.address, total), null, 'no record past the last');
  const wrong = await send(tax, 'xchg', 'acknowledge', { ranges: [{ sender: raw(tax.address), first: 1000, offset: 0, count: 1 }] });
  tt.match(wrong.message, /went to/, 'only the receiver acknowledges');
  const twice = await send(welfare, 'xchg', 'acknowledge', { ranges: [{ sender: raw(tax.address), first: 0, offset: 5, count: 1 }] });
  tt.match(twice.message, /acknowledged already/, 'a record is acknowledged once');

  // Queries: each record exactly once, in order, across pages of 333.
  const pair = await all({ by: 'pair', sender: tax.address, receiver: welfare.address, limit: 333 });
  tt.same(pair.map((r) => r.record.seq), Array.from({ length: total }, (_, i) => i), 'by pair: every record once, in order');
  const desc = await all({ by: 'pair', sender: tax.address, receiver: welfare.address, limit: 400, order: 'desc' });
  tt.same(desc.map((r) => r.record.seq), Array.from({ length: total }, (_, i) => total - 1 - i), 'by pair, newest first');
  const received = await all({ by: 'agency', agency: welfare.address, role: 'received', limit: 1000 });
  tt.equal(received.length, total + 1, "the receiver's history: the tax office's records and the bank's");
  tt.equal(new Set(received.map((r) => r.id)).size, received.length, 'each listed once');
  const sent = await all({ by: 'agency', agency: tax.address, role: 'sent', limit: 1000 });
  tt.equal(sent.length, total, "the sender's history");
  tt.equal((await all({ by: 'agency', agency: tax.address, role: 'received' })).length, 0);
  const income = await all({ by: 'purpose', purpose: 'income', limit: 250 });
  tt.same(income.map((r) => r.record.seq), Array.from({ length: total }, (_, i) => i).filter((i) => i % 2 === 0), 'by purpose');
  const c = await all({ by: 'consent', consent: to0x(consentRef('urn:consent:999')) });
  tt.same(c.map((r) => r.id), [`${tax.address}/999`], 'by consent reference');
  tt.same(await all({ by: 'consent', consent: to0x(consentRef('urn:consent:1000000')) }), [], 'an unknown consent');
  // A cursor is the caller's text: one naming an entry the index does not hold is refused, not followed.
  const page1 = await client.xchgListRecords({ by: 'pair', sender: tax.address, receiver: welfare.address, limit: 10 });
  const c0 = JSON.parse(Buffer.from(page1.next!, 'base64url').toString('utf8')) as { h: number; i: number };
  for (const forged of [{ ...c0, h: 1, i: 0 }, { ...c0, i: c0.i + 7 }, { ...c0, h: c0.h + 10_000 }]) {
    const text = Buffer.from(JSON.stringify(forged)).toString('base64url');
    await tt.rejects(client.xchgListRecords({ by: 'pair', sender: tax.address, receiver: welfare.address, cursor: text }), { code: 'RPC_-32602' }, 'a forged cursor is invalid params');
  }
  const acked = await all({ by: 'pair', sender: tax.address, receiver: welfare.address, status: 'acknowledged', limit: 500 });
  tt.equal(acked.length, 1100, 'by status');
  const t0 = (await client.xchgGetRecord(tax.address, 1000))!.batch.time;
  const late = await all({ by: 'pair', sender: tax.address, receiver: welfare.address, from: t0, limit: 1000 });
  tt.same([late[0]?.record.seq, late.length], [1000, 501], 'a time range from the second batch');
  const early = await all({ by: 'pair', sender: tax.address, receiver: welfare.address, to: t0 - 1, limit: 1000 });
  tt.equal(early.length, 1000, 'a time range before it');
  const { transactions } = { transactions: await client.getAccountTransactions(welfare.address, { limit: 100 }) };
  tt.ok(transactions.items.length >= 4, "the receiver's account history lists the batch transactions and its acknowledgment");
});

t.test('receipts verify offline, and any changed byte fails them', async (tt) => {
  const receipt = await client.xchgGetReceipt(tax.address, 1200);
  const v = verifyXchgReceipt(receipt, { validators: genesisSet });
  tt.same([v.record.seq, v.acknowledged, v.overdue], [1200, true, false]);
  tt.equal(v.sent.height > 0, true);
  const pending = verifyXchgReceipt(await client.xchgGetReceipt(tax.address, 1300), { validators: [genesisSet] });
  tt.equal(pending.acknowledged, false);

  const flip = (hex: string, at = 4): string => {
    const b = fromHex(hex);
    b[at % b.length]! ^= 1;
    return to0x(b);
  };
  const clone = (): XchgReceipt => JSON.parse(JSON.stringify(receipt)) as XchgReceipt;
  const cases: [string, (r: XchgReceipt) => void][] = [
    ['payload', (r) => void (r.record.payload = flip(r.record.payload))],
    ['purpose', (r) => void (r.record.purpose = 'household')],
    ['legal basis', (r) => void (r.record.legalBasis += ' ')],
    ['consent', (r) => void (r.record.consent = to0x(sha256Utf8('forged')))],
    ['time', (r) => void (r.record.time += 1)],
    ['seq', (r) => void (r.record.seq += 1)],
    ['receiver', (r) => void (r.record.receiver = bank.address)],
    ['sender', (r) => void (r.record.sender = bank.address)],
    ['position', (r) => void (r.batch.position += 1)],
    ['count', (r) => void (r.batch.count += 1)],
    ['a path hash', (r) => void (r.batch.path[3] = flip(r.batch.path[3]!))],
    ['a path shortened', (r) => void r.batch.path.pop()],
    ['header stateRoot', (r) => void (r.state.header.stateRoot = flip(r.state.header.stateRoot))],
    ['header time', (r) => void (r.state.header.time += 1)],
    ['header height', (r) => void (r.state.header.height += 1)],
    ['header validatorsHash', (r) => void (r.state.header.validatorsHash = flip(r.state.header.validatorsHash))],
    ['certificate signature', (r) => void (r.state.commit.signatures[0]!.signature = flip(r.state.commit.signatures[0]!.signature))],
    ['certificate block hash', (r) => void (r.state.commit.blockHash = flip(r.state.commit.blockHash))],
    ['certificate emptied', (r) => void (r.state.commit.signatures = [])],
    ['batch state bytes', (r) => void (r.state.raw = flip(r.state.raw!, 30))],
    ['state proof', (r) => void (r.state.proof = flip(r.state.proof, 40))],
    ['chain id', (r) => void (r.chainId = 'other-chain')],
  ];
  // With a verifier's cache that has seen the genuine receipt, every change still fails.
  const cache = new Set<string>();
  verifyXchgReceipt(receipt, { validators: genesisSet, cache });
  tt.ok(cache.size >= 2, 'the cache holds the certificate and the state proof');
  for (const [what, change] of cases) {
    const r = clone();
    change(r);
    tt.throws(() => verifyXchgReceipt(r, { validators: genesisSet }), { code: 'XCHG_VERIFY_FAILED' }, `a changed ${what} fails`);
    tt.throws(() => verifyXchgReceipt(r, { validators: genesisSet, cache }), { code: 'XCHG_VERIFY_FAILED' }, `a changed ${what} fails with a warm cache`);
  }
  // Every byte of the record's fields and path, one at a time.
  let failures = 0;
  let tries = 0;
  for (const p of receipt.batch.path) {
    for (let i = 0; i < 32; i++) {
      const r = clone();
      r.batch.path[receipt.batch.path.indexOf(p)] = flip(p, i);
      tries++;
      try {
        verifyXchgReceipt(r, { validators: genesisSet });
      } catch {
        failures++;
      }
    }
  }
  tt.equal(failures, tries, `each of ${tries} path bytes changed fails`);
  // Every byte of every hash field of the header, and of every certificate signature.
  let headerTries = 0;
  let headerFails = 0;
  const hashFields = ['lastBlockHash', 'lastCommitHash', 'txRoot', 'stateRoot', 'resultsRoot', 'validatorsHash', 'nextValidatorsHash', 'evidenceHash'] as const;
  for (const f of hashFields) {
    for (let i = 0; i < 32; i++) {
      const r = clone();
      r.state.header[f] = flip(r.state.header[f], i);
      headerTries++;
      try {
        verifyXchgReceipt(r, { validators: genesisSet });
      } catch {
        headerFails++;
      }
    }
  }
  for (let k = 0; k < receipt.state.commit.signatures.length; k++) {
    for (let i = 0; i < 64; i++) {
      const r = clone();
      r.state.commit.signatures[k]!.signature = flip(r.state.commit.signatures[k]!.signature, i);
      headerTries++;
      try {
        verifyXchgReceipt(r, { validators: genesisSet });
      } catch {
        headerFails++;
      }
    }
  }
  tt.equal(headerFails, headerTries, `each of ${headerTries} header and certificate bytes changed fails`);
  tt.ok(headerHash, 'the header hash is what the certificate signs');

  // The archive container: the exporter's VC signature, then the receipt.
  const container = exportReceiptContainer(receipt, welfare.keys, Date.parse('2026-12-01T00:00:00Z'));
  const seen = verifyReceiptContainer(JSON.parse(JSON.stringify(container)), { validators: genesisSet });
  tt.equal(seen.exporterAddress, welfare.address, "the container names its exporter's address");
  const forged = JSON.parse(JSON.stringify(container)) as typeof container;
  forged.credentialSubject.receipt.record.time += 1;
  tt.throws(() => verifyReceiptContainer(forged, { validators: genesisSet }), { code: 'XCHG_VERIFY_FAILED' }, 'a changed container fails');
});

t.test('documents signed by several institutions, in order', async (tt) => {
  const digest = sha256Utf8('Data-sharing agreement between the tax office and the welfare agency, v3');
  const status = await client.status();
  const deadline = (status.time ?? Date.now()) + 3_600_000;
  const reg = await ok(send(tax, 'xchg', 'register_doc', { digest, title: 'Data-sharing agreement', groups: [[raw(tax.address)], [raw(welfare.address), raw(cb.address)]], deadline, legalRef: 'Act 90/2003' }), 'register');
  const { ids } = await client.xchgFindDocuments(to0x(digest));
  const id = ids[ids.length - 1]!;
  tt.ok(reg && id >= 1, 'found by digest');
  const early = await send(welfare, 'xchg', 'sign_doc', { id, signer: raw(welfare.address), signature: null });
  tt.match(early.message, /has not finished/, 'group 2 waits for group 1');
  await ok(send(tax, 'xchg', 'sign_doc', { id, signer: raw(tax.address), signature: null }), 'the tax office signs by transaction');
  const stranger = await send(bank, 'xchg', 'sign_doc', { id, signer: raw(bank.address), signature: null });
  tt.match(stranger.message, /not a signer/);
  // The welfare agency and the central bank sign off chain; the tax office submits their signatures.
  await ok(send(tax, 'xchg', 'sign_doc', { id, signer: raw(welfare.address), signature: signDocument(m.chain_id, id, digest, welfare.keys) }), "the welfare agency's signature");
  const bad = await send(tax, 'xchg', 'sign_doc', { id, signer: raw(cb.address), signature: signDocument(m.chain_id, id, digest, generateKeyPair()) });
  tt.match(bad.message, /not .*'s over document/, 'a signature by another key');
  await ok(send(tax, 'xchg', 'sign_doc', { id, signer: raw(cb.address), signature: signDocument(m.chain_id, id, digest, cb.keys) }), "the central bank's signature completes it");
  const doc = await client.xchgGetDocument(id, true);
  const v = verifyDocProof(doc.proof!, { validators: genesisSet, digest, requireComplete: true });
  tt.same([v.status, v.signatures.length, v.signatures[0]!.signature, v.closedHeight > 0], ['complete', 3, null, true]);
  const forged = JSON.parse(JSON.stringify(doc.proof)) as NonNullable<typeof doc.proof>;
  forged.state.raw = forged.state.raw!.replace(/..$/, (x) => (x === '00' ? '01' : '00'));
  tt.throws(() => verifyDocProof(forged, { validators: genesisSet }), { code: 'XCHG_VERIFY_FAILED' }, 'a changed document fails');
  tt.throws(() => verifyDocProof(doc.proof!, { validators: genesisSet, digest: sha256Utf8('another') }), { code: 'XCHG_VERIFY_FAILED' }, 'another digest fails');
});

t.test('after a validator-set change a receipt verifies with the sets handed in', async (tt) => {
  const v = await client.getValidators();
  await ok(send(cb, 'gov', 'propose', { action: makeAction(ActionKind.SET_VALIDATOR_POWER, { address: raw(v.validators[0]!.address), power: v.validators[0]!.power + 5 }), reason: 'power' }), 'change the power');
  let receipt: XchgReceipt | null = null;
  for (let i = 0; i < 200; i++) {
    receipt = await client.xchgGetReceipt(tax.address, 7);
    if (receipt.state.header.validatorsHash !== to0x(genesisSet.hash)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  tt.not(receipt!.state.header.validatorsHash, to0x(genesisSet.hash), 'the receipt is of a height under the new set');
  tt.throws(() => verifyXchgReceipt(receipt!, { validators: genesisSet }), { code: 'XCHG_VERIFY_FAILED' }, 'the genesis set alone does not verify it');
  const now = await setOf();
  tt.equal(verifyXchgReceipt(receipt!, { validators: [genesisSet, now] }).record.seq, 7, 'with both sets it verifies');
});

t.test('a record not acknowledged within the window is reported overdue', async (tt) => {
  await ok(send(cb, 'gov', 'propose', { action: makeAction(ActionKind.SET_PARAM, { name: 'xchg_ack_window_ms', value: 1000 }), reason: 'a short window' }), 'a window of one second');
  const next = (await client.getRecord({ kind: 'xchg_sender', address: tax.address })).value as { nextSeq: number };
  const b = xchgBatch(raw(tax.address), raw(welfare.address), next.nextSeq, inputs(3, 0, () => 'late-check'));
  await ok(send(tax, 'xchg', 'send', b.args), 'a batch under the short window');
  const first = await client.xchgGetRecord(tax.address, next.nextSeq);
  tt.equal(first?.status, 'pending', 'pending at first');
  let late = first;
  for (let i = 0; i < 200 && late?.status !== 'overdue'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    late = await client.xchgGetRecord(tax.address, next.nextSeq);
  }
  tt.equal(late?.status, 'overdue', 'overdue once a block is past ackBy');
  const overdue = await all({ by: 'pair', sender: tax.address, receiver: welfare.address, status: 'overdue', from: first!.batch.time });
  tt.same(overdue.map((r) => r.record.seq), [0, 1, 2].map((i) => next.nextSeq + i), 'listed by status');
  const v = verifyXchgReceipt(await client.xchgGetReceipt(tax.address, next.nextSeq + 1), { validators: await setOf() });
  tt.same([v.acknowledged, v.overdue], [false, true], 'the receipt proves it overdue');
  await ok(send(welfare, 'xchg', 'acknowledge', { ranges: [{ sender: raw(tax.address), first: next.nextSeq, offset: 0, count: 3 }] }), 'acknowledged late');
  tt.equal((await client.xchgGetRecord(tax.address, next.nextSeq))?.status, 'acknowledged');
});

t.test('the SDK sends many batches from a fresh wallet, numbered in order', async (tt) => {
  const wallet = new Wallet(client, [welfare.keys]);
  const out = await sendXchgRecords(wallet, tax.address, inputs(2500, 0, () => 'benefit-claim'), { addressPrefix: m.address_prefix, batchSize: 1000 });
  tt.same(out.batches.map((b) => [b.first, b.count, b.tx.status]), [[0, 1000, 'committed'], [1000, 1000, 'committed'], [2000, 500, 'committed']]);
  const last = await client.xchgGetRecord(welfare.address, 2499);
  tt.same([last?.record.receiver, last?.batch.first], [tax.address, 2000]);
  await tt.rejects(sendXchgRecords(wallet, tax.address, [], { addressPrefix: m.address_prefix, batchSize: 0 }), { code: 'XCHG_BAD_INPUT' }, 'a bad batch size');
  const again = sendXchgRecords(wallet, tax.address, inputs(1, 0, () => 'x'), { addressPrefix: m.address_prefix, first: 5 });
  await tt.rejects(again, { code: 'XCHG_SEND_FAILED' }, 'numbers already taken: the failure names the batch');
});
