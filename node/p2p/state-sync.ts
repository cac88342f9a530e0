/**
 * State sync (docs/state-sync.md): a node with an empty store takes a recent snapshot of the
 * state from its peers instead of replaying every block, then block-syncs the rest.
 *
 * Serving (StateSyncServer): answers SNAP_OFFERS_REQ with the snapshots on disk
 * (chain/snapshot-store.ts) and SNAP_CHUNK_REQ with a part of a chunk file; at most
 * MAX_PEER_INFLIGHT reads per peer and MAX_INFLIGHT in all at once, the rest refused as busy.
 *
 * Joining (StateSyncClient.run):
 * 1. ask every peer for its snapshots; after the first answer wait `discoveryMs` for others;
 *    group the offers by (height, root, chunks, chunk size) and try the newest first (the
 *    most offering peers first at one height);
 * 2. fetch block h with its commit certificate (SYNC_REQ) from a peer offering it, and verify
 *    it against the validator set this node trusts: the genesis set. The header must name
 *    that set for h and h + 1, the certificate must carry more than 2/3 of its power for the
 *    block, the header's stateRoot must be the snapshot's root, and the block's proposer must
 *    be a proposer of height h by the priorities computed from genesis. Otherwise the snapshot
 *    is refused (STATE_SYNC_UNTRUSTED, an error log saying why) and the next is tried;
 * 3. fetch the chunks, several at a time from the offering peers, and import each in order
 *    through state's SnapshotImporter, which checks each against the verified root; a chunk
 *    refused there is asked of another peer and its sender is struck (STATE_SYNC_BAD_CHUNK)
 *    and asked for no more chunks of this snapshot;
 * 4. write the consensus epochs for h + 1 (from genesis), then the state, block h and its
 *    certificate in one batch (LedgerStore.finishStateSync). The node then starts consensus
 *    at h + 1 and block sync fetches the rest.
 * Progress (chunks done, entries/s) is shown on the terminal like block sync's. When no peer
 * offers a snapshot, or none verifies and completes, the node falls back to block sync.
 */
import { Block, equalBytes, isSovError, toHex, ValidatorSet, verifyCommit, type Commit } from '../../core/index.js';
import { Epoch } from '../../consensus/index.js';
import { STATE_FORMAT, StateErrorCodes, type LedgerStore, type SnapshotImporter, type SnapshotTarget } from '../../state/index.js';
import { advanceTriple, type EpochFile, type EpochTriple } from '../chain/epochs.js';
import type { SnapshotStore } from '../chain/snapshot-store.js';
import type { Logger } from '../ops/log.js';
import { NodeError, NodeErrorCodes } from '../errors.js';
import { encodeMessage, MAX_SNAP_OFFERS, SNAP_PART_BYTES, type WireMessage } from './wire.js';

/** Chunk reads served to one peer at once, and in all. */
export const MAX_PEER_INFLIGHT = 4;
export const MAX_INFLIGHT = 16;
/** Most parts one chunk may come in (4 MiB each). */
const MAX_PARTS = 64;
/** Chunks requested ahead of the one being imported. */
const WINDOW = 16;
/** Chunk requests open to one peer at once (below the server's cap). */
const PER_PEER = 3;

type Msg<K extends WireMessage['kind']> = Extract<WireMessage, { kind: K }>['body'];

interface Host {
  send(peer: string, body: Uint8Array): boolean;
  broadcast(body: Uint8Array): number;
  peers(): string[];
}

// ---- serving ------------------------------------------------------------------------------

/** Set to 1, a node serves every snapshot chunk with one byte changed: a hostile peer, for tests at scale (bench:statesync). */
export const TAMPER_SNAPSHOT_CHUNKS_ENV = 'SOV_FAULT_TAMPER_SNAPSHOT_CHUNKS';

/** The tampering TAMPER_SNAPSHOT_CHUNKS_ENV turns on: the first part of each chunk with its last byte changed. */
export function tamperChunkPart(_index: number, part: number, bytes: Uint8Array): Uint8Array {
  if (part !== 0 || bytes.length === 0) return bytes;
  const out = Uint8Array.from(bytes);
  out[out.length - 1] = out[out.length - 1]! ^ 0x01;
  return out;
}

