/**
 * The typed client SDK: `SovClient` calls every method over HTTP (fetch, keep-alive) with
 * typed params and results; `SovSocket` speaks JSON-RPC over WebSocket with subscriptions;
 * `buildTx` encodes a native module call's args with the vm's own schema and signs it.
 * Errors come back as `RpcCallError` with the server's JSON-RPC code.
 */
import type { ProgPaymentQuery, ProgPaymentView, ProgReportView, ProgRowView } from '../prog-query.js';
import WebSocket from 'ws';
import { addressFromPublicKey, encode, signTx, SovError, to0x, type KeyPair, type Tx } from '../../core/index.js';
import { BUILTIN, findMethod, type Registry } from '../../vm/index.js';
import type { CredProofBundle } from '../cred-proofs.js';
import type { XchgPageQuery, XchgRecordView } from '../xchg-query.js';
import type { XchgDocProof, XchgReceipt } from '../xchg-receipts.js';
import type {
  AccountEventsView, AccountTxsView, AccountView, BlockView, CommitView, PageCursor, RecordQuery, RecordView, StatusView, SubmitView, TxView, ValidatorView,
} from '../facade.js';

export class RpcCallError extends SovError {
  constructor(readonly method: string, readonly rpcCode: number, message: string, readonly data?: unknown) {
    super(`RPC_${rpcCode}`, `${method}: ${message}`, { rpcCode, ...(data === undefined ? {} : { data }) });
  }
}

export interface PageOptions {
  after?: PageCursor;
  limit?: number;
  order?: 'asc' | 'desc';
}

interface JsonRpcReply {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Every method, typed; `call` is the untyped escape hatch. */
export abstract class TypedMethods {
  abstract call<T = unknown>(method: string, params?: unknown[] | Record<string, unknown>): Promise<T>;

  status(): Promise<StatusView> { return this.call('sov_status', []); }
  getBlock(height: number): Promise<BlockView> { return this.call('sov_getBlock', [height]); }
  getCommit(height: number): Promise<CommitView> { return this.call('sov_getCommit', [height]); }
  getValidators(height?: number): Promise<{ height: number; totalPower: number; validators: ValidatorView[] }> {
    return this.call('sov_getValidators', height === undefined ? [] : [height]);
  }
  sendTransaction(tx: Tx | Uint8Array | string, wait = false): Promise<SubmitView> {
    const hex = typeof tx === 'string' ? tx : to0x(tx instanceof Uint8Array ? tx : tx.bytes);
    return this.call('sov_sendTransaction', [hex, wait]);
  }
  getTransaction(hash: string): Promise<TxView> { return this.call('sov_getTransaction', [hash]); }
  getAccount(address: string): Promise<AccountView> { return this.call('sov_getAccount', [address]); }
  getRecord(query: RecordQuery, opts: { height?: number; prove?: boolean } = {}): Promise<RecordView> {
    return this.call('sov_getRecord', { query, ...(opts.height !== undefined ? { height: opts.height } : {}), ...(opts.prove ? { prove: true } : {}) });
  }
  getAccountTransactions(address: string, page: PageOptions = {}): Promise<AccountTxsView> {
    return this.call('sov_getAccountTransactions', { address, ...page });
  }
  getAccountEvents(address: string, page: PageOptions = {}): Promise<AccountEventsView> {
    return this.call('sov_getAccountEvents', { address, ...page });
  }
  /** An exchange record by id (sender, seq), with its receipt when `prove`. */
  xchgGetRecord(sender: string, seq: number, prove = false): Promise<XchgRecordView | null> { return this.call('xchg_getRecord', { sender, seq, ...(prove ? { prove } : {}) }); }
  /** A record's receipt, verifiable offline with verifyXchgReceipt. */
  xchgGetReceipt(sender: string, seq: number): Promise<XchgReceipt> { return this.call('xchg_getReceipt', { sender, seq }); }
  /** A page of records by pair, agency, purpose or consent (xchg_listRecords). */
  xchgListRecords(q: XchgPageQuery): Promise<{ items: XchgRecordView[]; next: string | null; height: number }> { return this.call('xchg_listRecords', q as unknown as Record<string, unknown>); }
  /** A document by id, with its offline proof when `prove`. */
  xchgGetDocument(id: number, prove = false): Promise<{ record: RecordView; proof: XchgDocProof | null }> { return this.call('xchg_getDocument', { id, ...(prove ? { prove } : {}) }); }
  /** The ids of the documents registered with a digest. */
  xchgFindDocuments(digest: string): Promise<{ ids: number[] }> { return this.call('xchg_findDocuments', { digest }); }
  /** The ledger's proofs for verifying a credential of `issuer` (batch: its first status index; index: the credential's). */
  credProofs(issuer: string, batch: number, index: number): Promise<CredProofBundle> {
    return this.call('cred_proofs', { issuer, batch, index });
  }
  /** A program's report with its proofs (verifyProgramReport opens it offline). */
  progGetReport(program: number): Promise<ProgReportView | null> { return this.call('prog_getReport', { program }); }
  /** A beneficiary row's state with its proofs (verifyProgramRow opens it offline). */
  progGetRow(program: number, row: number): Promise<ProgRowView> { return this.call('prog_getRow', { program, row }); }
  /** A page of program payments by beneficiary or by program (prog_listPayments). */
  progListPayments(q: ProgPaymentQuery): Promise<{ items: ProgPaymentView[]; next: string | null; height: number }> { return this.call('prog_listPayments', q as unknown as Record<string, unknown>); }
  discover(): Promise<{ openrpc: string; methods: { name: string }[] }> { return this.call('rpc.discover', []); }
}

export class SovClient extends TypedMethods {
  private id = 0;

