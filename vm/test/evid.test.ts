/**
 * Equivocation acted on (module evid): double-sign evidence a block carries is verified
 * against the validator set in effect at its height and recorded with both votes; with
 * equivocation_suspend 1 the validator leaves the set from the block's height + 2 (power 0
 * through governance's own validator update), with 0 it is only recorded; the council's
 * resolve_equivocation removes, re-weights or reinstates, citing the record (refused without
 * one, with a typed code); invalid, stale, repeated and garbage evidence is refused piece by
 * piece, leaving no trace and never throwing; and two chains fed the same blocks agree.
 */
import t from 'tap';
import {
  decode, equalBytes, evidenceHash, makeDuplicateVoteEvidence, sha256, signVote, toHex, utf8, VoteType, type DuplicateVoteEvidence, type KeyPair, type Vote,
} from '../../core/index.js';
import {
  ActionKind, evid, gov, Keys, makeAction, ProposalSchema, ProposalStatus, ValidatorListSchema, ValidatorNodeSchema, VmCodes, type BlockResult, type ProposalAction,
} from '../index.js';
import { addr, Chain, CHAIN, genesisDoc, K, key } from './harness.js';

const block = (s: string): Uint8Array => sha256(utf8(s));

function vote(k: KeyPair, height: number, blockHash: Uint8Array | null, o: { round?: number; type?: number; chainId?: string } = {}): Vote {
  return signVote(o.chainId ?? CHAIN, { type: o.type ?? VoteType.PREVOTE, height, round: o.round ?? 0, blockHash, validator: addr(k) }, k.secretKey);
}

/** Validator `k` signing two different block ids at one height, round and type. */
function equivocation(k: KeyPair, height: number, o: { round?: number; type?: number; chainId?: string } = {}): DuplicateVoteEvidence {
  return makeDuplicateVoteEvidence(vote(k, height, block(`a${height}`), o), vote(k, height, block(`b${height}`), o));
}

async function record(c: Chain, k: KeyPair, height: number, round = 0, type: number = VoteType.PREVOTE): Promise<evid.Equivocation | undefined> {
  const raw = await c.state.get(Keys.equivocation(addr(k), height, round, type));
  return raw === undefined ? undefined : decode(evid.EquivocationSchema, raw);
}

async function validators(c: Chain) {
  return decode(ValidatorListSchema, (await c.state.get(Keys.validators()))!).validators;
}

const inSet = async (c: Chain, k: KeyPair) => (await validators(c)).find((v) => equalBytes(v.address, addr(k)));

/** Propose by the central bank, approve by the regulator (the council's threshold is 2). */
async function pass(c: Chain, action: ProposalAction) {
  const r = await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action, reason: 'equivocation' }));
  const { id } = decode(gov.IdResult, r.result);
  const result = await c.block([c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id, reason: 'agreed' })]);
  return { id, result, proposal: decode(ProposalSchema, (await c.state.get(Keys.proposal(id)))!) };
}

const resolve = (k: KeyPair, height: number, decision: number, power = 0, legalRef = 'Council decision 2026/7') =>
  makeAction(ActionKind.RESOLVE_EQUIVOCATION, { validator: addr(k), height, round: 0, voteType: VoteType.PREVOTE, decision, power, legalRef });

async function chainAt(height: number, params: { name: string; value: number }[] = []): Promise<Chain> {
  const c = await Chain.create(genesisDoc({ params }));
  while (c.height < height) await c.block([]);
  return c;
}

const V1 = K.vals[1]!;
const V2 = K.vals[2]!;

t.test('genesis records every first validator in the set from height 1', async (t) => {
  const c = await Chain.create();
  for (const [i, v] of K.vals.entries()) {
    const h = decode(evid.ValidatorHistorySchema, (await c.state.get(Keys.validatorHistory(addr(v))))!);
    t.same(h.changes, [{ from: 1, power: 10 + i }], `validator ${i}`);
    t.same(h.publicKey, v.publicKey);
  }
});

