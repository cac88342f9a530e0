/**
 * Routes the node's messages: frames from peers are decoded (wire.ts) and handed to the
 * consensus driver, the mempool or block sync; replies and relays go back out through the
 * p2p host. A peer whose messages are refused as provably bad (`reject`) too often is
 * disconnected; nothing a peer sends can throw out of here.
 *
 * Block sync: every node announces its status (height, round, last committed height) each
 * second. A node that sees a peer with more committed blocks asks it for the next ones
 * (SYNC_REQ) and feeds each block with its commit certificate to consensus, which checks the
 * certificate against the validator set before the block is executed and committed. Progress
 * is shown on the terminal (height, rate, remaining) while catching up.
 *
 * A node that prunes blocks (`[storage] retain_blocks`) answers a request below its oldest
 * block with SYNC_PRUNED naming that block; the asker then asks another peer ahead of it that
 * may hold them, and when none does, it says so (an error log every 30 s, and `/ready`'s
 * reason): it needs a peer that keeps those blocks, an archive node, or to start afresh by
 * state sync (state-sync.ts), which the network hands its messages to first.
 */
import { isSovError, type Commit } from '../../core/index.js';
import { ConsensusErrorCodes } from '../../consensus/index.js';
import type { ConsensusDriver } from '../chain/consensus-driver.js';
import type { Mempool } from '../chain/mempool.js';
import type { P2PHost } from './host.js';
import { StateErrorCodes, type LedgerStore } from '../../state/index.js';
import type { Logger } from '../ops/log.js';
import type { NodeMetrics } from '../ops/metrics.js';
import { decodeMessage, encodeMessage, MAX_REACHED, MAX_SYNC_BATCH, type WireMessage } from './wire.js';
import { PartAssembler } from './parts.js';
import { NodeErrorCodes } from '../errors.js';
import { instanceHex, newInstance, TwinWatch } from './twins.js';
import { ASK_ALL_AFTER_MS, CompactAssembler, compactOf } from './compact.js';
import { Block, type Proposal } from '../../core/index.js';

const MAX_STRIKES = 50;
const SYNC_RES_BYTES = 4 * 1024 * 1024;
const RELAY_BYTES = 4 * 1024 * 1024;
/** At most this much of the mempool is offered to a peer when it connects (what the host buffers for a slow link stays bounded). */
const PENDING_OFFER_BYTES = 16 * 1024 * 1024;

interface PeerState {
  height: number;
  lastHeight: number;
  /** The oldest block the peer said it keeps (SYNC_PRUNED), 1 until it says otherwise. */
  oldestBlock: number;
  strikes: number;
  /** When this node last got a frame from the peer (ms, the node's clock). */
  heardAt: number;
}

/** How often a node that no peer can serve blocks to logs so, at most. */
export const SYNC_STALL_LOG_MS = 30_000;

/** Linked peers silent this long (every peer announces its status each second) make the node unready, with a warning naming them. */
export const SILENT_PEERS_MS = 10_000;

export interface NetworkOptions {
  host: P2PHost;
  driver: ConsensusDriver;
  mempool: Mempool;
  ledger: LedgerStore;
  log: Logger;
  metrics: NodeMetrics;
  statusMs?: number;
  /** The clock (tests give their own). */
  now?: () => number;
  /** This process's instance number in status messages (twins.ts); random when absent. */
  instance?: number;
  /** State sync (state-sync.ts): takes its messages first, and pauses block sync while it runs. */
  stateSync?: StateSyncHooks;
  /** A compact proposal completed here, decoded with its transaction hashes (the app checks it without decoding it again). */
  onWholeBlock?: (block: Block) => void;
}

/** What the network asks of state sync (node.ts wires the server and the joining client). */
export interface StateSyncHooks {
  /** Handle a state-sync message (or a block answer state sync waits for); false: not its. */
  onMessage(peer: string, msg: WireMessage): boolean;
  /** True while state sync runs: no block sync meanwhile. */
  readonly active: boolean;
}

