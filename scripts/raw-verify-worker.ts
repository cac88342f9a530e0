/**
 * A worker for `rawVerifyCapacity` (bench-util.ts): verifies distinct Ed25519 signatures
 * with core's `verify` (node:crypto, each key's KeyObject cached, as the nodes verify) for
 * `ms` milliseconds and posts how many it verified per second. Nothing else is in the loop:
 * no transaction decoding, no messages per batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { keyPairFromSecret, sign, verify } from '../core/index.js';

const { ms, seed } = workerData as { ms: number; seed: number };
const keys = Array.from({ length: 16 }, (_, i) => keyPairFromSecret(new Uint8Array(32).fill(seed * 16 + i + 1)));
// Messages the size of a transfer's sign bytes.
const items = Array.from({ length: 2000 }, (_, i) => {
  const k = keys[i % keys.length]!;
  const msg = new Uint8Array(160);
  new DataView(msg.buffer).setUint32(0, i);
  return { sig: sign(msg, k.secretKey), msg, pub: k.publicKey };
});
for (const it of items.slice(0, 200)) verify(it.sig, it.msg, it.pub);
const t0 = performance.now();
let n = 0;
while (performance.now() - t0 < ms) {
  for (const it of items) if (!verify(it.sig, it.msg, it.pub)) throw new Error('a valid signature failed');
  n += items.length;
}
parentPort!.postMessage(n / ((performance.now() - t0) / 1000));