t.test('valid evidence is recorded and, with equivocation_suspend 1, suspends the validator from the block\'s height + 2', async (t) => {
  const c = await chainAt(4);
  const ev = equivocation(V1, 3);
  const r = await c.block([], 5_000, [ev]);
  t.same(r.rejectedEvidence, [], 'the evidence is recorded');
  const rec = (await record(c, V1, 3))!;
  t.ok(rec, 'the record is keyed by validator, height, round and type');
  t.same(rec.voteA, ev.voteA, 'with both votes');
  t.same(rec.voteB, ev.voteB);
  t.same(rec.evidenceHash, evidenceHash(ev));
  t.same(rec.publicKey, V1.publicKey);
  t.equal(rec.power, 11, 'its power at the evidence\'s height');
  t.equal(rec.recordedHeight, 5);
  t.equal(rec.recordedTime, c.time);
  t.equal(rec.suspendedFrom, 7, 'suspended from the block\'s height + 2');
  t.equal(rec.decision, evid.Decision.PENDING);
  t.same(r.validatorUpdates, [{ publicKey: V1.publicKey, power: 0 }], 'power 0 through the validator-update path');
  t.notOk(await inSet(c, V1), 'out of the validator list');
  t.equal(await c.state.get(Keys.validatorNode(addr(V1))), undefined, 'its node key leaves the allowlist');
  const s = decode(evid.SuspensionSchema, (await c.state.get(Keys.suspension(addr(V1))))!);
  t.same({ power: s.power, from: s.from, height: s.height }, { power: 11, from: 7, height: 3 }, 'the suspension keeps its power');
  t.same(s.nodeKey, V1.publicKey, 'and its node key');
  const list = decode(evid.EquivocationListSchema, (await c.state.get(Keys.equivocations()))!);
  t.same(list.items, [{ validator: addr(V1), height: 3, round: 0, voteType: VoteType.PREVOTE, recordedHeight: 5 }], 'listed');
  const hist = decode(evid.ValidatorHistorySchema, (await c.state.get(Keys.validatorHistory(addr(V1))))!);
  t.same(hist.changes, [{ from: 1, power: 11 }, { from: 7, power: 0 }], 'the history says it is out from height 7');
  t.same(r.blockEvents.map((e) => `${e.module}.${e.name}`), ['gov.validator_changed', 'evid.equivocation'], 'block events');
  const e = decode(evid.EquivocationEvent, r.blockEvents[1]!.data);
  t.same({ height: e.height, suspendedFrom: e.suspendedFrom, a: e.blockA, b: e.blockB }, { height: 3, suspendedFrom: 7, a: ev.voteA.blockHash, b: ev.voteB.blockHash });
  t.equal(r.receipts.length, 0, 'in no receipt');

  // A second equivocation of the same validator (another height) is recorded; it is suspended already.
  const r2 = await c.block([], 5_000, [equivocation(V1, 4, { type: VoteType.PRECOMMIT })]);
  t.same(r2.rejectedEvidence, []);
  t.equal((await record(c, V1, 4, 0, VoteType.PRECOMMIT))!.suspendedFrom, 0, 'suspended already: this one suspends nothing');
  t.same(r2.validatorUpdates, []);
});

t.test('with equivocation_suspend 0 the evidence is recorded only', async (t) => {
  const c = await chainAt(2, [{ name: 'equivocation_suspend', value: 0 }]);
  const r = await c.block([], 5_000, [equivocation(V1, 2)]);
  t.same(r.rejectedEvidence, []);
  t.equal((await record(c, V1, 2))!.suspendedFrom, 0);
  t.same(r.validatorUpdates, [], 'no validator update');
  t.ok(await inSet(c, V1), 'still in the set');
  t.equal(await c.state.get(Keys.suspension(addr(V1))), undefined);
  t.same(r.blockEvents.map((e) => e.name), ['equivocation']);
});