export class NodeNetwork {
  private readonly peers = new Map<string, PeerState>();
  private readonly parts = new PartAssembler();
  private statusTimer: NodeJS.Timeout | null = null;
  private syncAsked: { peer: string; from: number; at: number } | null = null;
  /** Peers are ahead, but every one of them said it pruned the blocks this node needs next (null: not so). */
  private stall: { from: number; oldest: number; peers: number; loggedAt: number } | null = null;
  private progress = { since: Date.now(), startHeight: 0, lastPrint: 0 };
  /** Since when every linked peer has been silent (null: one spoke lately, or none is linked), and whether that was logged. */
  private silence: { since: number; logged: boolean } | null = null;
  private readonly now: () => number;
  private readonly twins = new TwinWatch();
  private readonly compact: CompactAssembler;
  /** This process's instance number (twins.ts). */
  readonly instance: number;

  constructor(private readonly opts: NetworkOptions) {
    this.now = opts.now ?? Date.now;
    this.instance = opts.instance ?? newInstance();
    this.compact = new CompactAssembler({ txBytes: (hex) => opts.mempool?.bytesOf(hex) });
  }

  start(): void {
    this.statusTimer = setInterval(() => this.announce(), this.opts.statusMs ?? 1000);
    this.statusTimer.unref();
  }

  stop(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
  }

  /** The highest committed height any peer reported. */
  get bestPeerHeight(): number {
    let best = 0;
    for (const p of this.peers.values()) best = Math.max(best, p.lastHeight);
    return best;
  }

  get syncing(): boolean {
    return this.bestPeerHeight > this.opts.ledger.height + 1;
  }

  onPeer(peer: string, connected: boolean): void {
    if (connected) {
      const fresh = !this.peers.has(peer);
      this.peers.set(peer, { height: 0, lastHeight: 0, oldestBlock: 1, strikes: 0, heardAt: this.now() });
      this.opts.host.send(peer, this.statusMessage());
      if (fresh) {
        this.opts.log.info({ peer, peers: this.peers.size }, 'peer connected');
        this.offerPending(peer);
      }
    } else if (this.peers.delete(peer)) {
      this.twins.forget(peer);
      this.opts.log.info({ peer, peers: this.peers.size }, 'peer disconnected');
    }
    this.opts.metrics.peers.set(this.opts.host.peers().length);
  }

  /**
   * Relay transactions just admitted here to the peers that do not have them yet. Each
   * message names the nodes it has reached (`reached`: every sender on its way and the peers
   * each sent it to), and a node relays only to its peers outside that list. In a full mesh
   * of validators a transaction is then sent once to each node, by the node that admitted it
   * first, instead of once per link; a peer the origin is not linked to still gets it from
   * a node that is. `from` is the message it came in (absent: from a client). Returns the
   * number of peers it was sent to.
   */
  relayTxs(txs: readonly Uint8Array[], from?: { peer: string; reached: readonly string[] }): number {
    const host = this.opts.host;
    const known = new Set<string>(from ? [...from.reached, from.peer] : []);
    const targets = host.peers().filter((p) => !known.has(p));
    if (targets.length === 0) return 0;
    known.add(host.peerId);
    for (const p of targets) known.add(p);
    // Past the cap the list is cut: that can only cause more relays, never fewer.
    this.sendTxs(targets, txs, [...known].slice(0, MAX_REACHED));
    return targets.length;
  }

  /**
   * Offer a newly connected peer the transactions pending here (as CometBFT's mempool reactor
   * does), up to PENDING_OFFER_BYTES of them, in relay messages naming only this node and the
   * peer as reached: a transaction acknowledged while this node had no link (just restarted,
   * or an observer cut off) is not stranded here. The peer admits what it lacks and relays it.
   */
  private offerPending(peer: string): void {
    const txs = this.opts.mempool.pending(PENDING_OFFER_BYTES);
    if (txs.length === 0) return;
    this.sendTxs([peer], txs, [this.opts.host.peerId, peer]);
    this.opts.log.debug({ peer, txs: txs.length }, 'offered pending transactions to a new peer');
  }

