/**
 * The ledger app: the application side of consensus (`Application`, application.ts, in the
 * spirit of ABCI) over the vm and the ledger store: build a proposal from the mempool, check a
 * proposed block by executing it, and commit a decided block atomically.
 *
 * A proposer executes before proposing and validators execute a proposal before prevoting;
 * the result (write set, prepared state root, receipts) is kept by block hash and used at
 * commit, so a block is executed once per node in the common case. A block decided without
 * a check here (caught up by sync, or after a restart) is executed at commit, and must give
 * the root its header claims: anything else means this node's state diverged from a 2/3
 * majority, and it stops rather than write a wrong state.
 *
 * The genesis writes are not a height of their own: they are committed together with block
 * 1 (block 1 executes over the genesis state), so the state at height h is always the state
 * after block h.
 */
import {
  Limits, Block, BLOCK_VERSION, commitHash, equalBytes, evidenceRootOf, toHex, txRootOf, validateBlockBody, verifyCommit, ZERO_HASH, type Commit,
  type DuplicateVoteEvidence, type Header, Tx, isSovError,
} from '../../core/index.js';
import type { LedgerStore, PreparedVersion, TxResult } from '../../state/index.js';
import {
  applyGenesis, executeBlock, keyId, MemoryState, type BlockResult, type GenesisDoc, type Registry, type StateReader, type ValidatorUpdate, type Write,
} from '../../vm/index.js';
import type { Application, CommittedBlock, EpochHashes } from './application.js';
import type { Mempool } from './mempool.js';
import { NodeError, type NodeErrorCode } from '../errors.js';
import type { Logger } from '../ops/log.js';

export class AppError extends NodeError {
  constructor(code: Extract<NodeErrorCode, `APP_${string}`>, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'reject');
  }
}

/** This node's state disagrees with a committed block: stop, do not write. */
export class DivergenceError extends NodeError {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('APP_STATE_DIVERGED', message, meta, 'ignore');
  }
}

interface Executed {
  readonly height: number;
  readonly block: Block;
  readonly result: BlockResult;
  readonly prepared: PreparedVersion;
  /** The state writes of the height (with the genesis writes at height 1). */
  readonly writes: readonly Write[];
}

export interface AppOptions {
  chainId: string;
  genesis: GenesisDoc;
  ledger: LedgerStore;
  mempool: Mempool;
  log: Logger;
  maxBlockTxs: number;
  maxBlockBytes: number;
  /** The largest transaction a block may hold (the genesis's max_tx_bytes; default core's MAX_TX_BYTES). */
  maxTxBytes?: number;
  /** Allowed clock drift of a proposal's time into the future, ms. */
  maxClockDriftMs?: number;
  /** The wall clock (injectable for tests). */
  now?: () => number;
  /** Seconds from mempool admission to commit, per committed transaction admitted here. */
  onTxLatency?: (seconds: number) => void;
  /** The chain's module registry (the built-in modules by default). */
  modules?: Registry;
}

/** The fewest transactions a later round's proposal is cut to (see proposalLimits). */
export const LATER_ROUND_MIN_TXS = 100;

/**
 * What a proposal for `round` may hold. Round 0 takes up to the chain's limits. A later round
 * means the earlier ones failed at this height, and the usual cause under load is a block too
 * large to be built, sent and checked by the others within the round's timeouts: each later
 * round halves the limits (to at least LATER_ROUND_MIN_TXS transactions and one largest
 * transaction's bytes), so the height is decided instead of failing round after round with
 * an ever larger block. The proposer's choice only: any block within the chain's limits is
 * valid, so nothing on chain changes meaning.
 */
export function proposalLimits(maxTxs: number, maxBytes: number, maxTxBytes: number, round: number): { txs: number; bytes: number } {
  if (round <= 0) return { txs: maxTxs, bytes: maxBytes };
  const cut = 2 ** Math.min(round, 30);
  return {
    txs: Math.min(maxTxs, Math.max(LATER_ROUND_MIN_TXS, Math.floor(maxTxs / cut))),
    bytes: Math.min(maxBytes, Math.max(maxTxBytes, Math.floor(maxBytes / cut))),
  };
}

/**
 * Round 0's transaction limit, learned from how heights are decided (the proposer's choice, as
 * in proposalLimits): a height decided after round 0 sets it to the size of the block that
 * was decided (what the network could build, send and check in time; at least
 * LATER_ROUND_MIN_TXS); a height decided in round 0 with a block near the limit raises it by
 * a quarter, up to the chain's max_block_txs. So a loaded network settles on blocks it
 * decides in round 0 instead of losing a round on each too-large one.
 */
