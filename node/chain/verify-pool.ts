/**
 * A pool of worker threads that check transaction signatures, so admission uses every core
 * (node:crypto verification: about 8,600/s on one core here, 16,000/s on two). The calling
 * thread decodes (when given bytes) and runs the checks without curve arithmetic (core's
 * txSignatureProblem: chain id, a signature at all, no key twice); the workers get only the
 * signed bytes and the (key, signature) pairs, so a transaction is decoded and hashed once
 * per node, not again in a worker. A large batch
 * is split evenly across the workers; a small one (under MIN_PER_WORKER transactions a worker)
 * goes whole to the next worker in turn, so it costs one message and one wake-up, not one per
 * worker. Results come back in order. A worker that dies is replaced and its jobs fail with a
 * typed error rather than hang.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ErrorCodes, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, Tx, isSovError, txSignatureProblem } from '../../core/index.js';
import { NodeError, NodeErrorCodes } from '../errors.js';

const PAIR_BYTES = PUBLIC_KEY_LENGTH + SIGNATURE_LENGTH;

/** Below this many transactions per worker, a batch is not split further. */
export const MIN_PER_WORKER = 64;

interface Pending {
  resolve: (r: (string | null)[]) => void;
  reject: (e: Error) => void;
  worker: Worker;
}

export class VerifyPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Where the next batch starts, so small batches take turns across the workers. */
  private nextWorker = 0;
  private closed = false;

  constructor(size = 0) {
    const n = size > 0 ? size : availableParallelism();
    for (let i = 0; i < n; i++) this.workers.push(this.spawn());
  }

  get size(): number {
    return this.workers.length;
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./verify-worker.js', import.meta.url));
    w.unref();
    w.on('message', (msg: { id: number; results: (string | null)[] }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      p.resolve(msg.results);
    });
    w.on('error', () => this.replace(w));
    w.on('exit', () => this.replace(w));
    return w;
  }

  private replace(w: Worker): void {
    for (const [id, p] of this.pending) {
      if (p.worker === w) {
        this.pending.delete(id);
        p.reject(new NodeError('VERIFY_WORKER_DIED', 'a signature-verification worker stopped', {}, 'ignore'));
      }
    }
    const i = this.workers.indexOf(w);
    if (i >= 0 && !this.closed) this.workers[i] = this.spawn();
  }

  /**
   * Check the signatures of each transaction for `chainId` (bytes are decoded first; a
   * decoded Tx is used as it is). Returns, in order, null for a transaction whose signatures
   * all verify, else its error code.
   */
  async check(chainId: string, txs: readonly (Tx | Uint8Array)[]): Promise<(string | null)[]> {
    if (this.closed) throw new NodeError('VERIFY_POOL_CLOSED', 'the verification pool is closed');
    const results: (string | null)[] = new Array(txs.length).fill(null);
    const todo: { i: number; tx: Tx }[] = [];
    for (let i = 0; i < txs.length; i++) {
      const item = txs[i]!;
      let tx: Tx;
      try {
        tx = item instanceof Tx ? item : Tx.decode(item);
      } catch (e) {
        results[i] = isSovError(e) ? e.code : NodeErrorCodes.INTERNAL;
        continue;
      }
      const problem = txSignatureProblem(tx, chainId);
      if (problem !== null) results[i] = problem.code;
      else if (tx.signatures.some((s) => s.publicKey.length !== PUBLIC_KEY_LENGTH || s.signature.length !== SIGNATURE_LENGTH)) results[i] = ErrorCodes.TX_BAD_SIGNATURE;
      else todo.push({ i, tx });
    }
    if (todo.length === 0) return results;
    const n = this.workers.length;
    const per = Math.max(MIN_PER_WORKER, Math.ceil(todo.length / n));
    const parts: Promise<void>[] = [];
    for (let k = 0; k < todo.length; k += per) {
      const worker = this.workers[this.nextWorker]!;
      this.nextWorker = (this.nextWorker + 1) % n;
      const id = this.nextId++;
      const share = todo.slice(k, Math.min(todo.length, k + per));
      const { buf, offs } = pack(share);
      parts.push(
        new Promise<(string | null)[]>((resolve, reject) => {
          this.pending.set(id, { resolve, reject, worker });
          // One buffer, moved (not copied) to the worker: cloning many small arrays costs more.
          worker.postMessage({ id, buf, offs }, [buf.buffer as ArrayBuffer, offs.buffer as ArrayBuffer]);
        }).then((codes) =>
          share.forEach((t, j) => {
            const c = codes[j];
            results[t.i] = c === undefined ? NodeErrorCodes.INTERNAL : c; // null: verified
          }),
        ),
      );
    }
    await Promise.all(parts);
    return results;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.pending.values()) p.reject(new NodeError('VERIFY_POOL_CLOSED', 'the verification pool is closed'));
    this.pending.clear();
  }
}

/**
 * The worker's job for `share`: for each transaction its signed bytes, then its (public key,
 * signature) pairs, end to end in one buffer; offs[3j], offs[3j+1], offs[3j+2] are where
 * transaction j's signed bytes start, where its pairs start, and where they end.
 */
function pack(share: readonly { tx: Tx }[]): { buf: Uint8Array; offs: Uint32Array } {
  const msgs = share.map(({ tx }) => tx.signBytes());
  let n = 0;
  for (let j = 0; j < share.length; j++) n += msgs[j]!.length + share[j]!.tx.signatures.length * PAIR_BYTES;
  const buf = new Uint8Array(n);
  const offs = new Uint32Array(share.length * 3);
  let o = 0;
  for (let j = 0; j < share.length; j++) {
    offs[3 * j] = o;
    buf.set(msgs[j]!, o);
    o += msgs[j]!.length;
    offs[3 * j + 1] = o;
    for (const s of share[j]!.tx.signatures) {
      buf.set(s.publicKey, o);
      buf.set(s.signature, o + PUBLIC_KEY_LENGTH);
      o += PAIR_BYTES;
    }
    offs[3 * j + 2] = o;
  }
  return { buf, offs };
}