  /** Send `txs` to `targets` in messages of at most 2,000 transactions and about 4 MiB (a frame holds 16 MiB). */
  private sendTxs(targets: readonly string[], txs: readonly Uint8Array[], reached: readonly string[]): void {
    const host = this.opts.host;
    let batch: Uint8Array[] = [];
    let bytes = 0;
    const flush = (): void => {
      if (batch.length > 0) {
        const msg = encodeMessage('txs', { txs: batch, reached });
        for (const p of targets) host.send(p, msg);
      }
      batch = [];
      bytes = 0;
    };
    for (const tx of txs) {
      if (batch.length >= 2000 || (batch.length > 0 && bytes + tx.length > RELAY_BYTES)) flush();
      batch.push(tx);
      bytes += tx.length;
    }
    flush();
  }

  /**
   * Why this node is cut off although linked, or null: every linked peer silent for
   * SILENT_PEERS_MS (peers announce their status each second). That is what a node sees when
   * its peers dropped its link for another process running the same node key, or when the
   * network drops its traffic one way.
   */
  silentReason(): string | null {
    const s = this.silence;
    if (s === null || this.now() - s.since < SILENT_PEERS_MS) return null;
    return `linked to ${this.peers.size} peer(s) but heard nothing from any for ${Math.round((this.now() - s.since) / 1000)} s`;
  }

  /** Track whether every linked peer is silent; log it once at warn when it lasts, and once at info when it ends. */
  private checkSilence(): void {
    const now = this.now();
    let heard = false;
    for (const p of this.peers.values()) if (now - p.heardAt < SILENT_PEERS_MS) heard = true;
    if (heard || this.peers.size === 0) {
      if (this.silence?.logged) this.opts.log.info({ peers: this.peers.size }, 'peers heard again');
      this.silence = null;
      return;
    }
    // Silent since the last of them spoke.
    let since = 0;
    for (const p of this.peers.values()) since = Math.max(since, p.heardAt);
    this.silence ??= { since, logged: false };
    if (!this.silence.logged) {
      this.silence.logged = true;
      this.opts.log.warn({ peers: [...this.peers.keys()], silentMs: now - this.silence.since },
        'linked peers have sent nothing for several seconds: another process may be running this node key (peers keep one link per node id), or the network drops this node\'s traffic; this node reports itself not ready');
    }
  }

  onFrame(peer: string, frame: Uint8Array): void {
    const st = this.peers.get(peer);
    if (st) st.heardAt = this.now();
    let msg: WireMessage;
    try {
      msg = decodeMessage(frame);
    } catch (e) {
      this.strike(peer, isSovError(e) ? e.code : NodeErrorCodes.MALFORMED);
      return;
    }
    void this.handle(peer, msg).catch((e) => {
      if (isSovError(e)) this.strike(peer, e.code);
      else this.opts.log.error({ peer, err: (e as Error).message }, 'error handling a peer message');
    });
  }

  /** Count a provably bad message against `peer` (state sync's refused chunks). */
  strikePeer(peer: string, code: string): void {
    this.strike(peer, code);
  }

  private strike(peer: string, code: string): void {
    this.opts.metrics.peerMisbehaviour.inc({ code });
    const p = this.peers.get(peer);
    if (!p) return;
    p.strikes++;
    this.opts.log.debug({ peer, code, strikes: p.strikes }, 'refused a message from a peer');
    if (p.strikes >= MAX_STRIKES) {
      this.opts.log.warn({ peer, code }, 'disconnecting a misbehaving peer');
      p.strikes = 0;
      void this.opts.host.disconnect(peer);
    }
  }

  private async consensusEvent(peer: string, ev: Parameters<ConsensusDriver['event']>[0]): Promise<void> {
    const err = await this.opts.driver.event(ev);
    if (err && err.peerAction === 'reject' && err.code !== ConsensusErrorCodes.WRONG_HEIGHT) this.strike(peer, err.code);
  }

