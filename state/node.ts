/**
 * Tree nodes and their storage encoding. A child `Entry` is what a parent knows of a child:
 * its hash, the version that wrote it, and for a leaf its key hash (so an update can tell
 * "same key" from "split here" without reading the leaf). An `InternalNode` has 1..16
 * children; its stored bytes are
 *   leafMask u16 | bitmap u16 | hashes (32 x count) | leaf key hashes (32 x leaves) |
 *   version gaps (unsigned LEB128 x count: node version - child version)
 * in nibble order, so the hash input (bitmap + hashes) is one contiguous slice, and a child
 * version costs 1-3 bytes instead of 8. Decoding checks lengths, masks, the canonical shape
 * (two or more children, or one internal child), minimal varints, and, when the parent's
 * hash is known, the node's hash: any mismatch is STATE_CORRUPT.
 */
import { equalBytes, toHex } from '../core/index.js';
import { corrupt } from './errors.js';
import { allocBytes, hashInner } from './fast-hash.js';
import { readU64, writeU64 } from './keys.js';

export interface Entry {
  readonly hash: Uint8Array;
  readonly version: number;
  /** The leaf's key hash, or null for an internal node. */
  readonly leafKey: Uint8Array | null;
}

/** Copy 32 bytes (a hash) from `src` at `from` to `dst` at `to`, without a view. */
export function copy32(src: Uint8Array, from: number, dst: Uint8Array, to: number): void {
  for (let i = 0; i < 32; i++) dst[to + i] = src[from + i]!;
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

export const varintSize = (v: number): number => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : Math.ceil(Math.log2(v + 1) / 7));