export function nextRoundZeroTxs(current: number, maxTxs: number, decidedRound: number, decidedTxs: number): number {
  if (decidedRound > 0) return Math.min(maxTxs, Math.max(LATER_ROUND_MIN_TXS, decidedTxs));
  if (decidedTxs >= current * 0.9) return Math.min(maxTxs, Math.ceil(current * 1.25));
  return current;
}

export class LedgerApp implements Application {
  private genesisState: MemoryState | null = null;
  private genesisWrites: readonly Write[] = [];
  private genesisValidators: readonly ValidatorUpdate[] = [];
  private readonly executed = new Map<string, Executed>();
  /** The same, by the very byte array the block came in (consensus passes the one it got): no decoding it again. */
  private executedBytes = new WeakMap<Uint8Array, Executed>();
  private readonly now: () => number;
  /** The last block committed in this process and the hash of its certificate (verified before commitBlock was called). */
  private headCommit: { block: Uint8Array; hash: Uint8Array } | null = null;
  /** Round 0's transaction limit for this node's proposals (nextRoundZeroTxs). */
  private roundZeroTxs: number;

  constructor(private readonly opts: AppOptions) {
    this.now = opts.now ?? Date.now;
    this.roundZeroTxs = opts.maxBlockTxs;
  }

  /** Compute the genesis state (kept in memory until block 1 commits it). */
  async init(): Promise<void> {
    const mem = new MemoryState();
    const g = await applyGenesis(mem, this.opts.genesis, this.opts.modules);
    mem.apply(g.writes);
    this.genesisWrites = g.writes;
    this.genesisValidators = g.validators;
    this.genesisState = this.opts.ledger.height === 0 ? mem : null;
  }

  get validatorsAtGenesis(): readonly ValidatorUpdate[] {
    return this.genesisValidators;
  }

  get height(): number {
    return this.opts.ledger.height;
  }

  /** The state after the latest committed block (the genesis state before block 1). */
  reader(): StateReader {
    if (this.opts.ledger.height === 0 && this.genesisState) return this.genesisState;
    return this.head;
  }

  /**
   * Reads of the latest state, with a bounded cache of values in front of LevelDB. The cache
   * holds only head values and is updated with each committed write set, so it is never
   * stale; execution reads the same keys (accounts, balances, parameters) block after block.
   */
  private readonly headCache = new Map<string, Uint8Array | null>();
  /**
   * Odd while a commit is between writing the store and updating the cache. A read that
   * missed the cache fills it only if no commit started or ended while it read, so a value
   * read from the old head can never land in the cache after the new head's writes.
   */
  private cacheGen = 0;
  private readonly head: StateReader = {
    // A cached value is returned as it is, not in a promise: execution then goes on without
    // a promise turn for it (the vm awaits only what is a promise).
    get: (k) => {
      const id = keyId(k);
      const hit = this.headCache.get(id);
      if (hit !== undefined) return hit ?? undefined;
      return this.readHead(id, k);
    },
  };

  private async readHead(id: string, k: Uint8Array): Promise<Uint8Array | undefined> {
    const gen = this.cacheGen;
    const v = await this.opts.ledger.get(k);
    if (gen === this.cacheGen && (gen & 1) === 0) this.cachePut(id, v);
    return v ?? undefined;
  }

  /** The head's cached value of `key` with the height it is the value at, or undefined when it is not cached (or a commit is under way). */
  cachedHeadValue(key: Uint8Array): { height: number; value: Uint8Array | null } | undefined {
    if ((this.cacheGen & 1) === 1 || this.opts.ledger.height === 0) return undefined;
    const hit = this.headCache.get(keyId(key));
    return hit === undefined ? undefined : { height: this.opts.ledger.height, value: hit };
  }

  private cachePut(id: string, v: Uint8Array | null): void {
    if (this.headCache.size >= HEAD_CACHE_ENTRIES && !this.headCache.has(id)) {
      // Drop the oldest eighth at once (Map keeps insertion order).
      let n = HEAD_CACHE_ENTRIES >> 3;
      for (const k of this.headCache.keys()) {
        this.headCache.delete(k);
        if (--n === 0) break;
      }
    }
    this.headCache.set(id, v);
  }

  /** The last committed block, kept from its commit (building and checking the next block need it; decoding it again from the store costs a full block decode). */
  private lastBlock: Block | null = null;

