/**
 * Ed25519 keys, signing and the network's one verification rule.
 *
 * Keys are generated and messages signed with @noble/curves (RFC 8032; signing is
 * deterministic, so every path signs the same bytes). Verification implementations disagree
 * on edge cases (see docs/crypto.md and core/test/vectors/ed25519.json), so the network pins
 * one rule, SOV-ED25519-STRICT, and every path enforces it:
 *
 *   1. the public key is 32 bytes and the signature 64 bytes;
 *   2. S (the signature's last 32 bytes, little-endian) is below the group order L;
 *   3. A (the public key) and R (the signature's first 32 bytes) are canonical encodings:
 *      y < p, and not the negative-zero forms of x = 0;
 *   4. neither A nor R is one of the eight points of small order;
 *   5. A and R decode to curve points, and the cofactorless equation holds:
 *      encode([S]B - [k]A) == R, with k = SHA-512(R || A || M) mod L.
 *
 * Steps 1-4 are a byte-level pre-check shared by every path (`precheck`). Step 5 is done
 * either by OpenSSL through node:crypto (the fast path, about 11x noble here, with KeyObjects
 * cached per key) or by `verifyNoble`, the reference implementation on noble's point
 * arithmetic. OpenSSL's check is the cofactorless byte comparison of step 5, so once the
 * pre-check has run both paths compute the same predicate; the vectors prove it on every
 * edge case, and a property test on mixed-order keys.
 *
 * Where there is no node:crypto (a browser bundle: core/platform-browser.ts), signing is
 * @noble/curves' (the same bytes) and `verify` is `verifyNoble`: the same rule, slower.
 */
import type { KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { CryptoError, ErrorCodes } from './errors.js';
import { concatBytes, equalBytes, fromHex, toHex } from './bytes.js';
import { nodeCrypto } from './platform.js';

export const PUBLIC_KEY_LENGTH = 32;
export const SECRET_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function generateKeyPair(): KeyPair {
  const secretKey = ed25519.utils.randomSecretKey();
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_LENGTH) {
    throw new CryptoError(ErrorCodes.CRYPTO_BAD_KEY, `secret key must be ${SECRET_KEY_LENGTH} bytes`);
  }
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_LENGTH) {
    throw new CryptoError(ErrorCodes.CRYPTO_BAD_KEY, `secret key must be ${SECRET_KEY_LENGTH} bytes`);
  }
  if (nodeCrypto === null) return ed25519.sign(message, secretKey);
  return new Uint8Array(nodeCrypto.sign(null, message, privateKeyObject(secretKey)));
}

/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = fromHex('302e020100300506032b657004220420');
/** Parsed signing keys by the seed array that was passed (a node signs with one key again and again). */
const privateKeys = new WeakMap<Uint8Array, { seed: Uint8Array; key: KeyObject }>();

/**
 * Signing goes through OpenSSL (about 25x noble here); Ed25519 signatures are deterministic,
 * so the bytes are the same as noble's (core/test checks both on every vector). The parsed
 * key is kept per seed array, and dropped if that array was changed in place.
 */
function privateKeyObject(secretKey: Uint8Array): KeyObject {
  const hit = privateKeys.get(secretKey);
  if (hit && equalBytes(hit.seed, secretKey)) return hit.key;
  const key = nodeCrypto!.createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_ED25519_PREFIX, secretKey)), format: 'der', type: 'pkcs8' });
  privateKeys.set(secretKey, { seed: Uint8Array.from(secretKey), key });
  return key;
}

// Group order L and field prime p, little-endian byte forms for the byte-level pre-check.
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const L_LE = bigToLE(L);
const P_LE = bigToLE(P);

function bigToLE(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** a < b for 32-byte little-endian numbers. */
function lessThanLE(a: Uint8Array, offset: number, b: Uint8Array, topMask = 0xff): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = i === 31 ? a[offset + i]! & topMask : a[offset + i]!;
    const y = b[i]!;
    if (x !== y) return x < y;
  }
  return false;
}

