/**
 * Validator keys for simulations: validator i's secret key is SHA-256("sov-sim-validator-" + i),
 * so keys are the same in every run (and their verification keys stay cached). Test keys only.
 */
import { keyPairFromSecret, sha256, sign, toHex, utf8, ValidatorSet, type KeyPair } from '../../core/index.js';

const cache: KeyPair[] = [];

export function simKeys(n: number): KeyPair[] {
  while (cache.length < n) cache.push(keyPairFromSecret(sha256(utf8(`sov-sim-validator-${cache.length}`))));
  return cache.slice(0, n);
}

export function simValidatorSet(powers: readonly number[]): ValidatorSet {
  const keys = simKeys(powers.length);
  return ValidatorSet.fromKeys(powers.map((power, i) => ({ publicKey: keys[i]!.publicKey, power })));
}

const SIGNATURE_CACHE_LIMIT = 200_000;
const signatures = new Map<string, Uint8Array>();

/**
 * Core `sign`, memoised. Ed25519 signing is deterministic, so this returns exactly the bytes
 * `sign` would; scenarios repeat many messages (same keys, heights, rounds and blocks), and
 * signing with noble dominates a run otherwise. Verification is never cached.
 */
export function memoSign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const id = toHex(secretKey) + toHex(message);
  let s = signatures.get(id);
  if (!s) {
    if (signatures.size >= SIGNATURE_CACHE_LIMIT) signatures.clear();
    s = sign(message, secretKey);
    signatures.set(id, s);
  }
  return s;
}
