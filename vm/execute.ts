/**
 * Block and transaction execution (after EthereumJS's runBlock / runTx): free functions
 * over a StateReader, producing a deterministic write set, receipts, events and validator
 * updates. For each transaction in order:
 * 1. decode (bytes that are not a canonical Tx are rejected: TX_MALFORMED);
 * 2. refuse a repeated hash (TX_DUPLICATE) or a full block (block work >= block_max_work:
 *    TX_BLOCK_FULL);
 * 3. authenticate (auth.ts) against the state as the block has changed it so far; a
 *    failure rejects the transaction (it is not included; the proposer drops it, and a
 *    proposal containing one is invalid);
 * 4. consume the nonce, outside the transaction's checkpoint;
 * 5. in a checkpoint, charge the base cost (per tx and per byte), find the module method in
 *    the registry, decode the args, run the modules' beforeTx hooks, the handler and the
 *    afterTx hooks under the work meter; on success commit, on a VmError revert and record
 *    a failure receipt with the stable code (the nonce stays consumed).
 * Before the transactions, each piece of the block's double-sign evidence goes to the
 * modules' evidence hooks (module evid verifies and records it), each in its own checkpoint:
 * a refused piece leaves no trace and is listed in `rejectedEvidence`. After the
 * transactions, the block's validator-set changes go to the validatorUpdates hooks, then the
 * modules' end-of-block steps run (registry order). Parameters are read once per block.
 * Nothing here reads a clock or iterates an unordered collection: the same state and the
 * same transactions give the same bytes everywhere.
 */
import { decode, equalBytes, isSovError, toHex, Tx, CodecError } from '../core/index.js';
import { codeNumber, VmError } from './errors.js';
import { keyId, Overlay, type StateReader, type StateStore, type WriteSet } from './state.js';
import { loadParams, type Params } from './params.js';
import { Meter } from './meter.js';
import { TxContext, type BlockContext, type ValidatorUpdate } from './context.js';
import { authenticate, type AuthOptions } from './auth.js';
import { findMethod, type Registry } from './registry.js';
import { clipMessage, receiptBytes, receiptHashOfBytes, resultsRootOf, ReceiptStatus, type Event, type Receipt } from './receipts.js';
import { ChainMetaSchema, type ChainMeta } from './records.js';
import { engineRecords } from './engine.js';
import { AccountKeys, AccountSchema, type Account } from './modules/account/records.js';
import type { IndexEntry } from './module.js';
import { BUILTIN } from './builtin.js';

export interface ExecuteOptions extends Omit<AuthOptions, 'allowFutureNonce'> {
  /** The module registry; the built-in modules by default. */
  readonly modules?: Registry;
}

export interface Rejection {
  readonly index: number;
  readonly txHash: Uint8Array | null;
  readonly code: string;
  readonly num: number;
  readonly message: string;
}

/** A piece of the block's evidence the evidence hooks refused (its index in the block's evidence). */
export interface EvidenceRejection {
  readonly index: number;
  readonly code: string;
  readonly num: number;
  readonly message: string;
}