  /** `apiKey`: the secret of an RPC API key, sent as `Authorization: Bearer`. */
  constructor(readonly url: string, private readonly opts: { timeoutMs?: number; headers?: Record<string, string>; apiKey?: string } = {}) {
    super();
  }

  async call<T = unknown>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
    const body = (await this.post(method, { jsonrpc: '2.0', id: ++this.id, method, params })) as JsonRpcReply;
    if (body.error) throw new RpcCallError(method, body.error.code, body.error.message, body.error.data);
    return body.result as T;
  }

  /** Several calls in one JSON-RPC batch: each call's result, or the RpcCallError it failed with, in order. */
  async batch<T = unknown>(calls: readonly { method: string; params: unknown[] | Record<string, unknown> }[]): Promise<(T | RpcCallError)[]> {
    if (calls.length === 0) return [];
    const first = this.id + 1;
    const reqs = calls.map((c) => ({ jsonrpc: '2.0', id: ++this.id, method: c.method, params: c.params }));
    const replies = await this.post(`batch of ${calls.length}`, reqs);
    if (!Array.isArray(replies)) {
      const e = (replies as JsonRpcReply).error;
      throw new RpcCallError('batch', e?.code ?? -32603, e?.message ?? 'the node did not answer the batch with a list');
    }
    const byId = new Map((replies as JsonRpcReply[]).map((r) => [r.id, r]));
    return calls.map((c, i) => {
      const r = byId.get(first + i);
      if (r === undefined) return new RpcCallError(c.method, -32603, 'no reply for this call in the batch');
      return r.error ? new RpcCallError(c.method, r.error.code, r.error.message, r.error.data) : (r.result as T);
    });
  }

  /** POST a JSON body; a node that cannot be reached, does not answer in time or answers with no JSON is a typed error. */
  private async post(what: string, payload: unknown): Promise<unknown> {
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}), ...this.opts.headers },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new RpcTimeoutError(this.url, what, timeoutMs);
      throw new NodeUnreachableError(this.url, (e as { cause?: { code?: string; message?: string } })?.cause?.code ?? (e as Error)?.message ?? String(e));
    }
    try {
      return await res.json();
    } catch {
      throw new RpcCallError(what, -32603, `the node answered HTTP ${res.status} without a JSON-RPC body`);
    }
  }
}

/**
 * A client's default wait for an answer: longer than a node's own wait for a submitted
 * transaction's commit (60 s by default), so `sendTransaction(tx, true)` hears the node's
 * answer (committed, or pending) rather than timing out first.
 */
export const DEFAULT_TIMEOUT_MS = 90_000;

/** The node at `url` could not be reached (refused, reset, no route, DNS): nothing was sent or answered. */
export class NodeUnreachableError extends SovError {
  constructor(readonly url: string, readonly reason: string) {
    super('RPC_UNREACHABLE', `the node at ${url} cannot be reached (${reason})`, { url, reason });
  }
}

