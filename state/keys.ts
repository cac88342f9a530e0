/**
 * Every LevelDB key prefix of the node's state database, in one table, with its
 * key -> value shape (docs/state.md explains each). One byte of prefix; integers big-endian
 * so keys sort by number; `ver`/`h` are 8-byte heights, `idx`/`ev` 4-byte indexes.
 * Nothing outside this file spells a prefix byte.
 */
import { invalidInput } from './errors.js';
import { allocBytes } from './fast-hash.js';

export const Prefix = {
  /** 'M' -> StateMeta (msgpack): format, head height, oldest retained version, head root. */
  META: 0x4d,
  /** 'I' -> empty: a snapshot import is in progress (a store holding it has no committed height). */
  IMPORT: 0x49,
  /** 'R' ver -> root entry of the tree at version `ver` (node.ts `encodeEntry`). */
  ROOT: 0x52,
  /** 'N' ver depth path -> internal tree node created at `ver` at nibble path `path` (node.ts `encodeNode`). */
  NODE: 0x4e,
  /** 'L' keyHash ver -> leaf record: u16 key length, key, value (written at `ver`). */
  LEAF: 0x4c,
  /** 'S' ver -> stale list: the NODE and LEAF keys that version `ver` replaced (u8 length + key, repeated). */
  STALE: 0x53,
  /** 'B' h -> block at height h (core Block canonical bytes). */
  BLOCK: 0x42,
  /** 'C' h -> commit certificate for block h (core Commit canonical bytes). */
  COMMIT: 0x43,
  /** 'H' blockHash -> h (8 bytes). */
  BLOCK_HASH: 0x48,
  /** 'T' txHash -> h (8) idx (4): where a transaction was included. */
  TX: 0x54,
  /** 'X' h idx -> receipt bytes of tx `idx` of block h (opaque, from the state machine). */
  RECEIPT: 0x58,
  /** 'a' len account h idx -> txHash: tx `idx` of block h touched `account`. */
  ACCOUNT_TX: 0x61,
  /** 'i' key h idx -> value: a module index entry (key: the index's id byte, then its own key) of tx `idx` of block h. */
  MODULE_INDEX: 0x69,
  /** 'F' -> h (8 bytes): the oldest block the store keeps; blocks below it are pruned (absent: none pruned). */
  BLOCKS_OLDEST: 0x46,
  /**
   * 'P' h -> the ACCOUNT_TX and MODULE_INDEX keys block h wrote (u16 length + key, repeated),
   * which block pruning deletes with the block; written only while the store prunes blocks.
   */
  BLOCK_PRUNE: 0x50,
} as const;
// 'E' (event bytes) and 'e' (events by account) are no longer written: events live in the
// receipts, and an account's events are those of its transactions. Stores written before keep
// such records, which nothing reads.

export const MAX_ACCOUNT_BYTES = 64;

export function writeU64(out: Uint8Array, at: number, v: number): void {
  const hi = Math.floor(v / 0x1_0000_0000);
  const lo = v >>> 0;
  out[at] = hi >>> 24; out[at + 1] = (hi >>> 16) & 0xff; out[at + 2] = (hi >>> 8) & 0xff; out[at + 3] = hi & 0xff;
  out[at + 4] = lo >>> 24; out[at + 5] = (lo >>> 16) & 0xff; out[at + 6] = (lo >>> 8) & 0xff; out[at + 7] = lo & 0xff;
}

export function readU64(b: Uint8Array, at: number): number {
  const hi = ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
  const lo = ((b[at + 4]! << 24) >>> 0) + (b[at + 5]! << 16) + (b[at + 6]! << 8) + b[at + 7]!;
  return hi * 0x1_0000_0000 + lo;
}

export function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24; out[at + 1] = (v >>> 16) & 0xff; out[at + 2] = (v >>> 8) & 0xff; out[at + 3] = v & 0xff;
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

/**
 * A new key: zeroed bytes carved from a shared slab. LevelDB's binding reads a key through
 * its ArrayBuffer, and a small `new Uint8Array(n)` lives on V8's heap until something asks
 * for that buffer, which then costs an allocation and a copy per key: about a microsecond
 * of each put in a commit's batch (measured: a 16k-record state commit's put loop took half
 * as long with slab keys).
 */
const newKey = (n: number): Uint8Array => allocBytes(n);

const withHeight = (prefix: number, h: number, extra = 0): Uint8Array => {
  const k = newKey(9 + extra);
  k[0] = prefix;
  writeU64(k, 1, h);
  return k;
};

