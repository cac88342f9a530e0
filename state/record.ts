/**
 * How internal nodes are stored. Most rewrites of a node change one or two of its up to 16
 * children, so a node is stored either whole or as a delta over an earlier whole record of
 * the same path:
 *   full:  0x00 | node bytes (node.ts)
 *   delta: 0x01 | base gap (unsigned LEB128: version - base version, >= 1) | changed mask u16 |
 *          the changed children that are present, in node layout (leafMask u16 | bitmap u16 |
 *          hashes | leaf key hashes | version gaps)
 * A delta is cumulative (every child changed since its base, so reading one needs only the
 * delta and its base), and a node is written whole when more than half of its children
 * have changed since the base, when it is new, or when it is rewritten at its own version
 * (snapshot import). A reader rebuilds the node from the two records and checks its hash
 * against the parent's, so a damaged delta or base is STATE_CORRUPT like any node.
 * Pruning stays exact: a base is listed as stale only by the version that stops using it
 * (tree.ts), so no retained version loses a record it reads.
 */
import { corrupt } from './errors.js';
import { allocBytes } from './fast-hash.js';
import { InternalNode, copy32, popcount16, readVarint as readNodeVarint, varintSize, writeVarint, type Entry } from './node.js';

const FULL = 0;
const DELTA = 1;

/** Scratch of `encodeRecord` (it runs synchronously): a node's child version gaps by rank. */
const gapScratch = new Float64Array(16);
const gapCursor = { pos: 0 };

/** Child entries by nibble (record decoding runs synchronously). */
const changes: (Entry | null)[] = new Array<Entry | null>(16).fill(null);

/**
 * Choose and encode how `node` (which replaces `prev`, with the children in `mask` changed;
 * prev null for a new node) is stored; sets node.record, node.base and node.delta.
 */
export function encodeRecord(node: InternalNode, prev: InternalNode | null, mask: number): void {
  const cum = prev === null ? 0 : prev.delta | mask;
  if (prev === null || prev.version === node.version || popcount16(cum) * 2 > popcount16(node.bitmap)) {
    const rec = allocBytes(1 + node.bytes.length);
    rec[0] = FULL;
    rec.set(node.bytes, 1);
    node.record = rec;
    node.base = node.version;
    node.delta = 0;
    return;
  }
  const b = node.bytes;
  const bitmap = (b[2]! << 8) | b[3]!;
  const leafMask = (b[0]! << 8) | b[1]!;
  const count = popcount16(bitmap);
  const pBitmap = bitmap & cum;
  const pLeaves = leafMask & cum;
  const pCount = popcount16(pBitmap);
  const pLeafCount = popcount16(pLeaves);
  // Version gaps of the node's children, by rank.
  const gaps = gapScratch;
  const cursor = gapCursor;
  cursor.pos = 4 + (count + popcount16(leafMask)) * 32;
  for (let r = 0; r < count; r++) gaps[r] = readNodeVarint(b, cursor);
  let vbytes = 0;
  for (let n = 0; n < 16; n++) if ((pBitmap >> n) & 1) vbytes += varintSize(gaps[popcount16(bitmap & ((1 << n) - 1))]!);
  const gap = node.version - prev.base;
  const head = 1 + varintSize(gap) + 2;
  const rec = allocBytes(head + 4 + (pCount + pLeafCount) * 32 + vbytes);
  rec[0] = DELTA;
  let at = writeVarint(rec, 1, gap);
  rec[at++] = cum >>> 8;
  rec[at++] = cum & 0xff;
  const p = at;
  rec[p] = pLeaves >>> 8; rec[p + 1] = pLeaves & 0xff; rec[p + 2] = pBitmap >>> 8; rec[p + 3] = pBitmap & 0xff;
  let r = 0;
  let lr = 0;
  let vo = p + 4 + (pCount + pLeafCount) * 32;
  for (let n = 0; n < 16; n++) {
    if (((pBitmap >> n) & 1) === 0) continue;
    const below = (1 << n) - 1;
    const rank = popcount16(bitmap & below);
    copy32(b, 4 + rank * 32, rec, p + 4 + r * 32);
    if ((pLeaves >> n) & 1) copy32(b, 4 + (count + popcount16(leafMask & below)) * 32, rec, p + 4 + (pCount + lr++) * 32);
    vo = writeVarint(rec, vo, gaps[rank]!);
    r++;
  }
  node.record = rec;
  node.base = prev.base;
  node.delta = cum;
}

/** Read an unsigned LEB128 at `at` (minimal, at most 8 bytes): [value, end], or null. */
function readVarint(b: Uint8Array, at: number): [number, number] | null {
  let v = 0;
  let mul = 1;
  let c: number;
  let len = 0;
  do {
    if (at >= b.length || len === 8) return null;
    c = b[at++]!;
    v += (c & 0x7f) * mul;
    mul *= 0x80;
    len++;
  } while (c & 0x80);
  if (len > 1 && c === 0) return null;
  return [v, at];
}

/** The version of the full record a delta record of a node at `version` builds on, or null for a full record. */
export function recordBase(version: number, rec: Uint8Array, where: string): number | null {
  if (rec.length < 1 || (rec[0] !== FULL && rec[0] !== DELTA)) throw corrupt(`tree node ${where}: unknown record kind`, { node: where });
  if (rec[0] === FULL) return null;
  const g = readVarint(rec, 1);
  if (g === null || g[0] < 1 || g[0] >= version) throw corrupt(`tree node ${where}: bad delta base`, { node: where });
  return version - g[0];
}

/**
 * The node at `version` stored as `rec` (with `baseRec`, the full record it builds on, for a
 * delta), checked against `expectedHash` when given.
 */
export function decodeRecord(version: number, rec: Uint8Array, baseRec: Uint8Array | undefined, expectedHash: Uint8Array | null, where: string): InternalNode {
  const baseVersion = recordBase(version, rec, where);
  if (baseVersion === null) return InternalNode.decode(version, rec.subarray(1), expectedHash, where);
  const bad = (why: string): never => {
    throw corrupt(`tree node ${where}: ${why}`, { node: where });
  };
  if (baseRec === undefined) bad(`the full record at version ${baseVersion} it builds on is missing`);
  if (baseRec![0] !== FULL) bad('a delta over a delta');
  const base = InternalNode.decode(baseVersion, baseRec!.subarray(1), null, `${where} (base v${baseVersion})`);
  let at = readVarint(rec, 1)![1];
  if (at + 2 > rec.length) bad('truncated delta');
  const mask = (rec[at]! << 8) | rec[at + 1]!;
  at += 2;
  if (mask === 0) bad('empty delta');
  const partial = rec.subarray(at);
  InternalNode.check(version, partial, where, true);
  const pBitmap = (partial[2]! << 8) | partial[3]!;
  if ((pBitmap & ~mask) !== 0) bad('delta children outside its mask');
  const part = new InternalNode(version, partial, new Uint8Array(0));
  for (let n = 0; n < 16; n++) if ((mask >> n) & 1) changes[n] = (pBitmap >> n) & 1 ? part.child(n) : null;
  if (((base.bitmap & ~mask) | pBitmap) === 0) bad('a delta that leaves no children');
  const rebuilt = InternalNode.build(version, base, mask, changes);
  const node = InternalNode.decode(version, rebuilt.bytes, expectedHash, where);
  node.base = baseVersion;
  node.delta = mask;
  return node;
}
