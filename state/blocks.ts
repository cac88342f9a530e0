/**
 * The block store: blocks (canonical bytes), their commit certificates, where each
 * transaction was included, receipts (opaque canonical bytes from the state machine, which
 * carry the transaction's events), and a per-account index of transactions with paged reads.
 * (Events by account are the events of the account's transactions: the node reads them from
 * the receipts, so they cost no records of their own.)
 * `blockOps` checks a block against its height, certificate, results and state root and
 * returns its KV ops (the ledger writes them in the same batch as the state); `BlockReader`
 * answers queries. Key shapes are in keys.ts.
 *
 * Block pruning (`blockPruneOps`, run by the ledger inside a commit's batch): a pruned height
 * loses its block, certificate, block-hash entry, transaction locations, receipts and, when
 * the height was committed with a prune list (`blockOps` with `pruneList`: the store was
 * pruning blocks then), its account-index and module-index entries. Reads of a pruned height
 * are STATE_PRUNED naming the oldest block kept.
 */
import { Block, Domain, compareBytes, decodeCommit, encode, CommitSchema, equalBytes, hashOf, toHex, type Commit } from '../core/index.js';
import type { KV, KVOp } from './kv.js';
import { StateError, StateErrorCodes, corrupt, invalidInput, pruned } from './errors.js';
import { allocBytes } from './fast-hash.js';
import {
  Prefix, accountKey, accountPrefix, blockHashKey, blockKey, blockPruneKey, commitKey, prefixEnd, readU32, readU64, receiptKey, txKey, writeU32, writeU64,
} from './keys.js';

export const MAX_RECEIPT_BYTES = 1024 * 1024;
export const MAX_PAGE = 1000;
export const MAX_INDEX_KEY = 256;
export const MAX_INDEX_VALUE = 4096;
/** Heights of blocks pruned by one commit at most: a store that starts pruning a long chain catches up over many commits, each bounded. */
export const PRUNE_BLOCKS_PER_COMMIT = 16;
const LAST_INDEX = 0xffffffff;

/** A module index entry's store key: MODULE_INDEX, the entry's key, the height and the transaction's position. */
function indexEntryKey(key: Uint8Array, h: number, i: number): Uint8Array {
  const k = new Uint8Array(1 + key.length + 12);
  k[0] = Prefix.MODULE_INDEX;
  k.set(key, 1);
  writeU64(k, 1 + key.length, h);
  writeU32(k, 9 + key.length, i);
  return k;
}

/** A range over one module index: entries whose key starts with `prefix`, optionally between two keys (as written by the module, without height and position). */
export interface IndexRange {
  readonly prefix: Uint8Array;
  /** Only entries whose key is >= gte (a key under `prefix`). */
  readonly gte?: Uint8Array;
  /** Only entries whose key is < lt. */
  readonly lt?: Uint8Array;
  readonly limit?: number;
  readonly order?: 'asc' | 'desc';
  /** Resume after this entry (the `next` of an earlier page). */
  readonly after?: IndexCursor;
}
export interface IndexCursor {
  readonly key: Uint8Array;
  readonly height: number;
  readonly index: number;
}
export interface IndexItem extends IndexCursor {
  readonly value: Uint8Array;
}

export interface TxResult {
  /** Canonical receipt bytes (the state machine defines them; they carry the events). */
  readonly receipt: Uint8Array;
  /** Accounts this transaction is indexed under (signer, recipients...). */
  readonly accounts: readonly Uint8Array[];
  /** Module index entries (vm IndexEntry: key, value) the transaction added; none by default. */
  readonly indexes?: readonly { readonly key: Uint8Array; readonly value: Uint8Array }[];
}

/** What is committed with a height beside its state. */
export interface BlockRecord {
  readonly block: Block;
  /** The commit certificate deciding `block`. */
  readonly commit: Commit;
  /** One result per transaction of the block, in order. */
  readonly results: readonly TxResult[];
}

const mismatch = (message: string, meta: Record<string, unknown> = {}): StateError =>
  new StateError(StateErrorCodes.STATE_BLOCK_MISMATCH, message, meta);