export class StateSyncServer {
  /** Tests only: change the bytes served (a peer serving tampered chunks). */
  tamper: ((index: number, part: number, bytes: Uint8Array) => Uint8Array) | null = null;
  private readonly inflight = new Map<string, number>();
  private total = 0;

  constructor(private readonly opts: { host: Pick<Host, 'send'>; store: SnapshotStore; log: Logger }) {}

  /** Answer the serving side's messages; false for any other message. */
  onMessage(peer: string, msg: WireMessage): boolean {
    if (msg.kind === 'snapOffersReq') {
      const snapshots = this.opts.store.list().filter((s) => s.format === msg.body.format).slice(0, MAX_SNAP_OFFERS)
        .map((s) => ({ height: s.height, rootHash: s.rootHash, chunks: s.chunks, chunkEntries: s.chunkEntries, format: s.format }));
      this.opts.host.send(peer, encodeMessage('snapOffers', { snapshots }));
      return true;
    }
    if (msg.kind === 'snapChunkReq') {
      void this.chunk(peer, msg.body);
      return true;
    }
    return false;
  }

  private async chunk(peer: string, req: Msg<'snapChunkReq'>): Promise<void> {
    const { height, index, part } = req;
    const mine = this.inflight.get(peer) ?? 0;
    if (mine >= MAX_PEER_INFLIGHT || this.total >= MAX_INFLIGHT) {
      this.opts.host.send(peer, encodeMessage('snapRefused', { height, index, reason: 'busy' }));
      return;
    }
    this.inflight.set(peer, mine + 1);
    this.total++;
    try {
      const got = await this.opts.store.readPart(height, index, part, SNAP_PART_BYTES);
      if (got === null) {
        this.opts.host.send(peer, encodeMessage('snapRefused', { height, index, reason: 'not held here' }));
        return;
      }
      const bytes = this.tamper ? this.tamper(index, part, got.bytes) : got.bytes;
      this.opts.host.send(peer, encodeMessage('snapChunk', { height, index, part, parts: got.parts, bytes }));
    } catch (e) {
      this.opts.log.warn({ peer, height, index, err: (e as Error).message }, 'could not serve a snapshot chunk');
    } finally {
      this.total--;
      const n = (this.inflight.get(peer) ?? 1) - 1;
      if (n <= 0) this.inflight.delete(peer);
      else this.inflight.set(peer, n);
    }
  }
}

// ---- trust --------------------------------------------------------------------------------

/** The consensus epochs of `height` when the set has been `genesis` since height 1 (as the driver would have advanced them). */
export function epochsFromGenesis(genesis: ValidatorSet, height: number): EpochTriple {
  const [current, next] = Epoch.genesis(genesis);
  let t: EpochTriple = { height: 1, previous: null, current, next };
  while (t.height < height) t = advanceTriple(t, []);
  return t;
}

const untrusted = (message: string, meta: Record<string, unknown> = {}): NodeError =>
  new NodeError(NodeErrorCodes.STATE_SYNC_UNTRUSTED, message, meta, 'ignore');

/**
 * Check block `block` with certificate `commit` as the header of a snapshot of
 * `target` against the trusted `genesis` set; returns the epochs of height h. Throws
 * STATE_SYNC_UNTRUSTED saying why.
 */
export function verifySnapshotBlock(chainId: string, genesis: ValidatorSet, target: Pick<SnapshotTarget, 'height' | 'rootHash'>, block: Block, commit: Commit): EpochTriple {
  const h = target.height;
  const hd = block.header;
  if (hd.chainId !== chainId) throw untrusted(`block ${h} is of chain ${hd.chainId}`, { height: h });
  if (block.height !== h) throw untrusted(`the block sent is of height ${block.height}, not ${h}`, { height: h });
  if (!equalBytes(hd.stateRoot, target.rootHash)) throw untrusted(`block ${h}'s stateRoot is not the snapshot's root`, { height: h });
  if (!equalBytes(hd.validatorsHash, genesis.hash) || !equalBytes(hd.nextValidatorsHash, genesis.hash)) {
    throw untrusted(
      `the validator set at height ${h} is not the genesis set: this node trusts the genesis set only, and following validator-set changes (or a configured trust point) is not implemented; block-sync from a peer that keeps every block instead`,
      { height: h },
    );
  }
  try {
    verifyCommit(chainId, commit, genesis, { height: h, blockHash: block.hash });
  } catch (e) {
    throw untrusted(`block ${h}'s commit certificate does not verify against the genesis set: ${(e as Error).message}`, { height: h });
  }
  const epochs = epochsFromGenesis(genesis, h);
  let proposerOk = false;
  for (let r = 0; r <= commit.round && !proposerOk; r++) proposerOk = equalBytes(epochs.current.proposer(r), hd.proposer);
  if (!proposerOk) throw untrusted(`block ${h}'s proposer is not a proposer of its height by the priorities from genesis (the set changed and changed back?)`, { height: h });
  return epochs;
}

