/**
 * The node's query/submit facade for the RPC layer (rpc/facade.ts): views over the ledger,
 * the mempool and the consensus driver, with no internals exposed.
 */
import {
  decodeAddress, encodeAddress, equalBytes, fromHex, isSovError, to0x, toHex, type Block, type Commit, decode, decodeTrusted, addressFromPublicKey, Tx,
} from '../../core/index.js';
import { StateError, StateErrorCodes, encodeProof, txHashOf, type LedgerStore, type IndexRange, type IndexItem, type IndexCursor } from '../../state/index.js';
import {
  AccountSchema, BalanceSchema, BUILTIN, comp, CurrencyListSchema, Keys, type Registry, ReceiptSchema, ValidatorListSchema, ValidatorNodeSchema, recordSchemaOf, vmCodeName, type Event, type StateReader,
} from '../../vm/index.js';
import {
  argsJson, eventView, prunedError, RpcCodes, RpcError, SerializedResult, commitToView, headerToView, recordKey, recordToJson, type AccountEventsView, type AccountTxsView, type AccountView, type BlockActivity,
  type BlockView, type CommitView, type EventView, type NodeFacade, type PageCursor, type RecordQuery, type RecordView, type StatusView, type SubmitView, type TxView,
  type ValidatorView, type PeerView, type MempoolView, type BacktestRequest, type BacktestResult,
} from '../../rpc/index.js';
import { backtest } from './backtest.js';
import type { AddStatus, Mempool } from './mempool.js';
import { accountEvents } from './account-events.js';
import { NodeErrorCodes } from '../errors.js';

export interface FacadeDeps {
  chainId: string;
  addressPrefix: string;
  moniker: string;
  ledger: LedgerStore;
  mempool: Mempool;
  reader: () => StateReader;
  /** The chain's module registry (the built-in modules by default). */
  modules?: Registry;
  /** The head's cached value of a state key and its height, when the node has it (the execution cache). */
  cachedHeadValue?: (key: Uint8Array) => { height: number; value: Uint8Array | null } | undefined;
  /** The block at `height` if the node holds it decoded (the last committed one), else undefined. */
  recentBlock?: (height: number) => Block | undefined;
  nodeId: () => string;
  peers: () => number;
  syncing: () => boolean;
  validatorAddress: Uint8Array | null;
  /** Connected peer nodes (admin_peers). */
  peerList: () => PeerView[];
  mempoolLimits: { maxTxs: number; maxBytes: number; maxPerAccount: number };
  /** How long a submission with `wait` waits for its commit before answering pending (default 60 s). */
  txWaitTimeoutMs?: number;
  /** Relay newly admitted transactions to peers (one call per admitted batch); returns how many peers they were sent to. */
  relay: (txs: readonly Uint8Array[]) => number;
  /** True when submissions are to be refused while no peer is linked (`[mempool] refuse_without_peers`, and the node is not alone in its network). */
  refuseWithoutPeers?: () => boolean;
}

const commitView = commitToView;
type PageArg = { after?: PageCursor; limit?: number; order?: 'asc' | 'desc' };

export class NodeFacadeImpl implements NodeFacade {
  private readonly waiters = new Map<string, ((v: SubmitView) => void)[]>();
  /** Submissions of this turn of the event loop, admitted together in one mempool call. */
  private pending: { tx: Uint8Array; resolve: (r: { res: AddStatus; relayedTo: number }) => void; reject: (e: unknown) => void }[] = [];

  private readonly headListeners = new Set<(height: number) => void>();

  /** The chain's module registry: record kinds, and the schemas events and args are decoded by. */
  private readonly modules: Registry;

  constructor(private readonly d: FacadeDeps) {
    this.modules = d.modules ?? BUILTIN;
  }

  /** An event as the RPC shows it: its hex and its fields decoded by its module's schema. */
  private eventView(e: Event): EventView {
    return eventView(e, this.d.addressPrefix, this.modules);
  }