t.test('the council decides: reinstate, reweight, remove (citing the record), each through the validator actions', async (t) => {
  // Suspended, then reinstated with its power and node key.
  let c = await chainAt(3);
  await c.block([], 5_000, [equivocation(V1, 3)]);
  let p = await pass(c, resolve(V1, 3, evid.Decision.REINSTATE));
  t.equal(p.proposal.status, ProposalStatus.EXECUTED, 'reinstate executes');
  t.same(p.result.validatorUpdates, [{ publicKey: V1.publicKey, power: 11 }], 'back with its power');
  t.equal((await inSet(c, V1))?.power, 11);
  t.same(decode(ValidatorNodeSchema, (await c.state.get(Keys.validatorNode(addr(V1))))!).nodeKey, V1.publicKey, 'and its node key');
  t.equal(await c.state.get(Keys.suspension(addr(V1))), undefined, 'the suspension ends');
  let rec = (await record(c, V1, 3))!;
  t.same({ decision: rec.decision, power: rec.decidedPower, legalRef: rec.legalRef, at: rec.decidedHeight }, { decision: 3, power: 11, legalRef: 'Council decision 2026/7', at: c.height });
  t.same(p.result.events.map((e) => `${e.event.module}.${e.event.name}`), ['gov.approved', 'gov.validator_changed', 'evid.equivocation_resolved', 'gov.executed']);
  p = await pass(c, resolve(V1, 3, evid.Decision.REMOVE));
  t.equal(p.proposal.status, ProposalStatus.FAILED, 'decided once');
  t.equal(p.proposal.resultCode, VmCodes.EQUIVOCATION_RESOLVED);

  // Suspended, then back with another power.
  c = await chainAt(3);
  await c.block([], 5_000, [equivocation(V1, 3)]);
  p = await pass(c, resolve(V1, 3, evid.Decision.REWEIGHT, 4));
  t.same(p.result.validatorUpdates, [{ publicKey: V1.publicKey, power: 4 }], 'reweighted back into the set');
  t.equal((await record(c, V1, 3))!.decidedPower, 4);

  // Suspended, then removed: it is out already; its suspension ends.
  c = await chainAt(3);
  await c.block([], 5_000, [equivocation(V1, 3)]);
  p = await pass(c, resolve(V1, 3, evid.Decision.REMOVE));
  t.equal(p.proposal.status, ProposalStatus.EXECUTED);
  t.same(p.result.validatorUpdates, [], 'out of the set already: no update');
  t.equal(await c.state.get(Keys.suspension(addr(V1))), undefined);
  p = await pass(c, makeAction(ActionKind.ADD_VALIDATOR, { publicKey: key('other').publicKey, power: 3, nodeKey: V1.publicKey }));
  t.equal(p.proposal.status, ProposalStatus.EXECUTED, 'its node key is free for another validator');

  // Not suspended (parameter off): remove and reweight act on the set; reinstate changes nothing.
  c = await chainAt(3, [{ name: 'equivocation_suspend', value: 0 }]);
  await c.block([], 5_000, [equivocation(V1, 2), equivocation(V2, 3)]);
  p = await pass(c, resolve(V1, 2, evid.Decision.REMOVE));
  t.same(p.result.validatorUpdates, [{ publicKey: V1.publicKey, power: 0 }], 'removed');
  t.notOk(await inSet(c, V1));
  p = await pass(c, resolve(V2, 3, evid.Decision.REWEIGHT, 1));
  t.same(p.result.validatorUpdates, [{ publicKey: V2.publicKey, power: 1 }], 're-weighted');
  c = await chainAt(3, [{ name: 'equivocation_suspend', value: 0 }]);
  await c.block([], 5_000, [equivocation(V2, 3)]);
  p = await pass(c, resolve(V2, 3, evid.Decision.REINSTATE));
  t.equal(p.proposal.status, ProposalStatus.EXECUTED);
  t.same(p.result.validatorUpdates, [], 'never suspended: nothing to change');
  rec = (await record(c, V2, 3))!;
  t.equal(rec.decision, evid.Decision.REINSTATE);
  t.equal(rec.decidedPower, 12);
});

