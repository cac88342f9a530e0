/**
 * The mempool: transactions waiting for a block.
 *
 * One admission path: a transaction is held only if the vm would include it in the next
 * block, or would once the signer's lower nonces are in (vm `admissionProblem`, the same
 * authentication the vm runs at execution: chain id, expiry within max_tx_ttl_blocks of the
 * next height, the signer's account exists and is open, the nonce not used, every key the
 * account's, no key twice, the threshold met; then the signatures on the worker pool). A
 * refusal is answered with the vm's own code (TX_UNKNOWN_SIGNER, TX_KEY_NOT_AUTHORIZED, ...).
 * Cheapest checks first: size; duplicate (pending, or committed recently); canonical
 * decoding (TX_MALFORMED); authentication against the signer's account in committed state,
 * read once per signer between commits; the nonce window (a nonce further ahead than it is
 * TX_NONCE_GAP, as in a block) and the caps; then the signatures, in one batch
 * per call. A transaction whose signatures verified is remembered, so a block that carries it
 * is not verified again (`wasVerified`).
 *
 * A nonce is held by the first transaction admitted for it: only one that passed the full
 * authentication, so only the account's own keys can hold its nonces, and never for long.
 * A held transaction leaves when a block includes it or another transaction of the same
 * nonce; when its expiry passes (at most max_tx_ttl_blocks after admission); when the
 * account's record changes so that the vm would refuse it (keys rotated, account closed:
 * every commit re-authenticates the pending transactions of the signers it touched, and all
 * of them when a parameter changed); and when a proposer's execution rejects it (`evict`).
 * A different transaction for a held nonce is refused (MEMPOOL_NONCE_TAKEN) until then.
 *
 * Reaping for a proposal takes, signer by signer in arrival order, the contiguous run of
 * nonces from each signer's next nonce.
 */
import { Domain, equalBytes, fromHex, SovError, Tx, hashOf, toHex, isSovError, Limits } from '../../core/index.js';
import { admissionProblem, Keys, loadParams, Prefix, readAccount, VmError, type Account, type Params, type Registry, type StateReader, type Write } from '../../vm/index.js';
import type { VerifyPool } from './verify-pool.js';
import { NodeError, NodeErrorCodes, type NodeErrorCode } from '../errors.js';

export interface MempoolLimits {
  maxTxs: number;
  maxBytes: number;
  maxPerAccount: number;
  /** How far past a signer's next nonce a transaction may be admitted. */
  nonceWindow: number;
  /** The largest transaction admitted (the genesis's max_tx_bytes; at most core's MAX_TX_BYTES). */
  maxTxBytes: number;
  /** How many committed hashes to remember, to refuse replays cheaply. */
  recentCommitted: number;
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = Object.freeze({
  maxTxs: 50_000,
  maxBytes: 256 * 1024 * 1024,
  maxPerAccount: 1000,
  nonceWindow: 1000,
  maxTxBytes: Limits.MAX_TX_BYTES,
  recentCommitted: 200_000,
});

export interface MempoolDeps {
  chainId: string;
  pool: VerifyPool;
  /** The latest committed height. */
  height(): number;
  /** The state after the latest commit (a value at once where the node has it cached). */
  reader(): StateReader;
  /** The chain's module registry (its parameters; the built-in modules by default). */
  modules?: Registry;
  /** Told the outcome of every admission call (the node counts them in its metrics). */
  onAdmission?(results: readonly AddStatus[]): void;
}

export type AddStatus = { hash: string; status: 'added' } | { hash: string; status: 'duplicate' } | { hash: string | null; status: 'rejected'; code: string; message: string };

/**
 * A held transaction: its bytes and what the pool's bookkeeping reads, not its decoded form
 * (decoded again, from bytes known canonical, when a block is built or its signer's authority
 * changed: 1.3 µs for a transfer, in a one-off measurement). Under load a node holds seconds of
 * transactions, and young-generation collections copied their decoded views and objects;
 * bench:devnet --gc, one run each way: 8,815 bytes copied per transaction and node before,
 * 8,497 after (promoted 4,171 and 3,919).
 */
interface Entry {
  bytes: Uint8Array;
  hashHex: string;
  signerHex: string;
  nonce: number;
  expiry: number;
  seq: number;
  /** When it was admitted (ms, monotonic), for the commit-latency metric. */
  admittedAt: number;
}

export class MempoolError extends NodeError {
  constructor(code: Extract<NodeErrorCode, `MEMPOOL_${string}`>, message: string, meta: Record<string, unknown> = {}, peerAction: 'reject' | 'ignore' = 'ignore') {
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
  /** Commits seen (admission reads the state again when one happened during its wait). */
  private generation = 0;
  /** Signers' accounts read since the last commit (`accountOf`; null: none), the parameters, and the generation they are of. */
  private accounts = new Map<string, Account | null>();
  private params: Params | null = null;
  private readGeneration = -1;
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

  /**
   * The transactions held, in admission order, up to `maxBytes` of them: what a newly
   * connected peer is offered (network.ts), so a transaction acknowledged here reaches the
   * validators as soon as any link is up, even if it was admitted while this node had none.
   */
  pending(maxBytes: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const e of this.byHash.values()) {
      if (bytes + e.bytes.length > maxBytes) break;
      out.push(e.bytes);
      bytes += e.bytes.length;
    }
    return out;
  }

