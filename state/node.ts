/**
 * Tree nodes and their storage encoding. A child `Entry` is what a parent knows of a child:
 * its hash, the version that wrote it, and for a leaf its key hash (so an update can tell
 * "same key" from "split here" without reading the leaf). An `InternalNode` has 1..16
 * children; its stored bytes are
 *   leafMask u16 | bitmap u16 | hashes (32 x count) | versions (u64 x count) | leaf key hashes (32 x leaves)
 * in nibble order, so the hash input (bitmap + hashes) is one contiguous slice. Decoding
 * checks lengths, masks, the canonical shape (two or more children, or one internal child)
 * and, when the parent's hash is known, the node's hash: a mismatch is STATE_CORRUPT.
 */
import { equalBytes, toHex } from '../core/index.js';
import { corrupt } from './errors.js';
import { StateDomain } from './hashing.js';
import { allocBytes, hash1 } from './fast-hash.js';
import { readU64, writeU64 } from './keys.js';

export interface Entry {
  readonly hash: Uint8Array;
  readonly version: number;
  /** The leaf's key hash, or null for an internal node. */
  readonly leafKey: Uint8Array | null;
}

/** Children of a node being rebuilt: an Entry, null (absent), or n = child n of the base node. */
export type Slots = (Entry | number | null)[];

function copy(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
}

/** Byte equality of two hashes (no allocation). */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function popcount16(x: number): number {
  x = x - ((x >>> 1) & 0x5555);
  x = (x & 0x3333) + ((x >>> 2) & 0x3333);
  x = (x + (x >>> 4)) & 0x0f0f;
  return (x + (x >>> 8)) & 0x1f;
}

/** innerHashOf(bitmap, hashes) over stored node bytes: bitmap and hashes are contiguous. */
function nodeHash(b: Uint8Array, count: number): Uint8Array {
  return hash1(StateDomain.INNER, b.subarray(2, 4 + count * 32));
}

export class InternalNode {
  private constructor(
    readonly version: number,
    readonly bytes: Uint8Array,
    readonly hash: Uint8Array,
  ) {}

  get bitmap(): number {
    return (this.bytes[2]! << 8) | this.bytes[3]!;
  }

  get leafMask(): number {
    return (this.bytes[0]! << 8) | this.bytes[1]!;
  }

  /** The child at nibble `n`, or null. */
  child(n: number): Entry | null {
    const bitmap = this.bitmap;
    if (((bitmap >> n) & 1) === 0) return null;
    const count = popcount16(bitmap);
    const below = (1 << n) - 1;
    const r = popcount16(bitmap & below);
    const b = this.bytes;
    const hash = b.subarray(4 + r * 32, 4 + r * 32 + 32);
    const version = readU64(b, 4 + count * 32 + r * 8);
    const leafMask = this.leafMask;
    let leafKey: Uint8Array | null = null;
    if ((leafMask >> n) & 1) {
      const lr = popcount16(leafMask & below);
      const at = 4 + count * 40 + lr * 32;
      leafKey = b.subarray(at, at + 32);
    }
    return { hash, version, leafKey };
  }

  /**
   * The 16 slots of this node for an update: a present child is its own nibble (a number,
   * meaning "child n of this node, unchanged"), an absent one null. Cheap: no child objects.
   */
  slots(): Slots {
    const out: Slots = new Array<Entry | number | null>(16).fill(null);
    const bitmap = this.bitmap;
    for (let n = 0; n < 16; n++) if ((bitmap >> n) & 1) out[n] = n;
    return out;
  }

