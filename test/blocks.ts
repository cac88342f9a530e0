/** A minimal block and its certificate, for tests of the block store (it checks height and state root only). */
import { Block, type Commit } from '../core/index.js';

const ZERO32 = new Uint8Array(32);

/** A minimal block for height h carrying `stateRoot`. */
export function makeBlock(h: number, stateRoot: Uint8Array, txs: Uint8Array[]): Block {
  return Block.fromData({
    header: {
      version: 1, chainId: 'test-chain', height: h, time: h * 1000, lastBlockHash: ZERO32, lastCommitHash: ZERO32, txRoot: ZERO32,
      txCount: txs.length, stateRoot, resultsRoot: ZERO32, validatorsHash: ZERO32, nextValidatorsHash: ZERO32, evidenceHash: ZERO32,
      proposer: new Uint8Array(20),
    },
    txs,
    lastCommit: null,
    evidence: [],
  });
}

/** A certificate naming `b` (no signatures: the store does not check them). */
export const commitFor = (b: Block): Commit => ({ height: b.height, round: 0, blockHash: b.hash, signatures: [] });