  /** The bytes of the transaction held under this hash, if any. */
  bytesOf(hashHex: string): Uint8Array | undefined {
    return this.byHash.get(hashHex)?.bytes;
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
    const results = await this.admit(txs);
    this.deps.onAdmission?.(results);
    return results;
  }

  private async admit(txs: readonly Uint8Array[]): Promise<AddStatus[]> {
    const results: AddStatus[] = new Array(txs.length);
    const decoded: { i: number; tx: Tx; hashHex: string; signerHex: string; signer: Uint8Array }[] = [];
    const batchHashes = new Set<string>();
    for (let i = 0; i < txs.length; i++) {
      const bytes = txs[i]!;
      const maxTx = Math.min(this.limits.maxTxBytes, Limits.MAX_TX_BYTES);
      if (!(bytes instanceof Uint8Array) || bytes.length > maxTx) {
        results[i] = reject(null, new MempoolError('MEMPOOL_TX_TOO_LARGE', `transaction exceeds ${maxTx} bytes (max_tx_bytes)`, { max: maxTx }, 'reject'));
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
        if (!isSovError(e)) throw e;
        results[i] = reject(hashHex, new VmError('TX_MALFORMED', `not a canonical transaction: ${e.message}`, { codec: e.code }));
        continue;
      }
      batchHashes.add(hashHex);
      decoded.push({ i, tx, hashHex, signerHex: toHex(tx.signer), signer: tx.signer });
    }
    // The signers' accounts, one read per signer, then every check but the signatures.
    const generation = this.generation;
    const view = await this.view(decoded);
    const candidates: typeof decoded = [];
    const slots = new Set<string>();
    for (const d of decoded) {
      const problem = this.problem(d.tx, d.signerHex, view);
      if (problem) {
        results[d.i] = reject(d.hashHex, problem);
        continue;
      }
      const slot = `${d.signerHex}:${d.tx.nonce}`;
      if (slots.has(slot)) {
        results[d.i] = reject(d.hashHex, nonceTaken(d.tx));
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
    // A block may have been committed while the signatures were checked: then the state is
    // read again (until no commit came in between), and what was committed, taken or made
    // invalid meanwhile is refused now.
    let fresh = view;
    for (let seen = generation; this.generation !== seen; ) {
      seen = this.generation;
      fresh = await this.view(candidates);
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
        : (this.problem(c.tx, c.signerHex, fresh) ?? this.capProblem(c.tx, c.signerHex));
      if (problem) {
        results[c.i] = reject(c.hashHex, problem);
        return;
      }
      this.insert(c.tx, c.hashHex, c.signerHex);
      results[c.i] = { hash: c.hashHex, status: 'added' };
    });
    return results;
  }

  /** The parameters and the accounts of these signers in committed state. */
  private async view(signers: readonly { signerHex: string; signer: Uint8Array }[]): Promise<View> {
    const p = this.paramsNow();
    const params = p instanceof Promise ? await p : p;
    const accounts = new Map<string, Account | null>();
    for (const { signerHex, signer } of signers) {
      if (accounts.has(signerHex)) continue;
      const a = this.accountOf(signerHex, signer);
      accounts.set(signerHex, a instanceof Promise ? await a : a);
    }
    return { params, accounts, height: this.deps.height() };
  }

  /** Forget what was read of the previous generation's state. */
  private freshReads(): void {
    if (this.readGeneration === this.generation) return;
    this.accounts.clear();
    this.params = null;
    this.readGeneration = this.generation;
  }

  /**
   * The signer's account, remembered until the next commit (`update`): committed state
   * changes only then, and admission asks for the same signers batch after batch. A read
   * that a commit overtook is not remembered. A value at once when no read had to wait.
   */
  private accountOf(signerHex: string, signer: Uint8Array): Account | null | Promise<Account | null> {
    this.freshReads();
    const known = this.accounts.get(signerHex);
    if (known !== undefined) return known;
    const generation = this.generation;
    const keep = (a: Account | undefined): Account | null => {
      const v = a ?? null;
      if (generation === this.generation && this.readGeneration === generation) this.accounts.set(signerHex, v);
      return v;
    };
    const a = readAccount(this.deps.reader(), signer);
    return a instanceof Promise ? a.then(keep) : keep(a);
  }

  private paramsNow(): Params | Promise<Params> {
    this.freshReads();
    if (this.params !== null) return this.params;
    const generation = this.generation;
    return loadParams(this.deps.reader(), this.deps.modules).then((p) => {
      if (generation === this.generation && this.readGeneration === generation) this.params = p;
      return p;
    });
  }

  /**
   * Why `tx` may not be held on the state `view`: the vm's authentication (everything but
   * the signatures, which the pool checks), then this mempool's nonce window and whether
   * the nonce is held already.
   */
  private problem(tx: Tx, signerHex: string, view: View, self?: Entry): SovError | null {
    const account = view.accounts.get(signerHex) ?? undefined;
    const vm = admissionProblem({ chainId: this.deps.chainId, height: view.height + 1, params: view.params }, tx, account, { queue: true, signaturesChecked: true });
    if (vm) return vm;
    const next = account!.nonce;
    if (tx.nonce >= next + this.limits.nonceWindow) {
      return new VmError('TX_NONCE_GAP', `nonce ${tx.nonce} skips too far ahead: next is ${next}, and the mempool holds nonces up to ${next + this.limits.nonceWindow - 1}`);
    }
    const held = this.bySigner.get(signerHex)?.get(tx.nonce);
    if (held !== undefined && held !== self) return nonceTaken(tx);
    return null;
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
      const got = this.accountOf(any.signerHex, fromHex(any.signerHex));
      const account = got instanceof Promise ? await got : got;
      if (account === null) continue;
      for (let n = account.nonce; ; n++) {
        const e = m.get(n);
        if (!e || out.length >= maxTxs || bytes + e.bytes.length > maxBytes) break;
        out.push(decodeHeld(e));
        bytes += e.bytes.length;
      }
      if (out.length >= maxTxs) break;
    }
    return out;
  }