  private async handle(peer: string, msg: WireMessage): Promise<void> {
    if (this.opts.stateSync?.onMessage(peer, msg)) return;
    switch (msg.kind) {
      case 'vote':
        return this.consensusEvent(peer, { type: 'vote', vote: msg.body.vote });
      case 'proposal':
        this.parts.addProposal(msg.body.proposal, msg.body.partsTotal, msg.body.partsRoot);
        return;
      case 'part': {
        const whole = this.parts.addPart({ ...msg.body, proof: [...msg.body.proof] });
        if (whole) return this.consensusEvent(peer, { type: 'proposal', proposal: whole.proposal, block: whole.block });
        return;
      }
      case 'txs': {
        const res = await this.opts.mempool.add(msg.body.txs);
        const added = msg.body.txs.filter((_, i) => res[i]!.status === 'added');
        if (added.length > 0) this.relayTxs(added, { peer, reached: msg.body.reached });
        return;
      }
      case 'status': {
        const p = this.peers.get(peer);
        if (p) {
          p.height = msg.body.height;
          p.lastHeight = msg.body.lastHeight;
        }
        this.watchTwins(peer, msg.body.instance);
        this.maybeSync();
        return;
      }
      case 'syncReq':
        return this.answerSync(peer, msg.body.from, msg.body.count);
      case 'syncRes':
        return this.acceptSync(peer, msg.body.blocks);
      case 'evidence':
        this.opts.driver.addEvidence(msg.body.evidence);
        return;
      case 'syncPruned':
        return this.syncPruned(peer, msg.body.from, msg.body.oldest);
      case 'twin':
        return this.twinReported(peer, msg.body.instances, msg.body.addresses);
      case 'compact':
        return this.compactProposal(peer, msg.body);
      case 'txsReq':
        for (const txs of this.compact.serve(msg.body.hashes)) this.opts.host.send(peer, encodeMessage('txsRes', { txs }));
        return;
      case 'txsRes':
        for (const whole of this.compact.addTxs(msg.body.txs)) {
          this.opts.metrics.compactFetchedTxs.inc(whole.fetched);
          this.opts.onWholeBlock?.(whole.decoded);
          await this.consensusEvent(peer, { type: 'proposal', proposal: whole.proposal, block: whole.block });
        }
        return;
    }
  }

  /**
   * The messages that carry this node's proposal: the compact form (compact.ts). The block's
   * transactions are kept to answer peers that lack some of them. `block` is the decoded
   * block when the caller holds it (the proposer's app does: no decoding and hashing again).
   */
  compactProposalMessages(proposal: Proposal, block: Block | Uint8Array): Uint8Array[] {
    const b = block instanceof Block ? block : Block.decode(block);
    this.compact.remember(b);
    return [encodeMessage('compact', compactOf(proposal, b))];
  }

  /** A compact proposal: complete it from the mempool, or ask the sender (and later every peer) for what is missing. */
  private async compactProposal(peer: string, body: { proposal: Proposal; skeleton: Uint8Array; txHashes: readonly Uint8Array[] }): Promise<void> {
    // Signed by this round's proposer, for this height, before it takes a place among the
    // proposals being completed (so a peer cannot crowd real ones out with forged ones).
    const bad = this.opts.driver.precheckProposal(body.proposal);
    if (bad) {
      this.opts.log.debug({ peer, code: bad.code, reason: bad.message }, 'dropped a compact proposal');
      if (bad.peerAction === 'reject' && bad.code !== ConsensusErrorCodes.WRONG_HEIGHT) this.strike(peer, bad.code);
      return;
    }
    const r = this.compact.add(peer, body, this.now());
    switch (r.kind) {
      case 'whole':
        this.opts.onWholeBlock?.(r.decoded);
        return this.consensusEvent(peer, { type: 'proposal', proposal: r.proposal, block: r.block });
      case 'refused':
        this.opts.log.debug({ peer, reason: r.reason }, 'refused a compact proposal');
        return this.strike(peer, NodeErrorCodes.P2P_BAD_COMPACT_BLOCK);
      case 'missing': {
        this.opts.log.debug({ peer, height: body.proposal.height, round: body.proposal.round, missing: r.hashes.length }, 'compact proposal: asking for the transactions missing here');
        this.opts.host.send(peer, encodeMessage('txsReq', { hashes: r.hashes }));
        const t = setTimeout(() => {
          for (const o of this.compact.overdue(this.now())) {
            this.opts.log.debug({ from: o.from, missing: o.hashes.length }, 'compact proposal: still missing transactions, asking every peer');
            this.opts.host.broadcast(encodeMessage('txsReq', { hashes: o.hashes }), o.from);
          }
        }, ASK_ALL_AFTER_MS + 10);
        t.unref();
        return;
      }
      case 'known':
        return;
    }
  }

