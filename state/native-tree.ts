/**
 * The native tree update (state/native/*.cc, built by scripts/build-native.mjs into
 * dist/native/state.node): the same update as tree.ts, with the same records, stale list and
 * root, computed in C++ with the head's internal nodes in native memory. tree.ts stays the
 * reference and the fallback: when the module is missing (no compiler where the node was
 * installed) or SOV_NATIVE=0, the store uses it. state/test/native.test.ts compares the two
 * byte for byte.
 *
 * The module only computes. Reading the nodes it lacks (level by level, one multi-get each,
 * every node checked against its parent's hash) stays in the store, as for tree.ts.
 */
import { createRequire } from 'node:module';
import { domainPrefix } from '../core/index.js';
import type { KVOp } from './kv.js';
import { invalidInput } from './errors.js';
import { StateDomain } from './hashing.js';
import { InternalNode, decodeEntry, encodeEntry, type Entry } from './node.js';
import { readU64, writeU64 } from './keys.js';
import { checkWrite, rootHashOf, type NodeRequest, type StateWrite } from './tree.js';

interface NativeTreeHandle {
  setHead(entry: Uint8Array | null): void;
  begin(version: number, keys: Uint8Array, keyEnds: Uint32Array, values: Uint8Array, valueEnds: Int32Array): number;
  missing(job: number): Uint8Array | null;
  supply(job: number, nodes: Uint8Array): void;
  finish(job: number): [number, Uint8Array, Uint8Array, number, Uint8Array | null, number];
  adopt(version: number): void;
  abort(job: number): void;
  nodes(): number;
  headPath(keyHash: Uint8Array): Uint8Array;
}

interface NativeModule {
  NativeTree: new (key: Uint8Array, value: Uint8Array, leaf: Uint8Array, inner: Uint8Array, cacheLimit: number) => NativeTreeHandle;
  sha256(bytes: Uint8Array, portable: boolean): Uint8Array;
  hasShaNi(): boolean;
}

let loaded: NativeModule | null | undefined;
let whyNot = '';

