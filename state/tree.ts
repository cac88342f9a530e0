/**
 * The Jellyfish-style update: apply one version's writes and deletes to the tree and return
 * what to store, without storing it. Keys are placed by their key hash, 16 children per
 * internal node, each leaf at the shallowest depth where it is alone; so the tree's shape,
 * and its root, depend only on the set of (key, value) pairs, never on the order of writes.
 *
 * Nodes are never changed in place: version v writes new nodes under (v, path) and lists
 * the nodes and leaf records it replaced as stale at v (pruning deletes them later).
 * The head's nodes stay in memory as a tree of objects: each InternalNode holds its internal
 * children that are loaded (`kids`), so following a path costs no lookup. Phase 1 walks the
 * touched paths level by level through `kids`, and loads the nodes not in memory, each level
 * in one `NodeLoader.load` call (one multi-get), attaching them as it goes; phase 2 is a
 * synchronous recursion over those nodes. A rebuilt node takes its predecessor's `kids`, with
 * the changed children replaced, so the new version's tree shares every unchanged subtree.
 */
import { compareBytes } from '../core/index.js';
import type { KVOp } from './kv.js';
import { invalidInput } from './errors.js';
import { EMPTY_ROOT, nibble } from './hashing.js';
import { hashKey, hashLeaf } from './fast-hash.js';
import { InternalNode, encodeLeaf, popcount16, sameHash, type Entry } from './node.js';
import { encodeRecord } from './record.js';
import { LEAF_KEY_LENGTH, leafKey, nodeKey, nodeKeyLength, readU32, writeLeafKey, writeNodeKey } from './keys.js';

export const MAX_KEY_BYTES = 1024;
export const MAX_VALUE_BYTES = 4 * 1024 * 1024;

/** One write of a version: a value to set, or null to delete. */
export interface StateWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

export interface NodeRequest {
  readonly entry: Entry;
  readonly depth: number;
  /** Any key hash under this node (its first `depth` nibbles are the node's path). */
  readonly keyHash: Uint8Array;
}

export interface NodeLoader {
  /** The internal nodes named by `reqs`, read from the store and verified against each entry's hash. */
  load(reqs: readonly NodeRequest[]): Promise<InternalNode[]>;
}

/** Make `child` the in-memory child `n` of `parent` (a node read from the store). */
export function attachKid(parent: InternalNode, n: number, child: InternalNode): void {
  (parent.kids ??= new Array<InternalNode | undefined>(16))[n] = child;
}

/** The in-memory children of a node built from `base` (or none) with the children in `mask` replaced by `changes`. */
function kidsAfter(base: InternalNode | null, mask: number, changes: readonly (Entry | null)[]): (InternalNode | undefined)[] | null {
  let kids = base === null || base.kids === null ? null : base.kids.slice();
  for (let n = 0; n < 16; n++) {
    if (((mask >> n) & 1) === 0) continue;
    const e = changes[n];
    if (e instanceof InternalNode) (kids ??= new Array<InternalNode | undefined>(16))[n] = e;
    else if (kids !== null) kids[n] = undefined;
  }
  return kids;
}

/**
 * A computed version. What it writes and replaces is kept as plain lists (no key arrays
 * or op objects) until `writeOps` / `encodeStale` turn it into bytes just before the
 * batch: objects that live across a whole update are what makes V8's young-generation
 * collections expensive.
 */
export interface TreeUpdate {
  readonly version: number;
  readonly root: Entry | null;
  readonly rootHash: Uint8Array;
  /** New internal nodes: node i sits at depth `nodeDepths[i]` on the path of `nodeKhs[i]`. */
  readonly nodes: InternalNode[];
  readonly nodeDepths: number[];
  readonly nodeKhs: Uint8Array[];
  /** Depths of the nodes of the base tree that this version replaces or removes (memory accounting). */
  readonly replacedDepths: number[];
  /** The base's root node, when this update read it from the store (the head keeps it in memory). */
  readonly baseNode: InternalNode | null;
  /** Leaf records to write: key hash, key and value of each. */
  readonly leaves: Op[];
  /** Replaced internal node records (version, depth, a key hash on the path). */
  readonly staleNodeVersions: number[];
  readonly staleNodeDepths: number[];
  readonly staleNodeKhs: Uint8Array[];
  /** Replaced leaf records (key hash, version). */
  readonly staleLeafKhs: Uint8Array[];
  readonly staleLeafVersions: number[];
  readonly writes: number;
}

/** The puts of a computed version: its new internal nodes and leaf records. */
export function writeOps(u: TreeUpdate): KVOp[] {
  const out: KVOp[] = [];
  for (let i = 0; i < u.nodes.length; i++) out.push({ type: 'put', key: nodeKey(u.version, u.nodeDepths[i]!, u.nodeKhs[i]!), value: u.nodes[i]!.record! });
  for (const op of u.leaves) out.push({ type: 'put', key: leafKey(op.kh, u.version), value: encodeLeaf(op.key, op.value!) });
  return out;
}