  /** A status from `peer` with `instance`: when two processes are running its node key, say so here and tell both. */
  private watchTwins(peer: string, instance: number): void {
    const instances = this.twins.observe(peer, instance, this.now());
    if (instances === null) return;
    const addresses = this.opts.host.addressesOf(peer).slice(0, 8);
    this.opts.log.warn({ peer, instances: instances.map(instanceHex), addresses },
      'two processes are running one node key: this node hears both; its peers keep one link per node id, so one of them is cut off (stop one, or give it its own node key)');
    void this.opts.host.sendOnEveryConnection(peer, encodeMessage('twin', { instances, addresses }));
  }

  /** A peer hears several processes running this node's key. */
  private twinReported(peer: string, instances: readonly number[], addresses: readonly string[]): void {
    if (!instances.includes(this.instance)) return this.strike(peer, NodeErrorCodes.MALFORMED);
    const others = instances.filter((i) => i !== this.instance);
    if (others.length === 0) return this.strike(peer, NodeErrorCodes.MALFORMED);
    this.opts.log.warn({ reportedBy: peer, thisInstance: instanceHex(this.instance), otherInstances: others.map(instanceHex), addresses },
      'another process is running this node\'s key (a peer hears both): stop one of them, or give it its own node key; a validator key on two processes equivocates');
  }

  private statusMessage(): Uint8Array {
    const d = this.opts.driver;
    return encodeMessage('status', { height: d.height, round: d.round, lastHeight: this.opts.ledger.height, instance: this.instance });
  }

  private announce(): void {
    this.opts.host.broadcast(this.statusMessage());
    this.checkSilence();
    this.maybeSync();
    this.showProgress();
  }

  private maybeSync(): void {
    if (this.opts.stateSync?.active) return;
    const mine = this.opts.ledger.height;
    const now = Date.now();
    if (this.syncAsked && this.syncAsked.from > mine && now - this.syncAsked.at < 5000) return;
    const from = mine + 1;
    let best: [string, PeerState] | null = null;
    let ahead = 0;
    let oldest = Infinity;
    for (const e of this.peers) {
      if (e[1].lastHeight <= mine) continue;
      ahead++;
      // A peer that said it pruned the blocks from `from` is asked no more for them.
      if (e[1].oldestBlock > from) {
        oldest = Math.min(oldest, e[1].oldestBlock);
        continue;
      }
      if (!best || e[1].lastHeight > best[1].lastHeight) best = e;
    }
    if (!best) {
      if (ahead > 0) this.stalled(from, oldest, ahead);
      return;
    }
    if (this.stall !== null) {
      this.opts.log.info({ peer: best[0], from }, 'a peer holds the blocks this node needs: catching up again');
      this.stall = null;
    }
    const count = Math.min(MAX_SYNC_BATCH, best[1].lastHeight - mine);
    this.syncAsked = { peer: best[0], from, at: now };
    this.opts.host.send(best[0], encodeMessage('syncReq', { from, count }));
  }