export interface BlockResult {
  /** Every key the block changed, sorted by key; null values are deletes. */
  readonly writes: WriteSet;
  /** The included transactions, in order, and their receipts. */
  readonly included: readonly Tx[];
  readonly receipts: readonly Receipt[];
  /** Each receipt's canonical bytes (what the block store keeps), encoded once. */
  readonly receiptBytes: readonly Uint8Array[];
  readonly receiptHashes: readonly Uint8Array[];
  /** The header's resultsRoot. */
  readonly resultsRoot: Uint8Array;
  /**
   * The accounts each included transaction concerns, for the block store's per-account
   * indexes (not part of any hash): its signer, then every account its modules' `concerns`
   * name (money: every address whose balance it changed; account: the account an event is
   * about; ...), each once.
   */
  readonly accounts: readonly (readonly Uint8Array[])[];
  /** Each included transaction's module-index entries (module.ts IndexSpec; none for a failed one): not part of any hash. */
  readonly indexes: readonly (readonly IndexEntry[])[];
  /** Every event of the block with the index (among included txs) of its transaction. */
  readonly events: readonly { readonly tx: number; readonly event: Event }[];
  /** Validator-set changes, one per key (the last change of the block wins). */
  readonly validatorUpdates: readonly ValidatorUpdate[];
  /** Transactions that failed authentication: not included. */
  readonly rejected: readonly Rejection[];
  /**
   * Evidence the evidence hooks refused (invalid, stale, or recorded already): a block
   * carrying any is invalid; a proposer leaves these out (they changed nothing).
   */
  readonly rejectedEvidence: readonly EvidenceRejection[];
  /**
   * Events of the block outside any transaction: those of its evidence (evid's
   * `equivocation`, gov's `validator_changed` of a suspension). In no receipt and under no
   * root: the state records they describe are what a header proves.
   */
  readonly blockEvents: readonly Event[];
  readonly workUsed: number;
}

async function chainMeta(state: StateReader): Promise<ChainMeta> {
  const raw = await state.get(engineRecords.chain.keyOf());
  if (raw === undefined) throw new Error('state has no chain record: apply genesis first');
  return decode(ChainMetaSchema, raw);
}

/** Execute `txs` on top of `state` as block `block`. */
export async function executeBlock(state: StateReader, block: BlockContext, txs: readonly (Tx | Uint8Array)[], opts: ExecuteOptions = {}): Promise<BlockResult> {
  const meta = await chainMeta(state);
  if (meta.chainId !== block.chainId) throw new Error(`block is for chain "${block.chainId}", state is "${meta.chainId}"`);
  const modules = opts.modules ?? BUILTIN;
  const params = await loadParams(state, modules);
  const overlay = new Overlay(state);
  const included: Tx[] = [];
  const receipts: Receipt[] = [];
  const receiptBytesList: Uint8Array[] = [];
  const accounts: Uint8Array[][] = [];
  const indexes: (readonly IndexEntry[])[] = [];
  const receiptHashes: Uint8Array[] = [];
  const events: { tx: number; event: Event }[] = [];
  const rejected: Rejection[] = [];
  const updates = new Map<string, ValidatorUpdate>();
  const seen = new Set<string>();
  let workUsed = 0;

  const ev = block.evidence !== undefined && block.evidence.length > 0
    ? await runEvidence(overlay, block, params, modules)
    : { rejected: [], events: [], updates: [] };
  for (const u of ev.updates) updates.set(toHex(u.publicKey), u);

  for (let index = 0; index < txs.length; index++) {
    const item = txs[index]!;
    let tx: Tx;
    if (item instanceof Tx) tx = item;
    else {
      try {
        tx = Tx.decode(item);
      } catch (e) {
        if (!isSovError(e)) throw e;
        rejected.push({ index, txHash: null, code: 'TX_MALFORMED', num: codeNumber('TX_MALFORMED')!, message: e.message });
        continue;
      }
    }
    const id = tx.hashHex;
    const reject = (code: string, message: string): void => {
      rejected.push({ index, txHash: tx.hash, code, num: codeNumber(code)!, message });
    };
    if (seen.has(id)) {
      reject('TX_DUPLICATE', 'transaction already in this block');
      continue;
    }
    if (workUsed >= params.block_max_work) {
      reject('TX_BLOCK_FULL', `block work ${workUsed} has reached ${params.block_max_work}`);
      continue;
    }
    let account: Account;
    try {
      const got = overlay.get(AccountSchema, AccountKeys.account(tx.signer));
      account = authenticate({ chainId: block.chainId, height: block.height, params }, tx, got instanceof Promise ? await got : got, opts, id);
    } catch (e) {
      if (e instanceof VmError) {
        reject(e.code, e.message);
        continue;
      }
      throw e;
    }
    seen.add(id);
    const r = await runTx(overlay, block, params, modules, tx, account);
    const n = included.length;
    included.push(tx);
    receipts.push(r.receipt);
    accounts.push(r.accounts);
    indexes.push(r.indexes);
    const rb = receiptBytes(r.receipt);
    receiptBytesList.push(rb);
    receiptHashes.push(receiptHashOfBytes(rb));
    for (const event of r.receipt.events) events.push({ tx: n, event });
    for (const u of r.validatorUpdates) updates.set(toHex(u.publicKey), u);
    workUsed += r.receipt.work;
  }

  if (updates.size > 0 && modules.hooks.validatorUpdates.length > 0) await onValidatorUpdates(overlay, block, params, modules, [...updates.values()]);
  await endBlock(overlay, block, params, modules);

  return {
    writes: overlay.writeSet(),
    included,
    receipts,
    receiptBytes: receiptBytesList,
    receiptHashes,
    accounts,
    indexes,
    resultsRoot: resultsRootOf(receiptHashes),
    events,
    validatorUpdates: [...updates.values()],
    rejected,
    rejectedEvidence: ev.rejected,
    blockEvents: ev.events,
    workUsed,
  };
}

