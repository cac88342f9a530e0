/**
 * Chain objects: transactions, votes, proposals, commit certificates, evidence, validator
 * sets and blocks; encode / decode / hash / sign / verify, and each rule's failure.
 */
import t from 'tap';
import {
  addressFromPublicKey, Block, decodeCommit, decodeEvidence, decodeProposal, decodeVote, encode, ErrorCodes, Tx, TxSchema, ValidatorSet,
  validateBlockBody, verifyCommit, verifyDuplicateVoteEvidence, verifyProposal, verifyTxSignatures, verifyVote, VoteType, CommitSchema, VoteSchema,
  ProposalSchema, DuplicateVoteEvidenceSchema, signTx, toHex, commitFromVotes, equalBytes, type Commit,
} from '../index.js';
import { ALICE, CHAIN_ID, KEYS, VALSET, keyFromSeed, sampleBlocks, sampleProposal, sampleTx, sampleVote } from './fixtures.js';

t.test('tx: sign, encode, decode, hash, verify', (tt) => {
  const tx = sampleTx();
  const again = Tx.decode(tx.bytes);
  tt.equal(toHex(again.hash), toHex(tx.hash), 'hash survives a round trip');
  tt.ok(Object.isFrozen(tx), 'frozen');
  verifyTxSignatures(again, CHAIN_ID);
  tt.throws(() => verifyTxSignatures(again, 'other-chain'), { code: ErrorCodes.TX_WRONG_CHAIN });
  const tampered = Tx.fromData({ ...tx.data, nonce: tx.nonce + 1 });
  tt.throws(() => verifyTxSignatures(tampered, CHAIN_ID), { code: ErrorCodes.TX_BAD_SIGNATURE });
  const otherChain = Tx.fromData({ ...tx.data, chainId: 'other-chain' });
  tt.throws(() => verifyTxSignatures(otherChain, 'other-chain'), { code: ErrorCodes.TX_BAD_SIGNATURE }, 'signature is bound to the chain id');
  const unsigned = Tx.fromData({ ...tx.data, signatures: [] });
  tt.throws(() => verifyTxSignatures(unsigned, CHAIN_ID), { code: ErrorCodes.TX_BAD_SIGNATURE });
  const dup = Tx.fromData({ ...tx.data, signatures: [tx.signatures[0]!, tx.signatures[0]!] });
  tt.throws(() => verifyTxSignatures(dup, CHAIN_ID), { code: ErrorCodes.TX_BAD_SIGNATURE }, 'repeated key');
  const multi = signTx({ ...tx.data }, [ALICE.secretKey, KEYS[1]!.secretKey]);
  verifyTxSignatures(multi, CHAIN_ID);
  tt.equal(multi.signatures.length, 2, 'multi-signature');
  tt.throws(() => Tx.fromData({ ...tx.data, chainId: 'Bad Chain' }), { code: ErrorCodes.CODEC_OUT_OF_RANGE });
  tt.throws(() => Tx.fromData({ ...tx.data, body: { ...tx.body, module: 'Bank!' } }), { code: ErrorCodes.CODEC_OUT_OF_RANGE });
  tt.throws(() => Tx.decode(encode(TxSchema, tx.data).subarray(0, 50)), { code: ErrorCodes.CODEC_TRUNCATED });
  tt.end();
});

t.test('votes and proposals: sign, verify, decode; foreign or tampered ones refused', (tt) => {
  const v = sampleVote(2, VoteType.PREVOTE, 5, 1, new Uint8Array(32).fill(9));
  verifyVote(CHAIN_ID, decodeVote(encode(VoteSchema, v)), VALSET);
  tt.throws(() => verifyVote('other-chain', v, VALSET), { code: ErrorCodes.VOTE_INVALID }, 'chain id bound');
  tt.throws(() => verifyVote(CHAIN_ID, { ...v, round: 2 }, VALSET), { code: ErrorCodes.VOTE_INVALID }, 'round bound');
  tt.throws(() => verifyVote(CHAIN_ID, { ...v, type: VoteType.PRECOMMIT }, VALSET), { code: ErrorCodes.VOTE_INVALID }, 'type bound');
  tt.throws(() => verifyVote(CHAIN_ID, { ...v, type: 3 }, VALSET), { code: ErrorCodes.VOTE_INVALID }, 'unknown type');
  const outsider = keyFromSeed('outsider');
  tt.throws(() => verifyVote(CHAIN_ID, { ...v, validator: addressFromPublicKey(outsider.publicKey) }, VALSET), { code: ErrorCodes.VOTE_INVALID });
  const nilVote = sampleVote(0, VoteType.PRECOMMIT, 5, 0, null);
  verifyVote(CHAIN_ID, decodeVote(encode(VoteSchema, nilVote)), VALSET);
  const p = sampleProposal(new Uint8Array(32).fill(3));
  verifyProposal(CHAIN_ID, decodeProposal(encode(ProposalSchema, p)), VALSET);
  tt.throws(() => verifyProposal(CHAIN_ID, { ...p, polRound: 1 }, VALSET), { code: ErrorCodes.VOTE_INVALID }, 'polRound must be below round');
  tt.throws(() => verifyProposal(CHAIN_ID, { ...p, blockHash: new Uint8Array(32) }, VALSET), { code: ErrorCodes.VOTE_INVALID });
  tt.end();
});

