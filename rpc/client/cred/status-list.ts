/**
 * Bitstring status lists (W3C "Bitstring Status List v1.0"): the ledger keeps, per issuer
 * list, a bitstring where bit i says whether the credential at index i is revoked (or, in a
 * suspension list, suspended). Bit i is bit i counted from the most significant bit of byte 0
 * (index 0 is the leftmost bit). Published as `encodedList`: multibase base64url (prefix "u",
 * no padding) of the GZIP of the bitstring, which must be at least 16 KB (131,072 entries)
 * uncompressed. Compression is node:zlib gzip at level 9; its bytes are deterministic for one
 * zlib build but are not promised across Node versions, and nothing depends on them (decoders
 * only gunzip; a list's identity is its bits). Decoding is bounded: a list that would inflate
 * past MAX_STATUS_LIST_BYTES is CRED_STATUS_LIST_TOO_LARGE, without inflating further. Also
 * the signed BitstringStatusListCredential (eddsa-jcs-2022, vc.ts) and the two
 * BitstringStatusListEntry objects (revocation, suspension) a credential carries; a list's
 * URL for a purpose is `${listBaseUrl}/${purpose}` (statusListUrl).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KeyPair } from '../../../core/index.js';
import { base64url } from 'multiformats/bases/base64';
import { assertKeyPair, didKeyOf } from './did.js';
import { CredError, credFail } from './errors.js';
import { isDateTimeStamp } from './json.js';
import { issuerOf, signCredential, VC_V2_CONTEXT, verifyCredentialProof, type DataIntegrityProof } from './vc.js';

/** The smallest list (16 KB: 131,072 entries), as the specification requires. */
export const MIN_STATUS_LIST_BYTES = 16 * 1024;
/** The largest list decoded or encoded (16 MiB: 134,217,728 entries). */
export const MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024;

export type StatusPurpose = 'revocation' | 'suspension';
export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

/** A new list of `entries` bits, all 0 (entries rounded up to whole bytes, at least the minimum). */
export function createStatusList(entries = MIN_STATUS_LIST_BYTES * 8): Uint8Array {
  if (!Number.isSafeInteger(entries) || entries < 1 || entries > MAX_STATUS_LIST_BYTES * 8) credFail('CRED_INDEX_OUT_OF_RANGE', `a list has 1 to ${MAX_STATUS_LIST_BYTES * 8} entries`);
  return new Uint8Array(Math.max(MIN_STATUS_LIST_BYTES, Math.ceil(entries / 8)));
}

function position(bits: Uint8Array, index: number): [number, number] {
  if (!(bits instanceof Uint8Array)) credFail('CRED_STATUS_LIST_INVALID', 'a status list is a Uint8Array');
  if (!Number.isSafeInteger(index) || index < 0 || index >= bits.length * 8) credFail('CRED_INDEX_OUT_OF_RANGE', `index ${index} is outside the list of ${bits.length * 8} entries`, { index, entries: bits.length * 8 });
  return [index >>> 3, 0x80 >>> (index & 7)];
}

/** Bit `index` of the list (index 0 = the most significant bit of byte 0). */
export function getBit(bits: Uint8Array, index: number): boolean {
  const [byte, mask] = position(bits, index);
  return (bits[byte]! & mask) !== 0;
}

/** Set bit `index` of the list in place. */
export function setBit(bits: Uint8Array, index: number, value: boolean): void {
  const [byte, mask] = position(bits, index);
  bits[byte] = value ? bits[byte]! | mask : bits[byte]! & ~mask;
}

function checkSize(n: number): void {
  if (n < MIN_STATUS_LIST_BYTES) credFail('CRED_STATUS_LIST_INVALID', `a status list is at least ${MIN_STATUS_LIST_BYTES} bytes (131,072 entries), not ${n}`, { bytes: n });
  if (n > MAX_STATUS_LIST_BYTES) credFail('CRED_STATUS_LIST_TOO_LARGE', `a status list is at most ${MAX_STATUS_LIST_BYTES} bytes`, { bytes: n });
}

/** The encodedList of a bitstring: "u" + base64url(gzip(bits)). */
export function encodeStatusList(bits: Uint8Array): string {
  if (!(bits instanceof Uint8Array)) credFail('CRED_STATUS_LIST_INVALID', 'a status list is a Uint8Array');
  checkSize(bits.length);
  return base64url.encode(gzipSync(bits, { level: 9 }));
}

/** The bitstring of an encodedList; bounded by MAX_STATUS_LIST_BYTES. */
export function decodeStatusList(encoded: string): Uint8Array {
  if (typeof encoded !== 'string' || encoded[0] !== 'u') credFail('CRED_STATUS_LIST_INVALID', 'encodedList is multibase base64url (it starts with "u")');
  if (!/^u[A-Za-z0-9_-]*$/.test(encoded)) credFail('CRED_STATUS_LIST_INVALID', 'encodedList has characters outside base64url (or padding)');
  // gzip never grows incompressible data by more than a little, so a longer text cannot be a list within the bound.
  if (encoded.length > Math.ceil(((MAX_STATUS_LIST_BYTES + 64 * 1024) * 4) / 3)) credFail('CRED_STATUS_LIST_TOO_LARGE', 'encodedList is longer than any list within the bound');
  let compressed: Uint8Array;
  try {
    compressed = base64url.decode(encoded);
  } catch {
    return credFail('CRED_STATUS_LIST_INVALID', 'encodedList is not canonical base64url');
  }
  let bits: Buffer;
  try {
    bits = gunzipSync(compressed, { maxOutputLength: MAX_STATUS_LIST_BYTES });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') credFail('CRED_STATUS_LIST_TOO_LARGE', `encodedList inflates past ${MAX_STATUS_LIST_BYTES} bytes`);
    return credFail('CRED_STATUS_LIST_INVALID', `encodedList is not gzip: ${(e as Error).message}`);
  }
  checkSize(bits.length);
  return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
}