  /** The last committed block if it is the one at `height` (decoded, its tx hashes computed), else undefined. */
  /** The decoded block (with its transaction hashes) of block bytes this app built or executed, if it still holds them. */
  executedBlock(bytes: Uint8Array): Block | undefined {
    return this.executedBytes.get(bytes)?.block;
  }

  /** Blocks handed over whole (`adoptDecoded`), by their bytes. */
  private readonly decodedBytes = new WeakMap<Uint8Array, Block>();

  /**
   * A whole block assembled elsewhere in this node (a compact proposal completed from the
   * mempool: its transaction hashes are those its transactions were found or fetched by), so
   * checking it reuses the decoded form and its hashes. The checks themselves are all made.
   */
  adoptDecoded(block: Block): void {
    this.decodedBytes.set(block.bytes, block);
  }

  decodedBlock(bytes: Uint8Array): Block | undefined {
    return this.executedBytes.get(bytes)?.block ?? this.decodedBytes.get(bytes);
  }

  recentBlock(height: number): Block | undefined {
    const b = this.lastBlock;
    return b !== null && b.height === height && height <= this.opts.ledger.height ? b : undefined;
  }

  async headBlock(): Promise<Block | null> {
    const h = this.opts.ledger.height;
    if (h === 0) return null;
    if (this.lastBlock?.height !== h) this.lastBlock = await this.opts.ledger.blocks.getBlock(h);
    return this.lastBlock;
  }

  async lastCommit(): Promise<Commit | null> {
    const h = this.opts.ledger.height;
    return h === 0 ? null : this.opts.ledger.blocks.getCommit(h);
  }

  private verifiedSet(): ReadonlySet<string> {
    const mp = this.opts.mempool;
    return { has: (h: string) => mp.wasVerified(h) } as unknown as ReadonlySet<string>;
  }

  private async execute(
    header: Pick<Header, 'chainId' | 'height' | 'time' | 'proposer'>, txs: readonly (Tx | Uint8Array)[], evidence: readonly DuplicateVoteEvidence[],
  ): Promise<{ result: BlockResult; prepared: PreparedVersion; writes: readonly Write[] }> {
    const block = { chainId: header.chainId, height: header.height, time: header.time, proposer: header.proposer, ...(evidence.length > 0 ? { evidence } : {}) };
    const result = await executeBlock(this.reader(), block, txs, {
      verifiedTxHashes: this.verifiedSet(),
      ...(this.opts.modules ? { modules: this.opts.modules } : {}),
    });
    const writes = header.height === 1 ? mergeWrites(this.genesisWrites, result.writes) : result.writes;
    const prepared = await this.opts.ledger.prepare(writes);
    return { result, prepared, writes };
  }

  /**
   * Build the block for `height` proposed by `proposer` (this node). Of `evidence`, the block
   * carries what the vm records: a piece it refuses (invalid, too old, recorded already) is
   * left out, which changes nothing else (a refused piece writes nothing).
   */
  async buildBlock(height: number, proposer: Uint8Array, lastCommit: Commit | null, epochs: EpochHashes, pending: readonly DuplicateVoteEvidence[], round = 0): Promise<Uint8Array> {
    const prev = await this.headBlock();
    if (height !== this.height + 1) throw new AppError('APP_WRONG_HEIGHT', `asked to build ${height}, head is ${this.height}`);
    const time = Math.max(this.now(), (prev?.header.time ?? this.opts.genesis.genesisTime) + 1);
    const limits = proposalLimits(this.roundZeroTxs, this.opts.maxBlockBytes, this.opts.maxTxBytes ?? Limits.MAX_TX_BYTES, round);
    const candidates = await this.opts.mempool.reap(limits.txs, limits.bytes);
    if (round > 0 && candidates.length >= limits.txs) this.opts.log.info({ height, round, txs: limits.txs }, 'a later round: proposing a smaller block');
    const offered = pending.slice(0, Limits.MAX_BLOCK_EVIDENCE);
    const { result, prepared, writes } = await this.execute({ chainId: this.opts.chainId, height, time, proposer }, candidates, offered);
    const refused = new Set(result.rejectedEvidence.map((r) => r.index));
    const evidence = offered.filter((_, i) => !refused.has(i));
    if (refused.size > 0) this.opts.log.debug({ height, left: refused.size, first: result.rejectedEvidence[0]!.code }, 'the proposal left out evidence the vm refuses');
    const header: Header = {
      version: BLOCK_VERSION,
      chainId: this.opts.chainId,
      height,
      time,
      lastBlockHash: prev?.hash ?? ZERO_HASH,
      lastCommitHash: lastCommit ? commitHash(lastCommit) : ZERO_HASH,
      txRoot: txRootOf(result.included.map((t) => t.hash)),
      txCount: result.included.length,
      stateRoot: prepared.rootHash,
      resultsRoot: result.resultsRoot,
      validatorsHash: epochs.validators.hash,
      nextValidatorsHash: epochs.next.hash,
      evidenceHash: evidenceRootOf(evidence),
      proposer,
    };
    const block = Block.fromData({ header, txs: result.included.map((t) => t.bytes), lastCommit, evidence }, result.included.map((t) => t.hash));
    const ex = { height, block, result: refused.size > 0 ? { ...result, rejectedEvidence: [] } : result, prepared, writes };
    this.executed.set(toHex(block.hash), ex);
    this.executedBytes.set(block.bytes, ex);
    if (result.rejected.length > 0) {
      // The vm refused these on the state they would have run on: they leave the mempool now
      // (a full block is no fault of the transaction: those wait for the next one).
      const refused = result.rejected.filter((r) => r.code !== 'TX_BLOCK_FULL' && r.txHash !== null).map((r) => toHex(r.txHash!));
      const evicted = this.opts.mempool.evict(refused);
      this.opts.log.debug({ height, rejected: result.rejected.length, evicted, first: result.rejected[0]!.code }, 'the proposal left out transactions that failed authentication');
    }
    return block.bytes;
  }

