/**
 * The credentials module in the ledger: governance accredits an accreditor, which accredits
 * issuers and registers schemas; issuers anchor batches (their status indexes in order),
 * suspend, reinstate and revoke (final); accreditations are suspended, withdrawn and their
 * history kept; a bank's KYC credential decides its customer's tier, and its suspension or
 * revocation lowers the tier at once; rotating keys keeps the key history. Each refusal
 * with its code.
 */
import t from 'tap';
import { decode, sha256, utf8 } from '../../core/index.js';
import {
  ActionKind, cred, gov, heldKeyAt, KeyHistorySchema, Keys, makeAction, money, account, AccountSchema, type ProposalAction,
} from '../index.js';
import { addr, Chain, failsWith, K, ok, UNIT } from './harness.js';

const KYC_SCHEMA = JSON.stringify({ type: 'object', required: ['tier'], properties: { tier: { type: 'integer' }, assurance: { type: 'string' }, name: { type: 'string' } } });
const ID_SCHEMA = JSON.stringify({ type: 'object', required: ['givenName'], properties: { givenName: { type: 'string' }, birthDate: { type: 'string' }, region: { type: 'string' } } });

async function pass(c: Chain, action: ProposalAction) {
  const r = await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action, reason: 'accreditation' }));
  const { id } = decode(gov.IdResult, r.result);
  return c.run(c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id, reason: 'agreed' }));
}
const accreditation = async (c: Chain, k: Parameters<typeof addr>[0]) => decode(cred.AccreditationSchema, (await c.state.get(cred.CredKeys.accreditation(addr(k))))!);