  /** Every peer ahead pruned the blocks from `from`: remember it for /ready, and log it now and then. */
  private stalled(from: number, oldest: number, peers: number): void {
    const now = this.now();
    const logged = this.stall !== null && this.stall.from === from && now - this.stall.loggedAt < SYNC_STALL_LOG_MS;
    this.stall = { from, oldest, peers, loggedAt: logged ? this.stall!.loggedAt : now };
    if (logged) return;
    this.opts.log.error(
      { from, oldestKeptByPeers: oldest, peersAhead: peers },
      `cannot catch up: this node needs block ${from}, but the peers ahead of it keep blocks from height ${oldest} on only (they prune: [storage] retain_blocks). ` +
        'Connect it to a peer that keeps them (an archive node, retain_blocks = 0, in p2p.persistent_peers), or start it from an empty store with [statesync] enable = true',
    );
  }

  /** Why this node cannot catch up although peers are ahead (each pruned the blocks it needs), or null. */
  syncStallReason(): string | null {
    const s = this.stall;
    if (s === null || this.opts.ledger.height >= s.from) return null;
    return `cannot catch up: block ${s.from} is pruned on every peer ahead (oldest kept: ${s.oldest}); needs an archive peer`;
  }

  /** A peer pruned the blocks from `from`: ask another (or say that none can serve them). */
  private syncPruned(peer: string, from: number, oldest: number): void {
    const p = this.peers.get(peer);
    if (p) p.oldestBlock = Math.max(p.oldestBlock, oldest);
    if (this.syncAsked?.peer === peer) this.syncAsked = null;
    this.opts.log.debug({ peer, from, oldest }, 'a peer keeps no blocks from the height asked (pruned)');
    this.maybeSync();
  }

  private async answerSync(peer: string, from: number, count: number): Promise<void> {
    const ledger = this.opts.ledger;
    const pruned = (oldest: number): void => {
      this.opts.log.debug({ peer, from, oldest }, 'a peer asked for blocks pruned here');
      this.opts.host.send(peer, encodeMessage('syncPruned', { from, oldest }));
    };
    if (from < ledger.oldestBlock && from <= ledger.height) return pruned(ledger.oldestBlock);
    const blocks: { block: Uint8Array; commit: Commit }[] = [];
    let bytes = 0;
    for (let h = from; h <= ledger.height && blocks.length < Math.min(count, MAX_SYNC_BATCH); h++) {
      let block;
      let commit;
      try {
        block = await ledger.blocks.getBlock(h);
        commit = await ledger.blocks.getCommit(h);
      } catch (e) {
        // Pruned while this was read: send what was read, or say it is gone.
        if (!(isSovError(e) && e.code === StateErrorCodes.STATE_PRUNED)) throw e;
        if (blocks.length === 0) return pruned(ledger.oldestBlock);
        break;
      }
      if (blocks.length > 0 && bytes + block.bytes.length > SYNC_RES_BYTES) break;
      blocks.push({ block: block.bytes, commit });
      bytes += block.bytes.length;
    }
    if (blocks.length > 0) this.opts.host.send(peer, encodeMessage('syncRes', { blocks }));
  }

  private acceptSync(peer: string, blocks: readonly { block: Uint8Array; commit: Commit }[]): void {
    if (this.syncAsked?.peer === peer) this.syncAsked = null;
    for (const b of blocks) this.opts.driver.addSynced(b.block, b.commit);
  }

  private showProgress(): void {
    if (this.opts.stateSync?.active) return;
    const best = this.bestPeerHeight;
    const mine = this.opts.ledger.height;
    if (best - mine < 20) {
      this.progress = { since: Date.now(), startHeight: mine, lastPrint: 0 };
      return;
    }
    const now = Date.now();
    if (now - this.progress.lastPrint < 2000) return;
    this.progress.lastPrint = now;
    const rate = (mine - this.progress.startHeight) / Math.max(0.001, (now - this.progress.since) / 1000);
    const remaining = best - mine;
    const eta = rate > 0 ? Math.round(remaining / rate) : null;
    const line = `syncing: height ${mine} of ${best}, ${rate.toFixed(1)} blocks/s, ${remaining} to go${eta !== null ? `, about ${eta} s left` : ''}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
    else this.opts.log.info({ height: mine, target: best, rate: Number(rate.toFixed(1)), remaining, etaSeconds: eta }, 'syncing');
  }
}
