/**
 * Vote sets (tallies, quorum, duplicates, conflicts, certificate assembly), the double-sign
 * guard's rules, and WAL record encoding (round trips and corrupt records).
 */
import t from 'tap';
import {
  VoteSet, RoundVotes, keyOf, NIL, checkSign, guardedSign, laterGuard, SignStep, encodeWalRecord, decodeWalRecord, simKeys,
  simValidatorSet, buildSimBlock, simBlockHash, type EngineEvent, type WalRecord,
} from '../index.js';
import { signVote, toHex, verifyCommit, VoteType, sign, type Vote } from '../../core/index.js';
import { Rng } from '../../test/index.js';

const keys = simKeys(4);
const set = simValidatorSet([1, 2, 3, 4]); // total 10, quorum 7
const addrOf = (i: number): Uint8Array => set.validators.find((v) => toHex(v.publicKey) === toHex(keys[i]!.publicKey))!.address;
const vote = (i: number, round: number, bh: Uint8Array | null, type: number = VoteType.PRECOMMIT): Vote =>
  signVote('sim', { type: type as 1 | 2, height: 1, round, blockHash: bh, validator: addrOf(i) }, keys[i]!.secretKey);
const H = simBlockHash(buildSimBlock(1, 0, 0, true));
const H2 = simBlockHash(buildSimBlock(1, 0, 0, true, 1));

t.test('tallies by power, quorum at more than two thirds', (tt) => {
  const s = new VoteSet(1, 0, VoteType.PRECOMMIT, set);
  tt.equal(s.add(vote(3, 0, H)).kind, 'added'); // 4
  tt.equal(s.add(vote(2, 0, H)).kind, 'added'); // 7 = quorum
  tt.ok(s.hasQuorumFor(keyOf(H)));
  tt.notOk(s.hasQuorumFor(NIL));
  tt.same(s.quorumKeys(), [keyOf(H)]);
  const c = s.commitFor(H);
  tt.equal(verifyCommit('sim', c, set, { height: 1, blockHash: H }), 7);
  tt.throws(() => s.commitFor(H2), /no quorum/);
  tt.end();
});

t.test('duplicates are not counted twice; conflicts are reported and counted per block', (tt) => {
  const s = new VoteSet(1, 0, VoteType.PRECOMMIT, set);
  s.add(vote(3, 0, H));
  tt.equal(s.add(vote(3, 0, H)).kind, 'duplicate');
  tt.equal(s.totalPower, 4);
  const r = s.add(vote(3, 0, H2));
  tt.equal(r.kind, 'conflict');
  tt.equal(s.totalPower, 4, 'the validator counts once in the total');
  tt.equal(s.powerFor(keyOf(H2)), 4, 'and once for each block it signed');
  s.add(vote(3, 0, null));
  s.add(vote(3, 0, simBlockHash(buildSimBlock(1, 0, 0, true, 2))));
  tt.equal(s.add(vote(3, 0, simBlockHash(buildSimBlock(1, 0, 0, true, 3)))).kind, 'full', 'bounded');
  tt.throws(() => s.add(vote(3, 1, H)), /another/);
  tt.end();
});

t.test('round participation counts distinct validators', (tt) => {
  const rv = new RoundVotes(1, set);
  rv.add(vote(0, 4, null, VoteType.PREVOTE));
  rv.add(vote(0, 4, null, VoteType.PRECOMMIT));
  tt.equal(rv.participation(4), 1);
  rv.add(vote(1, 4, H, VoteType.PREVOTE));
  tt.equal(rv.participation(4), 3);
  tt.same(rv.knownRounds(), [4]);
  tt.end();
});

