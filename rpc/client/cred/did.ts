/**
 * did:key for Ed25519 (W3C CCG "The did:key Method"): a DID that is its own public key. The
 * method-specific id is the multibase base58btc ("z...") of the multicodec varint of
 * ed25519-pub (0xed, as the two bytes 0xed 0x01) followed by the 32-byte key, so every such
 * DID starts "did:key:z6Mk". Its one verification method is `${did}#${multibase}` (the
 * fragment repeats the id), usable for assertionMethod and authentication. Only Ed25519 keys
 * are accepted, and only keys the network's verification rule accepts (core
 * `isValidPublicKey`: canonical, on the curve, not of small order); anything else, another DID
 * method or multicodec, or a malformed string is CRED_DID_INVALID. Decoded keys are cached
 * (a verifier sees the same issuers again and again); callers get a copy.
 */
import { base58btc } from 'multiformats/bases/base58';
import { varint } from 'multiformats';
import { equalBytes, isValidPublicKey, keyPairFromSecret, PUBLIC_KEY_LENGTH, SECRET_KEY_LENGTH, type KeyPair } from '../../../core/index.js';
import { credFail } from './errors.js';

export const DID_KEY_PREFIX = 'did:key:';
/** The multicodec code of an Ed25519 public key. */
export const ED25519_PUB_MULTICODEC = 0xed;
const MULTICODEC_PREFIX = Uint8Array.of(0xed, 0x01);
/** Longer than any did:key of an Ed25519 key (56 characters): refused before decoding. */
const MAX_DID_LENGTH = 128;

const CACHE_LIMIT = 1024;
/** The multibase forms of keys already checked, by the key's hex (an issuer signs with one key again and again). */
const multibaseCache = new Map<string, string>();

/** The multibase form ("z6Mk...") of an Ed25519 public key: did:key's id and fragment. */
export function multibaseOfPublicKey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) credFail('CRED_DID_INVALID', 'not a valid Ed25519 public key');
  const hex = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString('hex');
  const hit = multibaseCache.get(hex);
  if (hit !== undefined) return hit;
  if (!isValidPublicKey(publicKey)) credFail('CRED_DID_INVALID', 'not a valid Ed25519 public key');
  const bytes = new Uint8Array(MULTICODEC_PREFIX.length + PUBLIC_KEY_LENGTH);
  bytes.set(MULTICODEC_PREFIX, 0);
  bytes.set(publicKey, MULTICODEC_PREFIX.length);
  const multibase = base58btc.encode(bytes);
  if (multibaseCache.size >= CACHE_LIMIT) multibaseCache.clear();
  multibaseCache.set(hex, multibase);
  return multibase;
}

/** The did:key of an Ed25519 public key. */
export function didKeyOf(publicKey: Uint8Array): string {
  return DID_KEY_PREFIX + multibaseOfPublicKey(publicKey);
}

const keyCache = new Map<string, Uint8Array>();

