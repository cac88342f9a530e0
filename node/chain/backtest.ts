/**
 * The replay behind comp_backtest (vm/modules/comp/backtest.ts says what a backtest is):
 * the state at `from - 1` (a retained version of the ledger), read through an in-memory
 * fork that takes each replayed block's writes, with the candidate put in force as a shadow
 * rule from `from`; blocks `from..to` read from the block store and executed again with
 * their own headers' height, time and proposer (signatures were checked when they were
 * committed). Each replayed receipt is compared with the committed one: a transaction that
 * now fails or succeeds differently, or is no longer admitted, is a divergence. The node
 * yields to its event loop between blocks, so consensus and RPC keep running.
 */
import { decode, Tx } from '../../core/index.js';
import { comp, executeBlock, keyId, ReceiptSchema, type Registry, type StateReader, type Write } from '../../vm/index.js';
import type { LedgerStore } from '../../state/index.js';

export interface BacktestQuery {
  readonly candidate: comp.Candidate;
  readonly from: number;
  readonly to: number;
  /** Findings kept (the counts cover every payment); default 10,000. */
  readonly maxFindings?: number;
}

export interface Divergence {
  readonly height: number;
  readonly index: number;
  readonly txHash: Uint8Array;
  /** The committed receipt's code (0: it succeeded), and the replay's (or the admission code it was refused with). */
  readonly committed: number;
  readonly replayed: number | string;
}

export interface BacktestReport {
  readonly rule: string;
  readonly cost: number;
  readonly from: number;
  readonly to: number;
  readonly blocks: number;
  readonly transactions: number;
  /** Payments the candidate was evaluated on, and what it decided, by decision. */
  readonly payments: number;
  readonly decisions: Record<comp.DecisionName, number>;
  readonly findings: readonly comp.Finding[];
  readonly truncated: boolean;
  readonly diverged: readonly Divergence[];
}

/** Reads the ledger at one retained version, under the writes of the blocks replayed on it. */
class Fork implements StateReader {
  private readonly writes = new Map<string, Uint8Array | null>();
  constructor(
    private readonly ledger: LedgerStore,
    private readonly base: number,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    const w = this.writes.get(keyId(key));
    if (w !== undefined) return w ?? undefined;
    return this.ledger.get(key, this.base).then((v) => v ?? undefined);
  }

  apply(ws: readonly Write[]): void {
    for (const w of ws) this.writes.set(keyId(w.key), w.value);
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

export class BacktestRangeError extends Error {
  override name = 'BacktestRangeError';
}

/** Replay `from..to` with the candidate as a shadow rule; see the file's docblock. */
export async function backtest(ledger: LedgerStore, q: BacktestQuery, modules?: Registry): Promise<BacktestReport> {
  const head = ledger.height;
  if (!Number.isSafeInteger(q.from) || !Number.isSafeInteger(q.to) || q.from < 2 || q.to < q.from) {
    throw new BacktestRangeError(`from and to are heights with 2 <= from <= to (block 1 is built on the genesis state, not on a committed version); got ${q.from}..${q.to}`);
  }
  if (q.to > head) throw new BacktestRangeError(`to ${q.to} is above the head ${head}`);
  const fork = new Fork(ledger, q.from - 1);
  const { id, cost, writes } = await comp.candidateWrites(fork, q.candidate, q.from, modules);
  fork.apply(writes);
  const maxFindings = q.maxFindings ?? 10_000;
  const decisions: Record<comp.DecisionName, number> = { pass: 0, refuse: 0, flag: 0, hold: 0, error: 0, travel: 0 };
  const findings: comp.Finding[] = [];
  const diverged: Divergence[] = [];
  let transactions = 0;
  let payments = 0;
  let truncated = false;
  for (let h = q.from; h <= q.to; h++) {
    const block = await ledger.blocks.getBlock(h);
    const hd = block.header;
    const txs = block.data.txs;
    const ev = block.data.evidence;
    const r = await executeBlock(fork, { chainId: hd.chainId, height: h, time: hd.time, proposer: hd.proposer, ...(ev.length > 0 ? { evidence: ev } : {}) }, txs, { signaturesVerified: true, ...(modules ? { modules } : {}) });
    fork.apply(r.writes);
    transactions += txs.length;
    const replayed = new Map(r.included.map((tx, i) => [tx.hashHex, r.receipts[i]!]));
    const refused = new Map(r.rejected.map((x) => [x.index, x.code]));
    for (let i = 0; i < txs.length; i++) {
      const committed = decode(ReceiptSchema, await ledger.blocks.getReceipt(h, i));
      const rc = replayed.get(Tx.decode(txs[i]!).hashHex);
      if (rc === undefined) {
        diverged.push({ height: h, index: i, txHash: committed.txHash, committed: committed.code, replayed: refused.get(i) ?? 'not replayed' });
        continue;
      }
      if (rc.status !== committed.status || rc.code !== committed.code) diverged.push({ height: h, index: i, txHash: committed.txHash, committed: committed.code, replayed: rc.code });
      const f = comp.findingsOf(id, h, i, rc);
      payments += f.decisions.length;
      for (const d of f.decisions) decisions[comp.DECISION_NAMES[d] ?? 'error']++;
      for (const x of f.findings) {
        if (findings.length < maxFindings) findings.push(x);
        else truncated = true;
      }
    }
    await turn();
  }
  return { rule: id, cost, from: q.from, to: q.to, blocks: q.to - q.from + 1, transactions, payments, decisions, findings, truncated, diverged };
}