  /** Check a proposed block fully (header, last commit, execution). False for an invalid block. */
  async checkBlock(bytes: Uint8Array, epochs: EpochHashes): Promise<boolean> {
    try {
      await this.checkOrThrow(bytes, epochs);
      return true;
    } catch (e) {
      if (!isSovError(e)) throw e;
      // A proposal for a height this node has committed already is stale, not hostile: a
      // restarted validator re-proposing the height it missed the commit of. Debug, not warn.
      const stale = e.code === 'APP_BAD_BLOCK' && typeof e.meta?.height === 'number' && e.meta.height <= this.height;
      if (stale) this.opts.log.debug({ code: e.code, msg: e.message }, 'ignored a stale proposal (a height committed here already)');
      else this.opts.log.warn({ code: e.code, msg: e.message }, 'refused a proposed block');
      return false;
    }
  }

  private async checkOrThrow(bytes: Uint8Array, epochs: EpochHashes): Promise<Executed> {
    const same = this.executedBytes.get(bytes);
    if (same) return same;
    const block = this.decodedBytes.get(bytes) ?? Block.decode(bytes);
    const known = this.executed.get(toHex(block.hash));
    if (known) {
      this.executedBytes.set(bytes, known);
      return known;
    }
    const h = block.header;
    const fail = (msg: string): never => {
      throw new AppError('APP_BAD_BLOCK', msg, { height: h.height });
    };
    if (h.chainId !== this.opts.chainId) fail(`block for chain ${h.chainId}`);
    if (h.height !== this.height + 1) fail(`block for height ${h.height}, head is ${this.height}`);
    const txHashes = block.txHashes();
    validateBlockBody(block, txHashes);
    const prev = await this.headBlock();
    if (!equalBytes(h.lastBlockHash, prev?.hash ?? ZERO_HASH)) fail('lastBlockHash is not our head');
    // The certificate this node committed its head with was verified then (consensus formed it
    // from verified votes, or checked a synced block's): a proposal carrying that same one (its
    // hash is the header's lastCommitHash, checked by validateBlockBody) is not verified again.
    if (prev && block.data.lastCommit && !(this.headCommit !== null && equalBytes(this.headCommit.block, prev.hash) && equalBytes(h.lastCommitHash, this.headCommit.hash))) {
      verifyCommit(this.opts.chainId, block.data.lastCommit, epochs.previous ?? epochs.validators, { height: prev.height, blockHash: prev.hash });
    }
    const prevTime = prev?.header.time ?? this.opts.genesis.genesisTime;
    if (h.time <= prevTime) fail(`time ${h.time} is not after the previous block's ${prevTime}`);
    if (h.time > this.now() + (this.opts.maxClockDriftMs ?? 10_000)) fail(`time ${h.time} is too far in the future`);
    if (!equalBytes(h.validatorsHash, epochs.validators.hash)) fail('validatorsHash is not this height\'s set');
    if (!equalBytes(h.nextValidatorsHash, epochs.next.hash)) fail('nextValidatorsHash is not the next height\'s set');
    if (block.data.txs.length > this.opts.maxBlockTxs || bytes.length > this.opts.maxBlockBytes + 1024 * 1024) fail('block exceeds the size limits');
    const maxTx = this.opts.maxTxBytes ?? Limits.MAX_TX_BYTES;
    const big = block.data.txs.findIndex((t) => t.length > maxTx);
    if (big >= 0) fail(`transaction ${big} is ${block.data.txs[big]!.length} bytes, over max_tx_bytes (${maxTx})`);
    // Transactions this node holds were found canonical at admission (same hash, same bytes): decoded with their hash, not hashed again.
    const items = block.data.txs.map((b, i) => {
      const hex = toHex(txHashes[i]!);
      return this.opts.mempool.has(hex) ? Tx.decode(b, txHashes[i], hex) : b;
    });
    const { result, prepared, writes } = await this.execute(h, items, block.data.evidence);
    if (result.rejected.length > 0) fail(`transaction ${result.rejected[0]!.index} fails authentication: ${result.rejected[0]!.code}`);
    if (result.rejectedEvidence.length > 0) {
      const r = result.rejectedEvidence[0]!;
      fail(`evidence ${r.index} is refused: ${r.code}: ${r.message}`);
    }
    if (!equalBytes(result.resultsRoot, h.resultsRoot)) fail('resultsRoot differs from execution');
    if (!equalBytes(prepared.rootHash, h.stateRoot)) fail('stateRoot differs from execution');
    const ex = { height: h.height, block, result, prepared, writes };
    this.executed.set(toHex(block.hash), ex);
    this.executedBytes.set(bytes, ex);
    return ex;
  }

