/**
 * StateTree: the authenticated, versioned key-value store. Version h is the state after
 * block h (version 0 is the empty state). It reads any key at the head or at any retained
 * version, proves values and absences, computes the next version without writing it
 * (`prepare`), and turns a prepared version into KV ops that the caller writes in one
 * atomic batch with whatever else belongs to that height (`stage`; `commit` does both for
 * standalone use). Pruning deletes what versions older than the window alone referenced.
 *
 * The head's internal nodes stay in memory as a tree of objects (tree.ts: each node holds its
 * loaded children), up to `cacheNodes` of them: a commit's new nodes replace the old ones,
 * nodes read from disk are attached where they belong, and past the limit the deepest levels
 * are dropped (the upper ones, which every update passes through, stay). So an update reads
 * few nodes from disk, those level by level in one multi-get, and finds the rest by pointer.
 * Reads at older versions use the head's nodes wherever they are the same node (same version
 * and hash). With the native update (native-tree.ts, the default where it is built) the head's
 * nodes live in native memory instead, under the same limit, and reads take the ones on their
 * key's path from there. Every node read from disk is checked against its parent's hash, every leaf
 * against its entry: damage is STATE_CORRUPT.
 */
import { bytes32, decode, encode, equalBytes, struct, toHex, u8, uint } from '../core/index.js';
import type { KV, KVOp } from './kv.js';
import { StateError, StateErrorCodes, corrupt, invalidInput, pruned } from './errors.js';
import { computeRoot, keyHashOf, leafHashOf, nibble, valueHashOf } from './hashing.js';
import { InternalNode, decodeEntry, decodeLeaf, encodeEntry, sameHash, type Entry } from './node.js';
import { importKey, leafKey, metaKey, nodeKey, rootKey, staleKey } from './keys.js';
import { attachKid, encodeStale, prepareUpdate, rootHashOf, writeOps, type NodeLoader, type NodeRequest, type StateWrite, type TreeUpdate } from './tree.js';
import type { StateProof } from './proof.js';
import { decodeRecord, recordBase } from './record.js';
import { NativeTree, nativeModule, nativeOps, type NativeUpdate } from './native-tree.js';

export const STATE_FORMAT = 2;
export const MetaSchema = struct('StateMeta', { format: u8, height: uint, oldest: uint, rootHash: bytes32 });

/** Pruning deletes at most this many versions per commit (an explicit `prune` loops). */
export const PRUNE_VERSIONS_PER_BATCH = 16;

export interface StateTreeOptions {
  /** Internal nodes of the head kept in memory (default 1,000,000, about 0.5 KB each). */
  readonly cacheNodes?: number;
  /**
   * Compute updates with the native module when it is built (default true; SOV_NATIVE=0 turns
   * it off for the process). The results are the same bytes either way.
   */
  readonly native?: boolean;
}

/** A computed but unwritten version. */
export interface PreparedVersion {
  readonly height: number;
  readonly baseHeight: number;
  readonly baseRootHash: Uint8Array;
  readonly rootHash: Uint8Array;
  /** Leaf records written (sets that changed a value). */
  readonly writes: number;
  /** @internal */
  readonly update: TreeUpdate | NativeUpdate;
}

const isNative = (u: TreeUpdate | NativeUpdate): u is NativeUpdate => 'kind' in u;

export interface StagedCommit {
  readonly ops: KVOp[];
  /** Call once the batch is written: moves the in-memory head. */
  readonly finish: () => void;
}