export const txHashOf = (txBytes: Uint8Array): Uint8Array => hashOf(Domain.TX, txBytes);

export interface BlockOpsOptions {
  /** Also write the height's prune list (its account-index and module-index keys), for block pruning later. */
  readonly pruneList?: boolean;
}

/** Check `rec` for height `h` with state root `stateRoot`, and return its ops. */
export async function blockOps(kv: KV, h: number, rec: BlockRecord, stateRoot: Uint8Array, opts: BlockOpsOptions = {}): Promise<KVOp[]> {
  if (typeof rec !== 'object' || rec === null || !(rec.block instanceof Block)) throw invalidInput('a block record needs a core Block');
  const { block, commit, results } = rec;
  if (block.height !== h) throw mismatch(`block height ${block.height} is not the committed height ${h}`, { height: h });
  if (!equalBytes(block.header.stateRoot, stateRoot)) throw mismatch(`block ${h}'s stateRoot is not the state's root`, { height: h });
  let commitBytes: Uint8Array;
  try {
    commitBytes = encode(CommitSchema, commit);
  } catch (e) {
    throw invalidInput(`bad commit certificate: ${(e as Error).message}`);
  }
  if (commit.height !== h || !equalBytes(commit.blockHash, block.hash)) throw mismatch(`the commit certificate is not for block ${h}`, { height: h });
  const txs = block.data.txs;
  if (!Array.isArray(results) || results.length !== txs.length) throw mismatch(`${txs.length} transactions but ${results?.length} results`, { height: h });

  const ops: KVOp[] = [];
  const put = (key: Uint8Array, value: Uint8Array): void => void ops.push({ type: 'put', key, value });
  // Keys only this height's prune list can find again (they are keyed by account or module key first).
  const listed: Uint8Array[] | null = opts.pruneList === true ? [] : null;
  const hb = new Uint8Array(8);
  writeU64(hb, 0, h);
  put(blockKey(h), block.bytes);
  put(commitKey(h), commitBytes);
  put(blockHashKey(block.hash), hb);

  const hashes = block.txHashes();
  const seen = new Set<string>();
  for (const th of hashes) {
    const k = Buffer.from(th).toString('hex');
    if (seen.has(k)) throw new StateError(StateErrorCodes.STATE_DUPLICATE_TX, `transaction ${k} appears twice in block ${h}`, { tx: k });
    seen.add(k);
  }
  const prior = await kv.getMany(hashes.map(txKey));
  prior.forEach((p, i) => {
    if (p !== undefined) throw new StateError(StateErrorCodes.STATE_DUPLICATE_TX, `transaction ${Buffer.from(hashes[i]!).toString('hex')} is already in block ${readU64(p, 0)}`, { index: i });
  });

  for (let i = 0; i < txs.length; i++) {
    const r = results[i]!;
    if (typeof r !== 'object' || r === null || !(r.receipt instanceof Uint8Array) || r.receipt.length > MAX_RECEIPT_BYTES) {
      throw invalidInput(`result ${i}: a receipt is at most ${MAX_RECEIPT_BYTES} bytes`);
    }
    if (!Array.isArray(r.accounts)) throw invalidInput(`result ${i}: accounts is an array`);
    // Values from the slab too (see keys.ts: a small on-heap array costs the binding an
    // allocation and a copy): the location, and one copy of the hash for the account index.
    const loc = allocBytes(12);
    writeU64(loc, 0, h);
    writeU32(loc, 8, i);
    put(txKey(hashes[i]!), loc);
    put(receiptKey(h, i), r.receipt);
    const accounts = distinctAccounts(r.accounts);
    if (accounts.length > 0) {
      const th = allocBytes(32);
      th.set(hashes[i]!);
      for (const a of accounts) {
        const k = accountKey(Prefix.ACCOUNT_TX, a, h, i);
        put(k, th);
        listed?.push(k);
      }
    }
    if (r.indexes !== undefined) {
      if (!Array.isArray(r.indexes)) throw invalidInput(`result ${i}: indexes is an array`);
      for (const e of r.indexes) {
        if (!(e?.key instanceof Uint8Array) || !(e.value instanceof Uint8Array) || e.key.length < 1 || e.key.length > MAX_INDEX_KEY || e.value.length > MAX_INDEX_VALUE) {
          throw invalidInput(`result ${i}: an index entry is a key of 1..${MAX_INDEX_KEY} bytes and a value of at most ${MAX_INDEX_VALUE}`);
        }
        const k = indexEntryKey(e.key, h, i);
        put(k, e.value);
        listed?.push(k);
      }
    }
  }
  if (listed !== null && listed.length > 0) put(blockPruneKey(h), encodeKeyList(listed));
  return ops;
}

