/**
 * Validator keys for simulations: validator i's secret key is SHA-256("sov-sim-validator-" + i),
 * so keys are the same in every run (and their verification keys stay cached). Test keys only.
 */
import { keyPairFromSecret, sha256, utf8, ValidatorSet, type KeyPair } from '../../core/index.js';

const cache: KeyPair[] = [];

export function simKeys(n: number): KeyPair[] {
  while (cache.length < n) cache.push(keyPairFromSecret(sha256(utf8(`sov-sim-validator-${cache.length}`))));
  return cache.slice(0, n);
}

export function simValidatorSet(powers: readonly number[]): ValidatorSet {
  const keys = simKeys(powers.length);
  return ValidatorSet.fromKeys(powers.map((power, i) => ({ publicKey: keys[i]!.publicKey, power })));
}
