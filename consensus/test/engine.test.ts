/**
 * The engine's rules one at a time, driven by hand: proposing, prevoting, locking and
 * unlocking, nil quorums, round skipping, growing timeouts, deciding with a certificate that
 * verifies, evidence, and the refusal of every kind of bad input with a typed error.
 */
import t from 'tap';
import { ConsensusError, RoundStep, SIM_TIMEOUTS, simBlockHash } from '../index.js';
import { toHex, verifyCommit, verifyDuplicateVoteEvidence, VoteType, ErrorCodes, type Vote } from '../../core/index.js';
import { CHAIN, Harness, ofType } from './harness.js';

const PV = VoteType.PREVOTE;
const PC = VoteType.PRECOMMIT;
const hashHex = (b: Uint8Array): string => toHex(simBlockHash(b));
const voteHex = (v: Vote): string => (v.blockHash === null ? 'nil' : toHex(v.blockHash));

t.test('the round-0 proposer asks the application for a block, signs and broadcasts it', (tt) => {
  const h = new Harness('proposer-of-0');
  const a = h.step({ type: 'start' });
  tt.same(ofType(a, 'schedule-timeout').map((x) => [x.round, x.step, x.durationMs]), [[0, RoundStep.PROPOSE, SIM_TIMEOUTS.proposeMs]]);
  tt.equal(ofType(a, 'build-block').length, 1);
  const block = h.block(0);
  const b = h.step({ type: 'block-built', height: 1, round: 0, block });
  const [bp] = ofType(b, 'broadcast-proposal');
  tt.ok(bp, 'proposal broadcast');
  tt.equal(toHex(bp!.proposal.blockHash), hashHex(block));
  tt.ok(b.findIndex((x) => x.type === 'persist-signed') < b.findIndex((x) => x.type === 'broadcast-proposal'), 'persisted before sent');
  const [pv] = ofType(b, 'broadcast-vote');
  tt.equal(pv!.vote.type, PV, 'and prevotes its own block');
  tt.equal(voteHex(pv!.vote), hashHex(block));
  tt.end();
});

t.test('prevote on a valid proposal, nil on an invalid one, nil on propose timeout', (tt) => {
  const h = new Harness();
  h.step({ type: 'start' });
  const a = h.propose(0, h.block(0));
  tt.same(ofType(a, 'broadcast-vote').map((x) => voteHex(x.vote)), [hashHex(h.block(0))]);
  const h2 = new Harness();
  h2.step({ type: 'start' });
  tt.same(ofType(h2.propose(0, h2.block(0, 0, false), null, false), 'broadcast-vote').map((x) => voteHex(x.vote)), ['nil'], 'invalid: nil');
  const h3 = new Harness();
  h3.step({ type: 'start' });
  const c = h3.step({ type: 'timeout', height: 1, round: 0, step: RoundStep.PROPOSE });
  tt.same(ofType(c, 'broadcast-vote').map((x) => [x.vote.type, voteHex(x.vote)]), [[PV, 'nil']]);
  tt.same(h3.step({ type: 'timeout', height: 1, round: 0, step: RoundStep.PROPOSE }), [], 'a stale timeout does nothing');
  tt.end();
});

t.test('while the application check is pending, no prevote is cast', (tt) => {
  const h = new Harness();
  h.step({ type: 'start' });
  const block = h.block(0);
  const a = h.step({ type: 'proposal', proposal: h.proposal(0, block), block });
  tt.equal(ofType(a, 'check-block').length, 1);
  tt.equal(ofType(a, 'broadcast-vote').length, 0);
  const b = h.step({ type: 'block-checked', height: 1, blockHash: simBlockHash(block), valid: true });
  tt.equal(ofType(b, 'broadcast-vote').length, 1);
  tt.end();
});