t.test('resolve_equivocation refusals, each with its code', async (t) => {
  const c = await chainAt(3);
  await c.block([], 5_000, [equivocation(V1, 3)]);
  const cases: [string, ProposalAction, keyof typeof VmCodes][] = [
    ['no evidence at that height', resolve(V1, 2, evid.Decision.REMOVE), 'EQUIVOCATION_NOT_FOUND'],
    ['no evidence of that validator', resolve(V2, 3, evid.Decision.REMOVE), 'EQUIVOCATION_NOT_FOUND'],
    ['another round', makeAction(ActionKind.RESOLVE_EQUIVOCATION, { validator: addr(V1), height: 3, round: 1, voteType: 1, decision: 1, power: 0, legalRef: 'x' }), 'EQUIVOCATION_NOT_FOUND'],
    ['another type', makeAction(ActionKind.RESOLVE_EQUIVOCATION, { validator: addr(V1), height: 3, round: 0, voteType: 2, decision: 1, power: 0, legalRef: 'x' }), 'EQUIVOCATION_NOT_FOUND'],
    ['an unknown decision', resolve(V1, 3, 7), 'BAD_DECISION'],
    ['a power to remove', resolve(V1, 3, evid.Decision.REMOVE, 5), 'BAD_DECISION'],
    ['no power to reweight', resolve(V1, 3, evid.Decision.REWEIGHT, 0), 'BAD_DECISION'],
    ['no legal reference', resolve(V1, 3, evid.Decision.REINSTATE, 0, ''), 'BAD_DECISION'],
    ['a power beyond the bound', resolve(V1, 3, evid.Decision.REWEIGHT, 2 ** 51), 'BAD_VALIDATOR'],
  ];
  for (const [what, action, code] of cases) {
    const p = await pass(c, action);
    t.equal(p.proposal.status, ProposalStatus.FAILED, `${what}: the proposal fails`);
    t.equal(p.proposal.resultCode, VmCodes[code], `${what}: ${code}`);
    t.same(p.result.validatorUpdates, [], `${what}: the set is untouched`);
  }
  t.equal((await record(c, V1, 3))!.decision, evid.Decision.PENDING, 'the record is still pending');
  t.ok(await c.state.get(Keys.suspension(addr(V1))), 'and the validator suspended');
});