/** The stale list record of a computed version: (u8 length, key) per replaced record, or null. */
export function encodeStale(u: TreeUpdate): Uint8Array | null {
  const nodes = u.staleNodeVersions.length;
  const leaves = u.staleLeafKhs.length;
  if (nodes + leaves === 0) return null;
  let n = leaves * (1 + LEAF_KEY_LENGTH);
  for (let i = 0; i < nodes; i++) n += 1 + nodeKeyLength(u.staleNodeDepths[i]!);
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < nodes; i++) {
    const depth = u.staleNodeDepths[i]!;
    out[o] = nodeKeyLength(depth);
    o = writeNodeKey(out, o + 1, u.staleNodeVersions[i]!, depth, u.staleNodeKhs[i]!);
  }
  for (let i = 0; i < leaves; i++) {
    out[o] = LEAF_KEY_LENGTH;
    o = writeLeafKey(out, o + 1, u.staleLeafKhs[i]!, u.staleLeafVersions[i]!);
  }
  return out;
}

/** One write, hashed; for a set it is also the new leaf's Entry (`leaf` is itself). */
export class Op implements Entry {
  /** The key hash's first 6 bytes as a number (sorting). */
  readonly k0: number;
  readonly hash: Uint8Array;
  readonly leafKey: Uint8Array;
  readonly leaf: Op | null;
  noop = false;

  constructor(
    readonly kh: Uint8Array,
    readonly index: number,
    readonly key: Uint8Array,
    readonly value: Uint8Array | null,
    readonly version: number,
  ) {
    this.k0 = kh[0]! * 0x100_0000_0000 + kh[1]! * 0x1_0000_0000 + readU32(kh, 2);
    this.leafKey = kh;
    this.hash = value === null ? NO_HASH : hashLeaf(kh, value);
    this.leaf = value === null ? null : this;
  }
}

const NO_HASH = new Uint8Array(0);

interface Item {
  readonly kh: Uint8Array;
  readonly entry: Entry;
}

export const rootHashOf = (root: Entry | null): Uint8Array => (root === null ? EMPTY_ROOT : root.hash);

/** Order by key hash, then write order. (k0 is compared, not subtracted: a 48-bit difference is a heap number per call.) */
const byKeyHash = (a: Op, b: Op): number => (a.k0 < b.k0 ? -1 : a.k0 > b.k0 ? 1 : compareBytes(a.kh, b.kh) || a.index - b.index);

/** Write `i` of a version, checked: an object with a key of 1..MAX_KEY_BYTES bytes and a value null or of at most MAX_VALUE_BYTES. */
export function checkWrite(w: StateWrite | undefined, i: number): StateWrite {
  if (typeof w !== 'object' || w === null) throw invalidInput(`write ${i} is not an object`);
  const { key, value } = w;
  if (!(key instanceof Uint8Array) || key.length === 0 || key.length > MAX_KEY_BYTES) {
    throw invalidInput(`write ${i}: a key is 1..${MAX_KEY_BYTES} bytes`, { index: i });
  }
  if (value !== null && (!(value instanceof Uint8Array) || value.length > MAX_VALUE_BYTES)) {
    throw invalidInput(`write ${i}: a value is null or 0..${MAX_VALUE_BYTES} bytes`, { index: i });
  }
  return w;
}

/** Check and hash the writes of one version, sorted by key hash; duplicate keys are refused. */
function toOps(version: number, writes: readonly StateWrite[]): Op[] {
  const ops: Op[] = new Array<Op>(writes.length);
  for (let i = 0; i < writes.length; i++) {
    const { key, value } = checkWrite(writes[i], i);
    ops[i] = new Op(hashKey(key), i, key, value, version);
  }
  ops.sort(byKeyHash);
  let dup = -1;
  for (let i = 1; i < ops.length; i++) {
    // Equal key hashes are adjacent, in write order: the later write is the repeat.
    if (ops[i - 1]!.k0 === ops[i]!.k0 && sameHash(ops[i - 1]!.kh, ops[i]!.kh) && (dup < 0 || ops[i]!.index < dup)) dup = ops[i]!.index;
  }
  if (dup >= 0) throw invalidInput(`write ${dup}: key written twice in one version`, { index: dup });
  return ops;
}

/** The end of the run of `xs[lo..hi)` sharing `xs[lo]`'s nibble at `depth` (xs sorted by key hash). */
function groupEnd(xs: readonly { kh: Uint8Array }[], lo: number, hi: number, depth: number): number {
  const n = nibble(xs[lo]!.kh, depth);
  let b = lo + 1;
  while (b < hi && nibble(xs[b]!.kh, depth) === n) b++;
  return b;
}

