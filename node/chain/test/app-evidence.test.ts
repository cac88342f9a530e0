/**
 * Double-sign evidence in the ledger app: a proposer's block carries only the pending
 * evidence the vm records (invalid pieces are left out, changing nothing else); a proposed
 * block carrying evidence the vm refuses (forged, of a non-validator, recorded already) is
 * refused as APP_BAD_BLOCK; a block with valid evidence is accepted by another node, and
 * committing it records the equivocation in state and hands consensus the suspension.
 */
import t from 'tap';
import {
  addressFromPublicKey, Block, commitFromVotes, decode, evidenceRootOf, generateKeyPair, makeDuplicateVoteEvidence, sha256, signVote, utf8, ValidatorSet, VoteType,
  type Commit, type DuplicateVoteEvidence, type KeyPair,
} from '../../../core/index.js';
import { evid, Keys, Role, type GenesisDoc } from '../../../vm/index.js';
import { silentLogger } from '../../ops/log.js';
import { testApp } from './test-app.js';

const CHAIN = 'evidence-test';
const vals = [0, 1, 2, 3].map(() => generateKeyPair());
const council = generateKeyPair();
const addr = (k: KeyPair) => addressFromPublicKey(k.publicKey);
const genesis: GenesisDoc = {
  chainId: CHAIN, addressPrefix: 'sovt', genesisTime: 1_000, params: [],
  validators: vals.map((v) => ({ publicKey: v.publicKey, power: 10, nodeKey: v.publicKey })),
  institutions: [{ name: 'Council', keys: [council.publicKey], threshold: 1, roles: Role.CENTRAL_BANK }],
  council: { members: [addr(council)], threshold: 1 },
  currencies: [], accounts: [], balances: [], reserves: [], bankLimits: [],
};
const set = ValidatorSet.fromKeys(vals.map((v) => ({ publicKey: v.publicKey, power: 10 })));
const epochs = { validators: set, next: set, previous: set };

/** A real certificate of `b`: every validator's precommit. */
function commitOf(b: Block): Commit {
  return commitFromVotes(b.height, 0, b.hash, vals.map((v) => signVote(CHAIN, { type: VoteType.PRECOMMIT, height: b.height, round: 0, blockHash: b.hash, validator: addr(v) }, v.secretKey)));
}

function equivocation(k: KeyPair, height: number, chainId = CHAIN): DuplicateVoteEvidence {
  const vote = (s: string) => signVote(chainId, { type: VoteType.PREVOTE, height, round: 0, blockHash: sha256(utf8(s)), validator: addr(k) }, k.secretKey);
  return makeDuplicateVoteEvidence(vote('a'), vote('b'));
}

/** The same block with other evidence (its header's evidenceHash to match). */
function withEvidence(b: Block, evidence: DuplicateVoteEvidence[]): Uint8Array {
  return Block.fromData({ header: { ...b.header, evidenceHash: evidenceRootOf(evidence) }, txs: [...b.data.txs], lastCommit: b.data.lastCommit, evidence }).bytes;
}

async function node(tt: { teardown(f: () => unknown): void }, warned: { msg: string; o: Record<string, unknown> }[] = []) {
  const log = { ...silentLogger(), warn: (o: Record<string, unknown>, msg: string) => void warned.push({ o, msg }), child: () => log };
  let now = 2_000;
  return (await testApp(tt, { genesis, log: log as never, now: () => (now += 1_000) })).app;
}

t.test('the proposer carries only what the vm records; a block with invalid evidence is refused; a valid one commits to state', async (tt) => {
  const warned: { msg: string; o: Record<string, unknown> }[] = [];
  const a = await node(tt, warned);
  const b = await node(tt);
  // Block 1, no evidence, committed on both nodes.
  const b1 = await a.buildBlock(1, addr(vals[0]!), null, epochs, []);
  const c1 = commitOf(Block.decode(b1));
  await a.commitBlock(b1, c1, epochs);
  await b.commitBlock(b1, c1, epochs);

  // Block 2: the proposer is offered garbage, a forged piece and a valid one; it carries the valid one only.
  const good = equivocation(vals[1]!, 1);
  const stranger = equivocation(generateKeyPair(), 1);
  const foreign = equivocation(vals[2]!, 1, 'another-chain');
  const bytes = await a.buildBlock(2, addr(vals[0]!), c1, epochs, [stranger, foreign, good, good]);
  const built = Block.decode(bytes);
  tt.same(built.data.evidence, [good], 'only the valid evidence, once');

  // Another node refuses the same block carrying refused evidence beside the valid one, each kind.
  for (const [what, ev, code] of [['a non-validator', stranger, 'EVIDENCE_NOT_VALIDATOR'], ['signed for another chain', foreign, 'EVIDENCE_BAD_SIGNATURE'], ['repeated', good, 'EVIDENCE_DUPLICATE']] as const) {
    warned.length = 0;
    const bad = withEvidence(built, [good, ev]);
    tt.notOk(await a.checkBlock(bad, epochs), `${what}: refused`);
    tt.equal(warned[0]?.msg, 'refused a proposed block', `${what}: with a warning`);
    tt.equal(warned[0]?.o.code, 'APP_BAD_BLOCK', `${what}: APP_BAD_BLOCK`);
    tt.match(String(warned[0]?.o.msg), new RegExp(`evidence 1 is refused: ${code}`), `${what}: naming the vm's code`);
  }
  tt.notOk(await b.checkBlock(withEvidence(built, [foreign]), epochs), 'on any node');

  // The valid block is accepted by the other node and commits the record on both.
  tt.ok(await b.checkBlock(bytes, epochs), 'the valid proposal is accepted');
  const c2 = commitOf(built);
  const done = await b.commitBlock(bytes, c2, epochs);
  await a.commitBlock(bytes, c2, epochs);
  tt.same(done.updates, [{ publicKey: vals[1]!.publicKey, power: 0 }], 'the suspension goes to consensus');
  for (const app of [a, b]) {
    const raw = await app.reader().get(Keys.equivocation(addr(vals[1]!), 1, 0, VoteType.PREVOTE));
    tt.ok(raw, 'recorded in state');
    const rec = decode(evid.EquivocationSchema, raw!);
    tt.equal(rec.recordedHeight, 2);
    tt.equal(rec.suspendedFrom, 4);
  }

  // Block 3: the same evidence again is left out by the proposer, and refused by a peer in a proposal.
  const b3 = Block.decode(await a.buildBlock(3, addr(vals[0]!), c2, epochs, [good]));
  tt.same(b3.data.evidence, [], 'recorded already: left out');
  tt.notOk(await b.checkBlock(withEvidence(b3, [good]), epochs), 'and refused when a proposal carries it');
});
