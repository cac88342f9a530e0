/**
 * The application interface: all the consensus driver asks of the state machine, in the
 * spirit of CometBFT's ABCI. The driver (consensus-driver.ts) holds an `Application` and
 * nothing more of the ledger; `LedgerApp` (app.ts) implements it over the vm and the ledger
 * store, and the composition root (node.ts) wires the two. A test double need only these:
 * - `validatorsAtGenesis`: the set deciding height 1, from the genesis document (ABCI's
 *   InitChain);
 * - `height`, `lastCommit()`: where the committed chain is (ABCI's Info): consensus starts at
 *   the next height, with the certificate of the last block;
 * - `buildBlock`: our proposal for a height, from the mempool, executed so its header carries
 *   the state root (ABCI's PrepareProposal);
 * - `checkBlock`: a peer's proposal checked in full, execution included, before we prevote
 *   (ABCI's ProcessProposal);
 * - `commitBlock`: a decided block written with its certificate in one ledger batch, and the
 *   validator-set changes it makes reported, before the write and in the answer (ABCI's
 *   FinalizeBlock and Commit).
 */
import type { Block, Commit, DuplicateVoteEvidence, ValidatorSet } from '../../core/index.js';
import type { BlockResult, ValidatorUpdate } from '../../vm/index.js';

/** The validator sets around the height being decided. */
export interface EpochHashes {
  /** The validator set deciding this height. */
  readonly validators: ValidatorSet;
  /** The next height's set. */
  readonly next: ValidatorSet;
  /** The previous height's set (verifies the block's last commit); null at height 1. */
  readonly previous: ValidatorSet | null;
}

/** What committing a decided block did. */
export interface CommittedBlock {
  /** The validator-set changes the block makes (power 0 removes a validator). */
  readonly updates: readonly ValidatorUpdate[];
  /** The block, decoded. */
  readonly block: Block;
  /** Its execution: the included transactions, their receipts, the validator updates. */
  readonly result: BlockResult;
}

export interface Application {
  /** The genesis validators: the set deciding height 1. */
  readonly validatorsAtGenesis: readonly ValidatorUpdate[];
  /** The last committed height (0 before block 1). */
  readonly height: number;
  /** The certificate of the last committed block (null before block 1). */
  lastCommit(): Promise<Commit | null>;
  /**
   * Build the block for `height` (the next one) proposed by `proposer` (this node's address),
   * carrying `lastCommit` and `evidence`, for `round` of the height (0 when not given: a
   * later round may propose a smaller block); returns its canonical bytes.
   */
  buildBlock(height: number, proposer: Uint8Array, lastCommit: Commit | null, epochs: EpochHashes, evidence: readonly DuplicateVoteEvidence[], round?: number): Promise<Uint8Array>;
  /** Check a proposed block fully (header, last commit, execution). False for an invalid block. */
  checkBlock(bytes: Uint8Array, epochs: EpochHashes): Promise<boolean>;
  /**
   * The decoded form of block bytes the application holds already (a block it built, or one
   * handed to it whole), so consensus need not decode them again to hash them.
   */
  decodedBlock?(bytes: Uint8Array): Block | undefined;
  /**
   * Commit a decided block with its certificate. `beforeWrite` gets the block's validator
   * updates after execution and before the ledger write (the driver saves its epochs there).
   * A block that does not execute to the state its header claims is a DivergenceError
   * (APP_STATE_DIVERGED): nothing is written.
   */
  commitBlock(bytes: Uint8Array, commit: Commit, epochs: EpochHashes, beforeWrite?: (updates: readonly ValidatorUpdate[]) => void): Promise<CommittedBlock>;
}