t.test('invalid evidence is refused piece by piece, with its code, leaving no trace', async (t) => {
  const c = await chainAt(6, [{ name: 'evidence_max_age', value: 3 }]);
  const stranger = key('not-a-validator');
  const a = vote(V1, 5, block('a'));
  const b = vote(V1, 5, block('b'));
  const [lo, hi] = evidenceOrder(a, b);
  const cases: [string, DuplicateVoteEvidence, string][] = [
    ['one block id twice', { voteA: a, voteB: a }, 'EVIDENCE_MALFORMED'],
    ['not in canonical order', { voteA: hi, voteB: lo }, 'EVIDENCE_MALFORMED'],
    ['two heights', makeDuplicateVoteEvidence(vote(V1, 5, block('a')), vote(V1, 4, block('b'))), 'EVIDENCE_MALFORMED'],
    ['two rounds', makeDuplicateVoteEvidence(vote(V1, 5, block('a')), vote(V1, 5, block('b'), { round: 1 })), 'EVIDENCE_MALFORMED'],
    ['two types', makeDuplicateVoteEvidence(vote(V1, 5, block('a')), vote(V1, 5, block('b'), { type: VoteType.PRECOMMIT })), 'EVIDENCE_MALFORMED'],
    ['two validators', makeDuplicateVoteEvidence(vote(V1, 5, block('a')), vote(V2, 5, block('b'))), 'EVIDENCE_MALFORMED'],
    ['an unknown vote type', makeDuplicateVoteEvidence({ ...a, type: 3 }, { ...b, type: 3 }), 'EVIDENCE_MALFORMED'],
    ['a height after the block', equivocation(V1, 8), 'EVIDENCE_HEIGHT'],
    ['height 0', equivocation(V1, 0), 'EVIDENCE_HEIGHT'],
    ['older than evidence_max_age', equivocation(V1, 3), 'EVIDENCE_HEIGHT'],
    ['not a validator', equivocation(stranger, 5), 'EVIDENCE_NOT_VALIDATOR'],
    ['signed for another chain', equivocation(V1, 5, { chainId: 'other-chain' }), 'EVIDENCE_BAD_SIGNATURE'],
    ['a forged signature', makeDuplicateVoteEvidence(a, { ...b, signature: new Uint8Array(64).fill(7) }), 'EVIDENCE_BAD_SIGNATURE'],
  ];
  const empty = await chainAt(6, [{ name: 'evidence_max_age', value: 3 }]);
  const base = await empty.block([]);
  const r = await c.block([], 5_000, cases.map(([, ev]) => ev));
  t.same(r.rejectedEvidence.map((x) => `${x.index}:${x.code}`), cases.map(([, , code], i) => `${i}:${code}`), 'each refused with its code');
  for (const [i, [what]] of cases.entries()) t.ok(r.rejectedEvidence[i]!.message.length > 0, `${what}: ${r.rejectedEvidence[i]!.message}`);
  t.same(r.rejectedEvidence.map((x) => x.num), cases.map(([, , code]) => VmCodes[code as keyof typeof VmCodes]), 'with their numbers');
  t.same(writes(r), writes(base), 'the block writes what a block without them writes');
  t.same(r.blockEvents, []);
  t.same(r.validatorUpdates, []);

  // Recorded once: again in a later block, or twice in one, the repeat is refused.
  const ok1 = equivocation(V2, 6);
  const r2 = await c.block([], 5_000, [ok1, ok1, makeDuplicateVoteEvidence(vote(V2, 6, block('a6')), vote(V2, 6, null))]);
  t.same(r2.rejectedEvidence.map((x) => `${x.index}:${x.code}`), ['1:EVIDENCE_DUPLICATE', '2:EVIDENCE_DUPLICATE'], 'one record per validator, height, round and type');
  const r3 = await c.block([], 5_000, [ok1]);
  t.same(r3.rejectedEvidence.map((x) => x.code), ['EVIDENCE_DUPLICATE'], 'in a later block too');
});

t.test('garbage evidence is refused, never thrown', async (t) => {
  const c = await chainAt(3);
  const good = equivocation(V1, 2);
  const garbage: unknown[] = [
    null, undefined, 7, 'evidence', [], {}, { voteA: null, voteB: null }, { voteA: good.voteA }, { voteA: 5, voteB: 'x' },
    { voteA: { ...good.voteA, height: -1 }, voteB: good.voteB }, { voteA: { ...good.voteA, height: 2 ** 60 }, voteB: good.voteB },
    { voteA: { ...good.voteA, validator: new Uint8Array(3) }, voteB: good.voteB }, { voteA: { ...good.voteA, signature: 'sig' }, voteB: good.voteB },
    { voteA: { ...good.voteA, blockHash: new Uint8Array(5) }, voteB: good.voteB }, { voteA: { ...good.voteA, round: 1.5 }, voteB: good.voteB },
    Object.create(null),
  ];
  const r = await c.block([], 5_000, [...(garbage as DuplicateVoteEvidence[]), good]);
  t.equal(r.rejectedEvidence.length, garbage.length, 'every piece of garbage refused');
  t.ok(r.rejectedEvidence.every((x) => x.code === 'EVIDENCE_MALFORMED' || x.code.startsWith('EVIDENCE_')), r.rejectedEvidence.map((x) => x.code).join(','));
  t.ok(await record(c, V1, 2), 'and the valid piece after them recorded');
});