  /** Called after each commit: resolve the submitters waiting for these transactions, tell the subscribers. */
  onCommitted(height: number, txHashes: readonly Uint8Array[], receipts: readonly { status: number; code: number; message: string }[]): void {
    for (const l of this.headListeners) l(height);
    txHashes.forEach((h, i) => {
      const id = toHex(h);
      const ws = this.waiters.get(id);
      if (!ws) return;
      this.waiters.delete(id);
      const r = receipts[i]!;
      for (const w of ws) w({ hash: '0x' + id, status: r.status === 0 ? 'committed' : 'failed', height, code: r.code, message: r.message || null });
    });
  }

  async status(): Promise<StatusView> {
    const h = this.d.ledger.height;
    const block = h > 0 ? await this.block(h) : null;
    return {
      chainId: this.d.chainId,
      addressPrefix: this.d.addressPrefix,
      moniker: this.d.moniker,
      nodeId: this.d.nodeId(),
      height: h,
      blockHash: block ? to0x(block.hash) : null,
      stateRoot: block ? to0x(block.header.stateRoot) : null,
      time: block ? block.header.time : null,
      peers: this.d.peers(),
      validator: this.d.validatorAddress ? encodeAddress(this.d.addressPrefix, this.d.validatorAddress) : null,
      syncing: this.d.syncing(),
    };
  }

  /**
   * The block at `height`: the last committed one as the node holds it (no read, no
   * decoding, its transaction hashes already computed; status and the newest block are what
   * clients poll most), any other from the store.
   */
  private block(height: number): Promise<Block> | Block {
    return this.d.recentBlock?.(height) ?? this.d.ledger.blocks.getBlock(height);
  }

  blockHeightOf(blockHash: Uint8Array): Promise<number | null> {
    return this.d.ledger.blocks.heightOf(blockHash);
  }

  async blockByHeight(height: number): Promise<BlockView | null> {
    let block: Block;
    let commit: Commit;
    try {
      block = await this.block(height);
      commit = await this.d.ledger.blocks.getCommit(height);
    } catch (e) {
      if (e instanceof StateError && e.code === StateErrorCodes.STATE_MISSING_HEIGHT) return null;
      throw e;
    }
    return {
      hash: to0x(block.hash),
      header: headerToView(block.header),
      txs: block.txHashes().map(to0x),
      lastCommit: block.data.lastCommit ? commitView(block.data.lastCommit) : null,
      commit: commitView(commit),
    };
  }

  /** Admit `tx` together with every other submission of this turn (one signature batch, one relay). */
  private admit(tx: Uint8Array): Promise<{ res: AddStatus; relayedTo: number }> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ tx, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const res = await this.d.mempool.add(batch.map((b) => b.tx));
      const added = batch.filter((_, i) => res[i]!.status === 'added').map((b) => b.tx);
      const relayedTo = added.length > 0 ? this.d.relay(added) : 0;
      batch.forEach((b, i) => b.resolve({ res: res[i]!, relayedTo }));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  async submitTx(tx: Uint8Array, wait: boolean): Promise<SubmitView> {
    if (this.d.refuseWithoutPeers?.() === true && this.d.peers() === 0) {
      throw new RpcError(RpcCodes.TX_REJECTED, 'transaction refused: this node has no linked peer, so no validator would see it ([mempool] refuse_without_peers); retry, or submit to another node', { code: NodeErrorCodes.MEMPOOL_NO_PEERS });
    }
    const { res, relayedTo } = await this.admit(tx);
    if (res.status === 'rejected') {
      if (res.code === NodeErrorCodes.MEMPOOL_ALREADY_COMMITTED && res.hash) {
        const found = await this.d.ledger.blocks.getTx(fromHex(res.hash));
        if (found) return { hash: '0x' + res.hash, status: 'committed', height: found.height, code: null, message: null };
      }
      throw new RpcError(RpcCodes.TX_REJECTED, `transaction refused: ${res.message}`, { code: res.code });
    }
    const pending: SubmitView = { hash: '0x' + res.hash, status: 'pending', height: null, code: null, message: null, ...(res.status === 'added' ? { relayedTo } : {}) };
    if (!wait) return pending;
    return new Promise((resolve) => {
      const list = this.waiters.get(res.hash) ?? [];
      const timer = setTimeout(() => {
        const ws = this.waiters.get(res.hash);
        if (ws) this.waiters.set(res.hash, ws.filter((w) => w !== done));
        resolve(pending);
      }, this.d.txWaitTimeoutMs ?? 60_000);
      const done = (v: SubmitView): void => {
        clearTimeout(timer);
        resolve(v);
      };
      list.push(done);
      this.waiters.set(res.hash, list);
    });
  }