t.test('commit certificates: quorum, order, membership, signatures', (tt) => {
  const bh = new Uint8Array(32).fill(1);
  const votes = [0, 1, 2, 3].map((i) => sampleVote(i, VoteType.PRECOMMIT, 9, 2, bh));
  const full = commitFromVotes(9, 2, bh, votes);
  tt.equal(full.signatures.length, 4);
  tt.equal(verifyCommit(CHAIN_ID, decodeCommit(encode(CommitSchema, full)), VALSET, { height: 9, blockHash: bh }), VALSET.totalPower);
  // Powers 10, 11, 12, 13 (total 46, quorum 31): any three suffice, no two do.
  const byPower = (idx: number[]): Commit => commitFromVotes(9, 2, bh, idx.map((i) => votes[i]!));
  tt.ok(verifyCommit(CHAIN_ID, byPower([0, 1, 2]), VALSET) >= VALSET.quorumPower);
  tt.throws(() => verifyCommit(CHAIN_ID, byPower([2, 3]), VALSET), { code: ErrorCodes.COMMIT_INVALID }, 'below quorum');
  tt.throws(() => verifyCommit(CHAIN_ID, full, VALSET, { height: 10 }), { code: ErrorCodes.COMMIT_INVALID }, 'wrong height');
  tt.throws(() => verifyCommit(CHAIN_ID, full, VALSET, { blockHash: new Uint8Array(32) }), { code: ErrorCodes.COMMIT_INVALID }, 'wrong block');
  const dup: Commit = { ...full, signatures: [full.signatures[0]!, ...full.signatures] };
  tt.throws(() => verifyCommit(CHAIN_ID, dup, VALSET), { code: ErrorCodes.COMMIT_INVALID }, 'duplicate signer');
  const reversed: Commit = { ...full, signatures: [...full.signatures].reverse() };
  tt.throws(() => verifyCommit(CHAIN_ID, reversed, VALSET), { code: ErrorCodes.COMMIT_INVALID }, 'unsorted');
  const forged: Commit = { ...full, round: 3 };
  tt.throws(() => verifyCommit(CHAIN_ID, forged, VALSET), { code: ErrorCodes.COMMIT_INVALID }, 'signatures bound to the round');
  const prevotes = [0, 1, 2, 3].map((i) => sampleVote(i, VoteType.PREVOTE, 9, 2, bh));
  tt.equal(commitFromVotes(9, 2, bh, prevotes).signatures.length, 0, 'prevotes make no commit');
  const smaller = new ValidatorSet(VALSET.validators.slice(0, 3));
  tt.throws(() => verifyCommit(CHAIN_ID, full, smaller), { code: ErrorCodes.COMMIT_INVALID }, 'signer outside the set');
  tt.end();
});

t.test('evidence of double signing', (tt) => {
  const { second } = sampleBlocks();
  const ev = second.data.evidence[0]!;
  verifyDuplicateVoteEvidence(CHAIN_ID, decodeEvidence(encode(DuplicateVoteEvidenceSchema, ev)), VALSET);
  tt.throws(() => verifyDuplicateVoteEvidence(CHAIN_ID, { voteA: ev.voteB, voteB: ev.voteA }, VALSET), { code: ErrorCodes.VOTE_INVALID }, 'order');
  tt.throws(() => verifyDuplicateVoteEvidence(CHAIN_ID, { voteA: ev.voteA, voteB: ev.voteA }, VALSET), { code: ErrorCodes.VOTE_INVALID }, 'same vote');
  const other = sampleVote(2, VoteType.PREVOTE, 1, 0, new Uint8Array(32).fill(0xff));
  tt.throws(() => verifyDuplicateVoteEvidence(CHAIN_ID, { voteA: ev.voteA, voteB: other }, VALSET), { code: ErrorCodes.VOTE_INVALID }, 'two validators');
  tt.end();
});