export function writeVarint(b: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    b[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  b[at++] = v;
  return at;
}

/**
 * Read the varint at `cursor.pos` of `b` and move the cursor past it. The cursor is a
 * caller-owned object (reused: no allocation per read on the hot path).
 */
export function readVarint(b: Uint8Array, cursor: { pos: number }): number {
  let o = cursor.pos;
  let v = 0;
  let mul = 1;
  let c: number;
  do {
    c = b[o++]!;
    v += (c & 0x7f) * mul;
    mul *= 0x80;
  } while (c & 0x80);
  cursor.pos = o;
  return v;
}

const nodeCursor = { pos: 0 };

/** Child versions by nibble, scratch for building (phase 2 of an update is synchronous). */
const baseVersions = new Float64Array(16);

/** A node is also the Entry its parent gets for it (one object fewer per new node). */
export class InternalNode implements Entry {
  readonly leafKey = null;
  /** How the node is stored (record.ts): the version of its full record, and the children changed since. */
  base: number;
  delta = 0;
  /** Its stored record, for a node not yet written. */
  record: Uint8Array | null = null;
  /**
   * Its internal children that are in memory, by nibble (null: none). Only the head's tree
   * and trees being built keep them; a node's children never change, so a child found here
   * is the one its entry names.
   */
  kids: (InternalNode | undefined)[] | null = null;
  /** Bit n set: child n is present. */
  readonly bitmap: number;
  /** Bit n set: child n is a leaf. */
  readonly leafMask: number;

  constructor(
    readonly version: number,
    readonly bytes: Uint8Array,
    readonly hash: Uint8Array,
  ) {
    this.base = version;
    this.leafMask = (bytes[0]! << 8) | bytes[1]!;
    this.bitmap = (bytes[2]! << 8) | bytes[3]!;
  }

  /** Write the version of every child into `out`, indexed by nibble. */
  versionsInto(out: Float64Array): void {
    const b = this.bytes;
    const bitmap = this.bitmap;
    const count = popcount16(bitmap);
    nodeCursor.pos = 4 + (count + popcount16(this.leafMask)) * 32;
    for (let n = 0; n < 16; n++) {
      if (((bitmap >> n) & 1) === 0) continue;
      out[n] = this.version - readVarint(b, nodeCursor);
    }
  }

  /** The version of the child of rank `r` (its index among present children). */
  private childVersion(count: number, r: number): number {
    const b = this.bytes;
    let o = 4 + (count + popcount16(this.leafMask)) * 32;
    for (let i = 0; i < r; i++) while (b[o++]! & 0x80);
    nodeCursor.pos = o;
    return this.version - readVarint(b, nodeCursor);
  }

  /** The version of the (present) child at nibble `n`. */
  childVersionAt(n: number): number {
    const bitmap = this.bitmap;
    return this.childVersion(popcount16(bitmap), popcount16(bitmap & ((1 << n) - 1)));
  }

  /** True if the (present) child at nibble `n` has hash `h`. */
  hasHash(n: number, h: Uint8Array): boolean {
    const b = this.bytes;
    const at = 4 + popcount16(this.bitmap & ((1 << n) - 1)) * 32;
    for (let i = 0; i < 32; i++) if (b[at + i] !== h[i]) return false;
    return true;
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
    const leafMask = this.leafMask;
    let leafKey: Uint8Array | null = null;
    if ((leafMask >> n) & 1) {
      const at = 4 + (count + popcount16(leafMask & below)) * 32;
      leafKey = b.subarray(at, at + 32);
    }
    return { hash, version: this.childVersion(count, r), leafKey };
  }

  /** True if child `n` is a leaf whose key hash is `kh`. */
  isLeafOf(n: number, kh: Uint8Array): boolean {
    const leafMask = this.leafMask;
    if (((leafMask >> n) & 1) === 0) return false;
    const b = this.bytes;
    const at = 4 + (popcount16(this.bitmap) + popcount16(leafMask & ((1 << n) - 1))) * 32;
    for (let i = 0; i < 32; i++) if (b[at + i] !== kh[i]) return false;
    return true;
  }

  /**
   * A node at `version`: the children of `base` (or none), with those in `mask` replaced by
   * `changes[n]` (an Entry, or null for removed). The result must have at least one child.
   */
  static build(version: number, base: InternalNode | null, mask: number, changes: readonly (Entry | null)[]): InternalNode {
    const bBitmap = base === null ? 0 : base.bitmap;
    const bLeaves = base === null ? 0 : base.leafMask;
    let bitmap = bBitmap & ~mask;
    let leafMask = bLeaves & ~mask;
    for (let n = 0; n < 16; n++) {
      if (((mask >> n) & 1) === 0) continue;
      const e = changes[n];
      if (e === null || e === undefined) continue;
      bitmap |= 1 << n;
      if (e.leafKey !== null) leafMask |= 1 << n;
    }
    if (base !== null) base.versionsInto(baseVersions);
    const count = popcount16(bitmap);
    const leaves = popcount16(leafMask);
    let vbytes = 0;
    for (let n = 0; n < 16; n++) {
      if (((bitmap >> n) & 1) === 0) continue;
      const cv = (mask >> n) & 1 ? changes[n]!.version : baseVersions[n]!;
      vbytes += varintSize(version - cv);
    }
    const b = allocBytes(4 + (count + leaves) * 32 + vbytes);
    b[0] = leafMask >>> 8; b[1] = leafMask & 0xff; b[2] = bitmap >>> 8; b[3] = bitmap & 0xff;
    let vo = 4 + (count + leaves) * 32;
    if (base !== null && bitmap === bBitmap && leafMask === bLeaves) {
      // Same children, some replaced: copy the base's hashes and key hashes, then overwrite.
      const bb = base.bytes;
      for (let i = 4; i < vo; i++) b[i] = bb[i]!;
      for (let n = 0; n < 16; n++) {
        const e = changes[n];
        if (((mask >> n) & 1) === 0 || e === null || e === undefined) continue; // (absent before and after)
        const below = (1 << n) - 1;
        b.set(e.hash, 4 + popcount16(bitmap & below) * 32);
        if (e.leafKey !== null) b.set(e.leafKey, 4 + (count + popcount16(leafMask & below)) * 32);
      }
      for (let n = 0; n < 16; n++) {
        if (((bitmap >> n) & 1) === 0) continue;
        vo = writeVarint(b, vo, version - ((mask >> n) & 1 ? changes[n]!.version : baseVersions[n]!));
      }
      return new InternalNode(version, b, hashInner(b, count));
    }
    const bb = base === null ? b : base.bytes;
    const bCount = popcount16(bBitmap);
    let r = 0;
    let lr = 0;
    for (let n = 0; n < 16; n++) {
      if (((bitmap >> n) & 1) === 0) continue;
      if ((mask >> n) & 1) {
        const e = changes[n]!;
        b.set(e.hash, 4 + r * 32);
        if (e.leafKey !== null) b.set(e.leafKey, 4 + (count + lr++) * 32);
        vo = writeVarint(b, vo, version - e.version);
      } else {
        const below = (1 << n) - 1;
        const br = popcount16(bBitmap & below);
        copy32(bb, 4 + br * 32, b, 4 + r * 32);
        if ((bLeaves >> n) & 1) copy32(bb, 4 + (bCount + popcount16(bLeaves & below)) * 32, b, 4 + (count + lr++) * 32);
        vo = writeVarint(b, vo, version - baseVersions[n]!);
      }
      r++;
    }
    return new InternalNode(version, b, hashInner(b, count));
  }

  /** Decode stored bytes, checking structure and (when given) the expected hash. */
  static decode(version: number, bytes: Uint8Array, expectedHash: Uint8Array | null, where: string): InternalNode {
    const count = InternalNode.check(version, bytes, where, false);
    const hash = hashInner(bytes, count);
    if (expectedHash !== null && !equalBytes(hash, expectedHash)) throw corrupt(`tree node ${where}: hash ${toHex(hash)} is not the parent's ${toHex(expectedHash)}`, { node: where });
    return new InternalNode(version, bytes, hash);
  }

  /**
   * Check the structure of node bytes at `version` and return the child count. A `partial`
   * node (the changed children of a delta record) may have any number of children.
   */
  static check(version: number, bytes: Uint8Array, where: string, partial: boolean): number {
    const bad = (why: string): never => {
      throw corrupt(`tree node ${where}: ${why}`, { node: where });
    };
    if (bytes.length < 4) bad('truncated');
    const leafMask = (bytes[0]! << 8) | bytes[1]!;
    const bitmap = (bytes[2]! << 8) | bytes[3]!;
    const count = popcount16(bitmap);
    const leaves = popcount16(leafMask);
    if ((bitmap === 0 && !partial) || (leafMask & ~bitmap) !== 0) bad('bad child masks');
    if (count === 1 && leaves === 1 && !partial) bad('a lone leaf child (not canonical)');
    let o = 4 + (count + leaves) * 32;
    for (let r = 0; r < count; r++) {
      let v = 0;
      let mul = 1;
      let c: number;
      let len = 0;
      do {
        if (o >= bytes.length || len === 8) bad('bad version gap');
        c = bytes[o++]!;
        v += (c & 0x7f) * mul;
        mul *= 0x80;
        len++;
      } while (c & 0x80);
      if (len > 1 && c === 0) bad('non-minimal version gap');
      if (v >= version) bad('child version below 1');
    }
    if (o !== bytes.length) bad('bad length');
    return count;
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
  const out = allocBytes(2 + key.length + value.length);
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