  /**
   * A node at `version` from 16 slots (at least one set). A numeric slot copies child n of
   * `base` as it is; an Entry slot is a new or moved child.
   */
  static fromSlots(version: number, slots: Slots, base: InternalNode | null = null): InternalNode {
    let bitmap = 0;
    let leafMask = 0;
    let count = 0;
    let leaves = 0;
    const baseLeaves = base === null ? 0 : base.leafMask;
    for (let n = 0; n < 16; n++) {
      const e = slots[n];
      if (e === null || e === undefined) continue;
      bitmap |= 1 << n;
      count++;
      if (typeof e === 'number' ? (baseLeaves >> e) & 1 : e.leafKey) {
        leafMask |= 1 << n;
        leaves++;
      }
    }
    const b = allocBytes(4 + count * 40 + leaves * 32);
    b[0] = leafMask >>> 8; b[1] = leafMask & 0xff; b[2] = bitmap >>> 8; b[3] = bitmap & 0xff;
    let r = 0;
    let lr = 0;
    const bb = base?.bytes;
    const bBitmap = base === null ? 0 : base.bitmap;
    const bCount = popcount16(bBitmap);
    for (let n = 0; n < 16; n++) {
      const e = slots[n];
      if (e === null || e === undefined) continue;
      if (typeof e === 'number') {
        const below = (1 << e) - 1;
        const br = popcount16(bBitmap & below);
        copy(bb!, 4 + br * 32, b, 4 + r * 32, 32);
        copy(bb!, 4 + bCount * 32 + br * 8, b, 4 + count * 32 + r * 8, 8);
        if ((baseLeaves >> e) & 1) copy(bb!, 4 + bCount * 40 + popcount16(baseLeaves & below) * 32, b, 4 + count * 40 + 32 * lr++, 32);
      } else {
        b.set(e.hash, 4 + r * 32);
        writeU64(b, 4 + count * 32 + r * 8, e.version);
        if (e.leafKey) b.set(e.leafKey, 4 + count * 40 + 32 * lr++);
      }
      r++;
    }
    return new InternalNode(version, b, nodeHash(b, count));
  }

  /** Decode stored bytes, checking structure and (when given) the expected hash. */
  static decode(version: number, bytes: Uint8Array, expectedHash: Uint8Array | null, where: string): InternalNode {
    const bad = (why: string): never => {
      throw corrupt(`tree node ${where}: ${why}`, { node: where });
    };
    if (bytes.length < 4) bad('truncated');
    const leafMask = (bytes[0]! << 8) | bytes[1]!;
    const bitmap = (bytes[2]! << 8) | bytes[3]!;
    const count = popcount16(bitmap);
    const leaves = popcount16(leafMask);
    if (bitmap === 0 || (leafMask & ~bitmap) !== 0) bad('bad child masks');
    if (count === 1 && leaves === 1) bad('a lone leaf child (not canonical)');
    if (bytes.length !== 4 + count * 40 + leaves * 32) bad('bad length');
    for (let r = 0; r < count; r++) if (readU64(bytes, 4 + count * 32 + r * 8) > version) bad('child newer than its parent');
    const hash = nodeHash(bytes, count);
    if (expectedHash !== null && !equalBytes(hash, expectedHash)) bad(`hash ${toHex(hash)} is not the parent's ${toHex(expectedHash)}`);
    return new InternalNode(version, bytes, hash);
  }
}

/** Root entry record: 0 (empty) | 1 ver hash leafKey (leaf) | 2 ver hash (internal). */
export function encodeEntry(e: Entry | null): Uint8Array {
  if (e === null) return Uint8Array.of(0);
  const out = new Uint8Array(e.leafKey ? 73 : 41);
  out[0] = e.leafKey ? 1 : 2;
  writeU64(out, 1, e.version);
  out.set(e.hash, 9);
  if (e.leafKey) out.set(e.leafKey, 41);
  return out;
}

export function decodeEntry(b: Uint8Array, where: string): Entry | null {
  if (b.length === 1 && b[0] === 0) return null;
  if (b.length === 73 && b[0] === 1) return { version: readU64(b, 1), hash: b.slice(9, 41), leafKey: b.slice(41, 73) };
  if (b.length === 41 && b[0] === 2) return { version: readU64(b, 1), hash: b.slice(9, 41), leafKey: null };
  throw corrupt(`root record ${where} is malformed`, { where });
}

/** Leaf record: u16 key length, key, value. */
export function encodeLeaf(key: Uint8Array, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + key.length + value.length);
  out[0] = key.length >>> 8;
  out[1] = key.length & 0xff;
  out.set(key, 2);
  out.set(value, 2 + key.length);
  return out;
}

export function decodeLeaf(b: Uint8Array, where: string): { key: Uint8Array; value: Uint8Array } {
  if (b.length < 2) throw corrupt(`leaf ${where} is truncated`, { where });
  const n = (b[0]! << 8) | b[1]!;
  if (n === 0 || b.length < 2 + n) throw corrupt(`leaf ${where} has a bad key length`, { where });
  return { key: b.subarray(2, 2 + n), value: b.subarray(2 + n) };
}