  /**
   * Commit a decided block with its certificate. `beforeWrite` runs after execution with
   * the validator updates, before the ledger write (the node saves its epochs there).
   */
  async commitBlock(
    bytes: Uint8Array,
    commit: Commit,
    epochs: EpochHashes,
    beforeWrite: (updates: readonly ValidatorUpdate[]) => void = () => undefined,
  ): Promise<CommittedBlock> {
    let ex: Executed;
    try {
      ex = await this.checkOrThrow(bytes, epochs);
    } catch (e) {
      if (isSovError(e)) throw new DivergenceError(`a committed block fails here: ${e.code}: ${e.message}`, { height: commit.height });
      throw e;
    }
    // A receipt carries its transaction's events; the transaction is indexed under its signer
    // and every account it paid or debited (an account's events are those of its transactions).
    const results: TxResult[] = ex.result.receiptBytes.map((receipt, i) => ({ receipt, accounts: ex.result.accounts[i]!, indexes: ex.result.indexes[i]! }));
    beforeWrite(ex.result.validatorUpdates);
    this.cacheGen++;
    try {
      await this.opts.ledger.commit(ex.prepared, { block: ex.block, commit, results });
    } catch (e) {
      this.headCache.clear();
      this.cacheGen++;
      throw e;
    }
    for (const w of ex.writes) this.cachePut(keyId(w.key), w.value);
    this.cacheGen++;
    this.lastBlock = ex.block;
    this.headCommit = { block: ex.block.hash, hash: commitHash(commit) };
    this.roundZeroTxs = nextRoundZeroTxs(this.roundZeroTxs, this.opts.maxBlockTxs, commit.round, ex.block.header.txCount);
    if (ex.result.blockEvents.length > 0) {
      this.opts.log.warn({ height: ex.height, events: ex.result.blockEvents.map((e) => `${e.module}.${e.name}`) }, 'the block\'s double-sign evidence is recorded in state');
    }
    this.executed.clear();
    this.executedBytes = new WeakMap();
    this.genesisState = null;
    await this.opts.mempool.update(ex.result.included, ex.writes, this.opts.onTxLatency);
    return { updates: ex.result.validatorUpdates, block: ex.block, result: ex.result };
  }
}

const HEAD_CACHE_ENTRIES = 500_000;

/** `base` then `over`, the later write of a key winning; sorted by key. */
function mergeWrites(base: readonly Write[], over: readonly Write[]): Write[] {
  const m = new Map<string, Write>();
  for (const w of base) m.set(toHex(w.key), w);
  for (const w of over) m.set(toHex(w.key), w);
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, w]) => w);
}
