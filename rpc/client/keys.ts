/**
 * Keystore loading for SDK users: a wallet or a bank's tool opens its encrypted keystore
 * (the format `sov keys generate` writes) to sign with the SDK's transaction builder.
 */
import { readFile } from 'node:fs/promises';
import { KeystoreError, openKeystore, parseKeystore, type KeyPair } from '../../core/index.js';

/** Open a keystore file with its password; every problem is a KeystoreError. */
export async function loadKeystore(path: string, password: string): Promise<KeyPair> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new KeystoreError('KEYSTORE_INVALID', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeystoreError('KEYSTORE_INVALID', `${path} is not JSON`);
  }
  return openKeystore(parseKeystore(json), password);
}
