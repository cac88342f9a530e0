/**
 * The pinned verification rule, SOV-ED25519-STRICT. Every verification path must return the
 * committed `expected` answer on every vector; a vector that one path accepts and another
 * rejects fails here. A property test builds mixed-order keys and signatures (the cases where
 * cofactored and cofactorless verification differ) and requires the paths to agree.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { fromHex, generateKeyPair, keyPairFromSecret, precheck, sign, toHex, verify, VERIFY_PATHS, concatBytes, isValidPublicKey } from '../index.js';
import { Rng, repoPath } from '../../test/index.js';

interface Vec { sk?: string; pk: string; msg: string; sig: string; expected: boolean; index?: number; reason?: string }
const vectors = JSON.parse(readFileSync(repoPath('core/test/vectors/ed25519.json'), 'utf8')) as { rfc8032: Vec[]; edge: Vec[] };
const paths = Object.entries(VERIFY_PATHS);

t.test('RFC 8032 vectors: deterministic signatures, accepted by every path', (tt) => {
  for (const v of vectors.rfc8032) {
    const kp = keyPairFromSecret(fromHex(v.sk!));
    tt.equal(toHex(kp.publicKey), v.pk, 'public key');
    tt.equal(toHex(sign(fromHex(v.msg), kp.secretKey)), v.sig, 'signature bytes');
    for (const [name, f] of paths) tt.equal(f(fromHex(v.sig), fromHex(v.msg), fromHex(v.pk)), true, `${name} accepts`);
  }
  tt.end();
});

t.test('edge vectors: every path gives the pinned answer', (tt) => {
  tt.equal(vectors.edge.length, 15);
  for (const v of vectors.edge) {
    const answers = paths.map(([name, f]) => [name, f(fromHex(v.sig), fromHex(v.msg), fromHex(v.pk))] as const);
    for (const [name, got] of answers) tt.equal(got, v.expected, `case ${v.index} (${v.reason}): ${name}`);
    tt.equal(verify(fromHex(v.sig), fromHex(v.msg), fromHex(v.pk)), v.expected, `case ${v.index}: default verify`);
  }
  tt.end();
});

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le = (b: Uint8Array): bigint => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
const toLE = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const Point = ed25519.Point;
// A torsion point of order 8.
const T8 = Point.fromBytes(fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'), false);

t.test('mixed-order keys and R: all paths agree (property, 400 cases)', (tt) => {
  const rng = new Rng(2024);
  let accepted = 0;
  let rejected = 0;
  for (let i = 0; i < 400; i++) {
    const a = (le(rng.bytes(32)) % (L - 1n)) + 1n;
    const tA = BigInt(1 + rng.int(7));
    const A = Point.BASE.multiply(a).add(T8.multiplyUnsafe(tA));
    const pk = A.toBytes();
    const msg = rng.bytes(rng.int(40));
    const r = (le(rng.bytes(32)) % (L - 1n)) + 1n;
    const tR = BigInt(rng.int(8));
    const R = Point.BASE.multiply(r).add(T8.multiplyUnsafe(tR));
    const rb = R.toBytes();
    const k = le(sha512(concatBytes(rb, pk, msg))) % L;
    const s = (r + k * a) % L;
    const sig = concatBytes(rb, toLE(s));
    const results = paths.map(([, f]) => f(sig, msg, pk));
    if (new Set(results).size !== 1) {
      tt.fail(`paths disagree on case ${i}: ${paths.map(([n], j) => `${n}=${results[j]}`).join(' ')}`);
      return tt.end();
    }
    // Cofactorless: [S]B = R + [k]A holds iff tR + k*tA = 0 (mod 8).
    const expected = (tR + k * tA) % 8n === 0n;
    if (results[0] !== expected) {
      tt.fail(`case ${i}: expected ${expected} from the cofactorless equation`);
      return tt.end();
    }
    if (expected) accepted++;
    else rejected++;
  }
  tt.ok(accepted > 10 && rejected > 10, `both outcomes seen (accepted ${accepted}, rejected ${rejected})`);
  tt.end();
});

t.test('random keys: sign/verify, and tampering is refused by every path', (tt) => {
  const rng = new Rng(99);
  for (let i = 0; i < 50; i++) {
    const kp = generateKeyPair();
    tt.ok(isValidPublicKey(kp.publicKey));
    const msg = rng.bytes(1 + rng.int(100));
    const sig = sign(msg, kp.secretKey);
    for (const [, f] of paths) {
      if (!f(sig, msg, kp.publicKey)) tt.fail('valid signature refused');
      const bad = Uint8Array.from(sig);
      bad[rng.int(64)]! ^= 1 << rng.int(8);
      if (f(bad, msg, kp.publicKey)) tt.fail('tampered signature accepted');
      const badMsg = Uint8Array.from(msg);
      badMsg[0]! ^= 1;
      if (f(sig, badMsg, kp.publicKey)) tt.fail('signature accepted for another message');
    }
  }
  tt.pass('50 keys');
  tt.end();
});

t.test('malformed inputs are refused without throwing', (tt) => {
  const kp = generateKeyPair();
  const sig = sign(new Uint8Array([1]), kp.secretKey);
  for (const [name, f] of paths) {
    tt.equal(f(sig.subarray(0, 63), new Uint8Array([1]), kp.publicKey), false, `${name}: short signature`);
    tt.equal(f(sig, new Uint8Array([1]), kp.publicKey.subarray(0, 31)), false, `${name}: short key`);
    tt.equal(f('x' as unknown as Uint8Array, new Uint8Array([1]), kp.publicKey), false, `${name}: not bytes`);
    // y = 2 is not on the curve: a key that does not decode.
    const offCurve = new Uint8Array(32);
    offCurve[0] = 2;
    tt.equal(f(sig, new Uint8Array([1]), offCurve), false, `${name}: key off the curve`);
  }
  tt.equal(precheck(sig, kp.publicKey), true);
  tt.equal(isValidPublicKey(new Uint8Array(32)), false, 'small-order key is not valid');
  tt.end();
});

t.test('signing through OpenSSL gives noble\'s bytes; a key array changed in place is parsed again', (tt) => {
  const rng = new Rng(99);
  for (let i = 0; i < 200; i++) {
    const sk = rng.bytes(32);
    const msg = rng.bytes(i % 7 === 0 ? 0 : 1 + rng.int(300));
    tt.equal(toHex(sign(msg, sk)), toHex(ed25519.sign(msg, sk)), `key ${i}`);
  }
  const sk = new Uint8Array(32).fill(1);
  const first = sign(new Uint8Array([5]), sk);
  sk[0] = 2;
  tt.equal(toHex(sign(new Uint8Array([5]), sk)), toHex(ed25519.sign(new Uint8Array([5]), sk)), 'the changed key signs');
  tt.not(toHex(sign(new Uint8Array([5]), sk)), toHex(first));
  tt.end();
});