/** The Ed25519 key of a multibase "z6Mk..." value (did:key's id). */
export function publicKeyOfMultibase(multibase: string): Uint8Array {
  const hit = keyCache.get(multibase);
  if (hit !== undefined) return Uint8Array.from(hit);
  if (typeof multibase !== 'string' || multibase.length === 0 || multibase.length > MAX_DID_LENGTH) credFail('CRED_DID_INVALID', 'not a did:key multibase value');
  if (multibase[0] !== 'z') credFail('CRED_DID_INVALID', 'did:key must be multibase base58btc ("z...")', { prefix: multibase[0] });
  let bytes: Uint8Array;
  try {
    bytes = base58btc.decode(multibase);
  } catch {
    return credFail('CRED_DID_INVALID', 'did:key is not valid base58btc');
  }
  let codec: number;
  try {
    [codec] = varint.decode(bytes);
  } catch {
    return credFail('CRED_DID_INVALID', 'did:key does not start with a multicodec varint');
  }
  if (codec !== ED25519_PUB_MULTICODEC || bytes[0] !== MULTICODEC_PREFIX[0] || bytes[1] !== MULTICODEC_PREFIX[1]) {
    credFail('CRED_DID_INVALID', `did:key multicodec 0x${codec.toString(16)} is not ed25519-pub (0xed)`, { codec });
  }
  if (bytes.length !== MULTICODEC_PREFIX.length + PUBLIC_KEY_LENGTH) {
    credFail('CRED_DID_INVALID', `an ed25519-pub did:key holds ${PUBLIC_KEY_LENGTH} bytes, not ${bytes.length - MULTICODEC_PREFIX.length}`);
  }
  const key = bytes.slice(MULTICODEC_PREFIX.length);
  if (!isValidPublicKey(key)) credFail('CRED_DID_INVALID', 'the did:key holds a key the verification rule refuses (not canonical, not on the curve, or of small order)');
  if (keyCache.size >= CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(multibase, key);
  return Uint8Array.from(key);
}

/** The Ed25519 public key a did:key names. */
export function publicKeyOfDidKey(did: string): Uint8Array {
  if (typeof did !== 'string' || !did.startsWith(DID_KEY_PREFIX)) credFail('CRED_DID_INVALID', 'not a did:key', { did: String(did).slice(0, 80) });
  const id = did.slice(DID_KEY_PREFIX.length);
  if (/[#?/;]/.test(id)) credFail('CRED_DID_INVALID', 'a did:key with a path, query or fragment is a DID URL, not a DID', { did: did.slice(0, 80) });
  return publicKeyOfMultibase(id);
}

/** True when `did` is a did:key of an acceptable Ed25519 key. */
export function isDidKey(did: unknown): did is string {
  try {
    publicKeyOfDidKey(did as string);
    return true;
  } catch {
    return false;
  }
}

/** The id of the verification method of a did:key (`${did}#${fragment}`, fragment = the multibase value). */
export function verificationMethodOf(did: string): string {
  publicKeyOfDidKey(did);
  return `${did}#${did.slice(DID_KEY_PREFIX.length)}`;
}

export interface VerificationMethodRef {
  /** The DID that controls the method. */
  did: string;
  /** The fragment after '#'. */
  fragment: string;
  publicKey: Uint8Array;
}

/** Parse a did:key verification method id; its fragment must be the key's multibase value, as did:key defines. */
export function parseVerificationMethod(id: string): VerificationMethodRef {
  if (typeof id !== 'string' || id.length > 2 * MAX_DID_LENGTH) credFail('CRED_DID_INVALID', 'not a verification method id');
  const hash = id.indexOf('#');
  if (hash < 0) credFail('CRED_DID_INVALID', 'a verification method id has a #fragment', { id: id.slice(0, 80) });
  const did = id.slice(0, hash);
  const fragment = id.slice(hash + 1);
  const publicKey = publicKeyOfDidKey(did);
  if (fragment !== did.slice(DID_KEY_PREFIX.length)) credFail('CRED_DID_INVALID', "a did:key verification method's fragment is the key's multibase value", { id: id.slice(0, 200) });
  return { did, fragment, publicKey };
}

/** Key pairs already checked, by their secret key array (with copies, to notice an in-place change). */
const checkedPairs = new WeakMap<Uint8Array, { secretKey: Uint8Array; publicKey: Uint8Array }>();

/** Throw CRED_MALFORMED unless `key` is a core KeyPair whose public key is its secret key's. */
export function assertKeyPair(key: unknown, what = 'key'): asserts key is KeyPair {
  const k = key as Partial<KeyPair> | null;
  if (typeof k !== 'object' || k === null || !(k.secretKey instanceof Uint8Array) || !(k.publicKey instanceof Uint8Array) || k.secretKey.length !== SECRET_KEY_LENGTH) {
    credFail('CRED_MALFORMED', `${what} must be a key pair (a ${SECRET_KEY_LENGTH}-byte secretKey and its publicKey)`);
  }
  const hit = checkedPairs.get(k.secretKey);
  if (hit !== undefined && equalBytes(hit.secretKey, k.secretKey) && equalBytes(hit.publicKey, k.publicKey)) return;
  const derived = keyPairFromSecret(Uint8Array.from(k.secretKey)).publicKey;
  if (!equalBytes(derived, k.publicKey)) credFail('CRED_MALFORMED', `${what}: publicKey is not the secret key's`);
  checkedPairs.set(k.secretKey, { secretKey: Uint8Array.from(k.secretKey), publicKey: derived });
}
