/**
 * precheckProposal: a proposal whose block is not at hand yet (a compact proposal being
 * completed) is checked for its height, round window, proposer and signature; a valid one is
 * not verified again when it arrives with its block.
 */
import t from 'tap';
import { ConsensusErrorCodes as C } from '../index.js';
import { Harness, ofType } from './harness.js';

t.test('precheckProposal refuses what onProposal would, and verifies a signature once', (tt) => {
  const h = new Harness();
  h.step({ type: 'start' });
  const block = h.block(0);
  const good = h.proposal(0, block);
  const code = (f: () => void): string | null => {
    try {
      f();
      return null;
    } catch (e) {
      return (e as { code: string }).code;
    }
  };
  tt.equal(code(() => h.engine.precheckProposal({ ...good, signature: Uint8Array.from(good.signature, (x, i) => (i === 0 ? x ^ 1 : x)) })), 'VOTE_INVALID', 'one bit of the signature changed: refused');
  tt.equal(code(() => h.engine.precheckProposal(h.proposal(0, block, null, h.proposerOf(1)))), C.WRONG_PROPOSER, 'signed by another validator than round 0\'s proposer: refused');
  tt.equal(code(() => h.engine.precheckProposal({ ...good, height: 2 })), C.WRONG_HEIGHT, 'another height: refused');
  const before = h.engine.verifications;
  tt.equal(code(() => h.engine.precheckProposal(good)), null, 'the proposer\'s own: accepted');
  tt.equal(h.engine.verifications, before + 1, 'verified once by the precheck');
  const a = h.step({ type: 'proposal', proposal: good, block });
  tt.equal(ofType(a, 'check-block').length, 1, 'the block then goes to the application');
  tt.equal(h.engine.verifications, before + 1, 'and its signature is not verified again');
  tt.end();
});
