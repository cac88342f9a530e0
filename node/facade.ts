/**
 * The node's query/submit facade for the RPC layer (rpc/facade.ts): views over the ledger,
 * the mempool and the consensus driver, with no internals exposed.
 */
import {
  decodeAddress, encodeAddress, fromHex, isSovError, to0x, toHex, type Block, type Commit, decode, addressFromPublicKey,
} from '../core/index.js';
import { StateError, StateErrorCodes, txHashOf, type LedgerStore } from '../state/index.js';
import { AccountSchema, BalanceSchema, Keys, type StateReader } from '../vm/index.js';
import { RpcCodes, RpcError, type AccountView, type BlockView, type CommitView, type NodeFacade, type StatusView, type SubmitView } from '../rpc/index.js';
import type { AddStatus, Mempool } from './mempool.js';

export interface FacadeDeps {
  chainId: string;
  addressPrefix: string;
  moniker: string;
  currencies: () => readonly string[];
  ledger: LedgerStore;
  mempool: Mempool;
  reader: () => StateReader;
  nodeId: () => string;
  peers: () => number;
  syncing: () => boolean;
  validatorAddress: Uint8Array | null;
  /** Relay newly admitted transactions to peers (one call per admitted batch). */
  relay: (txs: readonly Uint8Array[]) => void;
}

const commitView = (c: Commit): CommitView => ({
  height: c.height, round: c.round, blockHash: to0x(c.blockHash), signatures: c.signatures.map((s) => ({ validator: to0x(s.validator), signature: to0x(s.signature) })),
});

export class NodeFacadeImpl implements NodeFacade {
  private readonly waiters = new Map<string, ((v: SubmitView) => void)[]>();
  /** Submissions of this turn of the event loop, admitted together in one mempool call. */
  private pending: { tx: Uint8Array; resolve: (r: AddStatus) => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly d: FacadeDeps) {}

  /** Called after each commit: resolve the submitters waiting for these transactions. */
  onCommitted(height: number, txHashes: readonly Uint8Array[], receipts: readonly { status: number; code: number; message: string }[]): void {
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
    const block = h > 0 ? await this.d.ledger.blocks.getBlock(h) : null;
    return {
      chainId: this.d.chainId,
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

  async blockByHeight(height: number): Promise<BlockView | null> {
    let block: Block;
    let commit: Commit;
    try {
      block = await this.d.ledger.blocks.getBlock(height);
      commit = await this.d.ledger.blocks.getCommit(height);
    } catch (e) {
      if (e instanceof StateError && e.code === StateErrorCodes.STATE_MISSING_HEIGHT) return null;
      throw e;
    }
    const h = block.header;
    return {
      hash: to0x(block.hash),
      header: {
        version: h.version, chainId: h.chainId, height: h.height, time: h.time, lastBlockHash: to0x(h.lastBlockHash), lastCommitHash: to0x(h.lastCommitHash),
        txRoot: to0x(h.txRoot), txCount: h.txCount, stateRoot: to0x(h.stateRoot), resultsRoot: to0x(h.resultsRoot), validatorsHash: to0x(h.validatorsHash),
        nextValidatorsHash: to0x(h.nextValidatorsHash), evidenceHash: to0x(h.evidenceHash), proposer: to0x(h.proposer),
      },
      txs: block.data.txs.map((t) => to0x(txHashOf(t))),
      lastCommit: block.data.lastCommit ? commitView(block.data.lastCommit) : null,
      commit: commitView(commit),
    };
  }

  /** Admit `tx` together with every other submission of this turn (one signature batch, one relay). */
  private admit(tx: Uint8Array): Promise<AddStatus> {
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
      if (added.length > 0) this.d.relay(added);
      batch.forEach((b, i) => b.resolve(res[i]!));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  async submitTx(tx: Uint8Array, wait: boolean): Promise<SubmitView> {
    const res = await this.admit(tx);
    if (res.status === 'rejected') {
      if (res.code === 'MEMPOOL_ALREADY_COMMITTED' && res.hash) {
        const found = await this.d.ledger.blocks.getTx(fromHex(res.hash));
        if (found) return { hash: '0x' + res.hash, status: 'committed', height: found.height, code: null, message: null };
      }
      throw new RpcError(RpcCodes.TX_REJECTED, `transaction refused: ${res.message}`, { code: res.code });
    }
    const pending: SubmitView = { hash: '0x' + res.hash, status: 'pending', height: null, code: null, message: null };
    if (!wait) return pending;
    return new Promise((resolve) => {
      const list = this.waiters.get(res.hash) ?? [];
      const timer = setTimeout(() => {
        const ws = this.waiters.get(res.hash);
        if (ws) this.waiters.set(res.hash, ws.filter((w) => w !== done));
        resolve(pending);
      }, 60_000);
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
    const balances: Record<string, string> = {};
    for (const code of this.d.currencies()) {
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
}
