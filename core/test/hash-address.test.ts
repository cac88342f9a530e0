/**
 * Domain-separated hashing, Merkle roots and proofs, bech32m addresses, and hex.
 */
import t from 'tap';
import {
  addressFromPublicKey, decodeAddress, Domain, encodeAddress, ErrorCodes, hashOf, merkleProof, merkleRoot, sha256, toHex, utf8,
  verifyMerkleProof, generateKeyPair, concatBytes, domainPrefix, equalBytes, fromHex, sha256Utf8,
} from '../index.js';
import { Rng } from '../../test/index.js';

t.test('hashOf prefixes the domain; domains never collide', (tt) => {
  const data = utf8('abc');
  tt.equal(toHex(hashOf(Domain.TX, data)), toHex(sha256(concatBytes(utf8('sov/tx'), new Uint8Array([0]), data))));
  tt.equal(toHex(sha256(utf8('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'SHA-256 of "abc"');
  const seen = new Set(Object.values(Domain).map((d) => toHex(hashOf(d, data))));
  tt.equal(seen.size, Object.values(Domain).length, 'one digest per domain');
  tt.equal(toHex(domainPrefix('x')), '736f762f7800');
  tt.end();
});

t.test('Merkle proofs verify for every index of lists of 1..40; tampering fails', (tt) => {
  const rng = new Rng(5);
  for (let n = 1; n <= 40; n++) {
    const items = Array.from({ length: n }, () => rng.bytes(1 + rng.int(40)));
    const root = merkleRoot(items);
    for (let i = 0; i < n; i++) {
      const proof = merkleProof(items, i);
      if (!verifyMerkleProof(root, items[i]!, i, n, proof)) {
        tt.fail(`n=${n} i=${i} does not verify`);
        return tt.end();
      }
      if (n > 1 && verifyMerkleProof(root, items[i]!, (i + 1) % n, n, proof)) tt.fail(`n=${n} i=${i} verifies at another index`);
      if (verifyMerkleProof(root, utf8('other'), i, n, proof)) tt.fail(`n=${n} i=${i} verifies for another item`);
      if (proof.length > 0) {
        const bad = proof.map((p) => Uint8Array.from(p));
        bad[rng.int(bad.length)]![rng.int(32)]! ^= 1;
        if (verifyMerkleProof(root, items[i]!, i, n, bad)) tt.fail(`n=${n} i=${i} verifies with a tampered path`);
      }
    }
  }
  tt.pass('all proofs checked');
  tt.not(toHex(merkleRoot([])), toHex(merkleRoot([new Uint8Array(0)])), 'empty list differs from one empty item');
  tt.not(toHex(merkleRoot([utf8('a'), utf8('b')])), toHex(merkleRoot([utf8('b'), utf8('a')])), 'order matters');
  tt.throws(() => merkleProof([utf8('a')], 1), RangeError);
  tt.equal(verifyMerkleProof(merkleRoot([utf8('a')]), utf8('a'), 0, 1, []), true);
  tt.equal(verifyMerkleProof(merkleRoot([utf8('a')]), utf8('a'), -1, 1, []), false);
  tt.end();
});

t.test('addresses: derive, encode, decode, and every malformed form refused', (tt) => {
  const kp = generateKeyPair();
  const addr = addressFromPublicKey(kp.publicKey);
  tt.equal(addr.length, 20);
  const s = encodeAddress('gov', addr);
  tt.match(s, /^gov1[02-9ac-hj-np-z]+$/);
  tt.equal(toHex(decodeAddress(s, 'gov')), toHex(addr));
  tt.throws(() => decodeAddress(s, 'sov'), { code: ErrorCodes.ADDRESS_WRONG_PREFIX });
  const flipped = s.slice(0, -1) + (s.endsWith('q') ? 'p' : 'q');
  tt.throws(() => decodeAddress(flipped, 'gov'), { code: ErrorCodes.ADDRESS_INVALID }, 'bad checksum');
  tt.throws(() => decodeAddress(s.toUpperCase().slice(0, 5) + s.slice(5), 'gov'), { code: ErrorCodes.ADDRESS_INVALID }, 'mixed case');
  tt.throws(() => decodeAddress(encodeAddress('gov', addr).replace(/.$/, ''), 'gov'), { code: ErrorCodes.ADDRESS_INVALID }, 'truncated');
  tt.throws(() => decodeAddress('x'.repeat(200), 'gov'), { code: ErrorCodes.ADDRESS_INVALID }, 'too long');
  tt.throws(() => decodeAddress(42 as unknown as string, 'gov'), { code: ErrorCodes.ADDRESS_INVALID }, 'not a string');
  tt.throws(() => encodeAddress('Bad-Prefix', addr), { code: ErrorCodes.ADDRESS_INVALID });
  tt.throws(() => encodeAddress('gov', new Uint8Array(19)), { code: ErrorCodes.ADDRESS_INVALID });
  tt.throws(() => addressFromPublicKey(new Uint8Array(31)), { code: ErrorCodes.ADDRESS_INVALID });
  tt.end();
});

t.test('equalBytes: equal only for the same bytes, short and long, at any offset', (tt) => {
  const rng = new Rng(7);
  for (const n of [0, 1, 20, 32, 64, 65, 300]) {
    const a = rng.bytes(n);
    const inBig = new Uint8Array(n + 5);
    inBig.set(a, 3);
    const b = inBig.subarray(3, 3 + n);
    tt.ok(equalBytes(a, b), `${n} bytes, a view at an offset`);
    for (const at of n > 0 ? [0, n >> 1, n - 1] : []) {
      const c = Uint8Array.from(a);
      c[at] = c[at]! ^ 1;
      tt.notOk(equalBytes(a, c), `${n} bytes, byte ${at} differs`);
    }
    tt.notOk(equalBytes(a, new Uint8Array(n + 1)), `${n} against ${n + 1} bytes`);
  }
  tt.end();
});

t.test('toHex of views at any offset, of Buffers, and of nothing', (tt) => {
  const b = Uint8Array.from([1, 2, 3, 4, 255, 0]);
  tt.equal(toHex(b.subarray(2, 5)), '0304ff');
  tt.equal(toHex(b.subarray(6)), '');
  tt.equal(toHex(Buffer.from([16, 17])), '1011');
  tt.end();
});

t.test('fromHex: every even-length hex string (0x or not) and nothing else', (tt) => {
  tt.same([...fromHex('')], []);
  tt.same([...fromHex('0x')], []);
  tt.same([...fromHex('00ff7Fa0')], [0, 255, 127, 160]);
  tt.same([...fromHex('0xDEADbeef')], [0xde, 0xad, 0xbe, 0xef]);
  tt.equal(fromHex('ab'.repeat(5000)).length, 5000);
  for (const bad of ['0', '0x0', 'g0', '0g', '000g', '00 0', ' 000', '0x0x', '0X00', 'zz', '00\n', '０0', 'é0', '0x00g0']) {
    tt.throws(() => fromHex(bad), { code: ErrorCodes.HEX_INVALID }, JSON.stringify(bad));
  }
  for (const bad of [null, undefined, 12, {}, ['00']]) tt.throws(() => fromHex(bad as unknown as string), { code: ErrorCodes.HEX_INVALID }, String(bad));
  tt.throws(() => fromHex('0011', 3), { code: ErrorCodes.HEX_INVALID }, 'the wrong length');
  const rng = (i: number) => (i * 2654435761) >>> 24;
  const bytes = Uint8Array.from({ length: 257 }, (_, i) => rng(i));
  tt.same([...fromHex(toHex(bytes))], [...bytes], 'round trip');
  tt.end();
});

t.test('sha256Utf8 is SHA-256 of the UTF-8 bytes, lone surrogates as U+FFFD', (tt) => {
  for (const s of ['', 'abc', 'Þórður 👩‍⚕️ €', 'x'.repeat(10_000), 'a\ud800b', '\udfff']) tt.equal(toHex(sha256Utf8(s)), toHex(sha256(utf8(s))), JSON.stringify(s.slice(0, 20)));
  tt.end();
});