  /**
   * Drop held transactions that a proposer's execution rejected (this node's, as it built a
   * block): the vm refused them on the state they would have run on, so they cannot be
   * included as they are. Returns how many were held.
   */
  evict(hashes: readonly string[]): number {
    let n = 0;
    for (const h of hashes) {
      const e = this.byHash.get(h);
      if (e) {
        this.remove(e);
        n++;
      }
    }
    return n;
  }

  /**
   * After a commit: drop the included transactions, and re-authenticate the rest as the
   * next block would: every held transaction's expiry; and every check of the vm for those
   * of the signers whose account the block wrote (`writes`; an included transaction moves
   * its signer's nonce, a rotation or recovery its keys, a closing its status), or of every
   * signer when it wrote a parameter. `onLatency` gets, for each included transaction
   * admitted here, the seconds since admission. Returns how many were dropped.
   */
  async update(included: readonly Tx[], writes: readonly Write[] = [], onLatency?: (seconds: number) => void): Promise<number> {
    // The accounts as admission read them before this commit: a signer whose keys, threshold
    // and status the commit left as they were needs only its nonce checked again.
    const before = this.readGeneration === this.generation ? this.accounts : new Map<string, Account | null>();
    this.accounts = new Map();
    this.generation++;
    const now = performance.now();
    const touched = new Map<string, Uint8Array>();
    for (const t of included) {
      const hex = t.hashHex;
      this.remember(hex);
      const e = this.byHash.get(hex);
      if (e) {
        onLatency?.((now - e.admittedAt) / 1000);
        this.remove(e);
      }
      touched.set(toHex(t.signer), t.signer);
    }
    let paramsChanged = false;
    for (const w of writes) {
      if (w.key[0] === Prefix.PARAM) paramsChanged = true;
      else if (w.key[0] === Prefix.ACCOUNT && w.key.length === ACCOUNT_KEY_BYTES) {
        const signer = w.key.subarray(1);
        touched.set(toHex(signer), signer);
      }
    }
    let dropped = 0;
    const height = this.deps.height();
    // (Deleting the entry a Map iteration is at is safe: no copy of the pool per commit.)
    for (const e of this.byHash.values()) {
      if (e.expiry <= height) {
        this.remove(e);
        dropped++;
      }
    }
    const recheck = paramsChanged ? [...this.bySigner.keys()].map((hex) => ({ hex, signer: fromHex(hex) })) : [...touched].map(([hex, signer]) => ({ hex, signer }));
    const pending = recheck.filter((r) => this.bySigner.has(r.hex));
    if (pending.length === 0) return dropped;
    const view = await this.view(pending.map((r) => ({ signerHex: r.hex, signer: r.signer })));
    for (const { hex } of pending) {
      const held = this.bySigner.get(hex);
      if (!held) continue;
      const now = view.accounts.get(hex) ?? null;
      const was = before.get(hex) ?? null;
      const nonceOnly = !paramsChanged && now !== null && was !== null && sameAuthority(was, now);
      for (const e of held.values()) {
        if (nonceOnly ? e.nonce < now.nonce : this.problem(decodeHeld(e), hex, view, e) !== null) {
          this.remove(e);
          dropped++;
        }
      }
    }
    return dropped;
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
    const e: Entry = { bytes: tx.bytes, hashHex, signerHex, nonce: tx.nonce, expiry: tx.expiry, seq: this.seq++, admittedAt: performance.now() };
    this.byHash.set(hashHex, e);
    let m = this.bySigner.get(signerHex);
    if (!m) this.bySigner.set(signerHex, (m = new Map()));
    m.set(tx.nonce, e);
    this.bytesHeld += tx.bytes.length;
  }