/** The URL of an issuer's list for a purpose: `${listBaseUrl}/${purpose}`. */
export function statusListUrl(listBaseUrl: string, purpose: StatusPurpose): string {
  if (typeof listBaseUrl !== 'string' || !/^[a-z][a-z0-9+.-]*:[^\s#]*[^\s#/]$/i.test(listBaseUrl)) credFail('CRED_MALFORMED', 'listBaseUrl must be a URL without a fragment or a trailing slash');
  if (!STATUS_PURPOSES.includes(purpose)) credFail('CRED_MALFORMED', `statusPurpose must be one of ${STATUS_PURPOSES.join(', ')}`);
  return `${listBaseUrl}/${purpose}`;
}

export interface BitstringStatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  /** The index as a decimal string, as the specification has it. */
  statusListIndex: string;
  statusListCredential: string;
}

/** The two entries (revocation, then suspension) of the credential at `index` of the lists under `listBaseUrl`. */
export function credentialStatusEntries(listBaseUrl: string, index: number): BitstringStatusListEntry[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_STATUS_LIST_BYTES * 8) credFail('CRED_INDEX_OUT_OF_RANGE', `index ${index} is outside any list`, { index });
  return STATUS_PURPOSES.map((statusPurpose) => {
    const list = statusListUrl(listBaseUrl, statusPurpose);
    return { id: `${list}#${index}`, type: 'BitstringStatusListEntry', statusPurpose, statusListIndex: String(index), statusListCredential: list };
  });
}

export interface StatusListCredentialParams {
  /** The list credential's URL (statusListUrl(base, purpose)). */
  id: string;
  /** The issuer's did:key (that of issuerKey). */
  issuer: string;
  purpose: StatusPurpose;
  bits: Uint8Array;
  validFrom: string;
  validUntil?: string;
}

export interface StatusListCredential {
  '@context': string[];
  id: string;
  type: ['VerifiableCredential', 'BitstringStatusListCredential'];
  issuer: string;
  validFrom: string;
  validUntil?: string;
  credentialSubject: { id: string; type: 'BitstringStatusList'; statusPurpose: StatusPurpose; encodedList: string };
  proof: DataIntegrityProof;
}

/** A signed BitstringStatusListCredential (eddsa-jcs-2022) publishing `bits`. */
export function statusListCredential(params: StatusListCredentialParams, issuerKey: KeyPair, created: string): StatusListCredential {
  if (typeof params !== 'object' || params === null) credFail('CRED_MALFORMED', 'statusListCredential takes an object of parameters');
  const { id, issuer, purpose, bits, validFrom, validUntil } = params;
  assertKeyPair(issuerKey, 'issuerKey');
  if (typeof id !== 'string' || id === '' || id.includes('#')) credFail('CRED_MALFORMED', 'id must be a URL without a fragment');
  if (!STATUS_PURPOSES.includes(purpose)) credFail('CRED_MALFORMED', `statusPurpose must be one of ${STATUS_PURPOSES.join(', ')}`);
  if (issuer !== didKeyOf(issuerKey.publicKey)) credFail('CRED_ISSUER_MISMATCH', "issuer is not the key's did:key", { issuer });
  if (!isDateTimeStamp(validFrom) || (validUntil !== undefined && !isDateTimeStamp(validUntil))) credFail('CRED_MALFORMED', 'validFrom and validUntil must be XML Schema dateTimeStamps');
  const unsigned = {
    '@context': [VC_V2_CONTEXT],
    id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer,
    validFrom,
    ...(validUntil === undefined ? {} : { validUntil }),
    credentialSubject: { id: `${id}#list`, type: 'BitstringStatusList', statusPurpose: purpose, encodedList: encodeStatusList(bits) },
  };
  return signCredential(unsigned, issuerKey, { created }) as unknown as StatusListCredential;
}

export interface StatusListRead {
  id: string;
  issuer: string;
  purpose: StatusPurpose;
  bits: Uint8Array;
  publicKey: Uint8Array;
}

/** Verify a BitstringStatusListCredential (proof, issuer, shape) and decode its list. */
export function readStatusListCredential(vc: unknown): StatusListRead {
  const { publicKey } = verifyCredentialProof(vc);
  const c = vc as Partial<StatusListCredential>;
  const s = c.credentialSubject;
  if (!Array.isArray(c.type) || !c.type.includes('BitstringStatusListCredential') || typeof c.id !== 'string') {
    throw new CredError('CRED_STATUS_LIST_INVALID', 'not a BitstringStatusListCredential with an id');
  }
  if (typeof s !== 'object' || s === null || s.type !== 'BitstringStatusList' || !STATUS_PURPOSES.includes(s.statusPurpose) || typeof s.encodedList !== 'string') {
    throw new CredError('CRED_STATUS_LIST_INVALID', 'credentialSubject is not a BitstringStatusList of a known purpose');
  }
  return { id: c.id, issuer: issuerOf(vc as Record<string, unknown>), purpose: s.statusPurpose, bits: decodeStatusList(s.encodedList), publicKey };
}