t.test('the set in effect at the evidence\'s height decides, by the history of set changes', async (t) => {
  const c = await chainAt(2);
  const fresh = key('validator-late');
  const added = await pass(c, makeAction(ActionKind.ADD_VALIDATOR, { publicKey: fresh.publicKey, power: 5, nodeKey: key('validator-late-node').publicKey }));
  const h = c.height; // the block that added it: in the set from h + 2
  t.same(added.result.validatorUpdates, [{ publicKey: fresh.publicKey, power: 5 }]);
  const hist = decode(evid.ValidatorHistorySchema, (await c.state.get(Keys.validatorHistory(addr(fresh))))!);
  t.same(hist.changes, [{ from: h + 2, power: 5 }]);
  await c.block([]);
  await c.block([]);
  let r = await c.block([], 5_000, [equivocation(fresh, h + 1), equivocation(fresh, h + 2)]);
  t.same(r.rejectedEvidence.map((x) => `${x.index}:${x.code}`), ['0:EVIDENCE_NOT_VALIDATOR'], 'not before it joined; from the height it joined');
  // Removed by the council in block g: still in the set at g + 1, out from g + 2.
  await pass(c, makeAction(ActionKind.REMOVE_VALIDATOR, { address: addr(V2) }));
  const g = c.height;
  await c.block([]);
  await c.block([]);
  r = await c.block([], 5_000, [equivocation(V2, g + 1), equivocation(V2, g + 2)]);
  t.same(r.rejectedEvidence.map((x) => `${x.index}:${x.code}`), ['1:EVIDENCE_NOT_VALIDATOR'], 'in the set until its removal took effect');
  t.equal((await record(c, V2, g + 1))!.suspendedFrom, 0, 'out of the set already: nothing to suspend');
  t.same(r.validatorUpdates, []);
});

t.test('a set that would be left empty keeps its validator: recorded, not suspended', async (t) => {
  const only = K.vals[0]!;
  const c = await Chain.create(genesisDoc({ validators: [{ publicKey: only.publicKey, power: 10, nodeKey: only.publicKey }] }));
  await c.block([]);
  const r = await c.block([], 5_000, [equivocation(only, 1)]);
  t.same(r.rejectedEvidence, []);
  t.equal((await record(c, only, 1))!.suspendedFrom, 0);
  t.same(r.validatorUpdates, []);
  t.same(r.blockEvents.map((e) => e.name), ['equivocation'], 'the failed suspension left no event');
});

t.test('determinism: two chains fed the same blocks, evidence and decisions agree byte for byte', async (t) => {
  const run = async () => {
    const c = await chainAt(3);
    const out: string[] = [];
    const note = (r: BlockResult) => out.push(digest(r, c));
    note(await c.block([], 5_000, [equivocation(V1, 3), equivocation(V2, 2, { type: VoteType.PRECOMMIT }), equivocation(key('x'), 3)]));
    const p = await pass(c, resolve(V1, 3, evid.Decision.REWEIGHT, 9));
    note(p.result);
    note(await c.block([], 5_000, [equivocation(K.vals[3]!, 5, { round: 2 })]));
    return out;
  };
  const [a, b] = [await run(), await run()];
  t.same(a, b, 'same writes, receipts, updates, refusals, events and roots');
});

function digest(r: BlockResult, c: Chain): string {
  return [
    toHex(r.resultsRoot), toHex(c.state.root()), writes(r), r.validatorUpdates.map((u) => `${toHex(u.publicKey)}:${u.power}`).join(','),
    r.rejectedEvidence.map((x) => `${x.index}:${x.code}`).join(','), r.blockEvents.map((e) => `${e.module}.${e.name}=${toHex(e.data)}`).join(','),
  ].join('|');
}

function writes(r: BlockResult): string {
  return r.writes.map((w) => `${toHex(w.key)}=${w.value === null ? 'del' : toHex(w.value)}`).join(';');
}

function evidenceOrder(a: Vote, b: Vote): [Vote, Vote] {
  const e = makeDuplicateVoteEvidence(a, b);
  return [e.voteA, e.voteB];
}
