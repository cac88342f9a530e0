/**
 * The mempool: transactions waiting for a block.
 *
 * Admission, cheapest checks first: size; duplicate (pending, or committed recently);
 * canonical decoding; chain id; expiry against the latest height; nonce inside the window
 * [next nonce of the signer in committed state, + nonceWindow); the per-signer and total
 * caps; then the signatures, on the worker pool (VerifyPool), in one batch per call. A
 * transaction whose signatures verified is remembered, so a block that carries it is not
 * verified again (`wasVerified`).
 *
 * Reaping for a proposal takes, signer by signer in arrival order, the contiguous run of
 * nonces from each signer's next nonce. After a commit, included transactions leave, and
 * the rest are re-checked (expired or stale nonces leave too).
 */
import { Domain, SovError, Tx, hashOf, toHex, isSovError, Limits } from '../core/index.js';
import type { VerifyPool } from './verify-pool.js';

export interface MempoolLimits {
  maxTxs: number;
  maxBytes: number;
  maxPerAccount: number;
  /** How far past a signer's next nonce a transaction may be admitted. */
  nonceWindow: number;
  /** How many committed hashes to remember, to refuse replays cheaply. */
  recentCommitted: number;
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = Object.freeze({
  maxTxs: 50_000,
  maxBytes: 256 * 1024 * 1024,
  maxPerAccount: 1000,
  nonceWindow: 1000,
  recentCommitted: 200_000,
});

export interface MempoolDeps {
  chainId: string;
  pool: VerifyPool;
  /** The signer's next nonce in the latest committed state (a number at once when it is at hand). */
  nextNonce(signer: Uint8Array): number | Promise<number>;
  /** The latest committed height. */
  height(): number;
}

export type AddStatus = { hash: string; status: 'added' } | { hash: string; status: 'duplicate' } | { hash: string | null; status: 'rejected'; code: string; message: string };

interface Entry {
  tx: Tx;
  hashHex: string;
  signerHex: string;
  seq: number;
  /** When it was admitted (ms, monotonic), for the commit-latency metric. */
  admittedAt: number;
}

export class MempoolError extends SovError {
  constructor(code: string, message: string, meta: Record<string, unknown> = {}, peerAction: 'reject' | 'ignore' = 'ignore') {
    super(code, message, meta, peerAction);
  }
}

export class Mempool {
  private readonly byHash = new Map<string, Entry>();
  private readonly bySigner = new Map<string, Map<number, Entry>>();
  private readonly committed = new Set<string>();
  private committedOrder: string[] = [];
  private bytesHeld = 0;
  private seq = 0;
  /** Commits seen (admission re-reads nonces when one happened during its wait). */
  private generation = 0;
  /** Signers' next nonces read since the last commit (`nonceOf`), and the generation they are of. */
  private readonly nonces = new Map<string, number>();
  private noncesGeneration = -1;
  private readonly limits: MempoolLimits;

  constructor(
    private readonly deps: MempoolDeps,
    limits: Partial<MempoolLimits> = {},
  ) {
    this.limits = { ...DEFAULT_MEMPOOL_LIMITS, ...limits };
  }