/** Execute a block on `store` and commit its writes: the result with the new state root. */
export async function commitBlock(store: StateStore, block: BlockContext, txs: readonly (Tx | Uint8Array)[], opts: ExecuteOptions = {}): Promise<BlockResult & { readonly stateRoot: Uint8Array }> {
  const r = await executeBlock(store, block, txs, opts);
  return { ...r, stateRoot: await store.commit(r.writes) };
}

/** Run one authenticated transaction: nonce, dispatch (with the modules' hooks before and after), receipt. */
async function runTx(overlay: Overlay, block: BlockContext, params: Params, modules: Registry, tx: Tx, account: Account): Promise<{ receipt: Receipt; validatorUpdates: readonly ValidatorUpdate[]; accounts: Uint8Array[]; indexes: readonly IndexEntry[] }> {
  overlay.put(AccountSchema, AccountKeys.account(tx.signer), { ...account, nonce: account.nonce + 1 });
  const meter = new Meter(params.tx_max_work, params);
  const ctx = new TxContext(block, params, tx.signer, tx.hash, meter, overlay, modules);
  overlay.checkpoint();
  try {
    meter.charge(params.cost_tx + params.cost_tx_byte * tx.bytes.length, 'the base cost');
    const m = findMethod(modules, tx.body.module, tx.body.method);
    if (m === 'no-module') throw new VmError('UNKNOWN_MODULE', `no module "${tx.body.module}"`);
    if (m === 'no-method') throw new VmError('UNKNOWN_METHOD', `module "${tx.body.module}" has no method "${tx.body.method}"`);
    let args: unknown;
    try {
      args = decode(m.args, tx.body.args);
    } catch (e) {
      if (e instanceof CodecError) throw new VmError('MALFORMED_ARGS', `${tx.body.module}.${tx.body.method}: ${e.message}`, { codec: e.code });
      throw e;
    }
    for (const h of modules.hooks.beforeTx) await h.run(ctx, tx);
    const result = (await m.handler(ctx, args)) ?? new Uint8Array(0);
    for (const h of modules.hooks.afterTx) await h.run(ctx, tx);
    const accounts = accountsOf(modules, tx.signer, overlay.keysSinceCheckpoint(), ctx.events);
    overlay.commit();
    const receipt: Receipt = { txHash: tx.hash, status: ReceiptStatus.OK, code: 0, message: '', work: meter.used, events: ctx.events, result };
    return { receipt, validatorUpdates: ctx.validatorUpdates, accounts, indexes: ctx.indexEntries };
  } catch (e) {
    overlay.revert();
    // A value a record schema refuses (e.g. a string over its limit) is bad input too.
    const err = e instanceof VmError ? e : isSovError(e) ? new VmError('MALFORMED_ARGS', e.message, { cause: e.code }) : null;
    if (err === null) throw e;
    const work = Math.min(meter.used, meter.limit);
    const receipt: Receipt = { txHash: tx.hash, status: ReceiptStatus.FAILED, code: err.num, message: clipMessage(err.message), work, events: [], result: new Uint8Array(0) };
    return { receipt, validatorUpdates: [], accounts: [tx.signer], indexes: [] };
  }
}