/**
 * The eight small-order points in their canonical encodings, plus the two negative-zero
 * encodings of x = 0 (y = 1 and y = -1 with the sign bit set), which step 3 also refuses.
 */
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  '0100000000000000000000000000000000000000000000000000000000000080',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
].map((h) => fromHex(h));

function isExcludedPoint(buf: Uint8Array, offset: number): boolean {
  for (const s of SMALL_ORDER) {
    let same = true;
    for (let i = 0; i < 32; i++) {
      if (buf[offset + i] !== s[i]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

/** Steps 1-4 of the rule: cheap checks on bytes, shared by every verification path. */
export function precheck(signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  if (!lessThanLE(signature, 32, L_LE)) return false; // S < L
  if (!lessThanLE(publicKey, 0, P_LE, 0x7f)) return false; // y(A) < p
  if (!lessThanLE(signature, 0, P_LE, 0x7f)) return false; // y(R) < p
  if (isExcludedPoint(publicKey, 0) || isExcludedPoint(signature, 0)) return false;
  return true;
}

// ---- node:crypto path ----

const SPKI_PREFIX = fromHex('302a300506032b6570032100');
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, KeyObject | null>();

function keyObjectFor(publicKey: Uint8Array): KeyObject | null {
  const id = toHex(publicKey);
  let k = keyCache.get(id);
  if (k !== undefined) return k;
  try {
    k = nodeCrypto!.createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX, publicKey)), format: 'der', type: 'spki' });
  } catch {
    k = null; // not a point on the curve: OpenSSL refuses to load it
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next().value;
    if (oldest !== undefined) keyCache.delete(oldest);
  }
  keyCache.set(id, k);
  return k;
}

/** The pinned rule, step 5 through OpenSSL. Throws where there is no node:crypto (a browser bundle). */
export function verifyNode(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (nodeCrypto === null) throw new Error('verifyNode: no node:crypto here (a browser bundle); verify and verifyNoble work');
  if (!precheck(signature, publicKey)) return false;
  const key = keyObjectFor(publicKey);
  if (key === null) return false;
  try {
    return nodeCrypto.verify(null, message, key, signature);
  } catch {
    return false;
  }
}

// ---- noble reference path ----

const Point = ed25519.Point;

function leToBig(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** The pinned rule, step 5 with noble's point arithmetic (cofactorless, strict decoding). */
export function verifyNoble(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!precheck(signature, publicKey)) return false;
  try {
    const A = Point.fromBytes(publicKey, false);
    Point.fromBytes(signature.subarray(0, 32), false); // R must decode to a point
    const r = signature.subarray(0, 32);
    const s = leToBig(signature.subarray(32, 64));
    const k = leToBig(sha512(concatBytes(r, publicKey, message))) % L;
    const check = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
    return equalBytes(check.toBytes(), r);
  } catch {
    return false;
  }
}

/** @noble/curves' own verify (cofactored; ZIP-215 or RFC 8032 decoding). Not the rule: benchmarks only. */
export function verifyNobleRaw(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, zip215: boolean): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215 });
  } catch {
    return false;
  }
}

export type VerifyPath = 'node' | 'noble';
export const VERIFY_PATHS: Readonly<Record<VerifyPath, typeof verifyNode>> = { node: verifyNode, noble: verifyNoble };

/** The network's verification (SOV-ED25519-STRICT) on the fastest path (noble's where there is no node:crypto). Never throws. */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (nodeCrypto === null) return verifyNoble(signature, message, publicKey);
  return verifyNode(signature, message, publicKey);
}

/** True when `publicKey` is usable as an account or validator key under the rule. */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  if (!lessThanLE(publicKey, 0, P_LE, 0x7f) || isExcludedPoint(publicKey, 0)) return false;
  try {
    Point.fromBytes(publicKey, false);
    return true;
  } catch {
    return false;
  }
}