/** A prune list: each key as u16 length, then its bytes. */
function encodeKeyList(keys: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const k of keys) n += 2 + k.length;
  const out = allocBytes(n);
  let o = 0;
  for (const k of keys) {
    out[o] = k.length >>> 8;
    out[o + 1] = k.length & 0xff;
    out.set(k, o + 2);
    o += 2 + k.length;
  }
  return out;
}

function decodeKeyList(b: Uint8Array, h: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < b.length) {
    const n = o + 2 <= b.length ? (b[o]! << 8) | b[o + 1]! : 0;
    if (n === 0 || o + 2 + n > b.length) throw corrupt(`the prune list of block ${h} is malformed`, { height: h });
    out.push(b.subarray(o + 2, o + 2 + n));
    o += 2 + n;
  }
  return out;
}

/**
 * Append to `ops` the deletes that prune blocks `from` .. `to - 1`: each block, its
 * certificate, its block-hash entry, its transactions' locations and receipts, and the index
 * entries its prune list names (a height committed without one keeps its index entries).
 * A height whose block is not held (below a snapshot's height) has nothing but the rest to lose.
 */
export async function blockPruneOps(kv: KV, from: number, to: number, ops: KVOp[]): Promise<void> {
  if (!(to > from)) return;
  const heights = Array.from({ length: to - from }, (_, i) => from + i);
  const [blocks, lists] = await Promise.all([kv.getMany(heights.map(blockKey)), kv.getMany(heights.map(blockPruneKey))]);
  const del = (key: Uint8Array): void => void ops.push({ type: 'del', key });
  for (let j = 0; j < heights.length; j++) {
    const h = heights[j]!;
    const b = blocks[j];
    if (b !== undefined) {
      let block: Block;
      try {
        block = Block.decode(b);
      } catch {
        throw corrupt(`stored block ${h} does not decode`, { height: h });
      }
      del(blockHashKey(block.hash));
      const hashes = block.txHashes();
      for (let i = 0; i < hashes.length; i++) {
        del(txKey(hashes[i]!));
        del(receiptKey(h, i));
      }
      del(blockKey(h));
      del(commitKey(h));
    }
    const list = lists[j];
    if (list !== undefined) {
      for (const k of decodeKeyList(list, h)) del(k);
      del(blockPruneKey(h));
    }
  }
}

/**
 * `accounts` without repeats, in first-seen order: a scan for the usual handful, a set for
 * many. Anything not a byte array is kept, for accountKey to refuse with a typed error.
 */
function distinctAccounts(accounts: readonly Uint8Array[]): readonly Uint8Array[] {
  if (accounts.length <= 1) return accounts;
  const out: Uint8Array[] = [];
  const seen = accounts.length > 16 ? new Set<string>() : null;
  for (const a of accounts) {
    if (a instanceof Uint8Array) {
      if (seen !== null) {
        const k = toHex(a);
        if (seen.has(k)) continue;
        seen.add(k);
      } else if (out.some((b) => b instanceof Uint8Array && equalBytes(a, b))) continue;
    }
    out.push(a);
  }
  return out;
}

export interface Page<C> {
  /** Cursor: items strictly after it (or before it, for `desc`). */
  readonly after?: C;
  readonly limit?: number;
  readonly order?: 'asc' | 'desc';
}
export interface TxRef {
  readonly height: number;
  readonly index: number;
}

