/**
 * Governance: proposals, approvals with reasons, execution at the threshold of every action
 * kind (validators handed to consensus as validatorUpdates, institutions and roles,
 * currencies, parameters, the council), failed executions recorded, expiry, cancellation.
 */
import t from 'tap';
import { decode, encode } from '../../core/index.js';
import {
  ActionKind, gov, Keys, makeAction, ProposalSchema, ProposalStatus, Role, ValidatorListSchema, ValidatorNodeSchema, VmCodes, InstitutionSchema, CurrencySchema,
  loadParams, account, type ProposalAction,
} from '../index.js';
import { addr, Chain, DAY, failsWith, K, key, ok, TIER1 } from './harness.js';

async function proposal(c: Chain, id: number) {
  return decode(ProposalSchema, (await c.state.get(Keys.proposal(id)))!);
}

/** Propose by the central bank, approve by the regulator: returns the approval's block result. */
async function pass(c: Chain, action: ProposalAction, reason = 'because') {
  const r = await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action, reason }));
  const { id } = decode(gov.IdResult, r.result);
  return { id, result: await c.block([c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id, reason: 'agreed' })]) };
}

t.test('proposal lifecycle: propose, approve to the threshold, execute; records reasons', async (t) => {
  const c = await Chain.create();
  const nv = key('validator-new');
  const nvNode = key('validator-new-node');
  const r1 = await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.ADD_VALIDATOR, { publicKey: nv.publicKey, power: 7, nodeKey: nvNode.publicKey }), reason: 'new ministry node' }));
  ok(t, r1);
  t.equal(decode(gov.IdResult, r1.result).id, 1);
  t.equal((await proposal(c, 1)).status, ProposalStatus.OPEN, 'one approval of two: still open');
  failsWith(t, await c.run(c.tx(K.cb, 'gov', 'approve', gov.ApproveArgs, { id: 1, reason: 'again' })), 'ALREADY_APPROVED');
  failsWith(t, await c.run(c.tx(K.alice, 'gov', 'approve', gov.ApproveArgs, { id: 1, reason: 'me too' })), 'NOT_COUNCIL_MEMBER');
  failsWith(t, await c.run(c.tx(K.bankA, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.SET_PARAM, { name: 'max_tier', value: 5 }), reason: '' })), 'NOT_COUNCIL_MEMBER');
  failsWith(t, await c.run(c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id: 99, reason: '' })), 'PROPOSAL_NOT_FOUND');
  const b = await c.block([c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id: 1, reason: 'checked the keys' })]);
  ok(t, b.receipts[0]!);
  t.same(b.validatorUpdates, [{ publicKey: nv.publicKey, power: 7 }], 'the new validator is handed to consensus');
  const p = await proposal(c, 1);
  t.equal(p.status, ProposalStatus.EXECUTED);
  t.same(p.approvals.map((a) => a.reason), ['new ministry node', 'checked the keys']);
  t.equal(p.approvals[1]!.height, c.height);
  const vs = decode(ValidatorListSchema, (await c.state.get(Keys.validators()))!).validators;
  t.equal(vs.length, 5);
  t.same(decode(ValidatorNodeSchema, (await c.state.get(Keys.validatorNode(addr(nv))))!).nodeKey, nvNode.publicKey, 'its node key is recorded for the allowlist');
  failsWith(t, await c.run(c.tx(K.ministry, 'gov', 'approve', gov.ApproveArgs, { id: 1, reason: 'late' })), 'PROPOSAL_CLOSED');
});

