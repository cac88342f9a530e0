/**
 * The fault suite's invariants, checked over JSON-RPC only:
 * - agreement: at every height up to the lowest tip of the nodes compared, every node serves
 *   the same block hash and the same state root (sov_getBlock; heights compared once, as
 *   committed blocks never change);
 * - exactly once: every transaction acknowledged is found committed (sov_getTransaction) and
 *   appears in exactly one block; no transaction appears twice in any block scanned;
 * - progress: the validators' heights move on after a fault heals (and, where the fault
 *   leaves a quorum, while it lasts).
 */
import type { Devnet } from '../../test/devnet.js';
import { rpcMany, status } from './rpc.js';

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

export class ChainChecker {
  /** Heights 1..comparedTo were compared on every node in `nodes`. */
  comparedTo = 0;
  /** Occurrences of each transaction hash in the blocks compared (node 0's copy, which all the others matched). */
  readonly txCounts = new Map<string, number>();
  duplicates: string[] = [];

  constructor(private readonly net: Devnet) {}

  url(i: number): string {
    return this.net.manifest.nodes[i]!.rpc_url;
  }

  async tips(nodes: readonly number[]): Promise<number[]> {
    return Promise.all(nodes.map(async (i) => (await status(this.url(i)))?.height ?? -1));
  }

  /** Wait until every node in `nodes` is at `height` at least; false when `timeoutMs` passes first. */
  async waitAll(nodes: readonly number[], height: number, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const t = await this.tips(nodes);
      if (t.every((h) => h >= height)) return true;
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Compare heights comparedTo+1 .. the lowest tip of `nodes` (at most `upTo`): block hash and
   * state root, node by node against nodes[0]; count the transactions of those blocks.
   */
  async compare(nodes: readonly number[], upTo = Infinity): Promise<{ from: number; to: number; comparisons: number; mismatches: string[] }> {
    const tips = await this.tips(nodes);
    const to = Math.min(upTo, ...tips);
    const from = this.comparedTo + 1;
    const mismatches: string[] = [];
    let comparisons = 0;
    if (to < from) return { from, to: this.comparedTo, comparisons, mismatches };
    const calls: { method: string; params: unknown }[] = [];
    for (let h = from; h <= to; h++) calls.push({ method: 'sov_getBlock', params: [h] });
    type B = { hash: string; header: { stateRoot: string }; txs: string[] };
    const perNode = await Promise.all(nodes.map((i) => rpcMany(this.url(i), calls, 100)));
    const ref = perNode[0]!;
    for (let k = 0; k < calls.length; k++) {
      const h = from + k;
      const a = ref[k]!.result as B | undefined;
      if (!a) {
        mismatches.push(`node ${nodes[0]} has no block ${h}: ${ref[k]!.error?.message}`);
        continue;
      }
      for (let n = 1; n < nodes.length; n++) {
        const b = perNode[n]![k]!.result as B | undefined;
        comparisons += 2;
        if (!b) mismatches.push(`node ${nodes[n]} has no block ${h}: ${perNode[n]![k]!.error?.message}`);
        else if (b.hash !== a.hash) mismatches.push(`height ${h}: node ${nodes[0]} ${a.hash} but node ${nodes[n]} ${b.hash}`);
        else if (b.header.stateRoot !== a.header.stateRoot) mismatches.push(`height ${h}: state root ${a.header.stateRoot} on node ${nodes[0]}, ${b.header.stateRoot} on node ${nodes[n]}`);
      }
      for (const tx of a.txs) {
        const c = (this.txCounts.get(tx) ?? 0) + 1;
        this.txCounts.set(tx, c);
        if (c === 2) this.duplicates.push(tx);
      }
    }
    if (mismatches.length === 0) this.comparedTo = to;
    return { from, to, comparisons, mismatches };
  }

  /**
   * Poll sov_getTransaction on node `via` until every hash is found committed or `timeoutMs`
   * passes. Returns the height of each one found and the hashes missing.
   */
  async waitCommitted(via: number, hashes: readonly string[], timeoutMs: number): Promise<{ found: Map<string, number>; missing: string[] }> {
    const found = new Map<string, number>();
    let left = [...hashes];
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        const answers = await rpcMany(this.url(via), left.map((h) => ({ method: 'sov_getTransaction', params: [h] })), 500);
        left = left.filter((h, k) => {
          const r = answers[k]!.result as { height: number } | undefined;
          if (r) found.set(h, r.height);
          return !r;
        });
      } catch {
        // the node is busy or restarting: ask again
      }
      if (left.length === 0 || Date.now() > end) return { found, missing: left };
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /**
   * The exactly-once check of `hashes` after waitCommitted: each found committed and, in the
   * blocks compared (which must reach its height), counted once.
   */
  exactlyOnce(hashes: readonly string[], found: Map<string, number>): { once: number; twice: string[]; notScanned: number } {
    let once = 0;
    let notScanned = 0;
    const twice: string[] = [];
    for (const h of hashes) {
      const at = found.get(h);
      if (at === undefined) continue;
      if (at > this.comparedTo) {
        notScanned++;
        continue;
      }
      const c = this.txCounts.get(h) ?? 0;
      if (c === 1) once++;
      else twice.push(`${h} x${c}`);
    }
    return { once, twice, notScanned };
  }
}