/** No answer within the client's timeout; the call may or may not have been carried out. */
export class RpcTimeoutError extends SovError {
  constructor(readonly url: string, readonly what: string, readonly timeoutMs: number) {
    super('RPC_TIMEOUT', `${what}: no answer from ${url} within ${timeoutMs} ms`, { url, timeoutMs });
  }
}

export interface Notification {
  subscription: string;
  result?: unknown;
  error?: { code: number; message: string };
}

/** JSON-RPC over one WebSocket, with subscriptions. */
export class SovSocket extends TypedMethods {
  private id = 0;
  private readonly pending = new Map<number, { method: string; resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly handlers = new Map<string, (n: Notification) => void>();
  /** Notifications that arrived before their subscribe call returned. */
  private readonly early = new Map<string, Notification[]>();

  private constructor(readonly ws: WebSocket) {
    super();
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new RpcCallError(p.method, -32000, 'connection closed'));
      this.pending.clear();
    });
  }

  /** `apiKey`: the secret of an RPC API key, sent on the upgrade request as `Authorization: Bearer`. */
  static connect(url: string, opts: { apiKey?: string } = {}): Promise<SovSocket> {
    const headers = opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : undefined;
    const ws = new WebSocket(url.replace(/^http/, 'ws'), { perMessageDeflate: false, ...(headers ? { headers } : {}) });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new SovSocket(ws)));
      ws.once('error', reject);
    });
  }

  private onMessage(text: string): void {
    let msg: JsonRpcReply & { method?: string; params?: Notification };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.method === 'sov_subscription' && msg.params) {
      const h = this.handlers.get(msg.params.subscription);
      if (h) h(msg.params);
      else this.early.set(msg.params.subscription, [...(this.early.get(msg.params.subscription) ?? []), msg.params]);
      return;
    }
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!p) return;
    this.pending.delete(msg.id as number);
    if (msg.error) p.reject(new RpcCallError(p.method, msg.error.code, msg.error.message, msg.error.data));
    else p.resolve(msg.result);
  }

  call<T = unknown>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
    const id = ++this.id;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (err) => {
        if (err) {
          this.pending.delete(id);
          reject(err);
        }
      });
    });
  }

  /** Subscribe; `onNotification` gets each block's payload in height order. Returns the subscription id. */
  async subscribe(
    topic: 'newBlocks' | 'account' | 'events' | 'alerts',
    opts: { address?: string; module?: string; name?: string; institution?: string; account?: string; rule?: string; fromHeight?: number },
    onNotification: (n: Notification) => void,
  ): Promise<string> {
    const { fromHeight, ...filter } = opts;
    const id = await this.call<string>('sov_subscribe', { topic, filter, ...(fromHeight !== undefined ? { fromHeight } : {}) });
    this.handlers.set(id, onNotification);
    for (const n of this.early.get(id) ?? []) onNotification(n);
    this.early.delete(id);
    return id;
  }

  async unsubscribe(id: string): Promise<boolean> {
    this.handlers.delete(id);
    return this.call<boolean>('sov_unsubscribe', [id]);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export interface TxParams {
  chainId: string;
  /** Signing keys; the first one's address is the signer unless `signer` is given. */
  keys: readonly KeyPair[];
  signer?: Uint8Array;
  nonce: number;
  /** Last height at which the transaction may be included. */
  expiry: number;
}

/**
 * A signed transaction calling `module.method` with `args` (the args object of the method's
 * vm schema, e.g. money.TransferArgs: bigints for amounts, 20-byte Uint8Arrays for addresses).
 * Unknown methods and args that do not fit the schema throw before anything is signed.
 * `reg`: the module registry of the chain (the built-in modules by default).
 */
export function buildTx(p: TxParams, module: string, method: string, args: unknown, reg: Registry = BUILTIN): Tx {
  const def = findMethod(reg, module, method);
  if (typeof def === 'string') throw new SovError('RPC_UNKNOWN_METHOD', `no method ${module}.${method}`);
  if (p.keys.length === 0) throw new SovError('RPC_NO_KEYS', 'a transaction needs at least one key');
  const signer = p.signer ?? addressFromPublicKey(p.keys[0]!.publicKey);
  return signTx(
    { chainId: p.chainId, signer, nonce: p.nonce, expiry: p.expiry, body: { module, method, args: encode(def.args, args as never) } },
    p.keys.map((k) => k.secretKey),
  );
}