/**
 * Read side of the block store. `head()` is the last committed height; `floor()` the oldest
 * block kept (1 when none was pruned) and `pruning()` the oldest once the batch being written
 * lands (a read that finds its height gone in between was pruned under it).
 */
export class BlockReader {
  constructor(
    private readonly kv: KV,
    private readonly head: () => number,
    private readonly floor: () => number = () => 1,
    private readonly pruning: () => number = floor,
  ) {}

  /** The oldest block this store keeps (1 unless blocks were pruned). */
  get oldest(): number {
    return this.floor();
  }

  private checkHeight(h: number): void {
    if (!Number.isSafeInteger(h) || h < 1) throw invalidInput(`bad block height ${String(h)}`);
    if (h > this.head()) throw new StateError(StateErrorCodes.STATE_MISSING_HEIGHT, `block ${h} is above the head ${this.head()}`, { height: h });
    const oldest = this.floor();
    if (h < oldest) throw pruned('block', h, oldest);
  }

  private missing(h: number): StateError {
    const oldest = Math.max(this.floor(), this.pruning());
    if (h < oldest) return pruned('block', h, oldest);
    return new StateError(StateErrorCodes.STATE_MISSING_HEIGHT, `block ${h} is not held by this store (imported from a snapshot above it)`, { height: h });
  }

  async getBlock(h: number): Promise<Block> {
    this.checkHeight(h);
    const b = await this.kv.get(blockKey(h));
    if (b === undefined) throw this.missing(h);
    try {
      return Block.decode(b);
    } catch {
      throw corrupt(`stored block ${h} does not decode`, { height: h });
    }
  }

  async getCommit(h: number): Promise<Commit> {
    this.checkHeight(h);
    const b = await this.kv.get(commitKey(h));
    if (b === undefined) throw this.missing(h);
    try {
      return decodeCommit(b);
    } catch {
      throw corrupt(`stored commit ${h} does not decode`, { height: h });
    }
  }

  /** Height of the block with this hash, or null. */
  async heightOf(blockHash: Uint8Array): Promise<number | null> {
    if (!(blockHash instanceof Uint8Array) || blockHash.length !== 32) throw invalidInput('a block hash is 32 bytes');
    const b = await this.kv.get(blockHashKey(blockHash));
    if (b === undefined) return null;
    if (b.length !== 8) throw corrupt('block hash index entry is malformed');
    return readU64(b, 0);
  }

  /** A transaction by hash: where it is, its bytes and its receipt; null if unknown. */
  async getTx(txHash: Uint8Array): Promise<{ height: number; index: number; tx: Uint8Array; receipt: Uint8Array } | null> {
    if (!(txHash instanceof Uint8Array) || txHash.length !== 32) throw invalidInput('a transaction hash is 32 bytes');
    const loc = await this.kv.get(txKey(txHash));
    if (loc === undefined) return null;
    if (loc.length !== 12) throw corrupt('transaction index entry is malformed');
    const height = readU64(loc, 0);
    const index = readU32(loc, 8);
    const block = await this.getBlock(height);
    const tx = block.data.txs[index];
    if (tx === undefined || !equalBytes(txHashOf(tx), txHash)) throw corrupt(`transaction index points to the wrong place`, { height, index });
    return { height, index, tx, receipt: await this.getReceipt(height, index) };
  }

  async getReceipt(h: number, index: number): Promise<Uint8Array> {
    this.checkHeight(h);
    const r = await this.kv.get(receiptKey(h, index));
    if (r === undefined) {
      if (h < Math.max(this.floor(), this.pruning())) throw this.missing(h);
      throw invalidInput(`no transaction ${index} in block ${h}`, { height: h, index });
    }
    return r;
  }