/** The native module, or null (then `nativeUnavailable()` says why). */
export function nativeModule(): NativeModule | null {
  if (loaded !== undefined) return loaded;
  if (process.env.SOV_NATIVE === '0') {
    whyNot = 'SOV_NATIVE=0';
    return (loaded = null);
  }
  try {
    loaded = createRequire(import.meta.url)('../native/state.node') as NativeModule;
  } catch (e) {
    whyNot = `dist/native/state.node did not load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    loaded = null;
  }
  return loaded;
}

export const nativeUnavailable = (): string => whyNot;

/** A version computed natively: what to write, and its id in the native tree. */
export interface NativeUpdate {
  readonly kind: 'native';
  readonly id: number;
  readonly version: number;
  readonly root: Entry | null;
  readonly rootHash: Uint8Array;
  /** Node and leaf records: [u8 key length][key][u32 value length][value], `count` of them. */
  readonly records: Uint8Array;
  readonly count: number;
  readonly stale: Uint8Array | null;
  readonly writes: number;
}

/** The puts of a natively computed version (views of its records buffer). */
export function nativeOps(u: NativeUpdate): KVOp[] {
  const out: KVOp[] = new Array<KVOp>(u.count);
  const r = u.records;
  let o = 0;
  for (let i = 0; i < u.count; i++) {
    const kl = r[o]!;
    const key = r.subarray(o + 1, o + 1 + kl);
    o += 1 + kl;
    const vl = ((r[o]! << 24) >>> 0) + (r[o + 1]! << 16) + (r[o + 2]! << 8) + r[o + 3]!;
    out[i] = { type: 'put', key, value: r.subarray(o + 4, o + 4 + vl) };
    o += 4 + vl;
  }
  return out;
}

/** Check the writes (tree.ts's rules and messages) and pack them for the module. */
function pack(writes: readonly StateWrite[]): { keys: Uint8Array; keyEnds: Uint32Array; values: Uint8Array; valueEnds: Int32Array } {
  let kb = 0;
  let vb = 0;
  for (let i = 0; i < writes.length; i++) {
    const { key, value } = checkWrite(writes[i], i);
    kb += key.length;
    if (value !== null) vb += value.length;
  }
  // (The module takes offsets as 32-bit integers.)
  if (vb > 0x7fff_ffff) throw invalidInput('the values of one version exceed 2 GiB');
  if (kb > 0xffff_ffff) throw invalidInput('the keys of one version exceed 4 GiB');
  const keys = new Uint8Array(kb);
  const values = new Uint8Array(vb);
  const keyEnds = new Uint32Array(writes.length);
  const valueEnds = new Int32Array(writes.length);
  let ko = 0;
  let vo = 0;
  for (let i = 0; i < writes.length; i++) {
    const { key, value } = writes[i]!;
    keys.set(key, ko);
    keyEnds[i] = ko += key.length;
    if (value === null) valueEnds[i] = -1;
    else {
      values.set(value, vo);
      valueEnds[i] = vo += value.length;
    }
  }
  return { keys, keyEnds, values, valueEnds };
}

const REQUEST_BYTES = 73;

/** The head's tree in native memory, and the updates computed on it. */
export class NativeTree {
  private readonly t: NativeTreeHandle;

  constructor(mod: NativeModule, cacheLimit: number) {
    const p = (d: string): Uint8Array => domainPrefix(d);
    this.t = new mod.NativeTree(p(StateDomain.KEY), p(StateDomain.VALUE), p(StateDomain.LEAF), p(StateDomain.INNER), cacheLimit);
  }

  /** Internal nodes in native memory (the head's, and those of prepared versions). */
  get nodes(): number {
    return this.t.nodes();
  }

  /**
   * The head's internal nodes in native memory on the path of `keyHash`, root first (as many
   * as are in memory): reads use them where they are the node an entry names.
   */
  headPath(keyHash: Uint8Array): InternalNode[] {
    const b = this.t.headPath(keyHash);
    const out: InternalNode[] = [];
    for (let o = 0; o < b.length; ) {
      const len = ((b[o + 40]! << 24) >>> 0) + (b[o + 41]! << 16) + (b[o + 42]! << 8) + b[o + 43]!;
      out.push(new InternalNode(readU64(b, o), b.subarray(o + 44, o + 44 + len), b.subarray(o + 8, o + 40)));
      o += 44 + len;
    }
    return out;
  }

  /** Make `root` the head (none of its nodes in memory); prepared versions are dropped. */
  setHead(root: Entry | null): void {
    this.t.setHead(root === null ? null : encodeEntry(root));
  }

  /**
   * Compute version `version` on the head from `writes`, reading missing nodes through `load`.
   * (Snapshot import, which writes every node at one version and lists nothing as stale, uses tree.ts.)
   */
  async prepare(load: (reqs: NodeRequest[]) => Promise<InternalNode[]>, version: number, writes: readonly StateWrite[]): Promise<NativeUpdate> {
    const { keys, keyEnds, values, valueEnds } = pack(writes);
    const job = this.t.begin(version, keys, keyEnds, values, valueEnds);
    if (job < 0) throw invalidInput(`write ${-job - 1}: key written twice in one version`, { index: -job - 1 });
    try {
      for (let req = this.t.missing(job); req !== null; req = this.t.missing(job)) {
        const reqs: NodeRequest[] = [];
        for (let o = 0; o < req.length; o += REQUEST_BYTES) {
          reqs.push({ entry: { hash: req.subarray(o + 41, o + 73), version: readU64(req, o + 1), leafKey: null }, depth: req[o]!, keyHash: req.subarray(o + 9, o + 41) });
        }
        const nodes = await load(reqs);
        let n = 0;
        for (const node of nodes) n += 14 + node.bytes.length;
        const packed = new Uint8Array(n);
        let o = 0;
        for (const node of nodes) {
          writeU64(packed, o, node.base);
          packed[o + 8] = node.delta >>> 8;
          packed[o + 9] = node.delta & 0xff;
          const len = node.bytes.length;
          packed[o + 10] = len >>> 24; packed[o + 11] = (len >>> 16) & 0xff; packed[o + 12] = (len >>> 8) & 0xff; packed[o + 13] = len & 0xff;
          packed.set(node.bytes, o + 14);
          o += 14 + len;
        }
        this.t.supply(job, packed);
      }
      const [id, entry, records, count, stale, written] = this.t.finish(job);
      const root = decodeEntry(entry, `v${version} root`);
      return { kind: 'native', id, version, root, rootHash: rootHashOf(root), records, count, stale, writes: written };
    } catch (e) {
      this.t.abort(job);
      throw e;
    }
  }

  /** Version `u` is written: it becomes the head (and every other prepared version is dropped). */
  adopt(u: NativeUpdate): void {
    this.t.adopt(u.id);
  }
}
