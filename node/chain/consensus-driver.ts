/**
 * The consensus driver: the one owner of the consensus engine in a running node. Every
 * input (a peer's proposal or vote, a timeout, the application's answers, a synced block)
 * is appended to the WAL and then stepped through the engine, one at a time, in order; the
 * resulting actions are performed in order:
 * - persist-signed: the signed record is fsynced to the WAL before anything later in the
 *   batch (so before the message is broadcast): the double-sign guard survives crashes;
 * - broadcast-*: to every peer (proposals in parts); our own messages of the current height
 *   are re-sent periodically, so a peer that missed them (or restarted) still gets them;
 * - schedule-timeout: a timer that comes back as an event;
 * - build/check/commit-block: the application, whose answer is stepped next (the driver
 *   knows it only as an `Application`, application.ts; the node's is the ledger app);
 * - evidence: kept for the next block we propose, and gossiped. Pending evidence is bounded
 *   (the oldest leaves first), checked against the validator set of its height when that set
 *   is at hand, and dropped once a block carries it or after EVIDENCE_PENDING_HEIGHTS heights;
 *   the ledger app's proposal carries only what the vm records.
 * After each commit the epochs are saved (before the ledger write), the WAL is cut down to
 * the last signed record and an end-height record, and blocks received by sync for the next
 * height are fed in.
 */
import {
  Block, toHex, type Commit, type DuplicateVoteEvidence, SovError, isSovError, evidenceHash, type Proposal, verifyDuplicateVoteEvidence,
} from '../../core/index.js';
import {
  ConsensusEngine, Epoch, encodeWalRecord, replayWal, decodeWalRecord, type Action, type EngineEvent, type TimeoutConfig,
} from '../../consensus/index.js';
import { ValidatorSet } from '../../core/index.js';
import type { Application, EpochHashes } from './application.js';
import type { WalFile } from './wal-file.js';
import { advanceTriple, SAVE_EVERY, type EpochFile, type EpochTriple } from './epochs.js';
import type { Logger } from '../ops/log.js';
import type { NodeMetrics } from '../ops/metrics.js';
import { encodeMessage } from '../p2p/wire.js';
import { splitBlock } from '../p2p/parts.js';
import { NodeError } from '../errors.js';
import type { BlockResult } from '../../vm/index.js';

const MAX_FUTURE_EVENTS = 2000;
const WAL_CUT_EVERY = 100;
/** Most pieces of evidence held for our next proposal. */
const MAX_PENDING_EVIDENCE = 100;
/** Heights a piece of evidence is held for our proposals before it is dropped (any honest proposer would have carried it by then). */
const EVIDENCE_PENDING_HEIGHTS = 100;

export interface DriverOptions {
  chainId: string;
  secretKey: Uint8Array | null;
  timeouts: TimeoutConfig;
  app: Application;
  wal: WalFile;
  epochFile: EpochFile;
  log: Logger;
  metrics: NodeMetrics;
  broadcast(message: Uint8Array): void;
  /** The messages that carry our proposal (compact blocks: p2p/compact.ts); absent: the proposal and the block in parts. */
  proposalMessages?(proposal: Proposal, block: Uint8Array): Uint8Array[];
  onCommitted?(block: Block, result: BlockResult, commit: Commit): void;
  /** Called when the node must stop (its state diverged from the network). */
  onFatal?(err: Error): void;
  regossipMs?: number;
  /** Pause after a commit before the next height starts (CometBFT's timeout_commit), ms. */
  blockIntervalMs?: number;
}

export class ConsensusDriver {
  engine!: ConsensusEngine;
  private triple: EpochTriple | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private gossipTimer: NodeJS.Timeout | null = null;
  private lastSigned: Uint8Array | null = null;
  private own: Uint8Array[] = [];
  private ownProposal: Uint8Array[] = [];
  /** Evidence for our next proposal, by hash, with the height it came at. */
  private evidence = new Map<string, { ev: DuplicateVoteEvidence; at: number }>();
  private readonly synced = new Map<number, { block: Uint8Array; commit: Commit }>();
  /** Peers' proposals and votes for the next height, held until we get there (bounded). */
  private future: EngineEvent[] = [];
  private stopped = false;
  private lastCommitAt = 0;
  private regossipTick = 0;
  /** True once `start` built the engine. */
  private started = false;

