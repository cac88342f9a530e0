/**
 * bench:core: the core primitives' rates beside the raw rates of the libraries under them,
 * measured in the same run on the same inputs:
 * - Ed25519 sign (core, i.e. noble) and verify on each path: core's node:crypto path (the
 *   network rule's fast path: pre-check + OpenSSL with a cached KeyObject), raw node:crypto,
 *   core's noble reference path, and raw @noble/curves verify;
 * - SHA-256: core hashOf (with domain prefix) vs raw node:crypto hash and @noble/hashes;
 * - tx encode/decode (schema + canonical checks) vs raw msgpackr pack/unpack of the same value.
 * The last line is a JSON object of the figures; `ratio` is the chosen verification path's
 * rate over raw noble's.
 */
import { createPublicKey, hash as nodeHash, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { Packr } from 'msgpackr';
import {
  addressFromPublicKey, Domain, encode, fromHex, generateKeyPair, hashOf, PACKR_OPTIONS, sign, signTx, Tx, TxSchema, verifyNoble,
  verifyNode, amount, struct, str, addressField,
} from '../core/index.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 1500);

function rate(name: string, fn: (i: number) => unknown): number {
  for (let i = 0; i < 200; i++) fn(i); // warm up
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0;
  while (elapsed < DURATION_MS) {
    for (let k = 0; k < 100; k++) fn(n++);
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const perSec = Math.round((n / elapsed) * 1000);
  console.log(`${name.padEnd(44)} ${perSec.toLocaleString('en-US').padStart(12)} /s`);
  return perSec;
}

const kp = generateKeyPair();
const msgs = Array.from({ length: 256 }, (_, i) => new Uint8Array(120).fill(i));
const sigs = msgs.map((m) => sign(m, kp.secretKey));
const keyObject = createPublicKey({ key: Buffer.concat([fromHex('302a300506032b6570032100'), kp.publicKey]), format: 'der', type: 'spki' });

console.log(`bench:core on node ${process.version}, ${DURATION_MS} ms per figure\n`);
console.log('Ed25519');
const signCore = rate('sign (core = noble)', (i) => sign(msgs[i & 255]!, kp.secretKey));
const signRaw = rate('sign (raw @noble/curves)', (i) => ed25519.sign(msgs[i & 255]!, kp.secretKey));
const verifyNodeCore = rate('verify, core node:crypto path (the rule)', (i) => verifyNode(sigs[i & 255]!, msgs[i & 255]!, kp.publicKey));
const verifyNodeRaw = rate('verify, raw node:crypto (cached KeyObject)', (i) => nodeVerify(null, msgs[i & 255]!, keyObject, sigs[i & 255]!));
const verifyNobleCore = rate('verify, core noble path (the rule)', (i) => verifyNoble(sigs[i & 255]!, msgs[i & 255]!, kp.publicKey));
const verifyNobleRaw = rate('verify, raw @noble/curves (zip215: false)', (i) => ed25519.verify(sigs[i & 255]!, msgs[i & 255]!, kp.publicKey, { zip215: false }));

console.log('\nSHA-256 (80-byte input)');
const data = new Uint8Array(80).fill(7);
const hashCore = rate('core hashOf (with domain prefix)', () => hashOf(Domain.TX, data));
const hashNode = rate('raw node:crypto hash', () => nodeHash('sha256', data, 'buffer'));
const hashNoble = rate('raw @noble/hashes sha256', () => nobleSha256(data));

console.log('\nTransaction codec (one transfer, signed)');
const Transfer = struct('Transfer', { to: addressField, amount, memo: str(140) });
const args = encode(Transfer, { to: addressFromPublicKey(kp.publicKey), amount: 12_345_678n, memo: 'invoice 42' });
const tx = signTx({ chainId: 'sov-bench', signer: addressFromPublicKey(kp.publicKey), nonce: 1, expiry: 100, body: { module: 'bank', method: 'transfer', args } }, [kp.secretKey]);
const packr = new Packr({ ...PACKR_OPTIONS });
const wire = TxSchema.toWire(tx.data, 'Tx');
const encodeCore = rate(`tx encode, core (${tx.bytes.length} bytes)`, () => encode(TxSchema, tx.data));
const encodeRaw = rate('tx encode, raw msgpackr pack', () => packr.pack(wire));
const decodeCore = rate('tx decode, core (canonical checks + hash)', () => Tx.decode(tx.bytes));
const decodeRaw = rate('tx decode, raw msgpackr unpack', () => packr.unpack(tx.bytes));

const figures = {
  signPerSec: signCore,
  signRawNoblePerSec: signRaw,
  verifyPath: 'node:crypto',
  verifyNodeCorePerSec: verifyNodeCore,
  verifyNodeRawPerSec: verifyNodeRaw,
  verifyNobleCorePerSec: verifyNobleCore,
  verifyNobleRawPerSec: verifyNobleRaw,
  hashCorePerSec: hashCore,
  hashNodeRawPerSec: hashNode,
  hashNobleRawPerSec: hashNoble,
  txEncodeCorePerSec: encodeCore,
  txEncodeRawPerSec: encodeRaw,
  txDecodeCorePerSec: decodeCore,
  txDecodeRawPerSec: decodeRaw,
  ratio: Number((verifyNodeCore / verifyNobleRaw).toFixed(2)),
};
console.log(`\nchosen verification path: node:crypto (pre-check + OpenSSL), ${figures.ratio}x raw noble`);
console.log(JSON.stringify(figures));