t.test('a polka locks and precommits; a later nil-POL proposal gets nil; a later polka unlocks (L28)', (tt) => {
  const h = new Harness();
  const others = h.others();
  const v = h.block(0);
  h.step({ type: 'start' });
  h.propose(0, v);
  const a = h.votes(PV, 0, v, others.slice(0, 2));
  tt.same(ofType(a, 'broadcast-vote').map((x) => [x.vote.type, voteHex(x.vote)]), [[PC, hashHex(v)]], 'precommit v');
  tt.equal(h.engine.lockedRound, 0);
  tt.equal(h.engine.validRound, 0);
  // Round 1: a different block, no POL. Locked on v: prevote nil.
  h.step({ type: 'timeout', height: 1, round: 0, step: RoundStep.PRECOMMIT });
  tt.equal(h.engine.round, 1);
  const w = h.block(1, 7);
  if (h.proposerOf(1) !== h.me) {
    tt.same(ofType(h.propose(1, w), 'broadcast-vote').map((x) => voteHex(x.vote)), ['nil'], 'locked: nil for another block');
  }
  // A polka for w in round 1 (without us), then round 2's proposer re-proposes w with polRound 1.
  h.votes(PV, 1, w, others);
  h.step({ type: 'timeout', height: 1, round: 1, step: RoundStep.PRECOMMIT });
  h.step({ type: 'timeout', height: 1, round: 1, step: RoundStep.PREVOTE });
  const r2 = h.engine.round;
  tt.ok(r2 >= 1);
  if (h.engine.round === 1) h.step({ type: 'timeout', height: 1, round: 1, step: RoundStep.PRECOMMIT });
  tt.equal(h.engine.round, 2);
  if (h.proposerOf(2) !== h.me) {
    const b = h.step({ type: 'proposal', proposal: h.proposal(2, w, 1), block: w });
    tt.same(ofType(b, 'broadcast-vote').map((x) => voteHex(x.vote)), [hashHex(w)], 'POL round 1 >= locked round 0: prevote w');
  } else {
    const b = h.step({ type: 'timeout', height: 1, round: 2, step: RoundStep.PROPOSE });
    tt.ok(b.length >= 0);
  }
  tt.end();
});

t.test('a nil polka precommits nil; +2/3 precommits of any kind schedule the precommit timeout', (tt) => {
  const h = new Harness();
  h.step({ type: 'start' });
  h.step({ type: 'timeout', height: 1, round: 0, step: RoundStep.PROPOSE });
  const a = h.votes(PV, 0, null, h.others().slice(0, 2));
  tt.same(ofType(a, 'broadcast-vote').map((x) => [x.vote.type, voteHex(x.vote)]), [[PC, 'nil']]);
  tt.same(ofType(a, 'schedule-timeout').map((x) => x.step), [RoundStep.PREVOTE], 'prevote timeout after +2/3 prevotes');
  const b = h.votes(PC, 0, null, h.others().slice(0, 2));
  tt.same(ofType(b, 'schedule-timeout').map((x) => [x.step, x.durationMs]), [[RoundStep.PRECOMMIT, SIM_TIMEOUTS.precommitMs]]);
  const c = h.step({ type: 'timeout', height: 1, round: 0, step: RoundStep.PRECOMMIT });
  tt.same(ofType(c, 'schedule-timeout').map((x) => [x.round, x.durationMs]), [[1, SIM_TIMEOUTS.proposeMs + SIM_TIMEOUTS.proposeDeltaMs]], 'timeouts grow');
  tt.end();
});

t.test('+2/3 precommits for a known valid block decide it with a certificate that verifies', (tt) => {
  const h = new Harness();
  const v = h.block(0);
  h.step({ type: 'start' });
  h.propose(0, v);
  const a = h.votes(PC, 0, v, h.others());
  const [c] = ofType(a, 'commit-block');
  tt.ok(c, 'decided');
  tt.equal(toHex(c!.blockHash), hashHex(v));
  tt.ok(verifyCommit(CHAIN, c!.commit, h.set, { height: 1 }) >= h.set.quorumPower);
  tt.same(h.votes(PC, 0, v, h.others()), [], 'nothing more after deciding');
  const after = h.step({ type: 'committed', height: 1, validatorUpdates: [] });
  tt.equal(h.engine.height, 2);
  tt.ok(ofType(after, 'schedule-timeout').length === 1, 'height 2 starts');
  tt.end();
});

