/**
 * platform.ts for a browser: what a bundler building for the browser takes in place of
 * platform.ts (package.json "browser" maps dist/core/platform.js to this file's output).
 * No node: built-in: SHA-256 from @noble/hashes, random bytes from `crypto.getRandomValues`,
 * hex decoding in plain code, UTF-8 validation from a fatal `TextDecoder`, and no node:crypto, so ed25519.ts signs with
 * @noble/curves and verifies on `verifyNoble`, the rule's reference path (docs/crypto.md).
 * core/test/platform.test.ts checks that each function gives platform.ts's answers.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { NodeCrypto } from './platform.js';

export const nodeCrypto: NodeCrypto | null = null;

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

const encoder = new TextEncoder();

/** SHA-256 of a string's UTF-8 (a lone surrogate is U+FFFD, as node:crypto encodes it). */
export function sha256Utf8(text: string): Uint8Array {
  return nobleSha256(encoder.encode(text));
}

/** Web Crypto fills at most 65,536 bytes a call. */
const RANDOM_CHUNK = 65_536;

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += RANDOM_CHUNK) globalThis.crypto.getRandomValues(out.subarray(o, Math.min(n, o + RANDOM_CHUNK)));
  return out;
}

/** A hex digit's value, or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  c |= 0x20; // lower case
  return c >= 97 && c <= 102 ? c - 87 : -1; // a-f
}

/** As Node's hex decoder: bytes up to the first pair that is not hex; a trailing odd digit is ignored. */
export function decodeHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return out.subarray(0, i);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** The WHATWG UTF-8 decoder in fatal mode refuses exactly what node:buffer's isUtf8 refuses. */
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function isUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