/** A chain where the ministry is an accreditor (kyc, national-id in IS), bank A a kyc issuer and the agency a national-id issuer. */
async function trustChain() {
  const c = await Chain.create();
  await pass(c, makeAction(ActionKind.ACCREDIT_ACCREDITOR, { account: addr(K.ministry), jurisdiction: 'IS', types: ['kyc', 'national-id'], legalRef: 'Act 1/2026' }));
  ok(t, await c.run(c.tx(K.ministry, 'cred', 'accredit_issuer', cred.AccreditArgs, { account: addr(K.bankA), jurisdiction: 'IS', types: ['kyc'], legalRef: 'L-1' })));
  ok(t, await c.run(c.tx(K.ministry, 'cred', 'accredit_issuer', cred.AccreditArgs, { account: addr(K.agency), jurisdiction: 'IS-RE', types: ['national-id'], legalRef: 'L-2' })));
  ok(t, await c.run(c.tx(K.ministry, 'cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'kyc', version: 1, jsonSchema: KYC_SCHEMA, selective: [], issuers: [], maxValidityMs: 400 * 86_400_000 })));
  ok(t, await c.run(c.tx(K.ministry, 'cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'national-id', version: 1, jsonSchema: ID_SCHEMA, selective: ['birthDate', 'region'], issuers: [], maxValidityMs: 3650 * 86_400_000 })));
  return c;
}
const root = (s: string) => sha256(utf8(s));

t.test('the trust chain: governance accredits an accreditor, which accredits issuers and registers schemas', async (tt) => {
  const c = await trustChain();
  const m = await accreditation(c, K.ministry);
  tt.same([m.role, m.status, m.jurisdiction, m.types], [cred.AccreditationRole.ACCREDITOR, 0, 'IS', ['kyc', 'national-id']]);
  tt.same(m.accreditedBy, new Uint8Array(20), 'accredited by the root (governance)');
  const b = await accreditation(c, K.bankA);
  tt.same([b.role, b.status, b.types, b.changes.length], [cred.AccreditationRole.ISSUER, 0, ['kyc'], 1]);
  tt.same(b.accreditedBy, addr(K.ministry));
  failsWith(tt, await c.run(c.tx(K.bankB, 'cred', 'accredit_issuer', cred.AccreditArgs, { account: addr(K.bankB), jurisdiction: 'IS', types: ['kyc'], legalRef: '' })), 'NOT_ACCREDITOR');
  failsWith(tt, await c.run(c.tx(K.ministry, 'cred', 'accredit_issuer', cred.AccreditArgs, { account: addr(K.bankB), jurisdiction: 'IS', types: ['driving-licence'], legalRef: '' })), 'TYPE_NOT_ACCREDITED');
  failsWith(tt, await c.run(c.tx(K.ministry, 'cred', 'accredit_issuer', cred.AccreditArgs, { account: addr(K.bankB), jurisdiction: 'NO', types: ['kyc'], legalRef: '' })), 'JURISDICTION_NOT_ACCREDITED');
  failsWith(tt, await c.run(c.tx(K.ministry, 'cred', 'accredit_issuer', cred.AccreditArgs, { account: addr(K.bankA), jurisdiction: 'IS', types: ['kyc'], legalRef: '' })), 'ACCREDITATION_EXISTS');
  failsWith(tt, await c.run(c.tx(K.ministry, 'cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'kyc', version: 1, jsonSchema: KYC_SCHEMA, selective: [], issuers: [], maxValidityMs: 1 })), 'SCHEMA_EXISTS');
  failsWith(tt, await c.run(c.tx(K.ministry, 'cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'kyc', version: 2, jsonSchema: '[1]', selective: [], issuers: [], maxValidityMs: 1 })), 'BAD_SCHEMA');
  failsWith(tt, await c.run(c.tx(K.ministry, 'cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'kyc', version: 3, jsonSchema: KYC_SCHEMA, selective: ['nope'], issuers: [], maxValidityMs: 1 })), 'BAD_SCHEMA');
});

t.test('anchors take the issuer\'s status indexes in order; only an active accredited issuer of the type anchors', async (tt) => {
  const c = await trustChain();
  const anchor = (k: Parameters<typeof c.tx>[0], schema: string, first: number, count: number) => c.run(c.tx(k, 'cred', 'anchor', cred.AnchorArgs, { schema, first, count, root: root(`${first}`) }));
  const r = await anchor(K.bankA, 'kyc@1', 0, 1000);
  ok(tt, r);
  tt.same(decode(cred.AnchorResult, r.result), { first: 0, count: 1000 });
  ok(tt, await anchor(K.bankA, 'kyc@1', 1000, 10_000));
  failsWith(tt, await anchor(K.bankA, 'kyc@1', 5, 1), 'ANCHOR_INDEX_MISMATCH');
  failsWith(tt, await anchor(K.bankA, 'kyc@1', 11_000, 10_001), 'BAD_ANCHOR');
  failsWith(tt, await anchor(K.bankA, 'kyc@1', 11_000, 0), 'BAD_ANCHOR');
  failsWith(tt, await anchor(K.bankA, 'national-id@1', 11_000, 1), 'NOT_ACCREDITED_ISSUER', 'a type it is not accredited for');
  failsWith(tt, await anchor(K.bankB, 'kyc@1', 0, 1), 'NOT_ACCREDITED_ISSUER', 'an unaccredited issuer');
  failsWith(tt, await anchor(K.bankA, 'kyc@9', 11_000, 1), 'SCHEMA_NOT_FOUND');
  const a = decode(cred.AnchorSchema, (await c.state.get(cred.CredKeys.anchor(addr(K.bankA), 1000)))!);
  tt.same([a.schema, a.count], ['kyc@1', 10_000]);
  tt.same(a.root, root('1000'));
  tt.same(decode(cred.IssuerStateSchema, (await c.state.get(cred.CredKeys.issuer(addr(K.bankA))))!), { nextIndex: 11_000, anchors: 2 });
  // Suspended, then withdrawn: no more anchoring; the history keeps both changes with their blocks.
  ok(tt, await c.run(c.tx(K.ministry, 'cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: addr(K.bankA), status: 1, legalRef: 'inquiry 7' })));
  failsWith(tt, await anchor(K.bankA, 'kyc@1', 11_000, 1), 'NOT_ACCREDITED_ISSUER', 'suspended');
  ok(tt, await c.run(c.tx(K.ministry, 'cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: addr(K.bankA), status: 0, legalRef: 'cleared' })));
  ok(tt, await anchor(K.bankA, 'kyc@1', 11_000, 1), 'reinstated');
  failsWith(tt, await c.run(c.tx(K.bankB, 'cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: addr(K.bankA), status: 2, legalRef: '' })), 'NOT_THE_ACCREDITOR');
  ok(tt, await c.run(c.tx(K.ministry, 'cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: addr(K.bankA), status: 2, legalRef: 'licence withdrawn' })));
  failsWith(tt, await c.run(c.tx(K.ministry, 'cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: addr(K.bankA), status: 0, legalRef: '' })), 'BAD_ACCREDITATION_STATUS', 'withdrawn is final');
  const h = await accreditation(c, K.bankA);
  tt.same(h.changes.map((x) => x.status), [0, 1, 0, 2], 'every change kept');
  const anchoredAt = a.height;
  tt.ok(cred.accreditationValidAt(h, anchoredAt), 'valid when the second batch was anchored');
  tt.notOk(cred.accreditationValidAt(h, h.changes[1]!.height + 1), 'not while suspended');
  tt.notOk(cred.accreditationValidAt(h, c.height + 1), 'not after withdrawal');
  // The accreditor suspended by governance: its issuers cannot anchor.
  await pass(c, makeAction(ActionKind.SET_ACCREDITOR_STATUS, { account: addr(K.ministry), status: 1, legalRef: 'review' }));
  failsWith(tt, await anchor(K.agency, 'national-id@1', 0, 1), 'NOT_ACCREDITED_ISSUER', "an issuer whose accreditor is suspended");
});

t.test('status: suspend, reinstate, revoke (final), by index, only what the issuer anchored', async (tt) => {
  const c = await trustChain();
  ok(tt, await c.run(c.tx(K.agency, 'cred', 'anchor', cred.AnchorArgs, { schema: 'national-id@1', first: 0, count: 10_000, root: root('x') })));
  ok(tt, await c.run(c.tx(K.agency, 'cred', 'anchor', cred.AnchorArgs, { schema: 'national-id@1', first: 10_000, count: 10_000, root: root('y') })));
  const set = (changes: { index: number; purpose: number; set: boolean; reason: number }[]) => c.run(c.tx(K.agency, 'cred', 'set_status', cred.SetStatusArgs, { changes }));
  const bit = async (index: number, purpose: number) => {
    const { chunk, bit: b } = cred.statusSlot(index, purpose);
    const raw = await c.state.get(cred.CredKeys.status(addr(K.agency), chunk));
    return cred.chunkBit(raw ? decode(cred.StatusChunkSchema, raw).bits : undefined, b);
  };
  const r = await set([{ index: 3, purpose: 1, set: true, reason: 7 }, { index: 19_999, purpose: 0, set: true, reason: 2 }]);
  ok(tt, r);
  tt.same(r.events.map((e) => e.name), ['status_changed', 'status_changed']);
  tt.same([await bit(3, 1), await bit(3, 0), await bit(19_999, 0), await bit(19_998, 0)], [true, false, true, false]);
  tt.equal(cred.statusSlot(19_999, 0).chunk, 2, 'index 19,999 lives in the second chunk of revocations');
  ok(tt, await set([{ index: 3, purpose: 1, set: false, reason: 8 }]), 'reinstate');
  tt.equal(await bit(3, 1), false);
  tt.equal(await c.state.get(cred.CredKeys.status(addr(K.agency), cred.statusSlot(3, 1).chunk)), undefined, 'an all-clear chunk is deleted');
  failsWith(tt, await set([{ index: 19_999, purpose: 0, set: false, reason: 0 }]), 'REVOCATION_FINAL');
  failsWith(tt, await set([{ index: 20_000, purpose: 1, set: true, reason: 0 }]), 'STATUS_INDEX_UNKNOWN');
  failsWith(tt, await set([{ index: 1, purpose: 2, set: true, reason: 0 }]), 'BAD_STATUS_CHANGE');
  failsWith(tt, await set([]), 'BAD_STATUS_CHANGE');
  failsWith(tt, await c.run(c.tx(K.bankB, 'cred', 'set_status', cred.SetStatusArgs, { changes: [{ index: 1, purpose: 1, set: true, reason: 0 }] })), 'STATUS_INDEX_UNKNOWN', "not the issuer's list");

  // A full transaction of changes (1,000, the most one holds) over two chunks: each chunk is written once, well within the work budget.
  const many = Array.from({ length: 1000 }, (_, i) => ({ index: i * 19, purpose: 0, set: true, reason: 5 }));
  const full = await set(many);
  ok(tt, full, 'a thousand revocations in one transaction');
  tt.equal(full.events.length, 1000, 'each with its event');
  tt.ok((await Promise.all(many.map((x) => bit(x.index, 0)))).every(Boolean), 'every bit set');
  tt.same([await bit(18, 0), await bit(20, 0)], [false, false], 'and no other');
  // Changes to one bit within a transaction apply in order: suspended then reinstated is clear; revoked then cleared is refused.
  ok(tt, await set([{ index: 5, purpose: 1, set: true, reason: 1 }, { index: 5, purpose: 1, set: false, reason: 2 }]));
  tt.equal(await bit(5, 1), false, 'suspended and reinstated in one transaction: clear');
  failsWith(tt, await set([{ index: 6, purpose: 0, set: true, reason: 1 }, { index: 6, purpose: 0, set: false, reason: 2 }]), 'REVOCATION_FINAL', 'revoked and cleared in one transaction');
  tt.equal(await bit(6, 0), false, 'and the failed transaction left nothing');
});

t.test("a bound KYC credential decides the customer's tier; suspended or revoked, the tier falls to the lowest at once", async (tt) => {
  const c = await trustChain();
  ok(tt, await c.run(c.tx(K.bankA, 'cred', 'anchor', cred.AnchorArgs, { schema: 'kyc@1', first: 0, count: 2, root: root('kyc') })));
  const pay = (amount: bigint) => c.run(c.tx(K.bob, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.dave), amount, memo: '', reference: '' }));
  // Bob's bank set tier 2 (per-transaction limit 5,000.00); tier 1's is 500.00.
  ok(tt, await pay(600n * UNIT), 'tier 2 before any credential');
  const bind = (o: Partial<{ index: number; tier: number; validUntil: number }> = {}) =>
    c.run(c.tx(K.bankA, 'cred', 'bind_kyc', cred.BindKycArgs, { account: addr(K.bob), index: 0, tier: 3, assurance: 2, validUntil: c.time + 365 * 86_400_000, digest: root('bob'), ...o }));
  ok(tt, await bind({ tier: 1 }));
  failsWith(tt, await pay(600n * UNIT), 'PER_TX_LIMIT', 'a tier-1 KYC credential decides, below the bank-set tier');
  ok(tt, await bind({ tier: 3 }));
  ok(tt, await pay(600n * UNIT), 'a tier-3 KYC credential: paid');
  ok(tt, await c.run(c.tx(K.bankA, 'cred', 'set_status', cred.SetStatusArgs, { changes: [{ index: 0, purpose: 1, set: true, reason: 1 }] })));
  failsWith(tt, await pay(600n * UNIT), 'PER_TX_LIMIT', 'suspended: the lowest tier at once');
  ok(tt, await c.run(c.tx(K.bankA, 'cred', 'set_status', cred.SetStatusArgs, { changes: [{ index: 0, purpose: 1, set: false, reason: 2 }] })));
  ok(tt, await pay(600n * UNIT), 'reinstated: tier 3');
  const r = await c.run(c.tx(K.bankA, 'cred', 'set_status', cred.SetStatusArgs, { changes: [{ index: 0, purpose: 0, set: true, reason: 3 }] }));
  ok(tt, r);
  tt.ok(decode(cred.StatusEvent, r.events[0]!.data).account.every((b, i) => b === addr(K.bob)[i]), 'the status event names the bound account');
  failsWith(tt, await pay(600n * UNIT), 'PER_TX_LIMIT', 'revoked: the lowest tier');
  // Refusals.
  failsWith(tt, await c.run(c.tx(K.bankA, 'cred', 'bind_kyc', cred.BindKycArgs, { account: addr(K.carol), index: 1, tier: 3, assurance: 2, validUntil: c.time + 1000, digest: root('c') })), 'NOT_ACCOUNT_BANK', 'carol banks with bank B');
  failsWith(tt, await bind({ index: 2 }), 'STATUS_INDEX_UNKNOWN');
  failsWith(tt, await bind({ index: 1, tier: 9 }), 'UNKNOWN_TIER');
  failsWith(tt, await bind({ index: 1, validUntil: c.time - 1 }), 'BAD_KYC');
  failsWith(tt, await c.run(c.tx(K.bankB, 'cred', 'bind_kyc', cred.BindKycArgs, { account: addr(K.carol), index: 0, tier: 3, assurance: 2, validUntil: c.time + 1000, digest: root('c') })), 'NOT_ACCREDITED_ISSUER');
  // A credential that expires: the lowest tier after it.
  ok(tt, await bind({ index: 1, validUntil: c.time + 20_000 }));
  ok(tt, await pay(600n * UNIT), 'a fresh credential: tier 3');
  c.time += 30_000;
  failsWith(tt, await pay(600n * UNIT), 'PER_TX_LIMIT', 'expired: the lowest tier');
});

t.test("rotating an account's keys keeps its key history: a key verifies for what was anchored while it was held", async (tt) => {
  const c = await Chain.create();
  const before = c.height;
  ok(tt, await c.run(c.tx(K.dave, 'account', 'rotate_keys', account.RotateArgs, { keys: [K.carol.publicKey], threshold: 1 })));
  const rotatedAt = c.height;
  const acct = decode(AccountSchema, (await c.state.get(Keys.account(addr(K.dave))))!);
  const hist = decode(KeyHistorySchema, (await c.state.get(Keys.keyHistory(addr(K.dave))))!);
  tt.same(hist.epochs.map((e) => e.height), [0, rotatedAt]);
  tt.ok(heldKeyAt(acct, hist, K.dave.publicKey, before), 'the old key, before the rotation');
  tt.notOk(heldKeyAt(acct, hist, K.dave.publicKey, rotatedAt + 1), 'not after it');
  tt.ok(heldKeyAt(acct, hist, K.carol.publicKey, rotatedAt + 1), 'the new key after it');
  tt.ok(heldKeyAt(acct, hist, K.dave.publicKey, rotatedAt) && heldKeyAt(acct, hist, K.carol.publicKey, rotatedAt), 'either, in the block of the rotation');
});