  async account(address: string): Promise<AccountView | null> {
    let addr: Uint8Array;
    try {
      addr = decodeAddress(address, this.d.addressPrefix);
    } catch (e) {
      throw new RpcError(RpcCodes.INVALID_PARAMS, isSovError(e) ? e.message : 'bad address');
    }
    const reader = this.d.reader();
    const raw = await reader.get(Keys.account(addr));
    if (!raw) return null;
    const a = decode(AccountSchema, raw);
    // Every currency registered so far (genesis's and governance's since), in registration order.
    const list = await reader.get(Keys.currencyList());
    const codes = list === undefined ? [] : decodeTrusted(CurrencyListSchema, list).codes;
    const balances: Record<string, string> = {};
    for (const code of codes) {
      const b = await reader.get(Keys.balance(addr, code));
      if (b) balances[code] = decode(BalanceSchema, b).amount.toString();
    }
    return {
      address,
      nonce: a.nonce,
      keys: a.keys.map(to0x),
      keyAddresses: a.keys.map((k) => encodeAddress(this.d.addressPrefix, addressFromPublicKey(k))),
      threshold: a.threshold,
      kind: a.kind,
      status: a.status,
      tier: a.tier,
      bank: a.bank ? encodeAddress(this.d.addressPrefix, a.bank) : null,
      balances,
    };
  }

  head(): number {
    return this.d.ledger.height;
  }

  async peers(): Promise<PeerView[]> {
    return this.d.peerList();
  }

  async mempool(): Promise<MempoolView> {
    return { count: this.d.mempool.size, bytes: this.d.mempool.bytes, ...this.d.mempoolLimits };
  }

  onHead(listener: (height: number) => void): () => void {
    this.headListeners.add(listener);
    return () => this.headListeners.delete(listener);
  }

  private addr(address: string): Uint8Array {
    try {
      return decodeAddress(address, this.d.addressPrefix);
    } catch (e) {
      throw new RpcError(RpcCodes.INVALID_PARAMS, isSovError(e) ? e.message : 'bad address');
    }
  }

  /** A height of state to read: default the head; above it NOT_FOUND. */
  private stateHeight(height: number | undefined): number {
    const head = this.d.ledger.height;
    const h = height ?? head;
    if (h < 1 || h > head) throw new RpcError(RpcCodes.NOT_FOUND, `no state at height ${h} (head ${head})`);
    return h;
  }

