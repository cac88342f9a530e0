/**
 * The small key-value interface the state layer is written against (after EthereumJS's
 * `DB`): point reads, batched reads, one atomic batch write, ordered range iteration, close.
 * Keys and values are plain byte arrays; keys order lexicographically by byte. `MemoryKV` is
 * the in-memory implementation for tests and tools; `LevelKV` (level-kv.ts) is the LevelDB
 * one. Nothing else in state/ touches `level`.
 */
import { toHex, fromHex } from '../core/index.js';
import { StateError, StateErrorCodes } from './errors.js';

export type KVOp = { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array } | { readonly type: 'del'; readonly key: Uint8Array };

export interface KVRange {
  /** Inclusive lower bound. */
  readonly gte?: Uint8Array;
  /** Exclusive upper bound. */
  readonly lt?: Uint8Array;
  readonly reverse?: boolean;
  readonly limit?: number;
}

export interface KV {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Values in the order of `keys`; `undefined` where a key is absent. */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Apply every op or none. `sync` asks for the write to reach the disk before resolving. */
  batch(ops: readonly KVOp[], opts?: { sync?: boolean }): Promise<void>;
  /** Entries in key order (or reverse) within the range. */
  iterate(range: KVRange): AsyncIterable<[Uint8Array, Uint8Array]>;
  close(): Promise<void>;
}

/** An ordered in-memory KV. Batches are atomic; values are copied in and out. */
export class MemoryKV implements KV {
  private readonly map = new Map<string, Uint8Array>();
  private sorted: string[] | null = null;
  private closed = false;

  private check(): void {
    if (this.closed) throw new StateError(StateErrorCodes.STATE_CLOSED, 'the store is closed');
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.check();
    const v = this.map.get(toHex(key));
    return v === undefined ? undefined : v.slice();
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.check();
    return keys.map((k) => this.map.get(toHex(k))?.slice());
  }

  async batch(ops: readonly KVOp[]): Promise<void> {
    this.check();
    for (const op of ops) {
      const k = toHex(op.key);
      if (op.type === 'put') {
        if (!this.map.has(k)) this.sorted = null;
        this.map.set(k, op.value.slice());
      } else if (this.map.delete(k)) {
        this.sorted = null;
      }
    }
  }

  async *iterate(range: KVRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    this.check();
    if (this.sorted === null) this.sorted = [...this.map.keys()].sort();
    const keys = this.sorted;
    const lo = range.gte === undefined ? '' : toHex(range.gte);
    const hi = range.lt === undefined ? null : toHex(range.lt);
    const selected = keys.filter((k) => k >= lo && (hi === null || k < hi));
    if (range.reverse) selected.reverse();
    const limit = range.limit ?? Infinity;
    let n = 0;
    for (const k of selected) {
      if (n++ >= limit) return;
      const v = this.map.get(k);
      if (v !== undefined) yield [fromHex(k), v.slice()];
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Number of entries (for tests and tools). */
  get size(): number {
    return this.map.size;
  }
}
