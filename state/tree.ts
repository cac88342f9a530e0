/**
 * The Jellyfish-style update: apply one version's writes and deletes to the tree and return
 * what to store, without storing it. Keys are placed by their key hash, 16 children per
 * internal node, each leaf at the shallowest depth where it is alone; so the tree's shape,
 * and its root, depend only on the set of (key, value) pairs, never on the order of writes.
 *
 * Nodes are never changed in place: version v writes new nodes under (v, path) and lists
 * the nodes and leaf records it replaced as stale at v (pruning deletes them later).
 * Reading is batched: phase 1 walks the touched paths level by level and loads every needed
 * node of a level in one `NodeLoader.load` call (cache first, then one multi-get); phase 2
 * is a synchronous recursion over the loaded nodes.
 */
import { toHex } from '../core/index.js';
import type { KVOp } from './kv.js';
import { invalidInput } from './errors.js';
import { EMPTY_ROOT, StateDomain, nibble } from './hashing.js';
import { hash1, hash2 } from './fast-hash.js';
import { InternalNode, sameHash, type Entry, type Slots } from './node.js';
import { encodeLeaf } from './node.js';
import { leafKey, nodeKey } from './keys.js';

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
  /** The path as `depth` hex nibbles. */
  readonly path: string;
}

export interface NodeLoader {
  /** The internal nodes named by `reqs`, verified against each entry's hash. */
  load(reqs: readonly NodeRequest[]): Promise<InternalNode[]>;
}

export interface TreeUpdate {
  readonly version: number;
  readonly root: Entry | null;
  readonly rootHash: Uint8Array;
  /** New internal nodes and leaf records. */
  readonly ops: KVOp[];
  /** Keys of the nodes and leaf records this version replaced. */
  readonly stale: Uint8Array[];
  /** For the node cache: new nodes by path, and replaced nodes by path. */
  readonly newNodes: [string, InternalNode][];
  readonly stalePaths: [string, number][];
  readonly writes: number;
}

interface Op {
  readonly kh: Uint8Array;
  readonly hex: string;
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  readonly leaf: Entry | null;
  noop: boolean;
}

interface Item {
  readonly kh: Uint8Array;
  readonly entry: Entry;
}

export const rootHashOf = (root: Entry | null): Uint8Array => (root === null ? EMPTY_ROOT : root.hash);

function partition<T extends { kh: Uint8Array }>(xs: readonly T[], depth: number): (T[] | undefined)[] {
  const out: (T[] | undefined)[] = new Array<T[] | undefined>(16);
  for (const x of xs) {
    const n = nibble(x.kh, depth);
    const g = out[n];
    if (g) g.push(x);
    else out[n] = [x];
  }
  return out;
}

