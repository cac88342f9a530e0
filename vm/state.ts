/**
 * How the vm sees state. `StateReader` is the one thing the vm needs from the state layer: a
 * point read at the version the block builds on (state/ implements it over its versioned
 * tree). The vm never iterates: lists it needs are its own records.
 *
 * `Overlay` is a block's pending writes over a reader, with nested checkpoints: a transaction
 * runs inside a checkpoint that is committed on success and reverted on failure (a governance
 * execution nests one more). It caches base reads and decoded records, so a record read twice
 * in a block is fetched and decoded once. Its result is a `WriteSet`: every key changed by
 * the block, sorted by key bytes, each with its new value or null for a delete.
 *
 * `MemoryState` is the in-memory reader for tests and the benchmark. Its `root()` is a TEST
 * STAND-IN, not the chain's state root: core merkleRoot over the sorted [key, value] pairs.
 * The real root is the state layer's sparse Merkle tree.
 */
import { decodeTrusted, encode, merkleRoot, packWire, type Schema } from '../core/index.js';

/**
 * Node's latin1 decoder: one string char per byte, made directly from the bytes (the method
 * behind `buffer.toString('latin1')`; should a Node release drop it, that documented call
 * gives the same string).
 */
const latin1Slice: (this: Uint8Array, start: number, end: number) => string =
  (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }).latin1Slice ?? latin1Documented;

/** @internal The documented way to the same string (the fallback above; tested beside it). */
export function latin1Documented(this: Uint8Array, start: number, end: number): string {
  return Buffer.from(this.buffer, this.byteOffset + start, end - start).toString('latin1');
}

/**
 * A key as a map id: one UTF-16 code unit per byte (latin1), so ids compare in key-byte
 * order and cost one short string (cheaper than hex on the hot path). Made by Node's latin1
 * decoder: String.fromCharCode.apply first copies the bytes into an argument list, about
 * twice the time and three times the garbage.
 */
export function keyId(key: Uint8Array): string {
  return latin1Slice.call(key, 0, key.length);
}

export function keyOfId(id: string): Uint8Array {
  const out = new Uint8Array(id.length);
  for (let i = 0; i < id.length; i++) out[i] = id.charCodeAt(i);
  return out;
}

/**
 * Decode a record read from state. State holds only what the vm itself encoded (and the
 * state layer checks every value against its Merkle hashes), so the canonical re-encoding
 * check of core `decode` is skipped here; the schema still checks every type and range.
 */
export function decodeStored<T>(schema: Schema<T>, bytes: Uint8Array): T {
  return decodeTrusted(schema, bytes);
}

/** A value, or a promise of it: state reads are synchronous where the store can be. */
export type MaybePromise<T> = T | Promise<T>;

/** Apply `f` to a value that may be a promise, staying synchronous when it is not. */
export function mapMaybe<T, R>(v: MaybePromise<T>, f: (t: T) => R): MaybePromise<R> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** `mapMaybe` for an `f` that may itself return a promise (flattened, as `then` does). */
export function chainMaybe<T, R>(v: MaybePromise<T>, f: (t: T) => MaybePromise<R>): MaybePromise<R> {
  return v instanceof Promise ? v.then(f) : f(v);
}

export interface StateReader {
  /** The value at `key` in the version the block builds on (a promise for a disk store). */
  get(key: Uint8Array): MaybePromise<Uint8Array | undefined>;
}

/**
 * A store the vm's results can be committed to: the state layer applies a block's write set
 * as the next version and returns its root. `commitBlock` (execute.ts) uses it.
 */
export interface StateStore extends StateReader {
  commit(writes: WriteSet): Promise<Uint8Array>;
}

export interface Write {
  readonly key: Uint8Array;
  /** The new value, or null: the key is deleted. */
  readonly value: Uint8Array | null;
}
export type WriteSet = readonly Write[];

interface Entry {
  readonly key: Uint8Array;
  readonly bytes: Uint8Array | null;
  /** The decoded record and the schema it was decoded with, when known. */
  readonly schema?: Schema<unknown>;
  readonly value?: unknown;
}

const ABSENT = Symbol('absent');
type Prior = Entry | typeof ABSENT;

export class Overlay {
  private readonly writes = new Map<string, Entry>();
  private readonly reads = new Map<string, Entry>();
  private readonly journals: Map<string, Prior>[] = [];

  constructor(private readonly base: StateReader) {}

  private entry(id: string, key: Uint8Array): MaybePromise<Entry> {
    const w = this.writes.get(id);
    if (w !== undefined) return w;
    const r = this.reads.get(id);
    if (r !== undefined) return r;
    return mapMaybe(this.base.get(key), (raw) => this.cacheRead(id, key, raw));
  }

