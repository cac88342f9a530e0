/**
 * Deterministic chain objects for tests and golden vectors: keys derived from fixed seeds,
 * and one of each signed object (tx, vote, proposal, commit, evidence, header, block).
 */
import {
  addressFromPublicKey, Block, commitFromVotes, commitHash, encode, evidenceRootOf, headerHash, keyPairFromSecret, makeDuplicateVoteEvidence,
  sha256, signProposal, signTx, signVote, txRootOf, utf8, ValidatorSet, VoteType, ZERO_HASH, BLOCK_VERSION, struct, amount, str, addressField,
  type Header, type KeyPair, type Tx, type Vote,
} from '../index.js';

export const CHAIN_ID = 'sov-test-1';
export const keyFromSeed = (seed: string): KeyPair => keyPairFromSecret(sha256(utf8(seed)));
export const KEYS = [0, 1, 2, 3].map((i) => keyFromSeed(`validator-${i}`));
export const ALICE = keyFromSeed('alice');
export const VALSET = ValidatorSet.fromKeys(KEYS.map((k, i) => ({ publicKey: k.publicKey, power: 10 + i })));

export const TransferArgs = struct('TransferArgs', { to: addressField, amount, memo: str(140) });

export function sampleTx(nonce = 7): Tx {
  const args = encode(TransferArgs, { to: addressFromPublicKey(KEYS[0]!.publicKey), amount: 1_000_000n, memo: 'rent' });
  return signTx(
    { chainId: CHAIN_ID, signer: addressFromPublicKey(ALICE.publicKey), nonce, expiry: 1000, body: { module: 'bank', method: 'transfer', args } },
    [ALICE.secretKey],
  );
}

export function sampleVote(i: number, type: number, height: number, round: number, blockHash: Uint8Array | null): Vote {
  const k = KEYS[i]!;
  return signVote(CHAIN_ID, { type, height, round, blockHash, validator: addressFromPublicKey(k.publicKey) }, k.secretKey);
}

export function sampleBlocks(): { first: Block; second: Block } {
  const txs = [sampleTx(1), sampleTx(2)];
  const proposer = addressFromPublicKey(KEYS[0]!.publicKey);
  const h1: Header = {
    version: BLOCK_VERSION, chainId: CHAIN_ID, height: 1, time: 1_760_000_000_000, lastBlockHash: ZERO_HASH, lastCommitHash: ZERO_HASH,
    txRoot: txRootOf(txs.map((t) => t.hash)), txCount: txs.length, stateRoot: sha256(utf8('state-1')), resultsRoot: sha256(utf8('results-1')),
    validatorsHash: VALSET.hash, nextValidatorsHash: VALSET.hash, evidenceHash: evidenceRootOf([]), proposer,
  };
  const first = Block.fromData({ header: h1, txs: txs.map((t) => t.bytes), lastCommit: null, evidence: [] });
  const precommits = [0, 1, 2, 3].map((i) => sampleVote(i, VoteType.PRECOMMIT, 1, 0, headerHash(h1)));
  const lastCommit = commitFromVotes(1, 0, first.hash, precommits);
  const evidence = [makeDuplicateVoteEvidence(sampleVote(1, VoteType.PREVOTE, 1, 0, first.hash), sampleVote(1, VoteType.PREVOTE, 1, 0, null))];
  const h2: Header = {
    ...h1, height: 2, time: h1.time + 1000, lastBlockHash: first.hash, lastCommitHash: commitHash(lastCommit), txRoot: txRootOf([]), txCount: 0,
    stateRoot: sha256(utf8('state-2')), evidenceHash: evidenceRootOf(evidence),
  };
  const second = Block.fromData({ header: h2, txs: [], lastCommit, evidence });
  return { first, second };
}

export function sampleProposal(blockHash: Uint8Array) {
  const k = KEYS[0]!;
  return signProposal(CHAIN_ID, { height: 1, round: 1, polRound: 0, blockHash, proposer: addressFromPublicKey(k.publicKey) }, k.secretKey);
}
