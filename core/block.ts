/**
 * Block headers and blocks.
 *
 * Header, an array in this order:
 *   [version, chainId, height, time, lastBlockHash, lastCommitHash, txRoot, txCount,
 *    stateRoot, resultsRoot, validatorsHash, nextValidatorsHash, evidenceHash, proposer]
 * - time: the proposer's clock in Unix milliseconds (checked by validators, monotonic);
 * - lastBlockHash / lastCommitHash: of the previous block and its commit (zeros at height 1);
 * - txRoot: merkleRoot of the transactions' hashes; stateRoot: the state after executing
 *   this block's transactions; resultsRoot: merkleRoot of the receipts' hashes;
 * - validatorsHash: the set that decides this block; nextValidatorsHash: the next block's.
 * The block hash (block id) is hashOf("header", encode(header)).
 *
 * Block: [header, txs (each the tx's canonical bytes), lastCommit|nil, evidence].
 */
import { decode, decodeOwned, encode } from './codec.js';
import { bytes, bytes32, list, optional, struct, u32, uint, type Infer } from './schema.js';
import { addressField, chainIdField, Limits } from './fields.js';
import { Domain, hashOf, merkleRoot } from './hash.js';
import { CommitSchema, DuplicateVoteEvidenceSchema, commitHash, evidenceHash } from './votes.js';
import { equalBytes } from './bytes.js';
import { ErrorCodes, ValidationError } from './errors.js';

export const BLOCK_VERSION = 1;
export const ZERO_HASH: Uint8Array = new Uint8Array(32);

export const HeaderSchema = struct('Header', {
  version: u32,
  chainId: chainIdField,
  height: uint,
  time: uint,
  lastBlockHash: bytes32,
  lastCommitHash: bytes32,
  txRoot: bytes32,
  txCount: u32,
  stateRoot: bytes32,
  resultsRoot: bytes32,
  validatorsHash: bytes32,
  nextValidatorsHash: bytes32,
  evidenceHash: bytes32,
  proposer: addressField,
});
export type Header = Infer<typeof HeaderSchema>;

export const BlockSchema = struct('Block', {
  header: HeaderSchema,
  txs: list(bytes({ max: Limits.MAX_TX_BYTES }), Limits.MAX_BLOCK_TXS),
  lastCommit: optional(CommitSchema),
  evidence: list(DuplicateVoteEvidenceSchema, Limits.MAX_BLOCK_EVIDENCE),
});
export type BlockData = Infer<typeof BlockSchema>;

export function headerHash(h: Header): Uint8Array {
  return hashOf(Domain.HEADER, encode(HeaderSchema, h));
}

export function decodeHeader(b: Uint8Array): Header {
  return decode(HeaderSchema, b, 4096);
}

/** txRoot of a list of transaction hashes. */
export function txRootOf(txHashes: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(txHashes);
}

export function evidenceRootOf(evidence: BlockData['evidence']): Uint8Array {
  return merkleRoot(evidence.map(evidenceHash));
}

/** Each block's transaction hashes, computed on first use (a Block is frozen). */
const txHashesOf = new WeakMap<Block, readonly Uint8Array[]>();
/** Blocks whose maker found the header's txRoot to be the root of their transaction hashes (fromData's `txRootChecked`). */
const txRootChecked = new WeakSet<Block>();

/** An immutable block with its bytes and hash computed once. */
export class Block {
  readonly data: BlockData;
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;

  private constructor(data: BlockData, bytes: Uint8Array) {
    this.data = data;
    this.bytes = bytes;
    this.hash = headerHash(data.header);
    Object.freeze(this);
  }

  /**
   * `txHashes`, when the caller has them (a proposer's own transactions), must be the hashes
   * of `data.txs` in order (they are not recomputed). `txRootChecked`: the caller compared
   * `txRootOf(txHashes)` with the header's txRoot and found them equal (a compact proposal's
   * receiver does, before it fills in the transactions), so validateBlockBody does not
   * compute that root again.
   */
  static fromData(data: BlockData, txHashes?: readonly Uint8Array[], opts: { txRootChecked?: boolean } = {}): Block {
    const b = new Block(data, encode(BlockSchema, data));
    if (txHashes !== undefined && txHashes.length === data.txs.length) {
      txHashesOf.set(b, Object.freeze([...txHashes]));
      if (opts.txRootChecked === true) txRootChecked.add(b);
    }
    return b;
  }

  static decode(bytes: Uint8Array): Block {
    // The Block keeps `bytes`: its transactions (and other byte fields) are views into them.
    return new Block(decodeOwned(BlockSchema, bytes, Limits.MAX_BLOCK_BYTES), bytes);
  }

  get header(): Header { return this.data.header; }
  get height(): number { return this.data.header.height; }

  /**
   * The hash of each transaction (`hashOf(Domain.TX, bytes)`), in order: computed once per
   * Block, for checking the txRoot, storing the tx index and clearing the mempool alike.
   */
  txHashes(): readonly Uint8Array[] {
    let hs = txHashesOf.get(this);
    if (hs === undefined) {
      hs = Object.freeze(this.data.txs.map((t) => hashOf(Domain.TX, t)));
      txHashesOf.set(this, hs);
    }
    return hs;
  }
}

/**
 * The checks that need no state: the header's counts and roots match the body. `txHashes`
 * are the hashes of `block.data.txs` (callers usually have them already).
 */
export function validateBlockBody(block: Block, txHashes: readonly Uint8Array[]): void {
  const h = block.header;
  const fail = (msg: string): never => {
    throw new ValidationError(ErrorCodes.BLOCK_INVALID, msg, { height: h.height });
  };
  if (h.version !== BLOCK_VERSION) fail(`unknown block version ${h.version}`);
  if (h.height < 1) fail('height must be at least 1');
  if (txHashes.length !== block.data.txs.length || h.txCount !== block.data.txs.length) fail('txCount does not match the transactions');
  const checked = txRootChecked.has(block) && txHashes === txHashesOf.get(block);
  if (!checked && !equalBytes(h.txRoot, txRootOf(txHashes))) fail('txRoot does not match the transactions');
  if (!equalBytes(h.evidenceHash, evidenceRootOf(block.data.evidence))) fail('evidenceHash does not match the evidence');
  const lc = block.data.lastCommit;
  if (h.height === 1) {
    if (lc !== null) fail('the first block carries no last commit');
    if (!equalBytes(h.lastCommitHash, ZERO_HASH) || !equalBytes(h.lastBlockHash, ZERO_HASH)) fail('the first block links to no previous block');
  } else {
    if (lc === null) fail('a block after the first must carry the last commit');
    if (lc!.height !== h.height - 1) fail('last commit is not for the previous height');
    if (!equalBytes(lc!.blockHash, h.lastBlockHash)) fail('last commit is not for lastBlockHash');
    if (!equalBytes(h.lastCommitHash, commitHash(lc!))) fail('lastCommitHash does not match the last commit');
  }
}