  /** Translate the store's missing errors into NOT_FOUND, its pruned ones into PRUNED (naming the oldest height kept). */
  private async stored<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof StateError && e.code === StateErrorCodes.STATE_PRUNED) throw prunedError(e);
      if (e instanceof StateError && e.code === StateErrorCodes.STATE_MISSING_HEIGHT) throw new RpcError(RpcCodes.NOT_FOUND, e.message);
      throw e;
    }
  }

  async txByHash(hash: string): Promise<TxView | null> {
    const found = await this.d.ledger.blocks.getTx(fromHex(hash, 32));
    if (!found) {
      // A pruning node no longer knows the transactions of the blocks it pruned: say so.
      const oldest = this.d.ledger.oldestBlock;
      if (oldest > 1) throw new RpcError(RpcCodes.NOT_FOUND, `no committed transaction ${hash} in the blocks this node keeps (from height ${oldest}; older ones are pruned here)`, { oldestBlock: oldest });
      return null;
    }
    const tx = Tx.decode(found.tx);
    const r = decode(ReceiptSchema, found.receipt);
    return {
      hash, height: found.height, index: found.index, tx: to0x(found.tx), signer: encodeAddress(this.d.addressPrefix, tx.signer), nonce: tx.nonce,
      module: tx.data.body.module, method: tx.data.body.method, args: argsJson(tx.data.body.module, tx.data.body.method, tx.data.body.args, this.d.addressPrefix, this.modules),
      receipt: {
        status: r.status === 0 ? 'ok' : 'failed', code: r.code, codeName: r.code === 0 ? null : vmCodeName(r.code) ?? null, message: r.message, work: Number(r.work),
        events: r.events.map((e) => this.eventView(e)), result: to0x(r.result),
      },
    };
  }

  async commitByHeight(height: number): Promise<CommitView | null> {
    if (height > this.d.ledger.height) return null;
    try {
      return commitView(await this.d.ledger.blocks.getCommit(height));
    } catch (e) {
      if (e instanceof StateError && e.code === StateErrorCodes.STATE_MISSING_HEIGHT) return null;
      throw e;
    }
  }

  async validators(height?: number): Promise<{ height: number; validators: ValidatorView[]; totalPower: number }> {
    const h = this.stateHeight(height);
    const raw = await this.stored(() => this.d.ledger.get(Keys.validators(), h));
    const list = raw ? decode(ValidatorListSchema, raw).validators : [];
    const validators: ValidatorView[] = [];
    for (const v of list) {
      const node = await this.stored(() => this.d.ledger.get(Keys.validatorNode(v.address), h));
      validators.push({
        address: encodeAddress(this.d.addressPrefix, v.address), publicKey: to0x(v.publicKey), power: Number(v.power),
        nodeKey: node ? to0x(decode(ValidatorNodeSchema, node).nodeKey) : null,
      });
    }
    return { height: h, validators, totalPower: validators.reduce((a, v) => a + v.power, 0) };
  }

  record(q: RecordQuery, height: number | undefined, prove: boolean): RecordView | SerializedResult<RecordView> | Promise<RecordView> {
    const key = recordKey(q, this.d.addressPrefix, this.modules);
    const h = this.stateHeight(height);
    if (!prove && height === undefined) {
      // Hot records at the head come from the execution's cache of committed head values,
      // answered at once (no promise), with their JSON text made once per stored value.
      const hit = this.d.cachedHeadValue?.(key);
      if (hit && hit.height === h) return hit.value === null ? this.recordView(q, key, h, null) : this.headRecordJson(q, key, h, hit.value);
    }
    return this.storedRecord(q, key, h, prove);
  }

  /**
   * The JSON text of a head record's view, around its height: made once per stored value
   * (the execution cache hands out the same array until the value changes), so a hot
   * record costs no decoding, hex or serializing per read.
   */
  private readonly recordJson = new WeakMap<Uint8Array, { kind: string; key: Uint8Array; before: string; after: string }>();

  private headRecordJson(q: RecordQuery, key: Uint8Array, h: number, raw: Uint8Array): SerializedResult<RecordView> {
    let t = this.recordJson.get(raw);
    if (t === undefined || t.kind !== q.kind || !equalBytes(t.key, key)) {
      const v = this.recordView(q, key, h, raw);
      // The same fields in the same order as the RecordView object.
      const before = `{"kind":${JSON.stringify(v.kind)},"key":${JSON.stringify(v.key)},"height":`;
      t = { kind: q.kind, key, before, after: `,"value":${JSON.stringify(v.value)},"raw":${JSON.stringify(v.raw)}}` };
      this.recordJson.set(raw, t);
    }
    return new SerializedResult(t.before + h + t.after);
  }

  private recordView(q: RecordQuery, key: Uint8Array, h: number, raw: Uint8Array | null): RecordView {
    const schema = recordSchemaOf(key, this.modules)!;
    return {
      kind: q.kind, key: to0x(key), height: h, value: raw ? recordToJson(decodeTrusted(schema.schema, raw), this.d.addressPrefix) : null, raw: raw ? to0x(raw) : null,
    };
  }

  private async storedRecord(q: RecordQuery, key: Uint8Array, h: number, prove: boolean): Promise<RecordView> {
    if (!prove) return this.recordView(q, key, h, await this.stored(() => this.d.ledger.get(key, h)));
    const p = await this.stored(() => this.d.ledger.prove(key, h));
    const out = this.recordView(q, key, h, p.value);
    const [block, commit] = await this.stored(() => Promise.all([this.d.ledger.blocks.getBlock(h), this.d.ledger.blocks.getCommit(h)]));
    out.proof = { proof: to0x(encodeProof(p.proof)), header: headerToView(block.header), commit: commitView(commit) };
    return out;
  }

  private page(p: PageArg): PageArg {
    return { ...(p.after ? { after: p.after } : {}), ...(p.limit ? { limit: p.limit } : {}), ...(p.order ? { order: p.order } : {}) };
  }

  async txsByAccount(address: string, page: PageArg): Promise<AccountTxsView> {
    const r = await this.d.ledger.blocks.txsByAccount(this.addr(address), this.page(page));
    return { items: r.items.map((i) => ({ height: i.height, index: i.index, hash: to0x(i.txHash) })), next: r.next };
  }

  async eventsByAccount(address: string, page: PageArg): Promise<AccountEventsView> {
    const r = await accountEvents(this.d.ledger.blocks, this.addr(address), this.page(page));
    return { items: r.items.map((i) => ({ height: i.height, index: i.index, event: i.event, ...this.eventView(i.data) })), next: r.next };
  }

  async backtest(q: BacktestRequest): Promise<BacktestResult> {
    const pfx = this.d.addressPrefix;
    const scope = { currencies: [...q.scope.currencies], types: [...q.scope.types], institutions: q.scope.institutions.map((a) => this.addr(a)) };
    const candidate: comp.Candidate = { name: q.name, version: q.version, source: q.source, action: q.action, severity: q.severity, scope };
    const r = await backtest(this.d.ledger, { candidate, from: q.from, to: q.to, maxFindings: q.maxFindings }, this.modules);
    return {
      rule: r.rule, cost: r.cost, from: r.from, to: r.to, blocks: r.blocks, transactions: r.transactions, payments: r.payments, decisions: r.decisions, truncated: r.truncated,
      findings: r.findings.map((f) => ({
        height: f.height, index: f.index, event: f.event, tx: to0x(f.txHash), decision: f.decision, from: encodeAddress(pfx, f.from), to: encodeAddress(pfx, f.to), amount: f.amount.toString(), currency: f.currency,
      })),
      diverged: r.diverged.map((d) => ({ height: d.height, index: d.index, tx: to0x(d.txHash), committed: d.committed, replayed: d.replayed })),
    };
  }

  indexScan(range: IndexRange): Promise<{ items: IndexItem[]; next: IndexCursor | null }> {
    return this.d.ledger.blocks.scanIndex(range);
  }

  async txAt(height: number, index: number): Promise<{ tx: Uint8Array; receipt: Uint8Array } | null> {
    if (!Number.isSafeInteger(height) || height < 1 || height > this.head() || !Number.isSafeInteger(index) || index < 0) return null;
    const block = await this.d.ledger.blocks.getBlock(height);
    const tx = block.data.txs[index];
    if (tx === undefined) return null;
    return { tx, receipt: await this.d.ledger.blocks.getReceipt(height, index) };
  }

  async activity(height: number): Promise<BlockActivity | null> {
    const block = await this.blockByHeight(height);
    if (!block) return null;
    const raw = await this.d.ledger.blocks.getBlock(height);
    const txs = await Promise.all(raw.data.txs.map(async (bytes, index) => {
      const r = decode(ReceiptSchema, await this.d.ledger.blocks.getReceipt(height, index));
      return {
        hash: to0x(txHashOf(bytes)), index, signer: encodeAddress(this.d.addressPrefix, Tx.decode(bytes).signer),
        status: r.status === 0 ? 'ok' as const : 'failed' as const, code: r.code, events: r.events.map((e) => this.eventView(e)),
      };
    }));
    return { block, txs };
  }
}
