/**
 * Account and validator addresses: 20 bytes, the first 20 of
 * hashOf("address", publicKey), shown to people as bech32m with the chain's own prefix
 * (e.g. `sov1...` on the dev chain), so an address for one jurisdiction is not mistaken for
 * another's. Parsing checks the checksum, the prefix and the length, with typed errors.
 */
import { bech32m } from '@scure/base';
import { Domain, hashOf } from './hash.js';
import { ErrorCodes, FormatError } from './errors.js';
import { PUBLIC_KEY_LENGTH } from './ed25519.js';
import { plainBytes } from './bytes.js';

export const ADDRESS_LENGTH = 20;
export const ADDRESS_PREFIX_RE = /^[a-z][a-z0-9]{0,15}$/;
/** bech32m's own limit on a whole string; ours are far shorter. */
const MAX_ADDRESS_CHARS = 90;

export function addressFromPublicKey(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new FormatError(ErrorCodes.ADDRESS_INVALID, `public key must be ${PUBLIC_KEY_LENGTH} bytes`);
  }
  return hashOf(Domain.ADDRESS, publicKey).subarray(0, ADDRESS_LENGTH);
}

export function checkAddressPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !ADDRESS_PREFIX_RE.test(prefix)) {
    throw new FormatError(ErrorCodes.ADDRESS_INVALID, `address prefix must match ${ADDRESS_PREFIX_RE}`, { prefix: String(prefix) });
  }
  return prefix;
}

export function encodeAddress(prefix: string, address: Uint8Array): string {
  checkAddressPrefix(prefix);
  if (!(address instanceof Uint8Array) || address.length !== ADDRESS_LENGTH) {
    throw new FormatError(ErrorCodes.ADDRESS_INVALID, `address must be ${ADDRESS_LENGTH} bytes`);
  }
  return bech32m.encode(prefix, bech32m.toWords(address));
}

/** Parse a bech32m address; `expectedPrefix` must match. */
export function decodeAddress(text: string, expectedPrefix: string): Uint8Array {
  if (typeof text !== 'string' || text.length > MAX_ADDRESS_CHARS) {
    throw new FormatError(ErrorCodes.ADDRESS_INVALID, 'not an address string');
  }
  let prefix: string;
  let words: number[];
  try {
    const d = bech32m.decode(text as `${string}1${string}`, MAX_ADDRESS_CHARS);
    prefix = d.prefix;
    words = d.words;
  } catch (e) {
    throw new FormatError(ErrorCodes.ADDRESS_INVALID, `invalid bech32m address: ${(e as Error).message}`, { value: text });
  }
  if (prefix !== expectedPrefix) {
    throw new FormatError(ErrorCodes.ADDRESS_WRONG_PREFIX, `address prefix "${prefix}" is not this chain's "${expectedPrefix}"`, {
      value: text,
      expected: expectedPrefix,
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = bech32m.fromWords(words);
  } catch (e) {
    throw new FormatError(ErrorCodes.ADDRESS_INVALID, `invalid address payload: ${(e as Error).message}`, { value: text });
  }
  if (bytes.length !== ADDRESS_LENGTH) {
    throw new FormatError(ErrorCodes.ADDRESS_INVALID, `address payload must be ${ADDRESS_LENGTH} bytes, got ${bytes.length}`, { value: text });
  }
  return plainBytes(bytes);
}