const ZERO_ADDRESS = new Uint8Array(20);
const ZERO_HASH = new Uint8Array(32);

/**
 * The modules' end-of-block steps, in module-name order, each in its own checkpoint under a
 * budget of tx_max_work: one that fails (a VmError, running out of work included) is undone
 * alone and the block goes on. They record state; they emit no events.
 */
async function endBlock(overlay: Overlay, block: BlockContext, params: Params, modules: Registry): Promise<void> {
  for (const h of modules.hooks.endBlock) {
    const ctx = new TxContext(block, params, ZERO_ADDRESS, ZERO_HASH, new Meter(params.tx_max_work, params), overlay, modules, false);
    overlay.checkpoint();
    try {
      await h.run(ctx);
      overlay.commit();
    } catch (e) {
      overlay.revert();
      if (!(e instanceof VmError)) throw e;
    }
  }
}

/**
 * The block's evidence, each piece through every evidence hook (module-name order) in its
 * own checkpoint under a budget of tx_max_work. A piece a hook refuses (a VmError, or a
 * codec or validation error from garbage) is undone and listed; anything else is a broken
 * invariant and propagates.
 */
async function runEvidence(overlay: Overlay, block: BlockContext, params: Params, modules: Registry): Promise<{ rejected: EvidenceRejection[]; events: Event[]; updates: ValidatorUpdate[] }> {
  const rejected: EvidenceRejection[] = [];
  const events: Event[] = [];
  const updates: ValidatorUpdate[] = [];
  const evidence = block.evidence ?? [];
  for (let index = 0; index < evidence.length; index++) {
    const ctx = new TxContext(block, params, ZERO_ADDRESS, ZERO_HASH, new Meter(params.tx_max_work, params), overlay, modules);
    overlay.checkpoint();
    try {
      for (const h of modules.hooks.evidence) await h.run(ctx, evidence[index]!);
      overlay.commit();
      events.push(...ctx.events);
      updates.push(...ctx.validatorUpdates);
    } catch (e) {
      overlay.revert();
      if (!isSovError(e)) throw e;
      rejected.push({ index, code: e.code, num: e instanceof VmError ? e.num : (codeNumber(e.code) ?? 0), message: clipMessage(e.message) });
    }
  }
  return { rejected, events, updates };
}

/** The block's validator-set changes to the validatorUpdates hooks, each in its own checkpoint (records state only; one that fails is undone alone). */
async function onValidatorUpdates(overlay: Overlay, block: BlockContext, params: Params, modules: Registry, updates: readonly ValidatorUpdate[]): Promise<void> {
  for (const h of modules.hooks.validatorUpdates) {
    const ctx = new TxContext(block, params, ZERO_ADDRESS, ZERO_HASH, new Meter(params.tx_max_work, params), overlay, modules, false);
    overlay.checkpoint();
    try {
      await h.run(ctx, updates);
      overlay.commit();
    } catch (e) {
      overlay.revert();
      if (!(e instanceof VmError)) throw e;
    }
  }
}

/**
 * The signer, then every account the modules' `concerns` name for these writes and events,
 * each once: a scan of the few found so far, a set once there are many (a batch payout).
 */
function accountsOf(modules: Registry, signer: Uint8Array, written: readonly Uint8Array[], events: readonly Event[]): Uint8Array[] {
  const out = [signer];
  let seen: Set<string> | null = null;
  for (const c of modules.concerns) {
    for (const addr of c.run(written, events)) {
      if (seen === null && out.length > 16) seen = new Set(out.map(keyId));
      if (seen !== null) {
        const id = keyId(addr);
        if (seen.has(id)) continue;
        seen.add(id);
      } else if (out.some((a) => equalBytes(a, addr))) continue;
      out.push(addr);
    }
  }
  return out;
}