  constructor(private readonly opts: DriverOptions) {}

  /** The height being decided (before start, as the application stands: state sync runs first). */
  get height(): number {
    return this.started ? this.engine.height : this.opts.app.height + 1;
  }

  get round(): number {
    return this.started ? this.engine.round : 0;
  }

  epochHashes(): EpochHashes {
    const t = this.triple!;
    return { validators: t.current.validators, next: t.next.validators, previous: t.previous?.validators ?? null };
  }

  /** The set deciding the current height (null before start). */
  get validatorSet(): ValidatorSet | null {
    return this.triple?.current.validators ?? null;
  }

  /** Build the engine at the application's next height and replay the WAL. */
  async start(): Promise<void> {
    const height = this.opts.app.height + 1;
    let triple = this.opts.epochFile.load(height);
    if (!triple) {
      if (height !== 1) throw new NodeError('EPOCHS_MISSING', `no consensus epochs stored for height ${height}`);
      const set = ValidatorSet.fromKeys(this.opts.app.validatorsAtGenesis.map((v) => ({ publicKey: v.publicKey, power: v.power })));
      const [current, next] = Epoch.genesis(set);
      triple = { height: 1, previous: null, current, next };
    }
    this.triple = triple;
    this.engine = new ConsensusEngine({
      chainId: this.opts.chainId,
      height,
      epoch: triple.current,
      nextEpoch: triple.next,
      lastCommit: await this.opts.app.lastCommit(),
      ...(this.opts.secretKey ? { secretKey: this.opts.secretKey } : {}),
      timeouts: this.opts.timeouts,
      blockHash: (b) => this.opts.app.decodedBlock?.(b)?.hash ?? Block.decode(b).hash,
    });
    this.started = true;
    const records = this.opts.wal.records;
    for (const r of records) {
      try {
        if (decodeWalRecord(r).kind === 'signed') this.lastSigned = r;
      } catch {
        // replayWal reports a corrupt record below
      }
    }
    const actions = records.length > 0 ? replayWal(this.engine, records) : this.engine.step({ type: 'start' }).actions;
    this.opts.log.info({ height, replayed: records.length }, 'consensus started');
    await this.enqueue(() => this.perform(actions));
    this.gossipTimer = setInterval(() => this.regossip(), this.opts.regossipMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.gossipTimer) clearInterval(this.gossipTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.queue.catch(() => undefined);
  }

  /** Step an event from outside (a peer's message). Resolves to the engine's refusal, if any. */
  event(ev: EngineEvent): Promise<SovError | null> {
    if (!this.started) return Promise.resolve(null); // not started yet (state sync runs first): peers' messages are dropped
    return this.enqueue(() => this.process(ev));
  }

  /** A proposal checked before its block is at hand (engine.precheckProposal): null when it may be completed, else why not. */
  precheckProposal(p: Proposal): SovError | null {
    if (!this.started) return null;
    // The next height's proposal from a faster peer is kept for when we get there (process):
    // its proposer and signature are checked then, against that height's set.
    if (p.height === this.engine.height + 1) return null;
    try {
      this.engine.precheckProposal(p);
      return null;
    } catch (e) {
      if (isSovError(e)) return e;
      throw e;
    }
  }

  /** Blocks with certificates from a peer's sync answer. */
  addSynced(block: Uint8Array, commit: Commit): void {
    if (!this.started) return; // not started yet (state sync runs first)
    if (commit.height < this.engine.height || this.synced.size > 200) return;
    this.synced.set(commit.height, { block, commit });
    void this.enqueue(() => this.feedSynced());
  }

  pendingEvidence(): DuplicateVoteEvidence[] {
    return [...this.evidence.values()].map((e) => e.ev);
  }

  /**
   * Hold evidence (our engine's, or a peer's gossip) for our next proposal. Evidence of the
   * current or the previous height must verify under that height's set; older evidence is
   * left to the vm, which checks every piece a block carries. False: not held (held already,
   * or it does not verify). When full, the oldest piece leaves.
   */
  addEvidence(ev: DuplicateVoteEvidence): boolean {
    const k = toHex(evidenceHash(ev));
    if (this.evidence.has(k)) return false;
    const t = this.triple;
    const set = t === undefined ? null : ev.voteA.height === t.height ? t.current.validators : ev.voteA.height === t.height - 1 ? (t.previous?.validators ?? null) : null;
    if (set !== null) {
      try {
        verifyDuplicateVoteEvidence(this.opts.chainId, ev, set);
      } catch {
        return false;
      }
    }
    if (this.evidence.size >= MAX_PENDING_EVIDENCE) this.evidence.delete(this.evidence.keys().next().value!);
    this.evidence.set(k, { ev, at: t?.height ?? 0 });
    return true;
  }

  private enqueue<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch((e) => this.fatal(e));
    return run;
  }