  private cacheRead(id: string, key: Uint8Array, raw: Uint8Array | undefined): Entry {
    let r = this.reads.get(id);
    if (r === undefined) {
      r = { key, bytes: raw ?? null };
      this.reads.set(id, r);
    }
    return this.writes.get(id) ?? r;
  }

  /** Raw bytes of `key` as this block sees it. */
  getBytes(key: Uint8Array): MaybePromise<Uint8Array | undefined> {
    return mapMaybe(this.entry(keyId(key), key), (e) => e.bytes ?? undefined);
  }

  /** The record at `key` decoded with `schema` (decoded once per block). */
  get<T>(schema: Schema<T>, key: Uint8Array): MaybePromise<T | undefined> {
    const id = keyId(key);
    return mapMaybe(this.entry(id, key), (e) => this.decoded(schema, id, key, e));
  }

  private decoded<T>(schema: Schema<T>, id: string, key: Uint8Array, e: Entry): T | undefined {
    if (e.bytes === null) return undefined;
    if (e.schema === schema) return e.value as T;
    const value = decodeStored(schema, e.bytes);
    const cached: Entry = { key, bytes: e.bytes, schema: schema as Schema<unknown>, value };
    if (this.writes.get(id) === e) this.writes.set(id, cached);
    else this.reads.set(id, cached);
    return value;
  }

  /** Write `value` at `key`; returns the encoded bytes. */
  put<T>(schema: Schema<T>, key: Uint8Array, value: T): Uint8Array {
    const bytes = encode(schema, value);
    this.record(keyId(key), { key, bytes, schema: schema as Schema<unknown>, value });
    return bytes;
  }

  delete(key: Uint8Array): void {
    this.record(keyId(key), { key, bytes: null });
  }

  private record(id: string, e: Entry): void {
    const j = this.journals[this.journals.length - 1];
    if (j !== undefined && !j.has(id)) j.set(id, this.writes.get(id) ?? ABSENT);
    this.writes.set(id, e);
  }

  /** The keys written since the innermost open checkpoint, in the order first written (none without one). */
  keysSinceCheckpoint(): Uint8Array[] {
    const j = this.journals[this.journals.length - 1];
    if (j === undefined) return [];
    const out: Uint8Array[] = [];
    for (const id of j.keys()) out.push(this.writes.get(id)?.key ?? keyOfId(id));
    return out;
  }

  /** Open a nested checkpoint. */
  checkpoint(): void {
    this.journals.push(new Map());
  }

  /** Keep the writes since the last checkpoint (they join the enclosing one, if any). */
  commit(): void {
    const j = this.journals.pop();
    if (j === undefined) throw new Error('Overlay.commit without a checkpoint');
    const outer = this.journals[this.journals.length - 1];
    if (outer !== undefined) for (const [id, prior] of j) if (!outer.has(id)) outer.set(id, prior);
  }

  /** Undo every write since the last checkpoint. */
  revert(): void {
    const j = this.journals.pop();
    if (j === undefined) throw new Error('Overlay.revert without a checkpoint');
    for (const [id, prior] of j) {
      if (prior === ABSENT) this.writes.delete(id);
      else this.writes.set(id, prior);
    }
  }

  get depth(): number {
    return this.journals.length;
  }

  /** Every key written in the block, sorted by key bytes (id order is byte order). */
  writeSet(): WriteSet {
    if (this.journals.length !== 0) throw new Error('Overlay.writeSet with an open checkpoint');
    const ids = [...this.writes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return ids.map((id) => {
      const e = this.writes.get(id)!;
      return { key: e.key, value: e.bytes };
    });
  }
}

/** In-memory state for tests and benchmarks (see the module docblock about `root`). */
export class MemoryState implements StateStore {
  private readonly map = new Map<string, Uint8Array>();

  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(keyId(key));
  }

  /** Apply a block's write set. */
  apply(writes: WriteSet): void {
    for (const w of writes) {
      const id = keyId(w.key);
      if (w.value === null) this.map.delete(id);
      else this.map.set(id, w.value);
    }
  }

  /** Apply `writes` and return the TEST STAND-IN root. */
  async commit(writes: WriteSet): Promise<Uint8Array> {
    this.apply(writes);
    return this.root();
  }

  get size(): number {
    return this.map.size;
  }

  /** Every entry sorted by key. */
  entries(): [Uint8Array, Uint8Array][] {
    const ids = [...this.map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return ids.map((id) => [keyOfId(id), this.map.get(id)!]);
  }

  /** TEST STAND-IN root: merkleRoot of packWire([key, value]) over the sorted entries. */
  root(): Uint8Array {
    return merkleRoot(this.entries().map(([k, v]) => packWire([k, v])));
  }
}
