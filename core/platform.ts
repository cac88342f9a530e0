/**
 * What core takes from its platform, in one file: SHA-256, random bytes, hex decoding, UTF-8
 * validation, and node:crypto's Ed25519 functions (OpenSSL). This is Node's file, the one the node and
 * every Node program load. A bundler building for a browser takes platform-browser.ts in
 * its place (package.json "browser" maps dist/core/platform.js to it): the same digests and
 * answers from @noble/hashes and Web APIs, and no OpenSSL, so ed25519.ts signs with
 * @noble/curves (the same bytes: Ed25519 signing is deterministic) and verifies on its
 * reference path `verifyNoble` under the same rule (docs/crypto.md).
 */
import { isUtf8 as nodeIsUtf8 } from 'node:buffer';
import { createPrivateKey, createPublicKey, hash as nodeHash, randomBytes as nodeRandomBytes, sign, verify } from 'node:crypto';

/** node:crypto's Ed25519 entry points that ed25519.ts uses (null where there is no node:crypto). */
export interface NodeCrypto {
  readonly createPrivateKey: typeof createPrivateKey;
  readonly createPublicKey: typeof createPublicKey;
  readonly sign: typeof sign;
  readonly verify: typeof verify;
}

export const nodeCrypto: NodeCrypto | null = { createPrivateKey, createPublicKey, sign, verify };

/** Plain SHA-256, no domain: only for interop (e.g. comparing with outside digests). */
export function sha256(data: Uint8Array): Uint8Array {
  // The digest as a latin1 string (one char per byte) copied into a small array: V8 keeps
  // 32-byte arrays on its heap, where a Buffer digest gets an external backing store each
  // (more than twice the time, and more garbage collection).
  const s = nodeHash('sha256', data, 'binary'); // 'binary' = latin1
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** SHA-256 of a string's UTF-8 (node:crypto hashes the string without an encoded copy first). */
export function sha256Utf8(text: string): Uint8Array {
  const s = nodeHash('sha256', text, 'binary');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** `n` bytes from the system's cryptographically secure generator. */
export function randomBytes(n: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(n));
}

/** Hex to bytes, up to the first pair that is not hex (Node's decoder; a trailing odd digit is ignored). */
export function decodeHex(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex');
}

/** True when `bytes` are well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF). */
export const isUtf8: (bytes: Uint8Array) => boolean = nodeIsUtf8;
