/**
 * What a signature covers: a domain tag (what is signed), the chain id, and the canonical
 * bytes of the object. Encoded as the msgpack array [tag, chainId, payload] after the "sign"
 * domain prefix, so nothing signed for one chain or one purpose verifies for another.
 */
import { packWire } from './codec.js';
import { concatBytes } from './bytes.js';
import { domainPrefix, Domain } from './hash.js';
import { sign, verify } from './ed25519.js';

export function signBytes(tag: string, chainId: string, payload: Uint8Array): Uint8Array {
  return concatBytes(domainPrefix(Domain.SIGN), packWire([tag, chainId, payload]));
}

export function signFor(tag: string, chainId: string, payload: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return sign(signBytes(tag, chainId, payload), secretKey);
}

export function verifyFor(tag: string, chainId: string, payload: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  return verify(signature, signBytes(tag, chainId, payload), publicKey);
}