// ---- joining ------------------------------------------------------------------------------

export interface StateSyncClientOptions {
  chainId: string;
  host: Host;
  ledger: LedgerStore;
  /** The trusted validator set: the genesis set. */
  genesis: ValidatorSet;
  epochFile: EpochFile;
  log: Logger;
  /** Count a provably bad message against a peer. */
  strike(peer: string, code: string): void;
  /** After the first offer, wait this long for more (ms). */
  discoveryMs?: number;
  /** Give up (block sync instead) when no peer offers a snapshot for this long (ms). */
  offerTimeoutMs?: number;
  /** A chunk (or block) request unanswered this long is asked of another peer (ms). */
  requestTimeoutMs?: number;
  /** Show progress on the terminal (default: when stderr is one). */
  tty?: boolean;
}

interface Candidate extends SnapshotTarget {
  readonly format: number;
  readonly peers: string[];
}

const offerKey = (s: Pick<SnapshotTarget, 'height' | 'rootHash' | 'chunks' | 'chunkEntries'>): string => `${s.height}/${toHex(s.rootHash)}/${s.chunks}/${s.chunkEntries}`;

interface Pending {
  peer: string;
  at: number;
  parts: Uint8Array[];
}

export interface ChunkRefusal {
  readonly peer: string;
  readonly height: number;
  readonly index: number;
  readonly reason: string;
}

export class StateSyncClient {
  /** True while state sync runs (block sync waits). */
  active = false;
  /** Chunks refused as bad, with the peer that sent them. */
  readonly refusals: ChunkRefusal[] = [];
  /** Where the import is: chunks done of total, entries. */
  progress: { height: number; done: number; total: number; entries: number; since: number } | null = null;
  private readonly offers = new Map<string, Msg<'snapOffers'>['snapshots']>();
  private blockWait: { peer: string; height: number; resolve: (b: { block: Block; commit: Commit } | null) => void } | null = null;
  private chunkSink: ((peer: string, msg: WireMessage) => void) | null = null;
  private wakeUp: (() => void) | null = null;
  private stopped = false;
  private lastPrint = 0;
  /** Peers that sent a bad chunk: asked for no more chunks in this run. */
  private readonly badPeers = new Set<string>();
  private askedOffersAt = 0;

  constructor(private readonly opts: StateSyncClientOptions) {}

  stop(): void {
    this.stopped = true;
    this.blockWait?.resolve(null);
    this.wake();
  }

  /** A one-line summary for /ready. */
  get status(): string {
    const p = this.progress;
    return p === null ? 'state sync: looking for a snapshot' : `state sync: height ${p.height}, chunk ${p.done} of ${p.total}`;
  }

