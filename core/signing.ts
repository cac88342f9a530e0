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

/** The prefix of signBytes up to the payload (domain, array header, tag, chain id), by tag and chain id. */
const prefixes = new Map<string, Uint8Array>();
const MAX_PREFIXES = 64;

function prefixOf(tag: string, chainId: string): Uint8Array {
  const id = `${tag}\u0000${chainId}`;
  let p = prefixes.get(id);
  if (p === undefined) {
    p = concatBytes(domainPrefix(Domain.SIGN), Uint8Array.of(0x93), packWire(tag), packWire(chainId));
    // Bounded: chain ids come from transactions, and a peer may send any.
    if (prefixes.size < MAX_PREFIXES) prefixes.set(id, p);
  }
  return p;
}

/**
 * `signBytes(tag, chainId, payload)` where the payload is `first` followed by `rest`, built
 * without encoding: the payload is one msgpack bin (shortest header, as msgpackr writes it).
 */
export function signBytesOfPayload(tag: string, chainId: string, first: number, rest: Uint8Array): Uint8Array {
  const prefix = prefixOf(tag, chainId);
  const len = 1 + rest.length;
  const head = len < 0x100 ? 2 : len < 0x1_0000 ? 3 : 5;
  const out = new Uint8Array(prefix.length + head + len);
  out.set(prefix, 0);
  let o = prefix.length;
  if (head === 2) {
    out[o++] = 0xc4;
    out[o++] = len;
  } else if (head === 3) {
    out[o++] = 0xc5;
    out[o++] = len >>> 8;
    out[o++] = len & 0xff;
  } else {
    out[o++] = 0xc6;
    out[o++] = len >>> 24;
    out[o++] = (len >>> 16) & 0xff;
    out[o++] = (len >>> 8) & 0xff;
    out[o++] = len & 0xff;
  }
  out[o++] = first;
  out.set(rest, o);
  return out;
}

export function signFor(tag: string, chainId: string, payload: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return sign(signBytes(tag, chainId, payload), secretKey);
}

export function verifyFor(tag: string, chainId: string, payload: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  return verify(signature, signBytes(tag, chainId, payload), publicKey);
}
