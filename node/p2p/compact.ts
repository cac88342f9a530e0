/**
 * Compact blocks: a proposal travels as the block without its transactions (header, last
 * commit, evidence) and the transactions' hashes, since each validator holds nearly all of
 * them already from gossip. A receiver checks the skeleton against the signed proposal (the
 * header's hash is the block id; its txRoot and txCount commit to the hashes), fills in each
 * transaction from its mempool or the recent blocks it holds, and asks for the rest by hash:
 * first the peer that sent the proposal, then, if they are still missing, every peer. A
 * transaction that comes back is accepted only under its hash. The whole block is the same
 * bytes the proposer built (the encoding is canonical), so nothing on chain changes meaning;
 * block sync of committed blocks is unchanged.
 *
 * A receiver that cannot complete the block before the round's propose timeout simply has no
 * proposal: it prevotes nil, as for a proposal that never arrived.
 */
import {
  Block, BlockSchema, decode, encode, equalBytes, headerHash, Limits, toHex, txRootOf, type BlockData, type Proposal,
} from '../../core/index.js';
import { txHashOf } from '../../state/index.js';

/** Where a receiver finds transactions it already holds: its mempool. */
export interface TxSource {
  /** The bytes of the transaction with this hash (hex), if held. */
  txBytes(hashHex: string): Uint8Array | undefined;
}

/** Most transactions asked for in one request, and most bytes answered in one response. */
export const MAX_TXS_REQUEST = 10_000;
export const TXS_RESPONSE_BYTES = 4 * 1024 * 1024;
/** After this long without every missing transaction, ask every peer, not only the sender. */
export const ASK_ALL_AFTER_MS = 500;
/** Proposals being completed at once, and recent whole blocks whose transactions are served. */
const MAX_IN_FLIGHT = 8;
const MAX_RECENT = 4;

export interface CompactProposal {
  proposal: Proposal;
  /** The block with no transactions (its header's txCount and txRoot are the full block's). */
  skeleton: Uint8Array;
  txHashes: readonly Uint8Array[];
}

/** The compact form of a proposal of `block` (the proposer's side). */
export function compactOf(proposal: Proposal, block: Block): CompactProposal {
  const skeleton = encode(BlockSchema, { ...block.data, txs: [] });
  return { proposal, skeleton, txHashes: block.txHashes() };
}

interface InFlight {
  proposal: Proposal;
  data: BlockData;
  hashes: readonly Uint8Array[];
  txs: (Uint8Array | undefined)[];
  /** Missing transaction index by hash (hex). */
  missing: Map<string, number>;
  from: string;
  askedAt: number;
  askedAll: boolean;
}

/** What adding a compact proposal gives: the whole block, or the hashes to ask `from` for, or nothing (refused or known). */
export type CompactResult =
  | { kind: 'whole'; proposal: Proposal; block: Uint8Array; decoded: Block; fetched: number }
  | { kind: 'missing'; hashes: Uint8Array[] }
  | { kind: 'refused'; reason: string }
  | { kind: 'known' };

const key = (p: { height: number; round: number; blockHash: Uint8Array }): string => `${p.height}/${p.round}/${toHex(p.blockHash)}`;

export class CompactAssembler {
  private readonly flights = new Map<string, InFlight>();
  /** Recent whole blocks' transactions by hash (hex), newest last: served to peers that lack them, and reused by re-proposals. */
  private readonly recent: Map<string, Uint8Array>[] = [];

  constructor(private readonly source: TxSource) {}

  /** Remember a whole block's transactions (one this node proposed or completed). */
  remember(block: Block): void {
    const m = new Map<string, Uint8Array>();
    const hs = block.txHashes();
    for (let i = 0; i < hs.length; i++) m.set(toHex(hs[i]!), block.data.txs[i]!);
    this.recent.push(m);
    if (this.recent.length > MAX_RECENT) this.recent.shift();
  }