  private fatal(e: unknown): void {
    if (this.stopped) return;
    this.opts.log.fatal({ err: (e as Error).message, code: (e as SovError).code }, 'consensus stopped');
    this.stopped = true;
    this.opts.onFatal?.(e as Error);
  }

  private async feedSynced(): Promise<void> {
    const next = this.synced.get(this.engine.height);
    for (const h of this.synced.keys()) if (h < this.engine.height) this.synced.delete(h);
    if (next && !this.engine.decided) await this.process({ type: 'sync-commit', block: next.block, commit: next.commit });
  }

  private async process(ev: EngineEvent): Promise<SovError | null> {
    if (this.stopped) return null;
    const h = ev.type === 'vote' ? ev.vote.height : ev.type === 'proposal' ? ev.proposal.height : null;
    if (h !== null && h === this.engine.height + 1) {
      // A faster peer is already at the next height: keep it for when we get there.
      if (this.future.length < MAX_FUTURE_EVENTS) this.future.push(ev);
      return null;
    }
    this.opts.wal.append(encodeWalRecord({ kind: 'event', event: ev }), false);
    const r = this.engine.step(ev);
    await this.perform(r.actions);
    this.opts.metrics.round.set(this.engine.round);
    if (ev.type === 'committed') {
      const held = this.future;
      this.future = [];
      for (const f of held) await this.process(f);
    }
    return r.error;
  }

  private async perform(actions: readonly Action[]): Promise<void> {
    for (const a of actions) {
      if (this.stopped) return;
      switch (a.type) {
        case 'persist-signed': {
          const rec = encodeWalRecord({ kind: 'signed', signed: a.record });
          this.opts.wal.append(rec, true);
          this.lastSigned = rec;
          break;
        }
        case 'broadcast-vote': {
          const m = encodeMessage('vote', { vote: a.vote });
          this.own.push(m);
          this.opts.broadcast(m);
          break;
        }
        case 'broadcast-proposal':
          this.ownProposal = this.proposalMessages(a.proposal, a.block);
          for (const m of this.ownProposal) this.opts.broadcast(m);
          break;
        case 'schedule-timeout': {
          const t = setTimeout(() => {
            this.timers.delete(t);
            void this.event({ type: 'timeout', height: a.height, round: a.round, step: a.step });
          }, a.durationMs);
          this.timers.add(t);
          break;
        }
        case 'build-block': {
          const me = this.engine.address;
          if (!me) break;
          const block = await this.opts.app.buildBlock(a.height, me, a.lastCommit, this.epochHashes(), this.pendingEvidence(), a.round);
          await this.process({ type: 'block-built', height: a.height, round: a.round, block });
          break;
        }
        case 'check-block': {
          const valid = await this.opts.app.checkBlock(a.block, this.epochHashes());
          await this.process({ type: 'block-checked', height: a.height, blockHash: a.blockHash, valid });
          break;
        }
        case 'commit-block':
          await this.commit(a.height, a.block, a.commit);
          break;
        case 'evidence': {
          const { voteA, voteB } = a.evidence;
          this.opts.log.warn({
            validator: toHex(voteA.validator), height: voteA.height, round: voteA.round, type: voteA.type,
            blockA: voteA.blockHash === null ? null : toHex(voteA.blockHash), blockB: voteB.blockHash === null ? null : toHex(voteB.blockHash),
          }, 'equivocation: a validator signed two different votes for one height, round and step; the evidence goes into the next block');
          this.addEvidence(a.evidence);
          this.opts.broadcast(encodeMessage('evidence', { evidence: a.evidence }));
          break;
        }
        case 'sign-refused':
          this.opts.log.error({ height: a.height, round: a.round, step: a.step, reason: a.reason }, 'the double-sign guard refused a signature');
          break;
      }
    }
  }