const UNCHANGED = Symbol('unchanged');

/** Changed children of the node being rebuilt at each depth (phase 2 is synchronous). */
const scratch: (Entry | null)[][] = [];
const changesAt = (depth: number): (Entry | null)[] => (scratch[depth] ??= new Array<Entry | null>(16).fill(null));

/**
 * Compute version `version` from the tree whose root is `base`. `trackStale` is false only
 * for snapshot import, which writes every chunk at the same version and replaces nothing.
 */
export async function prepareUpdate(
  loader: NodeLoader,
  base: Entry | null,
  version: number,
  writes: readonly StateWrite[],
  trackStale = true,
): Promise<TreeUpdate> {
  const ops = toOps(version, writes);

  // Phase 1: bring the internal nodes on every touched path into memory, one batch per level.
  let baseNode: InternalNode | null = null;
  let root: InternalNode | null = null;
  if (base !== null && base.leafKey === null && ops.length > 0) {
    if (base instanceof InternalNode) root = base;
    else root = baseNode = (await loader.load([{ entry: base, depth: 0, keyHash: ops[0]!.kh }]))[0]!;
  }
  interface Frontier { node: InternalNode; depth: number; lo: number; hi: number }
  let frontier: Frontier[] = root === null ? [] : [{ node: root, depth: 0, lo: 0, hi: ops.length }];
  while (frontier.length > 0) {
    const next: Frontier[] = [];
    const reqs: NodeRequest[] = [];
    const waiting: { parent: InternalNode; n: number; depth: number; lo: number; hi: number }[] = [];
    for (const f of frontier) {
      const node = f.node;
      const internal = node.bitmap & ~node.leafMask;
      for (let a = f.lo; a < f.hi; ) {
        const b = groupEnd(ops, a, f.hi, f.depth);
        const n = nibble(ops[a]!.kh, f.depth);
        if ((internal >> n) & 1) {
          const kid = node.kids === null ? undefined : node.kids[n];
          if (kid !== undefined) next.push({ node: kid, depth: f.depth + 1, lo: a, hi: b });
          else {
            reqs.push({ entry: node.child(n)!, depth: f.depth + 1, keyHash: ops[a]!.kh });
            waiting.push({ parent: node, n, depth: f.depth + 1, lo: a, hi: b });
          }
        }
        a = b;
      }
    }
    if (reqs.length > 0) {
      const got = await loader.load(reqs);
      for (let i = 0; i < waiting.length; i++) {
        const w = waiting[i]!;
        attachKid(w.parent, w.n, got[i]!);
        next.push({ node: got[i]!, depth: w.depth, lo: w.lo, hi: w.hi });
      }
    }
    frontier = next;
  }

  // Phase 2: rebuild the touched paths bottom-up.
  const nodes: InternalNode[] = [];
  const nodeDepths: number[] = [];
  const nodeKhs: Uint8Array[] = [];
  const replacedDepths: number[] = [];
  const staleNodeVersions: number[] = [];
  const staleNodeDepths: number[] = [];
  const staleNodeKhs: Uint8Array[] = [];
  const staleLeafKhs: Uint8Array[] = [];
  const staleLeafVersions: number[] = [];
  const staleNode = (ver: number, depth: number, kh: Uint8Array): void => {
    staleNodeVersions.push(ver);
    staleNodeDepths.push(depth);
    staleNodeKhs.push(kh);
  };
  const staleLeaf = (kh: Uint8Array, ver: number): void => {
    staleLeafKhs.push(kh);
    staleLeafVersions.push(ver);
  };

  const makeNode = (depth: number, kh: Uint8Array, node: InternalNode): Entry => {
    nodes.push(node);
    nodeDepths.push(depth);
    nodeKhs.push(kh);
    return node;
  };

  /** A new subtree holding `items[lo..hi)` (sorted by key hash). */
  const build = (depth: number, items: Item[], lo: number, hi: number): Entry | null => {
    if (hi === lo) return null;
    if (hi - lo === 1) return items[lo]!.entry;
    const changes = changesAt(depth);
    let mask = 0;
    for (let a = lo; a < hi; ) {
      const b = groupEnd(items, a, hi, depth);
      const n = nibble(items[a]!.kh, depth);
      changes[n] = build(depth + 1, items, a, b);
      mask |= 1 << n;
      a = b;
    }
    const node = InternalNode.build(version, null, mask, changes);
    node.kids = kidsAfter(null, mask, changes);
    encodeRecord(node, null, 0);
    return makeNode(depth, items[lo]!.kh, node);
  };

  /** The new entry for a leaf or an absent child after `ops[lo..hi)` (identical object when unchanged). */
  const updateLeaf = (existing: Entry | null, depth: number, lo: number, hi: number): Entry | null => {
    const items: Item[] = [];
    if (existing === null) {
      for (let i = lo; i < hi; i++) {
        const op = ops[i]!;
        if (op.leaf) items.push({ kh: op.kh, entry: op.leaf });
      }
      return build(depth, items, 0, items.length);
    }
    const lk = existing.leafKey!;
    let found = false;
    let insertAt = -1;
    for (let i = lo; i < hi; i++) {
      const op = ops[i]!;
      if (!found && insertAt < 0 && compareBytes(op.kh, lk) > 0) insertAt = items.length;
      if (sameHash(op.kh, lk)) {
        found = true;
        if (op.leaf && sameHash(op.leaf.hash, existing.hash)) {
          op.noop = true;
          items.push({ kh: op.kh, entry: existing });
          continue;
        }
        if (trackStale) staleLeaf(lk, existing.version);
      }
      if (op.leaf) items.push({ kh: op.kh, entry: op.leaf });
    }
    if (!found) items.splice(insertAt < 0 ? items.length : insertAt, 0, { kh: lk, entry: existing });
    if (items.length === 1 && items[0]!.entry === existing) return existing;
    return build(depth, items, 0, items.length);
  };

  /** The new entry for internal node `node` (loaded for `ops[lo..hi)`), or UNCHANGED. */
  const updateNode = (node: InternalNode, depth: number, lo: number, hi: number): Entry | null | typeof UNCHANGED => {
    const bitmap = node.bitmap;
    const leafMask = node.leafMask;
    const changes = changesAt(depth);
    let mask = 0;
    let present = 0;
    for (let a = lo; a < hi; ) {
      const b = groupEnd(ops, a, hi, depth);
      const op = ops[a]!;
      const n = nibble(op.kh, depth);
      let now: Entry | null | typeof UNCHANGED;
      if (((bitmap >> n) & 1) === 0) {
        now = updateLeaf(null, depth + 1, a, b);
        if (now === null) now = UNCHANGED;
      } else if (((leafMask >> n) & 1) === 0) {
        const child = node.kids === null ? undefined : node.kids[n];
        if (child === undefined) throw new Error(`tree update: node at depth ${depth + 1} was not loaded`);
        now = updateNode(child, depth + 1, a, b);
      } else if (b - a === 1 && node.isLeafOf(n, op.kh)) {
        // The common case: one write to an existing key.
        if (op.leaf && node.hasHash(n, op.leaf.hash)) {
          op.noop = true;
          now = UNCHANGED;
        } else {
          if (trackStale) staleLeaf(op.kh, node.childVersionAt(n));
          now = op.leaf;
        }
      } else {
        const old = node.child(n)!;
        now = updateLeaf(old, depth + 1, a, b);
        if (now === old) now = UNCHANGED;
      }
      if (now !== UNCHANGED) {
        changes[n] = now;
        mask |= 1 << n;
        if (now !== null) present |= 1 << n;
      }
      a = b;
    }
    if (mask === 0) return UNCHANGED;
    replacedDepths.push(depth);
    const kh = ops[lo]!.kh;
    const children = (bitmap & ~mask) | present;
    let result: Entry | null = null;
    let rebuilt: InternalNode | null = null;
    if (popcount16(children) === 1) {
      const n = 31 - Math.clz32(children);
      const only = (mask >> n) & 1 ? changes[n]! : node.child(n)!;
      if (only.leafKey) result = only;
    }
    if (children !== 0 && result === null) {
      rebuilt = InternalNode.build(version, node, mask, changes);
      rebuilt.kids = kidsAfter(node, mask, changes);
      encodeRecord(rebuilt, node, mask);
      result = rebuilt;
    }
    // The records of this path in use before: node's own and its base; after: rebuilt's.
    if (trackStale || node.version !== version) {
      const keepsBase = rebuilt !== null && rebuilt.base === node.base;
      if (!(keepsBase && node.base === node.version)) staleNode(node.version, depth, kh);
      if (node.base !== node.version && !keepsBase) staleNode(node.base, depth, kh);
    }
    return rebuilt === null ? result : makeNode(depth, kh, rebuilt);
  };

  const update = (existing: Entry | null): Entry | null => {
    if (existing === null || existing.leafKey !== null) return updateLeaf(existing, 0, 0, ops.length);
    const now = updateNode(root!, 0, 0, ops.length);
    return now === UNCHANGED ? existing : now;
  };

  const newRoot = ops.length === 0 ? base : update(base);
  const leaves: Op[] = [];
  for (const op of ops) if (op.leaf && !op.noop) leaves.push(op);
  return {
    version, root: newRoot, rootHash: rootHashOf(newRoot), nodes, nodeDepths, nodeKhs, replacedDepths, baseNode, leaves,
    staleNodeVersions, staleNodeDepths, staleNodeKhs, staleLeafKhs, staleLeafVersions, writes: leaves.length,
  };
}