t.test('precommits for a block decided in an earlier round still decide (L49, any round)', (tt) => {
  const h = new Harness();
  const v = h.block(0);
  h.step({ type: 'start' });
  h.propose(0, v);
  h.step({ type: 'timeout', height: 1, round: 0, step: RoundStep.PRECOMMIT });
  tt.equal(h.engine.round, 1);
  tt.equal(ofType(h.votes(PC, 0, v, h.others()), 'commit-block').length, 1);
  tt.end();
});

t.test('+1/3 of the power in a later round makes the engine skip to it', (tt) => {
  const h = new Harness();
  h.step({ type: 'start' });
  h.votes(PV, 5, null, h.others().slice(0, 1));
  tt.equal(h.engine.round, 0, 'one of four is not more than a third');
  h.votes(PV, 5, null, h.others().slice(1, 2));
  tt.equal(h.engine.round, 5, 'two of four is');
  tt.end();
});

t.test('conflicting votes from one validator produce verifiable evidence; both count for their own block', (tt) => {
  const h = new Harness();
  h.step({ type: 'start' });
  const [x, y] = h.others();
  const a = h.votes(PV, 0, h.block(0), [x!]);
  tt.equal(ofType(a, 'evidence').length, 0);
  const b = h.votes(PV, 0, h.block(0, 3), [x!]);
  const [ev] = ofType(b, 'evidence');
  tt.ok(ev, 'evidence emitted');
  tt.doesNotThrow(() => verifyDuplicateVoteEvidence(CHAIN, ev!.evidence, h.set), 'evidence verifies');
  tt.same(h.votes(PV, 0, h.block(0, 3), [x!]), [], 'the same conflicting vote again: nothing');
  h.votes(PV, 0, h.block(0, 3), [y!]);
  tt.equal(h.engine.round, 0);
  tt.end();
});

t.test('an equivocator vote counts for each block it signed (so honest nodes see the same polkas)', (tt) => {
  const h = new Harness();
  h.step({ type: 'start' });
  const v = h.block(0);
  h.propose(0, v);
  const [x, y] = h.others();
  h.votes(PV, 0, null, [x!]);
  const a = h.votes(PV, 0, v, [x!, y!]);
  tt.equal(ofType(a, 'evidence').length, 1);
  tt.same(ofType(a, 'broadcast-vote').map((b) => [b.vote.type, voteHex(b.vote)]), [[PC, hashHex(v)]], 'polka for v with x counted');
  tt.end();
});