  private remove(e: Entry): void {
    this.byHash.delete(e.hashHex);
    const m = this.bySigner.get(e.signerHex);
    m?.delete(e.nonce);
    if (m && m.size === 0) this.bySigner.delete(e.signerHex);
    this.bytesHeld -= e.bytes.length;
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

/** A held transaction decoded again: its bytes were decoded and found canonical when admitted, and its hash is theirs. */
function decodeHeld(e: Entry): Tx {
  return Tx.decode(e.bytes, fromHex(e.hashHex), e.hashHex);
}

/** The committed state admission checks against: parameters, signers' accounts (null: none), height. */
interface View {
  readonly params: Params;
  readonly accounts: ReadonlyMap<string, Account | null>;
  readonly height: number;
}

/** The same keys, threshold and status: what authentication reads of an account besides its nonce. */
function sameAuthority(a: Account, b: Account): boolean {
  return a.threshold === b.threshold && a.status === b.status && a.keys.length === b.keys.length && a.keys.every((k, i) => equalBytes(k, b.keys[i]!));
}

/** An account record's key: the prefix byte and a 20-byte address (vm Keys.account). */
const ACCOUNT_KEY_BYTES = Keys.account(new Uint8Array(20)).length;

const nonceTaken = (tx: Tx): MempoolError =>
  new MempoolError('MEMPOOL_NONCE_TAKEN', `a transaction with nonce ${tx.nonce} from this signer is already pending (it leaves when included, expired or no longer valid)`);

function reject(hash: string | null, e: unknown): AddStatus {
  if (isSovError(e)) return { hash, status: 'rejected', code: e.code, message: e.message };
  return { hash, status: 'rejected', code: NodeErrorCodes.INTERNAL, message: (e as Error)?.message ?? String(e) };
}