  get size(): number {
    return this.byHash.size;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  has(hashHex: string): boolean {
    return this.byHash.has(hashHex);
  }

  /** The decoded transaction held under this hash, if any. */
  decoded(hashHex: string): Tx | undefined {
    return this.byHash.get(hashHex)?.tx;
  }

  /** True when this node already verified the signatures of the transaction with this hash. */
  wasVerified(hashHex: string): boolean {
    return this.byHash.has(hashHex);
  }

  /**
   * Admit a batch of encoded transactions. One result per input, in order.
   * The hash comes first (from the bytes alone), so a transaction already held, or already
   * committed, costs no decoding: with gossip, most copies a node receives are such repeats.
   */
  async add(txs: readonly Uint8Array[]): Promise<AddStatus[]> {
    const results: AddStatus[] = new Array(txs.length);
    const decoded: { i: number; tx: Tx; hashHex: string; signerHex: string }[] = [];
    const batchHashes = new Set<string>();
    for (let i = 0; i < txs.length; i++) {
      const bytes = txs[i]!;
      if (!(bytes instanceof Uint8Array) || bytes.length > Limits.MAX_TX_BYTES) {
        results[i] = reject(null, new MempoolError('MEMPOOL_TX_TOO_LARGE', `transaction exceeds ${Limits.MAX_TX_BYTES} bytes`, {}, 'reject'));
        continue;
      }
      const hash = hashOf(Domain.TX, bytes);
      const hashHex = toHex(hash);
      if (this.byHash.has(hashHex) || batchHashes.has(hashHex)) {
        results[i] = { hash: hashHex, status: 'duplicate' };
        continue;
      }
      if (this.committed.has(hashHex)) {
        results[i] = reject(hashHex, new MempoolError('MEMPOOL_ALREADY_COMMITTED', 'transaction is already in a block'));
        continue;
      }
      let tx: Tx;
      try {
        tx = Tx.decode(bytes, hash, hashHex);
      } catch (e) {
        results[i] = reject(hashHex, e);
        continue;
      }
      batchHashes.add(hashHex);
      decoded.push({ i, tx, hashHex, signerHex: toHex(tx.signer) });
    }
    // The signers' next nonces, one lookup per signer, then every check at once.
    const generation = this.generation;
    const nonces = await this.nextNonces(decoded);
    const candidates: typeof decoded = [];
    const slots = new Set<string>();
    for (const d of decoded) {
      const problem = this.statelessProblem(d.tx, nonces.get(d.signerHex)!);
      if (problem) {
        results[d.i] = reject(d.hashHex, problem);
        continue;
      }
      const slot = `${d.signerHex}:${d.tx.nonce}`;
      if (slots.has(slot) || this.bySigner.get(d.signerHex)?.has(d.tx.nonce)) {
        results[d.i] = reject(d.hashHex, new MempoolError('MEMPOOL_NONCE_TAKEN', `a transaction with nonce ${d.tx.nonce} from this signer is already pending`));
        continue;
      }
      slots.add(slot);
      candidates.push(d);
    }
    if (candidates.length === 0) return results;
    let codes: (string | null)[];
    try {
      codes = await this.deps.pool.check(this.deps.chainId, candidates.map((c) => c.tx));
    } catch (e) {
      for (const c of candidates) results[c.i] = reject(c.hashHex, e);
      return results;
    }
    // A block may have been committed while the signatures were checked: then the nonces
    // are read again (until no commit came in between), and what was committed or taken
    // meanwhile is refused now.
    let fresh = nonces;
    for (let seen = generation; this.generation !== seen; ) {
      seen = this.generation;
      fresh = await this.nextNonces(candidates);
    }
    candidates.forEach((c, k) => {
      const code = codes[k];
      if (code) {
        results[c.i] = { hash: c.hashHex, status: 'rejected', code, message: 'signature check failed' };
        return;
      }
      if (this.byHash.has(c.hashHex)) {
        results[c.i] = { hash: c.hashHex, status: 'duplicate' };
        return;
      }
      const problem = this.committed.has(c.hashHex)
        ? new MempoolError('MEMPOOL_ALREADY_COMMITTED', 'transaction is already in a block')
        : this.bySigner.get(c.signerHex)?.has(c.tx.nonce)
          ? new MempoolError('MEMPOOL_NONCE_TAKEN', `a transaction with nonce ${c.tx.nonce} from this signer is already pending`)
          : (this.statelessProblem(c.tx, fresh.get(c.signerHex)!) ?? this.capProblem(c.tx, c.signerHex));
      if (problem) {
        results[c.i] = reject(c.hashHex, problem);
        return;
      }
      this.insert(c.tx, c.hashHex, c.signerHex);
      results[c.i] = { hash: c.hashHex, status: 'added' };
    });
    return results;
  }

  /** The next nonce in committed state of each signer of `txs`. */
  private async nextNonces(txs: readonly { tx: Tx; signerHex: string }[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const { tx, signerHex } of txs) {
      if (out.has(signerHex)) continue;
      const n = this.nonceOf(signerHex, tx.signer);
      out.set(signerHex, typeof n === 'number' ? n : await n);
    }
    return out;
  }

  /**
   * `deps.nextNonce`, remembered until the next commit (`update`): committed state changes
   * only then, and admission asks for the same signers batch after batch. A read that a
   * commit overtook is not remembered. A number at once when no read had to wait.
   */
  private nonceOf(signerHex: string, signer: Uint8Array): number | Promise<number> {
    if (this.noncesGeneration !== this.generation) {
      this.nonces.clear();
      this.noncesGeneration = this.generation;
    }
    const known = this.nonces.get(signerHex);
    if (known !== undefined) return known;
    const generation = this.generation;
    const keep = (n: number): number => {
      if (generation === this.generation && this.noncesGeneration === generation) this.nonces.set(signerHex, n);
      return n;
    };
    const n = this.deps.nextNonce(signer);
    return typeof n === 'number' ? keep(n) : n.then(keep);
  }

  /** Transactions for a proposal, at most `maxTxs` and `maxBytes`, nonces contiguous per signer. */
  async reap(maxTxs: number, maxBytes: number): Promise<Tx[]> {
    const signers = [...this.bySigner.entries()]
      .map(([s, m]) => ({ s, m, first: Math.min(...[...m.values()].map((e) => e.seq)) }))
      .sort((a, b) => a.first - b.first);
    const out: Tx[] = [];
    let bytes = 0;
    for (const { m } of signers) {
      const any = m.values().next().value as Entry | undefined;
      if (!any) continue;
      const next = this.nonceOf(any.signerHex, any.tx.signer);
      let n = typeof next === 'number' ? next : await next;
      for (;;) {
        const e = m.get(n);
        if (!e || out.length >= maxTxs || bytes + e.tx.bytes.length > maxBytes) break;
        out.push(e.tx);
        bytes += e.tx.bytes.length;
        n++;
      }
      if (out.length >= maxTxs) break;
    }
    return out;
  }

  /**
   * After a commit: drop the included transactions, and every one no longer valid: the
   * expired ones, and those of the included transactions' signers whose nonce is now
   * used (only an included transaction moves its signer's nonce).
   * `onLatency` gets, for each included transaction admitted here, the seconds since admission.
   */
  async update(included: readonly Tx[], onLatency?: (seconds: number) => void): Promise<number> {
    this.generation++;
    const now = performance.now();
    const signers = new Map<string, Tx>();
    for (const t of included) {
      const hex = t.hashHex;
      this.remember(hex);
      const e = this.byHash.get(hex);
      if (e) {
        onLatency?.((now - e.admittedAt) / 1000);
        this.remove(e);
      }
      signers.set(toHex(t.signer), t);
    }
    let dropped = 0;
    const height = this.deps.height();
    // (Deleting the entry a Map iteration is at is safe: no copy of the pool per commit.)
    for (const e of this.byHash.values()) {
      if (e.tx.expiry <= height) {
        this.remove(e);
        dropped++;
      }
    }
    for (const [signerHex, t] of signers) {
      const pending = this.bySigner.get(signerHex);
      if (!pending) continue;
      const got = this.nonceOf(signerHex, t.signer);
      const next = typeof got === 'number' ? got : await got;
      for (const e of pending.values()) {
        if (this.statelessProblem(e.tx, next)) {
          this.remove(e);
          dropped++;
        }
      }
    }
    return dropped;
  }

  /** Chain id, expiry and nonce window, against the signer's next nonce `next`. */
  private statelessProblem(tx: Tx, next: number): SovError | null {
    if (tx.chainId !== this.deps.chainId) {
      return new MempoolError('TX_WRONG_CHAIN', `transaction is for chain "${tx.chainId}"`, {}, 'reject');
    }
    if (tx.expiry <= this.deps.height()) {
      return new MempoolError('MEMPOOL_TX_EXPIRED', `transaction expired at height ${tx.expiry}`);
    }
    if (tx.nonce < next) return new MempoolError('MEMPOOL_NONCE_TOO_LOW', `nonce ${tx.nonce} is below the next nonce ${next}`);
    if (tx.nonce >= next + this.limits.nonceWindow) {
      return new MempoolError('MEMPOOL_NONCE_TOO_HIGH', `nonce ${tx.nonce} is beyond the window (next ${next}, window ${this.limits.nonceWindow})`);
    }
    return null;
  }

  private capProblem(tx: Tx, signerHex: string): SovError | null {
    if (this.byHash.size >= this.limits.maxTxs || this.bytesHeld + tx.bytes.length > this.limits.maxBytes) {
      return new MempoolError('MEMPOOL_FULL', 'the mempool is full');
    }
    if ((this.bySigner.get(signerHex)?.size ?? 0) >= this.limits.maxPerAccount) {
      return new MempoolError('MEMPOOL_ACCOUNT_FULL', `this signer already has ${this.limits.maxPerAccount} pending transactions`);
    }
    return null;
  }

  private insert(tx: Tx, hashHex: string, signerHex: string): void {
    const e: Entry = { tx, hashHex, signerHex, seq: this.seq++, admittedAt: performance.now() };
    this.byHash.set(hashHex, e);
    let m = this.bySigner.get(signerHex);
    if (!m) this.bySigner.set(signerHex, (m = new Map()));
    m.set(tx.nonce, e);
    this.bytesHeld += tx.bytes.length;
  }

  private remove(e: Entry): void {
    this.byHash.delete(e.hashHex);
    const m = this.bySigner.get(e.signerHex);
    m?.delete(e.tx.nonce);
    if (m && m.size === 0) this.bySigner.delete(e.signerHex);
    this.bytesHeld -= e.tx.bytes.length;
  }

  private remember(hex: string): void {
    if (this.committed.has(hex)) return;
    this.committed.add(hex);
    this.committedOrder.push(hex);
    if (this.committedOrder.length > this.limits.recentCommitted * 1.5) {
      const drop = this.committedOrder.length - this.limits.recentCommitted;
      for (const h of this.committedOrder.slice(0, drop)) this.committed.delete(h);
      this.committedOrder = this.committedOrder.slice(drop);
    }
  }
}

function reject(hash: string | null, e: unknown): AddStatus {
  if (isSovError(e)) return { hash, status: 'rejected', code: e.code, message: e.message };
  return { hash, status: 'rejected', code: 'INTERNAL', message: (e as Error)?.message ?? String(e) };
}
