/**
 * Encrypted keystores: one Ed25519 secret key per file, encrypted with AES-256-GCM under a
 * key derived from a password by scrypt (both from the noble libraries). The public key, the
 * key's purpose and the KDF parameters are in clear and bound to the ciphertext as associated
 * data, so `sov keys show` needs no password and a file whose header was edited does not
 * decrypt. Decryption also checks that the secret key derives the stored public key.
 *
 * File format (JSON), version 1:
 *   { "version": 1, "type": "validator" | "node" | "account", "publicKey": hex,
 *     "crypto": { "kdf": "scrypt", "kdfparams": { "n", "r", "p", "dklen": 32, "salt": hex },
 *                 "cipher": "aes-256-gcm", "nonce": hex (12 bytes), "ciphertext": hex (32 + 16 tag) } }
 */
import { scrypt } from '@noble/hashes/scrypt.js';
import { gcm } from '@noble/ciphers/aes.js';
import { fromHex, toHex, equalBytes, utf8 } from './bytes.js';
import { generateKeyPair, keyPairFromSecret, type KeyPair } from './ed25519.js';
import { SovError } from './errors.js';
import { randomBytes } from './platform.js';

export const KEY_TYPES = ['validator', 'node', 'account'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const KeystoreErrors = {
  KEYSTORE_INVALID: 'KEYSTORE_INVALID',
  KEYSTORE_WRONG_PASSWORD: 'KEYSTORE_WRONG_PASSWORD',
  KEYSTORE_WEAK_PASSWORD: 'KEYSTORE_WEAK_PASSWORD',
} as const;

export class KeystoreError extends SovError {
  constructor(code: keyof typeof KeystoreErrors, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}

export interface ScryptParams {
  readonly n: number;
  readonly r: number;
  readonly p: number;
}

/** Default work factor: about 0.7 s on this project's machine, as Ethereum keystores. */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ n: 2 ** 17, r: 8, p: 1 });
/** The least a keystore may use when read (refuses files made with a trivially weak KDF). */
const MIN_SCRYPT_N = 2 ** 10;
const MAX_SCRYPT_N = 2 ** 20;
export const MIN_PASSWORD_LENGTH = 8;

export interface KeystoreFile {
  version: 1;
  type: KeyType;
  publicKey: string;
  crypto: {
    kdf: 'scrypt';
    kdfparams: { n: number; r: number; p: number; dklen: 32; salt: string };
    cipher: 'aes-256-gcm';
    nonce: string;
    ciphertext: string;
  };
}

function aad(type: KeyType, publicKey: string, params: KeystoreFile['crypto']['kdfparams']): Uint8Array {
  return utf8(JSON.stringify(['sov-keystore-v1', type, publicKey, params.n, params.r, params.p, params.dklen, params.salt]));
}

function derive(password: string, salt: Uint8Array, p: ScryptParams): Uint8Array {
  return scrypt(utf8(password.normalize('NFKC')), salt, { N: p.n, r: p.r, p: p.p, dkLen: 32 });
}

/** Encrypt `keyPair` (or a fresh key) under `password`. */
export function createKeystore(type: KeyType, password: string, opts: { keyPair?: KeyPair; scrypt?: ScryptParams } = {}): KeystoreFile {
  if (!KEY_TYPES.includes(type)) throw new KeystoreError('KEYSTORE_INVALID', `unknown key type "${type}"`);
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new KeystoreError('KEYSTORE_WEAK_PASSWORD', `the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const kp = opts.keyPair ?? generateKeyPair();
  const params = opts.scrypt ?? DEFAULT_SCRYPT;
  const salt = new Uint8Array(randomBytes(32));
  const nonce = new Uint8Array(randomBytes(12));
  const kdfparams = { n: params.n, r: params.r, p: params.p, dklen: 32 as const, salt: toHex(salt) };
  const publicKey = toHex(kp.publicKey);
  const key = derive(password, salt, params);
  const ciphertext = gcm(key, nonce, aad(type, publicKey, kdfparams)).encrypt(kp.secretKey);
  return { version: 1, type, publicKey, crypto: { kdf: 'scrypt', kdfparams, cipher: 'aes-256-gcm', nonce: toHex(nonce), ciphertext: toHex(ciphertext) } };
}

/** Check a parsed JSON value is a well-formed keystore; every problem is a KeystoreError. */
export function parseKeystore(json: unknown): KeystoreFile {
  const bad = (why: string): never => {
    throw new KeystoreError('KEYSTORE_INVALID', `not a valid keystore: ${why}`);
  };
  if (typeof json !== 'object' || json === null) bad('not a JSON object');
  const k = json as Partial<KeystoreFile>;
  if (k.version !== 1) bad('unsupported version');
  if (!KEY_TYPES.includes(k.type as KeyType)) bad('unknown key type');
  if (typeof k.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(k.publicKey)) bad('publicKey must be 32 bytes of hex');
  const c = k.crypto;
  if (!c || c.kdf !== 'scrypt' || c.cipher !== 'aes-256-gcm') bad('unsupported kdf or cipher');
  const p = c!.kdfparams;
  if (!p || !Number.isInteger(p.n) || p.n < MIN_SCRYPT_N || p.n > MAX_SCRYPT_N || (p.n & (p.n - 1)) !== 0) bad('scrypt n must be a power of two in 2^10..2^20');
  if (!Number.isInteger(p.r) || p.r < 1 || p.r > 32 || !Number.isInteger(p.p) || p.p < 1 || p.p > 16 || p.dklen !== 32) bad('bad scrypt r, p or dklen');
  if (typeof p.salt !== 'string' || !/^[0-9a-f]{32,128}$/.test(p.salt)) bad('bad salt');
  if (typeof c!.nonce !== 'string' || !/^[0-9a-f]{24}$/.test(c!.nonce)) bad('nonce must be 12 bytes of hex');
  if (typeof c!.ciphertext !== 'string' || !/^[0-9a-f]{96}$/.test(c!.ciphertext)) bad('ciphertext must be 48 bytes of hex');
  return k as KeystoreFile;
}

/** Decrypt a keystore. Wrong password and tampering both give KEYSTORE_WRONG_PASSWORD. */
export function openKeystore(file: KeystoreFile, password: string): KeyPair {
  const k = parseKeystore(file);
  const p = k.crypto.kdfparams;
  const key = derive(password, fromHex(p.salt), p);
  let secretKey: Uint8Array;
  try {
    secretKey = gcm(key, fromHex(k.crypto.nonce), aad(k.type, k.publicKey, p)).decrypt(fromHex(k.crypto.ciphertext));
  } catch {
    throw new KeystoreError('KEYSTORE_WRONG_PASSWORD', 'wrong password, or the keystore was altered');
  }
  const kp = keyPairFromSecret(secretKey);
  if (!equalBytes(kp.publicKey, fromHex(k.publicKey))) {
    throw new KeystoreError('KEYSTORE_INVALID', 'the secret key does not match the stored public key');
  }
  return kp;
}
