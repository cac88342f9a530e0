/**
 * Equivocation on a real node (in this process): the validator's two conflicting prevotes,
 * handed to its consensus driver as evidence (as a peer's gossip would be), go into its next
 * block and are recorded in state; evid_equivocations answers with proofs that verify offline
 * against the validator set, a tampered or incomplete answer does not; sov_getRecord serves
 * the record by kind; the council's resolve_equivocation, cited by the record, shows in the
 * next answer. (A one-validator set cannot lose its validator: recorded, not suspended.)
 */
import t from 'tap';
import { addressFromPublicKey, decodeAddress, encodeAddress, fromHex, makeDuplicateVoteEvidence, sha256, signVote, utf8, ValidatorSet, VoteType } from '../../core/index.js';
import { ActionKind, BundleError, makeAction, verifyEquivocations, type EquivocationsView, type EquivocationsVerifyContext } from '../../rpc/index.js';
import { waitFor } from '../../test/index.js';
import { inProcessChain } from './in-process-chain.js';

const chain = inProcessChain(t);
const { manifest: m, client, send } = chain;

const refused = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch (e) {
    return e instanceof BundleError;
  }
};

t.test('an equivocation goes into a block, is recorded, proven over RPC, and decided by the council', async (tt) => {
  const node = chain.node();
  const key = node.parts.validatorKey!;
  const validator = encodeAddress(m.address_prefix, addressFromPublicKey(key.publicKey));
  const v = await client.getValidators();
  const ctx: EquivocationsVerifyContext = {
    chainId: m.chain_id, addressPrefix: m.address_prefix,
    validators: new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, m.address_prefix), publicKey: fromHex(x.publicKey, 32), power: x.power }))),
  };
  const empty = (await client.call('evid_equivocations', {})) as EquivocationsView;
  tt.same([empty.items, empty.truncated], [[], false], 'none yet');
  tt.same(verifyEquivocations(empty, {}, ctx).records, [], 'proven none');

  // The height being decided (its set is the driver's current one); nothing below awaits until the evidence is held.
  const height = node.driver.height;
  const vote = (s: string) => signVote(m.chain_id, { type: VoteType.PREVOTE, height, round: 0, blockHash: sha256(utf8(s)), validator: addressFromPublicKey(key.publicKey) }, key.secretKey);
  const ev = makeDuplicateVoteEvidence(vote('one'), vote('two'));
  tt.ok(node.driver.addEvidence(ev), 'the driver holds it');
  tt.notOk(node.driver.addEvidence(ev), 'once');
  tt.notOk(node.driver.addEvidence(makeDuplicateVoteEvidence(vote('one'), { ...vote('three'), signature: new Uint8Array(64) })), 'a forged piece is not held');

  let got: EquivocationsView = empty;
  await waitFor(async () => (got = (await client.call('evid_equivocations', {})) as EquivocationsView).items.length > 0, 'the evidence in a block', 30_000);
  const [e] = got.items;
  tt.match(e, { validator, height, round: 0, voteType: 'prevote', suspendedFrom: null, decision: 'pending', decidedPower: null }, 'recorded, not suspended (the only validator)');
  tt.equal(e!.voteA.blockHash, `0x${Buffer.from(ev.voteA.blockHash!).toString('hex')}`, 'with both votes');
  tt.equal(verifyEquivocations(got, {}, ctx).records.length, 1, 'the answer verifies offline');
  await waitFor(() => node.driver.pendingEvidence().length === 0, 'the driver dropping it once a block carried it', 10_000);

  tt.ok(refused(() => verifyEquivocations({ ...got, items: [{ ...e!, decision: 'remove' }] }, {}, ctx)), 'a decision the proof does not say');
  tt.ok(refused(() => verifyEquivocations({ ...got, items: [] }, {}, ctx)), 'an equivocation left out');
  tt.ok(refused(() => verifyEquivocations(got, { validator: encodeAddress(m.address_prefix, new Uint8Array(20)) }, ctx)), 'the answer of another query');
  const mine = (await client.call('evid_equivocations', { validator, from: height, to: height })) as EquivocationsView;
  tt.equal(verifyEquivocations(mine, { validator, from: height, to: height }, ctx).records.length, 1, 'by validator and height');
  const none = (await client.call('evid_equivocations', { from: height + 1 })) as EquivocationsView;
  tt.same(verifyEquivocations(none, { from: height + 1 }, ctx).records, [], 'none later: proven');

  const rec = await client.getRecord({ kind: 'equivocation', validator, voteHeight: height, voteRound: 0, voteType: VoteType.PREVOTE });
  tt.match(rec.value, { height, recordedHeight: got.items[0]!.recordedHeight }, 'sov_getRecord serves the record');

  // The council (the central bank, threshold 1) decides: reinstate (it was never out).
  const cb = chain.accounts['Central Bank']!;
  const action = makeAction(ActionKind.RESOLVE_EQUIVOCATION, { validator: addressFromPublicKey(key.publicKey), height, round: 0, voteType: VoteType.PREVOTE, decision: 3, power: 0, legalRef: 'Council minute 12' });
  const sent = await send(cb, 'gov', 'propose', { action, reason: 'a one-off fault, fixed' });
  tt.equal(sent.status, 'committed', sent.message ?? '');
  const after = (await client.call('evid_equivocations', { validator })) as EquivocationsView;
  tt.match(after.items[0], { decision: 'reinstate', decidedPower: v.validators[0]!.power, legalRef: 'Council minute 12' }, 'the decision is recorded');
  tt.equal(verifyEquivocations(after, { validator }, ctx).records[0]!.decision, 3);
  const missing = makeAction(ActionKind.RESOLVE_EQUIVOCATION, { validator: addressFromPublicKey(key.publicKey), height: height + 1000, round: 0, voteType: 1, decision: 1, power: 0, legalRef: 'x' });
  await send(cb, 'gov', 'propose', { action: missing, reason: 'no such evidence' });
  const proposals = await client.getRecord({ kind: 'proposal_seq' });
  const id = (proposals.value as { next: number }).next - 1;
  const p = (await client.getRecord({ kind: 'proposal', id })).value as { status: number; resultCode: number };
  tt.same([p.status, p.resultCode], [2, 1510], 'citing no recorded evidence: failed, EQUIVOCATION_NOT_FOUND');
});