t.test('bad inputs are refused with typed errors and leave the engine unchanged', (tt) => {
  const h = new Harness();
  h.step({ type: 'start' });
  const other = h.others()[0]!;
  const block = h.block(0);
  const expectErr = (ev: Parameters<typeof h.engine.step>[0], code: string, peer: 'reject' | 'ignore', what: string): void => {
    const before = [h.engine.height, h.engine.round, h.engine.stepName].join('/');
    const r = h.engine.step(ev);
    tt.ok(r.error, `${what}: refused`);
    tt.equal(r.error?.code, code, `${what}: ${code}`);
    tt.equal(r.error?.peerAction, peer, `${what}: ${peer}`);
    tt.same(r.actions, [], `${what}: no actions`);
    tt.equal([h.engine.height, h.engine.round, h.engine.stepName].join('/'), before, `${what}: state unchanged`);
  };
  const good = h.vote(other, PV, 0, block);
  expectErr({ type: 'vote', vote: h.vote(other, PV, 0, block, 2) }, 'CONSENSUS_WRONG_HEIGHT', 'ignore', 'wrong height');
  expectErr({ type: 'vote', vote: { ...good, signature: new Uint8Array(64).fill(1) } }, ErrorCodes.VOTE_INVALID, 'reject', 'bad signature');
  expectErr({ type: 'vote', vote: { ...good, round: 3 } }, ErrorCodes.VOTE_INVALID, 'reject', 'signature for another round');
  expectErr({ type: 'vote', vote: { ...good, validator: new Uint8Array(20).fill(7) } }, 'CONSENSUS_UNKNOWN_VALIDATOR', 'reject', 'unknown validator');
  expectErr({ type: 'vote', vote: { ...good, type: 9 } as unknown as Vote }, 'CONSENSUS_MALFORMED', 'reject', 'unknown vote type');
  expectErr({ type: 'vote', vote: { ...good, validator: new Uint8Array(3) } }, ErrorCodes.CODEC_BAD_LENGTH, 'reject', 'malformed address');
  expectErr({ type: 'vote', vote: null as unknown as Vote }, ErrorCodes.CODEC_WRONG_TYPE, 'reject', 'null vote');
  expectErr({ type: 'vote', vote: { ...good, round: 5000 } }, 'CONSENSUS_ROUND_TOO_FAR', 'ignore', 'round too far');
  const notProposer = h.others().find((i) => i !== h.proposerOf(0))!;
  expectErr({ type: 'proposal', proposal: h.proposal(0, block, null, notProposer), block }, 'CONSENSUS_WRONG_PROPOSER', 'reject', 'wrong proposer');
  expectErr({ type: 'proposal', proposal: h.proposal(0, block), block: h.block(0, 1) }, 'CONSENSUS_BLOCK_MISMATCH', 'reject', 'block mismatch');
  expectErr({ type: 'proposal', proposal: h.proposal(0, block), block: new Uint8Array([1, 2]) }, 'CONSENSUS_BLOCK_MISMATCH', 'reject', 'block not decodable');
  expectErr({ type: 'proposal', proposal: { ...h.proposal(0, block), signature: new Uint8Array(64) }, block }, ErrorCodes.VOTE_INVALID, 'reject', 'bad proposal signature');
  expectErr({ type: 'nonsense' } as unknown as Parameters<typeof h.engine.step>[0], 'CONSENSUS_MALFORMED', 'reject', 'unknown event');
  expectErr({ type: 'committed', height: 1, validatorUpdates: [] }, 'CONSENSUS_BAD_APP_RESPONSE', 'ignore', 'committed before deciding');
  const fake = { height: 1, round: 0, blockHash: simBlockHash(block), signatures: [] };
  expectErr({ type: 'sync-commit', block, commit: fake }, ErrorCodes.COMMIT_INVALID, 'reject', 'commit without power');
  tt.ok(h.engine.step({ type: 'proposal', proposal: h.proposal(0, block), block }).error === null, 'the good proposal is accepted');
  expectErr({ type: 'proposal', proposal: h.proposal(0, h.block(0, 4)), block: h.block(0, 4) }, 'CONSENSUS_CONFLICTING_PROPOSAL', 'reject', 'second proposal');
  tt.ok(new ConsensusError('CONSENSUS_MALFORMED', 'x') instanceof Error);
  tt.end();
});

t.test('an observer (no key) follows the rules without signing', (tt) => {
  const h = new Harness();
  h.engine = new (h.engine.constructor as typeof import('../index.js').ConsensusEngine)({
    chainId: CHAIN, height: 1, epoch: h.epochs[0], nextEpoch: h.epochs[1], blockHash: simBlockHash, timeouts: SIM_TIMEOUTS,
  });
  h.step({ type: 'start' });
  const v = h.block(0);
  h.propose(0, v);
  const a = h.votes(PC, 0, v, [0, 1, 2]);
  tt.equal(ofType(a, 'broadcast-vote').length, 0);
  tt.equal(ofType(a, 'commit-block').length, 1);
  tt.end();
});

t.test('same inputs, same output bytes', (tt) => {
  const run = (): string => {
    const h = new Harness('proposer-of-0');
    const out = [...h.step({ type: 'start' }), ...h.step({ type: 'block-built', height: 1, round: 0, block: h.block(0) })];
    return JSON.stringify(out, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v));
  };
  tt.equal(run(), run());
  tt.end();
});