  private async page(prefix: number, account: Uint8Array, page: Page<TxRef>, cursorKey: (c: TxRef) => Uint8Array): Promise<{ keys: Uint8Array[]; values: Uint8Array[]; more: boolean }> {
    const limit = page.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalidInput(`a page holds 1..${MAX_PAGE} items`);
    const p = accountPrefix(prefix, account);
    const desc = page.order === 'desc';
    // Entries of pruned blocks are not served (a height pruned without a prune list keeps
    // them): the range starts at the oldest block kept, and a cursor that would continue
    // into pruned history is STATE_PRUNED rather than a page that silently skips it.
    const oldest = this.floor();
    let low = p;
    if (oldest > 1) {
      const a = page.after;
      if (a !== undefined && (desc ? a.height < oldest : a.height < oldest - 1 || (a.height === oldest - 1 && a.index < LAST_INDEX))) {
        throw pruned('block', a.height, oldest, `the page continues from height ${a.height}, but blocks below ${oldest} are pruned here (oldest kept: ${oldest})`);
      }
      low = accountKey(prefix, account, oldest, 0);
    }
    const after = page.after ? Uint8Array.from([...cursorKey(page.after), 0]) : null;
    const range = desc
      ? { gte: low, lt: page.after ? cursorKey(page.after) : prefixEnd(p), reverse: true, limit: limit + 1 }
      : { gte: after !== null && compareBytes(after, low) > 0 ? after : low, lt: prefixEnd(p), limit: limit + 1 };
    const keys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    for await (const [k, v] of this.kv.iterate(range)) {
      keys.push(k.subarray(p.length));
      values.push(v);
    }
    const more = keys.length > limit;
    return { keys: keys.slice(0, limit), values: values.slice(0, limit), more };
  }

  /**
   * Entries of a module index in key order (then height, then position), or the reverse:
   * a page of at most `limit` and the cursor of the next page, or null.
   */
  async scanIndex(r: IndexRange): Promise<{ items: IndexItem[]; next: IndexCursor | null }> {
    const limit = r.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalidInput(`a page holds 1..${MAX_PAGE} items`);
    if (!(r.prefix instanceof Uint8Array) || r.prefix.length < 1 || r.prefix.length > MAX_INDEX_KEY) throw invalidInput('an index prefix is 1..256 bytes');
    const full = (k: Uint8Array): Uint8Array => Uint8Array.from([Prefix.MODULE_INDEX, ...k]);
    const p = full(r.prefix);
    let lo = r.gte !== undefined ? full(r.gte) : p;
    let hi = r.lt !== undefined ? full(r.lt) : prefixEnd(p);
    if (compareBytes(lo, p) < 0) lo = p;
    if (compareBytes(hi, prefixEnd(p)) > 0) hi = prefixEnd(p);
    const desc = r.order === 'desc';
    if (r.after !== undefined) {
      const at = indexEntryKey(r.after.key, r.after.height, r.after.index);
      if (desc) hi = compareBytes(at, hi) < 0 ? at : hi;
      else {
        const past = Uint8Array.from([...at, 0]);
        lo = compareBytes(past, lo) > 0 ? past : lo;
      }
    }
    const items: IndexItem[] = [];
    if (compareBytes(lo, hi) < 0) {
      for await (const [k, v] of this.kv.iterate(desc ? { gte: lo, lt: hi, reverse: true, limit: limit + 1 } : { gte: lo, lt: hi, limit: limit + 1 })) {
        const n = k.length - 12;
        items.push({ key: k.slice(1, n), height: readU64(k, n), index: readU32(k, n + 8), value: v });
      }
    }
    const more = items.length > limit;
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page, next: more && last ? { key: last.key, height: last.height, index: last.index } : null };
  }

  /** Transactions that touched `account`, oldest first (or newest, with order 'desc'). */
  async txsByAccount(account: Uint8Array, page: Page<TxRef> = {}): Promise<{ items: (TxRef & { txHash: Uint8Array })[]; next: TxRef | null }> {
    const r = await this.page(Prefix.ACCOUNT_TX, account, page, (c) => accountKey(Prefix.ACCOUNT_TX, account, c.height, c.index));
    const items = r.keys.map((k, i) => ({ height: readU64(k, 0), index: readU32(k, 8), txHash: r.values[i]! }));
    const lastItem = items[items.length - 1];
    return { items, next: r.more && lastItem ? { height: lastItem.height, index: lastItem.index } : null };
  }
}