/** Check and hash the writes of one version; duplicate keys are refused. */
function toOps(version: number, writes: readonly StateWrite[]): Op[] {
  const seen = new Set<string>();
  const ops: Op[] = new Array<Op>(writes.length);
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i];
    if (typeof w !== 'object' || w === null) throw invalidInput(`write ${i} is not an object`);
    const { key, value } = w;
    if (!(key instanceof Uint8Array) || key.length === 0 || key.length > MAX_KEY_BYTES) {
      throw invalidInput(`write ${i}: a key is 1..${MAX_KEY_BYTES} bytes`, { index: i });
    }
    if (value !== null && (!(value instanceof Uint8Array) || value.length > MAX_VALUE_BYTES)) {
      throw invalidInput(`write ${i}: a value is null or 0..${MAX_VALUE_BYTES} bytes`, { index: i });
    }
    const kh = hash1(StateDomain.KEY, key);
    const hex = toHex(kh);
    if (seen.has(hex)) throw invalidInput(`write ${i}: key written twice in one version`, { index: i });
    seen.add(hex);
    const leaf = value === null ? null : { hash: hash2(StateDomain.LEAF, kh, hash1(StateDomain.VALUE, value)), version, leafKey: kh };
    ops[i] = { kh, hex, key, value, leaf, noop: false };
  }
  return ops;
}

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
  const nodes = new Map<string, InternalNode>();
  const groupsOf = new Map<string, (Op[] | undefined)[]>();

  // Phase 1: load the internal nodes on every touched path, one batch per level.
  let frontier: { entry: Entry; depth: number; ops: Op[] }[] = base && !base.leafKey && ops.length > 0 ? [{ entry: base, depth: 0, ops }] : [];
  while (frontier.length > 0) {
    const reqs = frontier.map((f) => ({ entry: f.entry, depth: f.depth, keyHash: f.ops[0]!.kh, path: f.ops[0]!.hex.slice(0, f.depth) }));
    const loaded = await loader.load(reqs);
    const next: typeof frontier = [];
    for (let i = 0; i < frontier.length; i++) {
      const f = frontier[i]!;
      const node = loaded[i]!;
      const path = reqs[i]!.path;
      const groups = partition(f.ops, f.depth);
      nodes.set(path, node);
      groupsOf.set(path, groups);
      for (let n = 0; n < 16; n++) {
        const g = groups[n];
        if (!g) continue;
        const c = node.child(n);
        if (c && !c.leafKey) next.push({ entry: c, depth: f.depth + 1, ops: g });
      }
    }
    frontier = next;
  }

  // Phase 2: rebuild the touched paths bottom-up.
  const out: KVOp[] = [];
  const stale: Uint8Array[] = [];
  const newNodes: [string, InternalNode][] = [];
  const stalePaths: [string, number][] = [];

  const makeNode = (depth: number, kh: Uint8Array, hex: string, slots: Slots, base: InternalNode | null = null): Entry => {
    const node = InternalNode.fromSlots(version, slots, base);
    out.push({ type: 'put', key: nodeKey(version, depth, kh), value: node.bytes });
    newNodes.push([hex.slice(0, depth), node]);
    return { hash: node.hash, version, leafKey: null };
  };

  const build = (depth: number, items: Item[]): Entry | null => {
    if (items.length === 0) return null;
    if (items.length === 1) return items[0]!.entry;
    const slots: Slots = new Array<Entry | null>(16).fill(null);
    const groups = partition(items, depth);
    for (let n = 0; n < 16; n++) {
      const g = groups[n];
      if (g) slots[n] = build(depth + 1, g);
    }
    const kh = items[0]!.kh;
    return makeNode(depth, kh, toHex(kh), slots);
  };

  const update = (existing: Entry | null, depth: number, group: Op[]): Entry | null => {
    if (existing === null) {
      const items: Item[] = [];
      for (const op of group) if (op.leaf) items.push({ kh: op.kh, entry: op.leaf });
      return build(depth, items);
    }
    if (existing.leafKey) {
      const items: Item[] = [];
      let found = false;
      for (const op of group) {
        if (sameHash(op.kh, existing.leafKey)) {
          found = true;
          if (op.leaf && sameHash(op.leaf.hash, existing.hash)) {
            op.noop = true;
            items.push({ kh: op.kh, entry: existing });
            continue;
          }
          if (trackStale) stale.push(leafKey(existing.leafKey, existing.version));
        }
        if (op.leaf) items.push({ kh: op.kh, entry: op.leaf });
      }
      if (!found) items.push({ kh: existing.leafKey, entry: existing });
      if (items.length === 1 && items[0]!.entry === existing) return existing;
      return build(depth, items);
    }
    const first = group[0]!;
    const path = first.hex.slice(0, depth);
    const node = nodes.get(path);
    const groups = groupsOf.get(path);
    if (!node || !groups) throw new Error(`tree update: node ${path} was not loaded`);
    const slots = node.slots();
    let changed = false;
    for (let n = 0; n < 16; n++) {
      const g = groups[n];
      if (!g) continue;
      const old = slots[n] === null ? null : node.child(n);
      const now = update(old, depth + 1, g);
      if (now !== old) {
        slots[n] = now;
        changed = true;
      }
    }
    if (!changed) return existing;
    if (trackStale || existing.version !== version) {
      stale.push(nodeKey(existing.version, depth, first.kh));
      stalePaths.push([path, existing.version]);
    }
    let count = 0;
    let only: Entry | number | null = null;
    for (const s of slots) {
      if (s !== null) {
        count++;
        only = s;
      }
    }
    if (count === 0) return null;
    if (count === 1) {
      const e = typeof only === 'number' ? node.child(only) : only;
      if (e!.leafKey) return e;
    }
    return makeNode(depth, first.kh, first.hex, slots, node);
  };

  const root = ops.length === 0 ? base : update(base, 0, ops);
  let written = 0;
  for (const op of ops) {
    if (op.leaf && !op.noop) {
      out.push({ type: 'put', key: leafKey(op.kh, version), value: encodeLeaf(op.key, op.value!) });
      written++;
    }
  }
  return { version, root, rootHash: rootHashOf(root), ops: out, stale, newNodes, stalePaths, writes: written };
}