  /** The joining side's messages; false for any other. */
  onMessage(peer: string, msg: WireMessage): boolean {
    if (!this.active) return false;
    switch (msg.kind) {
      case 'snapOffers':
        this.offers.set(peer, msg.body.snapshots);
        this.wake();
        return true;
      case 'snapChunk':
      case 'snapRefused':
        this.chunkSink?.(peer, msg);
        return true;
      case 'syncRes': {
        const w = this.blockWait;
        if (w === null || w.peer !== peer) return true; // block sync is paused: nothing else wants it
        for (const b of msg.body.blocks) {
          if (b.commit.height !== w.height) continue;
          try {
            w.resolve({ block: Block.decode(b.block), commit: b.commit });
          } catch {
            this.opts.strike(peer, NodeErrorCodes.MALFORMED);
            w.resolve(null);
          }
          return true;
        }
        return true;
      }
      case 'syncPruned': {
        const w = this.blockWait;
        if (w !== null && w.peer === peer) w.resolve(null);
        return true;
      }
      case 'txs':
        return true; // not checked against the genesis state meanwhile: peers offer their pending ones again on the next link

      default:
        return false;
    }
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Join by state sync: the height synced, or null (nothing offered, verified and fetched: block-sync instead). */
  async run(): Promise<number | null> {
    this.active = true;
    const log = this.opts.log;
    try {
      const candidates = await this.discover();
      if (candidates.length === 0) {
        if (!this.stopped) log.warn('state sync: no peer offers a snapshot; block-syncing from genesis instead');
        return null;
      }
      for (const c of candidates) {
        if (this.stopped) return null;
        const h = await this.tryCandidate(c);
        if (h !== null) return h;
      }
      if (!this.stopped) log.error({ tried: candidates.map((c) => c.height) }, 'state sync: no snapshot offered could be verified and fetched; block-syncing from genesis instead');
      return null;
    } finally {
      this.active = false;
      this.chunkSink = null;
      if (this.opts.tty ?? process.stderr.isTTY) process.stderr.write('\n');
    }
  }

  private async discover(): Promise<Candidate[]> {
    const started = Date.now();
    let firstAt: number | null = null;
    let asked = 0;
    const discoveryMs = this.opts.discoveryMs ?? 3000;
    const timeoutMs = this.opts.offerTimeoutMs ?? 60_000;
    this.opts.log.info('state sync: asking peers for snapshots');
    while (!this.stopped) {
      const now = Date.now();
      if (now - asked >= 1000) {
        this.opts.host.broadcast(encodeMessage('snapOffersReq', { format: STATE_FORMAT }));
        asked = now;
      }
      if (firstAt === null && [...this.offers.values()].some((o) => o.length > 0)) firstAt = now;
      // Every linked peer has answered (even with no snapshot), or the others had their time.
      const linked = this.opts.host.peers();
      const allAnswered = linked.length > 0 && linked.every((p) => this.offers.has(p));
      if (firstAt !== null && (now - firstAt >= discoveryMs || (allAnswered && linked.length >= 2))) break;
      if (firstAt === null && allAnswered && now - started >= discoveryMs) break;
      if (now - started >= timeoutMs) break;
      await this.sleep(200);
    }
    return this.candidates();
  }

  /** The snapshots offered, grouped by (height, root, chunks, chunk size), newest first (the most offering peers first at a height). */
  private candidates(): Candidate[] {
    const groups = new Map<string, Candidate>();
    for (const [peer, list] of this.offers) {
      for (const s of list) {
        if (s.format !== STATE_FORMAT || s.height < 1 || s.chunks < 1 || s.chunkEntries < 1) continue;
        const k = offerKey(s);
        const g = groups.get(k) ?? { height: s.height, rootHash: s.rootHash, chunks: s.chunks, chunkEntries: s.chunkEntries, format: s.format, peers: [] };
        if (!g.peers.includes(peer)) g.peers.push(peer);
        groups.set(k, g);
      }
    }
    return [...groups.values()].sort((a, b) => b.height - a.height || b.peers.length - a.peers.length);
  }

  /** The peers offering snapshot `c` now (offers keep coming in while chunks are fetched). */
  private offering(c: SnapshotTarget): string[] {
    const k = offerKey(c);
    const out: string[] = [];
    for (const [peer, list] of this.offers) if (list.some((s) => offerKey(s) === k)) out.push(peer);
    return out;
  }

  /** Block h with its certificate from one of `peers` (each asked in turn), or null. */
  private async fetchBlock(height: number, peers: readonly string[]): Promise<{ block: Block; commit: Commit; peer: string } | null> {
    for (const peer of peers) {
      if (this.stopped) return null;
      const got = await new Promise<{ block: Block; commit: Commit } | null>((resolve) => {
        const t = setTimeout(() => resolve(null), this.opts.requestTimeoutMs ?? 10_000);
        this.blockWait = { peer, height, resolve: (b) => {
          clearTimeout(t);
          resolve(b);
        } };
        if (!this.opts.host.send(peer, encodeMessage('syncReq', { from: height, count: 1 }))) resolve(null);
      });
      this.blockWait = null;
      if (got !== null) return { ...got, peer };
    }
    return null;
  }

  private async tryCandidate(c: Candidate): Promise<number | null> {
    const log = this.opts.log;
    const h = c.height;
    const got = await this.fetchBlock(h, this.offering(c).filter((p) => !this.badPeers.has(p)));
    if (got === null) {
      log.warn({ height: h, peers: c.peers.length }, 'state sync: no peer sent the block of a snapshot offered; trying another');
      return null;
    }
    let epochs: EpochTriple;
    try {
      epochs = verifySnapshotBlock(this.opts.chainId, this.opts.genesis, c, got.block, got.commit);
    } catch (e) {
      if (!isSovError(e)) throw e;
      log.error({ height: h, code: e.code, peer: got.peer }, `state sync: refused the snapshot of height ${h}: ${e.message}`);
      return null;
    }
    log.info({ height: h, chunks: c.chunks, peers: this.offering(c).length, root: toHex(c.rootHash).slice(0, 16) }, 'state sync: snapshot header verified; fetching chunks');
    const importer = await this.opts.ledger.beginStateSync(c);
    let ok = false;
    try {
      ok = await this.fetchChunks(c, importer);
      if (!ok) return null;
      // Epochs first: a crash before the ledger write leaves a store at height 0, whose start deletes them.
      this.opts.epochFile.save(epochs, advanceTriple(epochs, []));
      await this.opts.ledger.finishStateSync(importer, got.block, got.commit);
    } finally {
      if (!ok) await importer.abort();
    }
    const p = this.progress!;
    const secs = (Date.now() - p.since) / 1000;
    log.info({ height: h, chunks: c.chunks, entries: importer.entries, seconds: Number(secs.toFixed(1)), refused: this.refusals.length }, 'state sync: state imported; block-syncing from here');
    return h;
  }

  /** Fetch and import every chunk of `c`; false when its peers could not supply them. */
  private async fetchChunks(c: Candidate, importer: SnapshotImporter): Promise<boolean> {
    const log = this.opts.log;
    const timeout = this.opts.requestTimeoutMs ?? 10_000;
    const banned = new Set<string>();
    const pending = new Map<number, Pending>();
    const ready = new Map<number, { bytes: Uint8Array; peer: string }>();
    const tried = new Map<number, Set<string>>();
    const busyUntil = new Map<string, number>();
    let noPeerSince: number | null = null;
    this.progress = { height: c.height, done: 0, total: c.chunks, entries: 0, since: Date.now() };
    const failed = (index: number, peer: string): void => {
      const s = tried.get(index) ?? new Set<string>();
      s.add(peer);
      tried.set(index, s);
    };
    /** Ask `peer` for a part; a send that fails (no link) frees the chunk for another peer at once. */
    const request = (index: number, part: number, peer: string): void => {
      if (this.opts.host.send(peer, encodeMessage('snapChunkReq', { height: c.height, index, part }))) return;
      pending.delete(index);
      failed(index, peer);
    };
    this.chunkSink = (peer, msg) => {
      if (msg.kind === 'snapChunk') {
        const { height, index, part, parts, bytes } = msg.body;
        const p = pending.get(index);
        if (height !== c.height || p === undefined || p.peer !== peer || part !== p.parts.length) return; // late or unasked
        if (parts < 1 || parts > MAX_PARTS) {
          pending.delete(index);
          failed(index, peer);
          this.opts.strike(peer, NodeErrorCodes.STATE_SYNC_BAD_CHUNK);
        } else {
          p.parts.push(bytes);
          p.at = Date.now();
          if (p.parts.length < parts) request(index, part + 1, peer);
          else {
            pending.delete(index);
            ready.set(index, { bytes: p.parts.length === 1 ? p.parts[0]! : Buffer.concat(p.parts), peer });
          }
        }
      } else if (msg.kind === 'snapRefused') {
        const p = pending.get(msg.body.index);
        if (msg.body.height !== c.height || p === undefined || p.peer !== peer) return;
        pending.delete(msg.body.index);
        failed(msg.body.index, peer);
        if (msg.body.reason === 'busy') busyUntil.set(peer, Date.now() + 500);
        else banned.add(peer); // it no longer holds this snapshot
      }
      this.wake();
    };

    while (!this.stopped) {
      const now = Date.now();
      for (const [index, p] of pending) {
        if (now - p.at > timeout) {
          pending.delete(index);
          failed(index, p.peer);
        }
      }
      // Keep asking for offers: peers linked since discovery may serve this snapshot too.
      if (now - this.askedOffersAt >= 2000) {
        this.opts.host.broadcast(encodeMessage('snapOffersReq', { format: STATE_FORMAT }));
        this.askedOffersAt = now;
      }
      const linked = new Set(this.opts.host.peers());
      const usable = this.offering(c).filter((p) => !banned.has(p) && !this.badPeers.has(p) && linked.has(p));
      if (usable.length === 0) {
        noPeerSince ??= now;
        if (now - noPeerSince >= timeout) {
          log.warn({ height: c.height, chunk: importer.nextChunk, refused: banned.size + this.badPeers.size }, 'state sync: no peer left to serve this snapshot\'s chunks');
          return false;
        }
        await this.sleep(200);
        continue;
      }
      noPeerSince = null;
      // Ask for the chunks of the window that are neither in flight nor here.
      const load = new Map<string, number>();
      for (const p of pending.values()) load.set(p.peer, (load.get(p.peer) ?? 0) + 1);
      const end = Math.min(c.chunks, importer.nextChunk + WINDOW);
      for (let index = importer.nextChunk; index < end; index++) {
        if (pending.has(index) || ready.has(index)) continue;
        const t = tried.get(index);
        const free = usable.filter((p) => (load.get(p) ?? 0) < PER_PEER && (busyUntil.get(p) ?? 0) <= now);
        if (free.length === 0) break;
        // A peer that has not failed this chunk, the least loaded; else any.
        const fresh = free.filter((p) => !t?.has(p));
        const pick = (fresh.length > 0 ? fresh : free).sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0))[0]!;
        pending.set(index, { peer: pick, at: now, parts: [] });
        load.set(pick, (load.get(pick) ?? 0) + 1);
        request(index, 0, pick);
      }
      // Import what is next, in order.
      for (let next = ready.get(importer.nextChunk); next !== undefined; next = ready.get(importer.nextChunk)) {
        const index = importer.nextChunk;
        ready.delete(index);
        try {
          await importer.add(index, next.bytes);
        } catch (e) {
          if (!(isSovError(e) && e.code === StateErrorCodes.STATE_SNAPSHOT_INVALID)) throw e;
          const reason = String((e.meta as { reason?: unknown }).reason ?? e.message);
          this.refusals.push({ peer: next.peer, height: c.height, index, reason });
          this.badPeers.add(next.peer);
          failed(index, next.peer);
          this.opts.strike(next.peer, NodeErrorCodes.STATE_SYNC_BAD_CHUNK);
          log.warn({ peer: next.peer, height: c.height, chunk: index, reason }, 'state sync: refused a bad snapshot chunk; asking another peer for it');
          break;
        }
        this.progress = { ...this.progress, done: importer.nextChunk, entries: importer.entries };
      }
      this.showProgress();
      if (importer.complete) return true;
      if (importer.nextChunk >= c.chunks) return false;
      await this.sleep(100);
    }
    return false;
  }

  private showProgress(): void {
    const p = this.progress;
    const now = Date.now();
    if (p === null || now - this.lastPrint < 2000) return;
    this.lastPrint = now;
    const secs = Math.max(0.001, (now - p.since) / 1000);
    const rate = p.entries / secs;
    const perChunk = p.done > 0 ? secs / p.done : null;
    const eta = perChunk !== null ? Math.round((p.total - p.done) * perChunk) : null;
    const line = `state sync: height ${p.height}, chunk ${p.done} of ${p.total}, ${p.entries} entries, ${rate.toFixed(0)} entries/s${eta !== null ? `, about ${eta} s left` : ''}`;
    if (this.opts.tty ?? process.stderr.isTTY) process.stderr.write(`\r${line}   `);
    else this.opts.log.info({ height: p.height, chunk: p.done, chunks: p.total, entries: p.entries, rate: Math.round(rate), etaSeconds: eta }, 'state sync');
  }
}
