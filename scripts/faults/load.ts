/**
 * Transfer load for the fault suite and the soak: signed 1-unit transfers from many funded
 * accounts at a steady rate, sent in JSON-RPC batches to the nodes a caller names. Every
 * acknowledgement is recorded: the transaction's hash, the node that acknowledged it, when,
 * and the `relayedTo` of its answer. A sender has one unacknowledged transfer at a time; a
 * transfer that got no acknowledgement (timeout, node down, mempool full) is sent again, the
 * same bytes, to another node, until one acknowledges it; so no sender's nonces ever skip
 * (a skipped nonce would strand every later transfer of that sender), and a transfer the
 * suite counts is one a node said it holds.
 */
import { addressFromPublicKey, decodeAddress, encode, to0x, toHex, Tx, txSignBytes, type KeyPair } from '../../core/index.js';
import { money } from '../../vm/index.js';
import { fastSigner } from '../bench-util.js';
import type { Devnet } from '../../test/devnet.js';
import { rpcBatch } from './rpc.js';

export interface Ack {
  node: number;
  at: number;
  /** The answer's relayedTo (null: a duplicate or committed answer, which carries none). */
  relayedTo: number | null;
  status: string;
}

interface Sender {
  kp: KeyPair;
  sign: (msg: Uint8Array) => Uint8Array;
  nonce: number;
  /** The transfer sent and not yet acknowledged. */
  current: Tx | null;
  busy: boolean;
  retryAt: number;
  lastNode: number;
}

/** Refusals expected under faults (a full mempool, a busy or stopping node); any other is recorded in `errors` (a generator bug). Both are sent again later. */
const EXPECTED = /^(MEMPOOL_FULL|MEMPOOL_ACCOUNT_FULL|INTERNAL|-32005|-32007|-32008)$/;

export class TransferLoad {
  readonly acks = new Map<string, Ack>();
  /** Transfers answered "nonce already used" (TX_NONCE_REPLAYED): committed under our only transfer of that nonce; checked like acknowledged ones. */
  readonly replayed = new Set<string>();
  readonly errors: string[] = [];
  /** Refusals by code (MEMPOOL_FULL, ...), all sent again later. */
  readonly refusals = new Map<string, number>();
  private readonly senders: Sender[];
  private timer: NodeJS.Timeout | null = null;
  private started = 0;
  private sent = 0;
  private rr = 0;
  submitFailures = 0;
  rate: number;
  /** The nodes load goes to (a perturbation narrows it). */
  targets: number[];
  /** While true, nothing new is sent (backpressure: the caller sets it when the mempools hold too much). */
  paused = false;

  constructor(private readonly net: Devnet, accounts: { address: string; keys: KeyPair }[], opts: { rate: number; targets: number[] }) {
    this.senders = accounts.map((a) => ({ kp: a.keys, sign: fastSigner(a.keys), nonce: 0, current: null, busy: false, retryAt: 0, lastNode: -1 }));
    this.payee = decodeAddress(accounts[0]!.address, net.manifest.address_prefix);
    this.rate = opts.rate;
    this.targets = opts.targets;
  }

  private readonly payee: Uint8Array;

  /** A signed transfer of 1 unit from `kp` at `nonce` (also used for one-off probes). */
  transfer(kp: KeyPair, nonce: number, sign = fastSigner(kp)): Tx {
    const m = this.net.manifest;
    const args = encode(money.TransferArgs, { currency: m.currency.code, to: this.payee, amount: 1n, memo: '', reference: '' });
    const unsigned = { chainId: m.chain_id, signer: addressFromPublicKey(kp.publicKey), nonce, expiry: 90_000, body: { module: 'money', method: 'transfer', args } };
    return Tx.fromData({ ...unsigned, signatures: [{ publicKey: kp.publicKey, signature: sign(txSignBytes(unsigned)) }] });
  }

  start(): void {
    if (this.timer) return;
    this.started = performance.now();
    this.sent = 0;
    this.timer = setInterval(() => this.tick(), 50);
  }

  /** Stop sending; waits for the requests in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const deadline = Date.now() + 15_000;
    while (this.senders.some((s) => s.busy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  /** Transfers sent and not acknowledged yet (they are sent again at the next start). */
  get unacknowledged(): number {
    return this.senders.filter((s) => s.current !== null).length;
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.started) / 1000) * this.rate) - this.sent;
    if (this.paused) {
      // The time paused is not owed afterwards.
      this.sent += Math.max(0, due);
      return;
    }
    if (due <= 0 || this.targets.length === 0) return;
    const now = Date.now();
    const byNode = new Map<number, { s: Sender; tx: Tx }[]>();
    let n = 0;
    for (const s of this.senders) {
      if (n >= due) break;
      if (s.busy || s.retryAt > now) continue;
      const retry = s.current !== null;
      s.current ??= this.transfer(s.kp, s.nonce++, s.sign);
      // A transfer sent again goes to another node than last time.
      let node = this.targets[this.rr++ % this.targets.length]!;
      if (retry && this.targets.length > 1 && node === s.lastNode) node = this.targets[this.rr++ % this.targets.length]!;
      s.lastNode = node;
      s.busy = true;
      const list = byNode.get(node) ?? [];
      list.push({ s, tx: s.current });
      byNode.set(node, list);
      n++;
    }
    this.sent += n;
    for (const [node, list] of byNode) void this.send(node, list);
  }

  private async send(node: number, list: { s: Sender; tx: Tx }[]): Promise<void> {
    const url = this.net.manifest.nodes[node]!.rpc_url;
    try {
      const answers = await rpcBatch(url, list.map((x) => ({ method: 'sov_sendTransaction', params: [to0x(x.tx.bytes)] })), 5000);
      const at = performance.now();
      answers.forEach((a, k) => {
        const { s, tx } = list[k]!;
        const hash = '0x' + toHex(tx.hash);
        if (a.result) {
          const r = a.result as { status: string; relayedTo?: number };
          if (!this.acks.has(hash)) this.acks.set(hash, { node, at, relayedTo: r.relayedTo ?? null, status: r.status });
          s.current = null;
          return;
        }
        const code = (a.error?.data as { code?: string } | undefined)?.code ?? String(a.error?.code);
        if (code === 'TX_NONCE_REPLAYED' || code === 'MEMPOOL_ALREADY_COMMITTED') {
          if (!this.acks.has(hash)) this.replayed.add(hash);
          s.current = null;
          return;
        }
        this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
        if (!EXPECTED.test(code) && this.errors.length < 20) this.errors.push(`${code}: ${a.error?.message}`);
        this.submitFailures++;
        s.retryAt = Date.now() + 500;
      });
    } catch {
      this.submitFailures += list.length;
      for (const { s } of list) s.retryAt = Date.now() + 500;
    } finally {
      for (const { s } of list) s.busy = false;
    }
  }

  /** Submit one transaction to one node right now; its answer (or the error). */
  async submitOne(node: number, tx: Tx, timeoutMs = 3000): Promise<{ ok: boolean; relayedTo: number | null; error?: string }> {
    try {
      const [a] = await rpcBatch(this.net.manifest.nodes[node]!.rpc_url, [{ method: 'sov_sendTransaction', params: [to0x(tx.bytes)] }], timeoutMs);
      if (a!.result) return { ok: true, relayedTo: (a!.result as { relayedTo?: number }).relayedTo ?? null };
      return { ok: false, relayedTo: null, error: a!.error?.message };
    } catch (e) {
      return { ok: false, relayedTo: null, error: (e as Error).message };
    }
  }
}