  private held(hex: string): Uint8Array | undefined {
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const t = this.recent[i]!.get(hex);
      if (t) return t;
    }
    return this.source.txBytes(hex);
  }

  /** A compact proposal from `peer`. */
  add(peer: string, c: CompactProposal, now: number): CompactResult {
    const k = key(c.proposal);
    if (this.flights.has(k)) return { kind: 'known' };
    let data: BlockData;
    try {
      data = decode(BlockSchema, c.skeleton, Limits.MAX_BLOCK_BYTES);
    } catch (e) {
      return { kind: 'refused', reason: `the block skeleton does not decode: ${(e as Error).message}` };
    }
    const h = data.header;
    if (data.txs.length !== 0) return { kind: 'refused', reason: 'a block skeleton carries transactions' };
    if (!equalBytes(headerHash(h), c.proposal.blockHash)) return { kind: 'refused', reason: 'the skeleton\'s header is not the proposed block' };
    if (h.height !== c.proposal.height) return { kind: 'refused', reason: 'the skeleton is of another height' };
    if (h.txCount !== c.txHashes.length || !equalBytes(h.txRoot, txRootOf(c.txHashes))) return { kind: 'refused', reason: 'the transaction hashes do not match the header\'s txRoot and txCount' };
    const txs: (Uint8Array | undefined)[] = new Array(c.txHashes.length);
    const missing = new Map<string, number>();
    for (let i = 0; i < c.txHashes.length; i++) {
      const hex = toHex(c.txHashes[i]!);
      const t = this.held(hex);
      if (t) txs[i] = t;
      else if (missing.has(hex)) return { kind: 'refused', reason: 'a transaction twice in one block' };
      else missing.set(hex, i);
    }
    const f: InFlight = { proposal: c.proposal, data, hashes: c.txHashes, txs, missing, from: peer, askedAt: now, askedAll: false };
    if (missing.size === 0) return this.whole(f, 0);
    if (this.flights.size >= MAX_IN_FLIGHT) this.flights.delete(this.flights.keys().next().value!);
    this.flights.set(k, f);
    return { kind: 'missing', hashes: [...missing.keys()].map((hex) => c.txHashes[missing.get(hex)!]!) };
  }

  /** Transactions a peer sent in answer; returns each proposal they complete. */
  addTxs(txs: readonly Uint8Array[]): { proposal: Proposal; block: Uint8Array; decoded: Block; fetched: number }[] {
    if (this.flights.size === 0) return [];
    const byHash = new Map<string, Uint8Array>();
    for (const t of txs) byHash.set(toHex(txHashOf(t)), t);
    const done: { proposal: Proposal; block: Uint8Array; decoded: Block; fetched: number }[] = [];
    for (const [k, f] of this.flights) {
      let got = 0;
      for (const [hex, t] of byHash) {
        const i = f.missing.get(hex);
        if (i === undefined) continue;
        f.txs[i] = t;
        f.missing.delete(hex);
        got++;
      }
      if (got > 0 && f.missing.size === 0) {
        this.flights.delete(k);
        const w = this.whole(f, got);
        if (w.kind === 'whole') done.push(w);
      }
    }
    return done;
  }

  /** Proposals still missing transactions after ASK_ALL_AFTER_MS, not yet asked of every peer: ask them all (marks them asked). */
  overdue(now: number): { hashes: Uint8Array[]; from: string }[] {
    const out: { hashes: Uint8Array[]; from: string }[] = [];
    for (const f of this.flights.values()) {
      if (f.askedAll || now - f.askedAt < ASK_ALL_AFTER_MS) continue;
      f.askedAll = true;
      out.push({ hashes: [...f.missing.values()].map((i) => f.hashes[i]!), from: f.from });
    }
    return out;
  }

  /** How many proposals are waiting for transactions. */
  get waiting(): number {
    return this.flights.size;
  }

  /** The transactions asked for that this node holds, in responses of at most TXS_RESPONSE_BYTES. */
  serve(hashes: readonly Uint8Array[]): Uint8Array[][] {
    const out: Uint8Array[][] = [];
    let batch: Uint8Array[] = [];
    let bytes = 0;
    for (const h of hashes) {
      const t = this.held(toHex(h));
      if (!t) continue;
      if (batch.length > 0 && bytes + t.length > TXS_RESPONSE_BYTES) {
        out.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(t);
      bytes += t.length;
    }
    if (batch.length > 0) out.push(batch);
    return out;
  }

  /** Forget proposals below `height`. */
  prune(height: number): void {
    for (const [k, f] of this.flights) if (f.proposal.height < height) this.flights.delete(k);
  }

  private whole(f: InFlight, fetched: number): CompactResult {
    const data: BlockData = { ...f.data, txs: f.txs as Uint8Array[] };
    // add() checked the hashes against the header's txRoot: validateBlockBody need not again.
    const block = Block.fromData(data, f.hashes, { txRootChecked: true });
    this.remember(block);
    return { kind: 'whole', proposal: f.proposal, block: block.bytes, decoded: block, fetched };
  }
}