export const metaKey = (): Uint8Array => Uint8Array.of(Prefix.META);
export const importKey = (): Uint8Array => Uint8Array.of(Prefix.IMPORT);
export const rootKey = (ver: number): Uint8Array => withHeight(Prefix.ROOT, ver);
export const staleKey = (ver: number): Uint8Array => withHeight(Prefix.STALE, ver);

/** Bytes of the NODE key of a node at `depth`. */
export const nodeKeyLength = (depth: number): number => 10 + ((depth + 1) >> 1);

/** Write the NODE key of (ver, depth, path of `keyHash`) into `k` at `at`; returns the end. */
export function writeNodeKey(k: Uint8Array, at: number, ver: number, depth: number, keyHash: Uint8Array): number {
  const n = (depth + 1) >> 1;
  k[at] = Prefix.NODE;
  writeU64(k, at + 1, ver);
  k[at + 9] = depth;
  for (let i = 0; i < n; i++) k[at + 10 + i] = keyHash[i]!;
  if (depth & 1) k[at + 9 + n] = k[at + 9 + n]! & 0xf0;
  return at + 10 + n;
}

/** 'N' ver depth path: `path` is the first `depth` nibbles of `keyHash`, packed, a trailing odd nibble zeroed. */
export function nodeKey(ver: number, depth: number, keyHash: Uint8Array): Uint8Array {
  const k = newKey(nodeKeyLength(depth));
  writeNodeKey(k, 0, ver, depth, keyHash);
  return k;
}

export const LEAF_KEY_LENGTH = 41;

/** Write the LEAF key of (keyHash, ver) into `k` at `at`; returns the end. */
export function writeLeafKey(k: Uint8Array, at: number, keyHash: Uint8Array, ver: number): number {
  k[at] = Prefix.LEAF;
  k.set(keyHash, at + 1);
  writeU64(k, at + 33, ver);
  return at + LEAF_KEY_LENGTH;
}

export function leafKey(keyHash: Uint8Array, ver: number): Uint8Array {
  const k = newKey(LEAF_KEY_LENGTH);
  writeLeafKey(k, 0, keyHash, ver);
  return k;
}

export const blockKey = (h: number): Uint8Array => withHeight(Prefix.BLOCK, h);
export const blocksOldestKey = (): Uint8Array => Uint8Array.of(Prefix.BLOCKS_OLDEST);
export const blockPruneKey = (h: number): Uint8Array => withHeight(Prefix.BLOCK_PRUNE, h);
export const commitKey = (h: number): Uint8Array => withHeight(Prefix.COMMIT, h);

export function hashKey(prefix: number, hash: Uint8Array): Uint8Array {
  const k = newKey(1 + hash.length);
  k[0] = prefix;
  k.set(hash, 1);
  return k;
}
export const blockHashKey = (hash: Uint8Array): Uint8Array => hashKey(Prefix.BLOCK_HASH, hash);
export const txKey = (hash: Uint8Array): Uint8Array => hashKey(Prefix.TX, hash);

export function receiptKey(h: number, idx: number): Uint8Array {
  const k = withHeight(Prefix.RECEIPT, h, 4);
  writeU32(k, 9, idx);
  return k;
}

function checkAccount(account: Uint8Array): void {
  if (!(account instanceof Uint8Array) || account.length === 0 || account.length > MAX_ACCOUNT_BYTES) {
    throw invalidInput(`an account is 1..${MAX_ACCOUNT_BYTES} bytes`, { length: account?.length });
  }
}

/** The prefix shared by every index entry of `account` under `prefix` ('a'). */
export function accountPrefix(prefix: number, account: Uint8Array): Uint8Array {
  checkAccount(account);
  const k = new Uint8Array(2 + account.length);
  k[0] = prefix;
  k[1] = account.length;
  k.set(account, 2);
  return k;
}

/** Account index key: prefix, then h and idx. */
export function accountKey(prefix: number, account: Uint8Array, h: number, idx: number): Uint8Array {
  checkAccount(account);
  const at = 2 + account.length;
  const k = newKey(at + 12);
  k[0] = prefix;
  k[1] = account.length;
  k.set(account, 2);
  writeU64(k, at, h);
  writeU32(k, at + 8, idx);
  return k;
}

/** The smallest key greater than every key starting with `prefix` (an exclusive upper bound). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const k = prefix.slice();
  for (let i = k.length - 1; i >= 0; i--) {
    if (k[i]! < 0xff) {
      k[i]!++;
      return k.subarray(0, i + 1);
    }
  }
  return Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
}