t.test('sign guard: never two different messages for one (height, round, step)', (tt) => {
  const sk = keys[0]!.secretKey;
  const a = guardedSign(null, 5, 1, SignStep.PREVOTE, new Uint8Array([1]), sk);
  if (!('signature' in a)) throw new Error('refused');
  tt.ok(a.fresh);
  const same = guardedSign(a.guard, 5, 1, SignStep.PREVOTE, new Uint8Array([1]), sk);
  tt.ok('signature' in same && !same.fresh && toHex(same.signature) === toHex(a.signature), 'identical bytes: the stored signature');
  tt.ok('refused' in guardedSign(a.guard, 5, 1, SignStep.PREVOTE, new Uint8Array([2]), sk), 'other bytes: refused');
  tt.ok('refused' in guardedSign(a.guard, 5, 0, SignStep.PRECOMMIT, new Uint8Array([2]), sk), 'earlier round: refused');
  tt.ok('refused' in guardedSign(a.guard, 4, 9, SignStep.PRECOMMIT, new Uint8Array([2]), sk), 'earlier height: refused');
  tt.ok('refused' in guardedSign(a.guard, 5, 1, SignStep.PROPOSE, new Uint8Array([2]), sk), 'earlier step: refused');
  tt.equal(checkSign(a.guard, 5, 1, SignStep.PRECOMMIT, new Uint8Array([2])).kind, 'sign', 'later step: signed');
  const b = guardedSign(a.guard, 6, 0, SignStep.PROPOSE, new Uint8Array([3]), sk);
  if (!('guard' in b)) throw new Error('refused');
  tt.equal(laterGuard(a.guard, b.guard), b.guard);
  tt.equal(laterGuard(b.guard, a.guard), b.guard);
  tt.end();
});

t.test('WAL records round-trip for every kind; corrupt records are refused', (tt) => {
  const block = buildSimBlock(1, 0, 0, true);
  const v = vote(1, 0, H);
  const proposal = { height: 1, round: 2, polRound: 1, blockHash: simBlockHash(block), proposer: addrOf(0), signature: sign(new Uint8Array([9]), keys[0]!.secretKey) };
  const commit = { height: 1, round: 0, blockHash: H, signatures: [{ validator: addrOf(1), signature: v.signature }] };
  const events: EngineEvent[] = [
    { type: 'start' }, { type: 'vote', vote: v }, { type: 'proposal', proposal, block },
    { type: 'timeout', height: 3, round: 4, step: 2 }, { type: 'block-built', height: 1, round: 0, block },
    { type: 'block-checked', height: 1, blockHash: H, valid: false },
    { type: 'committed', height: 1, validatorUpdates: [{ publicKey: keys[2]!.publicKey, power: 0 }] },
    { type: 'sync-commit', block, commit },
  ];
  const recs: WalRecord[] = [
    ...events.map((event) => ({ kind: 'event' as const, event })),
    { kind: 'signed', signed: { guard: { height: 1, round: 0, step: 3, signBytes: new Uint8Array([1, 2]), signature: v.signature }, vote: v, proposal: null, block: null } },
    { kind: 'signed', signed: { guard: { height: 1, round: 2, step: 1, signBytes: new Uint8Array([3]), signature: v.signature }, vote: null, proposal, block } },
    { kind: 'end-height', height: 7 },
  ];
  for (const r of recs) {
    const bytes = encodeWalRecord(r);
    tt.same(decodeWalRecord(bytes), r, `${r.kind} ${r.kind === 'event' ? r.event.type : ''}`);
    tt.equal(toHex(encodeWalRecord(decodeWalRecord(bytes))), toHex(bytes), 'canonical');
  }
  const rng = new Rng(4);
  let refused = 0;
  for (let i = 0; i < 300; i++) {
    const b = encodeWalRecord(rng.pick(recs));
    const c = b.slice(0, rng.int(b.length));
    const j = rng.int(Math.max(c.length, 1));
    if (rng.bool() && j < c.length) c[j] = c[j]! ^ (1 << rng.int(8));
    try {
      decodeWalRecord(c);
    } catch (e) {
      tt.equal((e as { code?: string }).code, 'CONSENSUS_WAL_CORRUPT');
      refused++;
    }
  }
  tt.ok(refused > 250, 'truncated or flipped records are refused');
  tt.end();
});