t.test('validator sets: sorted, hashed, and invalid sets refused', (tt) => {
  const shuffled = new ValidatorSet([...VALSET.validators].reverse());
  tt.equal(toHex(shuffled.hash), toHex(VALSET.hash), 'hash independent of input order');
  tt.equal(VALSET.totalPower, 46);
  tt.equal(VALSET.quorumPower, 31);
  tt.equal(VALSET.oneThirdPlusPower, 16);
  const v0 = VALSET.validators[0]!;
  tt.throws(() => new ValidatorSet([]), { code: ErrorCodes.VALIDATOR_SET_INVALID });
  tt.throws(() => new ValidatorSet([v0, v0]), { code: ErrorCodes.VALIDATOR_SET_INVALID }, 'duplicate');
  tt.throws(() => new ValidatorSet([{ ...v0, power: 0 }]), { code: ErrorCodes.VALIDATOR_SET_INVALID }, 'zero power');
  tt.throws(() => new ValidatorSet([{ ...v0, power: 2 ** 51 }]), { code: ErrorCodes.VALIDATOR_SET_INVALID }, 'power overflow');
  tt.throws(() => new ValidatorSet([{ ...v0, address: new Uint8Array(20) }]), { code: ErrorCodes.VALIDATOR_SET_INVALID }, 'address/key mismatch');
  tt.throws(() => new ValidatorSet([{ ...v0, publicKey: new Uint8Array(32) }]), { code: ErrorCodes.VALIDATOR_SET_INVALID }, 'small-order key');
  tt.end();
});

t.test('blocks: round trip, body checks, and each mismatch refused', (tt) => {
  const { first, second } = sampleBlocks();
  for (const b of [first, second]) {
    const again = Block.decode(b.bytes);
    tt.ok(equalBytes(again.hash, b.hash), `height ${b.height} hash`);
    validateBlockBody(again, again.data.txs.map((x) => Tx.decode(x).hash));
    // txHashes: each transaction's own hash, in order, computed once per Block.
    const hs = again.txHashes();
    tt.same(hs.map(toHex), again.data.txs.map((x) => toHex(Tx.decode(x).hash)), `height ${b.height} tx hashes`);
    tt.equal(again.txHashes(), hs, 'the same list the second time');
    tt.ok(Object.isFrozen(hs), 'and it cannot be changed');
  }
  tt.ok(first.data.txs.length > 0, 'the sample block has transactions');
  const given = first.data.txs.map((x) => Tx.decode(x).hash);
  tt.same(Block.fromData(first.data, given).txHashes().map(toHex), given.map(toHex), 'hashes a builder already has are taken as they are');
  const hashes = first.data.txs.map((x) => Tx.decode(x).hash);
  const bad = (over: Partial<typeof first.header>, what: string, b = first, hs = hashes): void => {
    const blk = Block.fromData({ ...b.data, header: { ...b.header, ...over } });
    tt.throws(() => validateBlockBody(blk, hs), { code: ErrorCodes.BLOCK_INVALID }, what);
  };
  bad({ txCount: 3 }, 'txCount');
  bad({ txRoot: new Uint8Array(32) }, 'txRoot');
  bad({ evidenceHash: new Uint8Array(32) }, 'evidenceHash');
  bad({ version: 2 }, 'version');
  bad({ lastBlockHash: new Uint8Array(32).fill(1) }, 'first block links nowhere');
  bad({ lastCommitHash: new Uint8Array(32) }, 'lastCommitHash', second, []);
  bad({ lastBlockHash: new Uint8Array(32) }, 'last commit for lastBlockHash', second, []);
  tt.throws(() => validateBlockBody(Block.fromData({ ...second.data, lastCommit: null }), []), { code: ErrorCodes.BLOCK_INVALID }, 'missing last commit');
  // txRootChecked: the maker compared the root already (a compact proposal's receiver), so
  // the body check takes it for the block's own hashes, and for those only. A wrong root here
  // shows the root is not computed again; any other list of hashes is still checked.
  const wrongRoot = { ...first.data, header: { ...first.header, txRoot: new Uint8Array(32) } };
  const marked = Block.fromData(wrongRoot, given, { txRootChecked: true });
  validateBlockBody(marked, marked.txHashes());
  tt.throws(() => validateBlockBody(marked, [...given]), { code: ErrorCodes.BLOCK_INVALID }, 'other hashes than the checked ones are checked');
  tt.throws(() => validateBlockBody(Block.fromData(wrongRoot, given), given), { code: ErrorCodes.BLOCK_INVALID }, 'unmarked: the root is checked');
  tt.throws(() => validateBlockBody(Block.fromData(wrongRoot, undefined, { txRootChecked: true }), given), { code: ErrorCodes.BLOCK_INVALID }, 'no hashes given: the mark is not taken');
  tt.end();
});