export class StateTree {
  private headHeight: number;
  private headRoot: Entry | null;
  private oldestVersion: number;
  /**
   * The oldest version once the batch being written lands (>= oldestVersion): a read of a
   * version in between that finds a node gone was pruned under it, not damaged.
   */
  private pruningTo = 0;
  /** Head nodes in memory by depth (an upper bound: loads by updates that did not commit count too), and their sum. */
  private readonly inMemory: number[] = new Array<number>(65).fill(0);
  private inMemoryTotal = 0;
  private readonly cacheLimit: number;
  /** The native update and the head's nodes in native memory, or null: tree.ts with the head's nodes as objects. */
  private readonly native: NativeTree | null;
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly kv: KV,
    meta: { height: number; oldest: number },
    root: Entry | null,
    opts: StateTreeOptions,
  ) {
    this.headHeight = meta.height;
    this.oldestVersion = meta.oldest;
    this.headRoot = root;
    this.cacheLimit = opts.cacheNodes ?? 1_000_000;
    const mod = opts.native === false ? null : nativeModule();
    this.native = mod === null ? null : new NativeTree(mod, this.cacheLimit);
    this.native?.setHead(root);
  }

  /** True when updates are computed by the native module. */
  get nativeUpdates(): boolean {
    return this.native !== null;
  }

  /** Open the tree stored in `kv` (an empty KV is an empty tree at height 0). */
  static async open(kv: KV, opts: StateTreeOptions = {}): Promise<StateTree> {
    const raw = await kv.get(metaKey());
    if (raw === undefined) {
      if ((await kv.get(importKey())) !== undefined) await wipe(kv);
      for await (const _ of kv.iterate({ limit: 1 })) {
        throw corrupt('the store has data but no state metadata: not a state store');
      }
      return new StateTree(kv, { height: 0, oldest: 0 }, null, opts);
    }
    let meta;
    try {
      meta = decode(MetaSchema, raw, 256);
    } catch {
      throw corrupt('the state metadata record is malformed');
    }
    if (meta.format !== STATE_FORMAT) throw corrupt(`unknown state format ${meta.format}`, { format: meta.format });
    if (meta.oldest > meta.height) throw corrupt('state metadata: oldest version above the head');
    let root: Entry | null = null;
    if (meta.height > 0) {
      const r = await kv.get(rootKey(meta.height));
      if (r === undefined) throw corrupt(`the root record of the head ${meta.height} is missing`, { height: meta.height });
      root = decodeEntry(r, `R${meta.height}`);
    }
    if (!equalBytes(rootHashOf(root), meta.rootHash)) throw corrupt('the head root record does not match the metadata', { height: meta.height });
    return new StateTree(kv, meta, root, opts);
  }

  get height(): number {
    return this.headHeight;
  }
  get rootHash(): Uint8Array {
    return rootHashOf(this.headRoot).slice();
  }
  /** The oldest version still readable. */
  get oldest(): number {
    return this.oldestVersion;
  }
  /** Internal nodes of the head in memory (as counted; exact after a commit that trimmed). */
  get cachedNodes(): number {
    return this.native !== null ? this.native.nodes : this.inMemoryTotal;
  }

  /** Run `f` after every earlier mutation has finished (commits, prunes, imports are serial). */
  protected serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.lock.then(f, f);
    this.lock = run.catch(() => undefined);
    return run;
  }

  // ---- reading -------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new StateError(StateErrorCodes.STATE_CLOSED, 'the state store is closed');
  }

  /** Close the tree and its KV; every later call fails with STATE_CLOSED. */
  async close(): Promise<void> {
    await this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      this.dropHeadNodes();
      this.native?.setHead(null);
      await this.kv.close();
    });
  }

  private checkHeight(h: number): void {
    this.checkOpen();
    if (!Number.isSafeInteger(h) || h < 0) throw invalidInput(`bad height ${String(h)}`);
    if (h > this.headHeight) throw new StateError(StateErrorCodes.STATE_MISSING_HEIGHT, `height ${h} is above the head ${this.headHeight}`, { height: h, head: this.headHeight });
    if (h < this.oldestVersion) throw pruned('state', h, this.oldestVersion);
  }

  /**
   * Run a read of version h; a node or leaf found missing because a commit pruned version h
   * while the read walked it is STATE_PRUNED (naming the new oldest), not STATE_CORRUPT.
   */
  private async prunable<T>(h: number, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      const oldest = Math.max(this.oldestVersion, this.pruningTo);
      if (e instanceof StateError && e.code === StateErrorCodes.STATE_CORRUPT && Number.isSafeInteger(h) && h < oldest) throw pruned('state', h, oldest);
      throw e;
    }
  }

  private async rootEntry(h: number): Promise<Entry | null> {
    this.checkHeight(h);
    if (h === this.headHeight) return this.headRoot;
    if (h === 0) return null;
    const r = await this.kv.get(rootKey(h));
    if (r === undefined) {
      if (h < this.oldestVersion) this.checkHeight(h);
      throw corrupt(`the root record of version ${h} is missing`, { height: h });
    }
    return decodeEntry(r, `R${h}`);
  }

  /** Root hash of version `h`. */
  async rootAt(h: number): Promise<Uint8Array> {
    return rootHashOf(await this.rootEntry(h)).slice();
  }

  /** Updates read the nodes they need that are not in memory through this (they attach them to the head's tree). */
  private readonly loader: NodeLoader = {
    load: async (reqs) => {
      const got = await this.loadNodes(reqs);
      for (const r of reqs) this.counted(r.depth, 1);
      return got;
    },
  };

  private counted(depth: number, n: number): void {
    this.inMemory[depth] = this.inMemory[depth]! + n;
    this.inMemoryTotal += n;
  }

  /** Forget every head node in memory (the head root becomes a plain entry). */
  private dropHeadNodes(): void {
    const r = this.headRoot;
    if (r instanceof InternalNode) this.headRoot = { hash: r.hash, version: r.version, leafKey: null };
    this.inMemory.fill(0);
    this.inMemoryTotal = 0;
  }

  /**
   * Past the limit, trim the tree under `root` (the head's, or an import's) to half the limit:
   * keep the levels that fit whole, and of the next level as many nodes as still fit (the
   * first in nibble order, their children cut off), recounting exactly. With no level kept,
   * the head's root itself goes. Keeping only whole levels dropped a cache a little smaller
   * than its tree to a few of its top levels (1M nodes over a tree of 10M keys fell to 70k).
   */
  private trimNodes(root: Entry | null): void {
    if (this.inMemoryTotal <= this.cacheLimit) return;
    const target = this.cacheLimit >> 1;
    let keep = 0;
    let sum = 0;
    while (keep < 65 && sum + this.inMemory[keep]! <= target) sum += this.inMemory[keep++]!;
    if (!(root instanceof InternalNode)) {
      this.dropHeadNodes();
      return;
    }
    if (keep === 0) {
      if (root === this.headRoot) this.dropHeadNodes();
      else {
        root.kids = null;
        this.inMemory.fill(0);
        this.inMemoryTotal = 0;
      }
      return;
    }
    this.inMemory.fill(0);
    this.inMemoryTotal = 0;
    let level: InternalNode[] = [root];
    for (let depth = 0; depth < keep - 1 && level.length > 0; depth++) {
      this.counted(depth, level.length);
      const next: InternalNode[] = [];
      for (const node of level) if (node.kids !== null) for (const k of node.kids) if (k !== undefined) next.push(k);
      level = next;
    }
    this.counted(keep - 1, level.length);
    // Of depth `keep`: the first `room` nodes stay, without their children.
    let room = target - sum;
    let kept = 0;
    for (const node of level) {
      const kids = node.kids;
      if (kids === null) continue;
      let any = false;
      for (let n = 0; n < 16; n++) {
        const k = kids[n];
        if (k === undefined) continue;
        if (room > 0) {
          room--;
          kept++;
          k.kids = null;
          any = true;
        } else kids[n] = undefined;
      }
      if (!any) node.kids = null;
    }
    if (kept > 0) this.counted(keep, kept);
  }

  /** Read internal nodes from the store (two multi-gets at most: records, then the full records deltas build on). */
  private async loadNodes(reqs: readonly NodeRequest[]): Promise<InternalNode[]> {
    const out = new Array<InternalNode>(reqs.length);
    const keys = reqs.map((r) => nodeKey(r.entry.version, r.depth, r.keyHash));
    const got = await this.kv.getMany(keys);
    const where = (r: NodeRequest): string => `v${r.entry.version}/${toHex(r.keyHash).slice(0, r.depth) || 'root'}`;
    // Delta records need the full record they build on: one more multi-get for those.
    const baseOf: number[] = [];
    const baseKeys: Uint8Array[] = [];
    for (let j = 0; j < reqs.length; j++) {
      const r = reqs[j]!;
      const b = got[j];
      if (b === undefined) throw corrupt(`tree node ${where(r)} is missing`, { node: where(r) });
      const bv = recordBase(r.entry.version, b, where(r));
      baseOf.push(bv === null ? -1 : baseKeys.length);
      if (bv !== null) baseKeys.push(nodeKey(bv, r.depth, r.keyHash));
    }
    const bases = baseKeys.length > 0 ? await this.kv.getMany(baseKeys) : [];
    for (let j = 0; j < reqs.length; j++) {
      const r = reqs[j]!;
      out[j] = decodeRecord(r.entry.version, got[j]!, baseOf[j]! < 0 ? undefined : bases[baseOf[j]!], r.entry.hash, where(r));
    }
    return out;
  }

  /**
   * The internal node `e` at `depth` on the path of `kh`: `mem` itself when that is the same
   * node, else read from the store. When `parent` (a head node; null for the head's root) is
   * given, the node read is attached to the head's tree.
   */
  private async nodeAt(e: Entry, depth: number, kh: Uint8Array, mem: InternalNode | undefined, parent: InternalNode | null | undefined): Promise<InternalNode> {
    if (e instanceof InternalNode) return e;
    if (mem !== undefined && mem.version === e.version && sameHash(mem.hash, e.hash)) return mem;
    const [node] = await this.loadNodes([{ entry: e, depth, keyHash: kh }]);
    if (parent === null && this.headRoot === e) {
      this.headRoot = node!;
      this.counted(0, 1);
    } else if (parent) {
      attachKid(parent, nibble(kh, depth - 1), node!);
      this.counted(depth, 1);
    }
    // Reads between commits keep to the limit too (a trim keeps the upper levels, the reader holds its path).
    if (parent !== undefined) this.trimNodes(this.headRoot);
    return node!;
  }

  private async readLeaf(kh: Uint8Array, e: Entry): Promise<{ key: Uint8Array; value: Uint8Array }> {
    const where = `${toHex(kh)}@${e.version}`;
    const b = await this.kv.get(leafKey(kh, e.version));
    if (b === undefined) throw corrupt(`leaf ${where} is missing`, { leaf: where });
    const leaf = decodeLeaf(b, where);
    const lkh = keyHashOf(leaf.key);
    if (!equalBytes(lkh, kh) || !equalBytes(leafHashOf(lkh, valueHashOf(leaf.value)), e.hash)) {
      throw corrupt(`leaf ${where} does not match its hash`, { leaf: where });
    }
    return leaf;
  }

  /** Walk from version h's root toward `key`; returns the internal nodes passed and the end. */
  private async walk(key: Uint8Array, h: number): Promise<{ kh: Uint8Array; path: InternalNode[]; end: Entry | null }> {
    if (!(key instanceof Uint8Array) || key.length === 0) throw invalidInput('a key is a non-empty byte array');
    const kh = keyHashOf(key);
    let e = await this.rootEntry(h);
    const atHead = h === this.headHeight;
    // The head's node at the same path (in memory), for nodes an older version shares with it.
    const top = this.headRoot;
    // With the native update, the head's nodes on this path come from native memory.
    const memPath = this.native === null ? null : this.native.headPath(kh);
    let mem: InternalNode | undefined = memPath !== null ? memPath[0] : top instanceof InternalNode ? top : undefined;
    const path: InternalNode[] = [];
    let depth = 0;
    while (e !== null && e.leafKey === null) {
      // (With the native update the head's nodes live there: reads do not keep what they read.)
      const parent = atHead && this.native === null ? (depth === 0 ? null : path[depth - 1]!) : undefined;
      const node = await this.nodeAt(e, depth, kh, mem, parent);
      path.push(node);
      const n = nibble(kh, depth);
      if (memPath !== null) mem = memPath[depth + 1];
      else {
        const onHead = atHead || node === mem ? node : mem;
        mem = onHead === undefined || onHead.kids === null ? undefined : onHead.kids[n];
      }
      e = node.child(n);
      depth++;
    }
    return { kh, path, end: e };
  }

  /** The value of `key` at version `h` (default: the head), or null if absent. */
  get(key: Uint8Array, h: number = this.headHeight): Promise<Uint8Array | null> {
    return this.prunable(h, async () => {
      const { kh, end } = await this.walk(key, h);
      if (end === null) return null;
      // Another key's leaf where `key` would be: read and check it too, so that a damaged key
      // hash in a node is STATE_CORRUPT rather than a wrong "absent".
      const leaf = await this.readLeaf(end.leafKey!, end);
      return equalBytes(end.leafKey!, kh) ? leaf.value.slice() : null;
    });
  }

  /** The value (or null) of `key` at version `h`, with a proof against that version's root. */
  prove(key: Uint8Array, h: number = this.headHeight): Promise<{ value: Uint8Array | null; rootHash: Uint8Array; proof: StateProof }> {
    return this.prunable(h, () => this.proveAt(key, h));
  }

  private async proveAt(key: Uint8Array, h: number): Promise<{ value: Uint8Array | null; rootHash: Uint8Array; proof: StateProof }> {
    const rootHash = await this.rootAt(h);
    const { kh, path, end } = await this.walk(key, h);
    const levels = path.map((node, i) => {
      const n = nibble(kh, i);
      const siblings: Uint8Array[] = [];
      for (let m = 0; m < 16; m++) {
        if (m === n) continue;
        const c = node.child(m);
        if (c) siblings.push(c.hash.slice());
      }
      return { bitmap: node.bitmap, siblings };
    });
    if (end === null) return { value: null, rootHash, proof: { levels, leaf: null } };
    const leaf = await this.readLeaf(end.leafKey!, end);
    if (equalBytes(end.leafKey!, kh)) return { value: leaf.value.slice(), rootHash, proof: { levels, leaf: null } };
    return { value: null, rootHash, proof: { levels, leaf: { keyHash: end.leafKey!.slice(), valueHash: valueHashOf(leaf.value) } } };
  }

  /** Every (key, value) of version h in key-hash order, checked against the tree, in chunks. */
  async *entries(h: number, chunk = 1000): AsyncGenerator<[Uint8Array, Uint8Array][]> {
    const root = await this.rootEntry(h);
    let pending: { kh: Uint8Array; e: Entry }[] = [];
    const flush = async (): Promise<[Uint8Array, Uint8Array][]> => {
      const recs = await this.kv.getMany(pending.map((p) => leafKey(p.kh, p.e.version)));
      const out: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i < pending.length; i++) {
        const { kh, e } = pending[i]!;
        const where = `${toHex(kh)}@${e.version}`;
        const b = recs[i];
        if (b === undefined) throw corrupt(`leaf ${where} is missing`, { leaf: where });
        const leaf = decodeLeaf(b, where);
        if (!equalBytes(keyHashOf(leaf.key), kh) || !equalBytes(leafHashOf(kh, valueHashOf(leaf.value)), e.hash)) {
          throw corrupt(`leaf ${where} does not match its hash`, { leaf: where });
        }
        out.push([leaf.key.slice(), leaf.value.slice()]);
      }
      pending = [];
      return out;
    };
    if (root === null) return;
    const top = this.headRoot;
    const stack: { e: Entry; depth: number; kh: Uint8Array; mem: InternalNode | undefined }[] = [
      { e: root, depth: 0, kh: root.leafKey ?? new Uint8Array(32), mem: top instanceof InternalNode ? top : undefined },
    ];
    while (stack.length > 0) {
      const { e, depth, kh, mem } = stack.pop()!;
      if (e.leafKey !== null) {
        pending.push({ kh: e.leafKey, e });
        if (pending.length >= chunk) yield await flush();
        continue;
      }
      const node = await this.nodeAt(e, depth, kh, mem, undefined);
      const onHead = node === mem ? node : mem;
      for (let n = 15; n >= 0; n--) {
        const c = node.child(n);
        if (!c) continue;
        const ckh = c.leafKey ?? kh.slice();
        if (c.leafKey === null) {
          const i = depth >> 1;
          ckh[i] = depth & 1 ? (ckh[i]! & 0xf0) | n : (n << 4) | (ckh[i]! & 0x0f);
        }
        stack.push({ e: c, depth: depth + 1, kh: ckh, mem: onHead === undefined || onHead.kids === null ? undefined : onHead.kids[n] });
      }
    }
    if (pending.length > 0) yield await flush();
  }

  /** Version h's root recomputed from its leaves alone (a full integrity check; O(keys)). */
  async recomputeRoot(h: number): Promise<Uint8Array> {
    const all: [Uint8Array, Uint8Array][] = [];
    for await (const c of this.entries(h)) all.push(...c);
    return computeRoot(all);
  }

  // ---- writing -------------------------------------------------------------------------

  /** Compute the next version (head + 1) from `writes` without writing anything. */
  async prepare(writes: readonly StateWrite[]): Promise<PreparedVersion> {
    this.checkOpen();
    if (!Array.isArray(writes)) throw invalidInput('writes must be an array');
    const baseHeight = this.headHeight;
    const base = this.headRoot;
    let update: TreeUpdate | NativeUpdate;
    try {
      if (this.native !== null) update = await this.native.prepare((reqs) => this.loadNodes(reqs), baseHeight + 1, writes);
      else update = await prepareUpdate(this.loader, base, baseHeight + 1, writes);
    } catch (e) {
      if (this.headHeight !== baseHeight) throw conflict(baseHeight, this.headHeight);
      throw e;
    }
    // The head's root read from the store for this update stays in memory as the head's.
    if (!isNative(update) && update.baseNode !== null && this.headRoot === base) this.headRoot = update.baseNode;
    return { height: baseHeight + 1, baseHeight, baseRootHash: rootHashOf(base), rootHash: update.rootHash.slice(), writes: update.writes, update };
  }

  /**
   * The ops that commit `p` (nodes, leaves, root record, stale list, metadata), plus pruning
   * down to `pruneTo` when given. Write them in one batch, then call `finish`.
   */
  async stage(p: PreparedVersion, pruneTo?: number): Promise<StagedCommit> {
    this.checkOpen();
    if (p.baseHeight !== this.headHeight || !equalBytes(p.baseRootHash, this.rootHash)) throw conflict(p.baseHeight, this.headHeight);
    const v = p.height;
    const u = p.update;
    const ops = isNative(u) ? nativeOps(u) : writeOps(u);
    ops.push({ type: 'put', key: rootKey(v), value: encodeEntry(u.root) });
    const stale = isNative(u) ? u.stale : encodeStale(u);
    if (stale !== null) ops.push({ type: 'put', key: staleKey(v), value: stale });
    let oldest = this.oldestVersion;
    if (pruneTo !== undefined && pruneTo > oldest) {
      oldest = Math.min(pruneTo, v, oldest + PRUNE_VERSIONS_PER_BATCH);
      await this.pruneOps(this.oldestVersion, oldest, ops);
      this.pruningTo = Math.max(this.pruningTo, oldest);
    }
    ops.push({ type: 'put', key: metaKey(), value: encode(MetaSchema, { format: STATE_FORMAT, height: v, oldest, rootHash: u.rootHash }) });
    const finish = (): void => {
      this.headHeight = v;
      this.headRoot = u.root;
      this.oldestVersion = oldest;
      if (isNative(u)) this.native!.adopt(u);
      else this.tookUpdate(u);
    };
    return { ops, finish };
  }

  /** Delete what only versions in [from, to) needed: stale lists of (from, to], roots of [from, to). */
  private async pruneOps(from: number, to: number, ops: KVOp[]): Promise<void> {
    const lists = await this.kv.getMany(Array.from({ length: to - from }, (_, i) => staleKey(from + 1 + i)));
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i];
      if (list === undefined) continue;
      for (const key of decodeStaleList(list, from + 1 + i)) ops.push({ type: 'del', key });
      ops.push({ type: 'del', key: staleKey(from + 1 + i) });
    }
    for (let ver = Math.max(from, 1); ver < to; ver++) ops.push({ type: 'del', key: rootKey(ver) });
  }

  /** Compute and write the next version on its own (for standalone use; the ledger stages). */
  async commit(writes: readonly StateWrite[], opts: { pruneTo?: number; sync?: boolean } = {}): Promise<Uint8Array> {
    return this.serial(async () => {
      const p = await this.prepare(writes);
      const s = await this.stage(p, opts.pruneTo);
      await this.kv.batch(s.ops, { sync: opts.sync ?? false });
      s.finish();
      return p.rootHash;
    });
  }

  /** Make versions below `keepFrom` unreadable and delete what only they used. */
  async prune(keepFrom: number, opts: { sync?: boolean } = {}): Promise<void> {
    if (!Number.isSafeInteger(keepFrom) || keepFrom < 0) throw invalidInput(`bad prune height ${String(keepFrom)}`);
    if (keepFrom > this.headHeight) throw new StateError(StateErrorCodes.STATE_MISSING_HEIGHT, `cannot prune above the head ${this.headHeight}`, { keepFrom });
    await this.serial(async () => {
      while (this.oldestVersion < keepFrom) {
        const to = Math.min(keepFrom, this.oldestVersion + PRUNE_VERSIONS_PER_BATCH);
        const ops: KVOp[] = [];
        await this.pruneOps(this.oldestVersion, to, ops);
        this.pruningTo = Math.max(this.pruningTo, to);
        ops.push({ type: 'put', key: metaKey(), value: encode(MetaSchema, { format: STATE_FORMAT, height: this.headHeight, oldest: to, rootHash: this.rootHash }) });
        await this.kv.batch(ops, { sync: opts.sync ?? false });
        this.oldestVersion = to;
      }
    });
  }

  // ---- snapshot import (snapshot.ts) -----------------------------------------------------

  /** @internal Apply one sorted chunk of a snapshot at version `h` on top of `base`. */
  async importChunk(base: Entry | null, h: number, writes: readonly StateWrite[]): Promise<Entry | null> {
    return this.writeImportChunk(await this.prepareImportChunk(base, h, writes));
  }

  /**
   * @internal Compute (without writing) the tree after adding one sorted chunk of a snapshot
   * at version `h` on top of `base`; `base` stays valid, so a chunk refused after this is
   * simply dropped (snapshot-import.ts checks the result's root before writing it).
   */
  prepareImportChunk(base: Entry | null, h: number, writes: readonly StateWrite[]): Promise<TreeUpdate> {
    return prepareUpdate(this.loader, base, h, writes, false);
  }

  /** @internal Write a chunk computed by `prepareImportChunk`; returns the new partial root. */
  async writeImportChunk(u: TreeUpdate): Promise<Entry | null> {
    await this.kv.batch(writeOps(u));
    this.tookUpdate(u);
    return u.root;
  }

  /** Memory accounting once update `u`'s nodes are written and its tree is the one kept. */
  private tookUpdate(u: TreeUpdate): void {
    for (let i = 0; i < u.nodes.length; i++) {
      u.nodes[i]!.record = null; // written: memory keeps only what reads need
      this.counted(u.nodeDepths[i]!, 1);
    }
    for (const d of u.replacedDepths) this.counted(d, -1);
    this.trimNodes(u.root);
  }

  /**
   * @internal Make `root` the head at height h (one batch with the metadata, and `extra`:
   * what else belongs to the imported height, such as its block), or wipe.
   */
  async importFinish(root: Entry | null, h: number, ok: boolean, extra: readonly KVOp[] = []): Promise<void> {
    if (!ok) {
      this.dropHeadNodes();
      await wipe(this.kv);
      return;
    }
    await this.kv.batch([
      ...extra,
      { type: 'put', key: rootKey(h), value: encodeEntry(root) },
      { type: 'put', key: metaKey(), value: encode(MetaSchema, { format: STATE_FORMAT, height: h, oldest: h, rootHash: rootHashOf(root) }) },
      { type: 'del', key: importKey() },
    ], { sync: true });
    this.headHeight = h;
    this.headRoot = root;
    this.oldestVersion = h;
    if (this.native !== null) {
      // The import's nodes were built as objects: the native head starts from the root alone.
      this.dropHeadNodes();
      this.native.setHead(root);
    }
  }

  /** @internal Run an import serially with other mutations. */
  runSerial<T>(f: () => Promise<T>): Promise<T> {
    return this.serial(f);
  }
}

function conflict(base: number, head: number): StateError {
  return new StateError(StateErrorCodes.STATE_CONFLICT, `prepared on height ${base}, but the head is now ${head}`, { base, head });
}

/** Delete every key of the store (an aborted import leaves nothing behind). */
export async function wipe(kv: KV): Promise<void> {
  while (true) {
    const ops: KVOp[] = [];
    for await (const [k] of kv.iterate({ limit: 10_000 })) ops.push({ type: 'del', key: k });
    if (ops.length === 0) return;
    await kv.batch(ops);
  }
}

function decodeStaleList(b: Uint8Array, ver: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < b.length) {
    const n = b[o]!;
    if (n === 0 || o + 1 + n > b.length) throw corrupt(`stale list ${ver} is malformed`, { version: ver });
    out.push(b.subarray(o + 1, o + 1 + n));
    o += 1 + n;
  }
  return out;
}