t.test('validator actions: remove, re-weight, and their refusals', async (t) => {
  const c = await Chain.create();
  const v0 = addr(K.vals[0]!);
  let r = await pass(c, makeAction(ActionKind.SET_VALIDATOR_POWER, { address: v0, power: 50 }));
  t.same(r.result.validatorUpdates, [{ publicKey: K.vals[0]!.publicKey, power: 50 }]);
  t.ok(await c.state.get(Keys.validatorNode(v0)), 'a genesis validator has its node key recorded');
  r = await pass(c, makeAction(ActionKind.REMOVE_VALIDATOR, { address: v0 }));
  t.same(r.result.validatorUpdates, [{ publicKey: K.vals[0]!.publicKey, power: 0 }], 'power 0 removes');
  t.equal(await c.state.get(Keys.validatorNode(v0)), undefined, 'and its node key goes with it');
  r = await pass(c, makeAction(ActionKind.REMOVE_VALIDATOR, { address: v0 }));
  t.equal(r.result.validatorUpdates.length, 0, 'a failed execution changes nothing');
  const p = await proposal(c, r.id);
  t.equal(p.status, ProposalStatus.FAILED);
  t.equal(p.resultCode, VmCodes.VALIDATOR_NOT_FOUND, 'the failure is recorded with its code');
  t.equal(r.result.receipts[0]!.status, 0, 'the approval itself succeeded');
  const fresh = key('validator-fresh');
  r = await pass(c, makeAction(ActionKind.ADD_VALIDATOR, { publicKey: K.vals[1]!.publicKey, power: 1, nodeKey: fresh.publicKey }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.VALIDATOR_EXISTS);
  r = await pass(c, makeAction(ActionKind.ADD_VALIDATOR, { publicKey: new Uint8Array(32), power: 1, nodeKey: fresh.publicKey }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_VALIDATOR);
  r = await pass(c, makeAction(ActionKind.ADD_VALIDATOR, { publicKey: fresh.publicKey, power: 1, nodeKey: new Uint8Array(32) }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_VALIDATOR, 'a node key off the curve');
  r = await pass(c, makeAction(ActionKind.ADD_VALIDATOR, { publicKey: fresh.publicKey, power: 1, nodeKey: K.vals[1]!.publicKey }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_VALIDATOR, 'a node key another validator uses');
  t.equal(await c.state.get(Keys.validatorNode(addr(fresh))), undefined, 'a refused validator leaves no node key');
  r = await pass(c, makeAction(ActionKind.SET_VALIDATOR_POWER, { address: addr(K.vals[1]!), power: 0 }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_VALIDATOR);
  for (const i of [1, 2]) await pass(c, makeAction(ActionKind.REMOVE_VALIDATOR, { address: addr(K.vals[i]!) }));
  r = await pass(c, makeAction(ActionKind.REMOVE_VALIDATOR, { address: addr(K.vals[3]!) }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_VALIDATOR, 'the last validator stays');
});

t.test('institutions and roles through governance', async (t) => {
  const c = await Chain.create();
  const bankC = key('bank-c');
  await pass(c, makeAction(ActionKind.REGISTER_INSTITUTION, { name: 'Bank C', keys: [bankC.publicKey], threshold: 1, roles: Role.COMMERCIAL_BANK }));
  t.match(decode(InstitutionSchema, (await c.state.get(Keys.institution(addr(bankC))))!), { name: 'Bank C', roles: Role.COMMERCIAL_BANK });
  ok(t, await c.run(c.tx(bankC, 'account', 'open', account.OpenArgs, { keys: [key('frank').publicKey], threshold: 1, kind: 2, tier: 1, linkedRef: null, category: '' })), 'the new bank opens accounts');
  let r = await pass(c, makeAction(ActionKind.REGISTER_INSTITUTION, { name: 'Bank C again', keys: [bankC.publicKey], threshold: 1, roles: Role.COMMERCIAL_BANK }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.INSTITUTION_EXISTS);
  r = await pass(c, makeAction(ActionKind.REGISTER_INSTITUTION, { name: 'Alice Inc', keys: [K.alice.publicKey], threshold: 1, roles: Role.AGENCY }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.ACCOUNT_EXISTS);
  r = await pass(c, makeAction(ActionKind.REGISTER_INSTITUTION, { name: 'Nobody', keys: [key('n').publicKey], threshold: 1, roles: 1024 }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_ROLE);
  await pass(c, makeAction(ActionKind.REVOKE_ROLE, { institution: addr(bankC), role: Role.COMMERCIAL_BANK }));
  failsWith(t, await c.run(c.tx(bankC, 'account', 'open', account.OpenArgs, { keys: [key('gina').publicKey], threshold: 1, kind: 2, tier: 1, linkedRef: null, category: '' })), 'NOT_AUTHORIZED', 'revoked');
  r = await pass(c, makeAction(ActionKind.REVOKE_ROLE, { institution: addr(bankC), role: Role.COMMERCIAL_BANK }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.ROLE_NOT_HELD);
  await pass(c, makeAction(ActionKind.GRANT_ROLE, { institution: addr(bankC), role: Role.ISSUER }));
  r = await pass(c, makeAction(ActionKind.GRANT_ROLE, { institution: addr(bankC), role: Role.ISSUER }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.ROLE_ALREADY_HELD);
  r = await pass(c, makeAction(ActionKind.GRANT_ROLE, { institution: addr(key('ghost')), role: Role.ISSUER }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.INSTITUTION_NOT_FOUND);
  // Currencies: a stablecoin by the new issuer; refusals.
  await pass(c, makeAction(ActionKind.REGISTER_CURRENCY, { code: 'EURC', decimals: 2, issuer: addr(bankC), kind: 2, tiers: [TIER1] }));
  t.match(decode(CurrencySchema, (await c.state.get(Keys.currency('EURC')))!), { code: 'EURC', supply: 0n, paused: false });
  r = await pass(c, makeAction(ActionKind.REGISTER_CURRENCY, { code: 'EURC', decimals: 2, issuer: addr(bankC), kind: 2, tiers: [] }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.CURRENCY_EXISTS);
  r = await pass(c, makeAction(ActionKind.REGISTER_CURRENCY, { code: 'CBX', decimals: 2, issuer: addr(bankC), kind: 1, tiers: [] }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.NOT_ISSUER, 'a CBDC needs the central bank');
  r = await pass(c, makeAction(ActionKind.REGISTER_CURRENCY, { code: 'BIG', decimals: 30, issuer: addr(K.cb), kind: 1, tiers: [] }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_CURRENCY);
});

t.test('parameters and the council', async (t) => {
  const c = await Chain.create();
  await pass(c, makeAction(ActionKind.SET_PARAM, { name: 'max_tier', value: 6 }));
  t.equal((await loadParams(c.state)).max_tier, 6, 'applies from the next block');
  let r = await pass(c, makeAction(ActionKind.SET_PARAM, { name: 'nonsense', value: 1 }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.UNKNOWN_PARAM);
  r = await pass(c, makeAction(ActionKind.SET_PARAM, { name: 'max_tier', value: 99 }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_PARAM_VALUE);
  r = await pass(c, makeAction(ActionKind.SET_PARAM, { name: 'daily_window_ms', value: 3_600_000 }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_PARAM_VALUE, 'window shapes are fixed at genesis');
  r = await pass(c, makeAction(ActionKind.SET_COUNCIL, { members: [addr(K.cb)], threshold: 2 }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_COUNCIL);
  r = await pass(c, makeAction(ActionKind.SET_COUNCIL, { members: [addr(K.cb), addr(key('ghost'))], threshold: 1 }));
  t.equal((await proposal(c, r.id)).resultCode, VmCodes.BAD_COUNCIL);
  await pass(c, makeAction(ActionKind.SET_COUNCIL, { members: [addr(K.cb), addr(K.agency)], threshold: 1 }));
  failsWith(t, await c.run(c.tx(K.reg, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.SET_PARAM, { name: 'max_tier', value: 5 }), reason: '' })), 'NOT_COUNCIL_MEMBER', 'the old member is out');
  ok(t, await c.run(c.tx(K.agency, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.SET_PARAM, { name: 'max_tier', value: 5 }), reason: 'one of one' })));
  t.equal((await loadParams(c.state)).max_tier, 5, 'threshold 1: executed on proposal');
});

t.test('malformed actions, expiry and cancellation', async (t) => {
  const c = await Chain.create();
  failsWith(t, await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: { kind: 77, data: new Uint8Array(0) }, reason: '' })), 'BAD_PROPOSAL_ACTION');
  failsWith(t, await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: { kind: ActionKind.SET_PARAM, data: encode(gov.IdResult, { id: 1 }) }, reason: '' })), 'BAD_PROPOSAL_ACTION');
  const action = makeAction(ActionKind.SET_PARAM, { name: 'max_tier', value: 5 });
  ok(t, await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action, reason: 'slow' })));
  failsWith(t, await c.run(c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id: 1, reason: 'too late' }), 15 * DAY), 'PROPOSAL_EXPIRED');
  ok(t, await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action, reason: 'again' })));
  failsWith(t, await c.run(c.tx(K.reg, 'gov', 'cancel', gov.CancelArgs, { id: 2, reason: 'not mine' })), 'NOT_PROPOSER');
  ok(t, await c.run(c.tx(K.cb, 'gov', 'cancel', gov.CancelArgs, { id: 2, reason: 'withdrawn' })));
  t.equal((await proposal(c, 2)).status, ProposalStatus.CANCELLED);
  failsWith(t, await c.run(c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id: 2, reason: '' })), 'PROPOSAL_CLOSED');
});