  private proposalMessages(proposal: Proposal, block: Uint8Array): Uint8Array[] {
    if (this.opts.proposalMessages) return this.opts.proposalMessages(proposal, block);
    const { partsRoot, parts } = splitBlock(proposal, block);
    return [encodeMessage('proposal', { proposal, partsTotal: parts.length, partsRoot }), ...parts.map((p) => encodeMessage('part', p))];
  }

  private async commit(height: number, block: Uint8Array, commit: Commit): Promise<void> {
    const before = this.triple!;
    let after: EpochTriple | null = null;
    const done = await this.opts.app.commitBlock(block, commit, this.epochHashes(), (updates) => {
      after = advanceTriple(before, updates);
      // Saved before the ledger write when the set changes (and now and then): the heights
      // in between are recomputed at boot (epochs.ts).
      if (updates.length > 0 || height % SAVE_EVERY === 0 || height === 1) this.opts.epochFile.save(before, after);
    });
    this.triple = after!;
    const endHeight = encodeWalRecord({ kind: 'end-height', height });
    // The WAL is cut down now and then, not at every height (each cut is an fsync and a rename).
    if (height % WAL_CUT_EVERY === 0 || this.opts.wal.sizeBytes > 16 * 1024 * 1024) {
      this.opts.wal.truncateTo(this.lastSigned ? [this.lastSigned, endHeight] : [endHeight]);
    } else {
      this.opts.wal.append(endHeight, false);
    }
    for (const ev of done.block.data.evidence) this.evidence.delete(toHex(evidenceHash(ev)));
    for (const [k, e] of this.evidence) if (height - e.at > EVIDENCE_PENDING_HEIGHTS) this.evidence.delete(k);
    this.own = [];
    this.ownProposal = [];
    const now = Date.now();
    if (this.lastCommitAt > 0) this.opts.metrics.blockInterval.observe((now - this.lastCommitAt) / 1000);
    this.lastCommitAt = now;
    this.opts.metrics.height.set(height);
    this.opts.metrics.blockTxs.observe(done.block.data.txs.length);
    this.opts.onCommitted?.(done.block, done.result, commit);
    // The next height starts after the block interval (at once while catching up), as its
    // own task: consensus never recurses from one height into the next.
    const delay = this.synced.has(height + 1) ? 0 : (this.opts.blockIntervalMs ?? 1000);
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.enqueue(async () => {
        await this.process({ type: 'committed', height, validatorUpdates: done.updates });
        await this.feedSynced();
      });
    }, delay);
    this.timers.add(t);
  }

  private regossip(): void {
    if (this.stopped) return;
    for (const m of this.own) this.opts.broadcast(m);
    // Proposals are large: re-send them less often.
    if (this.regossipTick++ % 3 === 0) for (const m of this.ownProposal) this.opts.broadcast(m);
  }
}

