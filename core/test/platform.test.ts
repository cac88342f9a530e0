/**
 * The browser's platform (platform-browser.ts, what a browser bundle of the SDK takes for
 * platform.ts) gives Node's answers: the same exports and types, the same SHA-256 digests,
 * hex decoding and UTF-8 verdicts. And core's Ed25519 loaded on it (node:crypto absent:
 * noble signing, `verify` on the noble path) gives the pinned answer on every vector of
 * core/test/vectors/ed25519.json, as ed25519.test.ts requires of every path.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import * as nodePlatform from '../platform.js';
import * as browserPlatform from '../platform-browser.js';
import { fromHex, toHex } from '../index.js';
import { Rng } from '../../test/rng.js';
import { repoPath } from '../../test/paths.js';

// A type error here when the two files' exports drift apart.
const browser: typeof nodePlatform = browserPlatform;

t.test('the same exports as platform.ts; no node:crypto', (tt) => {
  tt.same(Object.keys(browserPlatform).sort(), Object.keys(nodePlatform).sort());
  tt.equal(browser.nodeCrypto, null);
  tt.not(nodePlatform.nodeCrypto, null);
  tt.end();
});

t.test('sha256 and sha256Utf8: node:crypto\'s digests', (tt) => {
  const rng = new Rng(7);
  for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 16 * 1024 + 3, 100_000]) {
    const data = rng.bytes(n);
    tt.equal(toHex(browser.sha256(data)), toHex(nodePlatform.sha256(data)), `${n} bytes`);
  }
  for (const s of ['', 'abc', 'sov/tx', 'é€𝄞', '\ud800 lone high', 'lone low \udc00', 'x'.repeat(5000)]) {
    tt.equal(toHex(browser.sha256Utf8(s)), toHex(nodePlatform.sha256Utf8(s)), JSON.stringify(s.slice(0, 20)));
  }
  tt.end();
});

t.test('decodeHex: Node\'s decoder, up to the first pair that is not hex', (tt) => {
  const rng = new Rng(8);
  const cases = ['', '00', 'ff', 'FF', 'aB', '0123456789abcdefABCDEF', '1g', 'g1', '0x', ' 1', '+1', '-1', '12 3', '123', 'zz00', '00zz', '\u00e91', toHex(rng.bytes(100))];
  for (const h of cases) tt.equal(toHex(browser.decodeHex(h)), toHex(nodePlatform.decodeHex(h)), JSON.stringify(h));
  tt.throws(() => fromHex('1g'), { code: 'HEX_INVALID' }, 'fromHex refuses a pair that is not hex');
  tt.end();
});

t.test('isUtf8: node:buffer\'s verdict', (tt) => {
  const cases: Uint8Array[] = [
    [], [0x61], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9d, 0x84, 0x9e], [0xef, 0xbb, 0xbf, 0x61], // valid, a BOM too
    [0x80], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], // stray, overlong, surrogates
    [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff], [0xc3], [0xe2, 0x82], [0x61, 0xf0, 0x9d, 0x84], // > U+10FFFF, truncated
  ].map((b) => Uint8Array.from(b));
  const rng = new Rng(9);
  for (let i = 0; i < 2000; i++) cases.push(rng.bytes(rng.int(12)));
  let valid = 0;
  for (const b of cases) {
    const want = nodePlatform.isUtf8(b);
    if (browser.isUtf8(b) !== want) tt.fail(`disagree on ${toHex(b)}`);
    if (want) valid++;
  }
  tt.ok(valid > 10 && valid < cases.length - 10, `both verdicts seen (${valid} valid of ${cases.length})`);
  tt.end();
});

t.test('randomBytes: the length asked, past Web Crypto\'s 65,536 a call', (tt) => {
  for (const n of [0, 1, 32, 65_536, 65_537, 200_000]) tt.equal(browser.randomBytes(n).length, n);
  tt.not(toHex(browser.randomBytes(32)), toHex(browser.randomBytes(32)));
  tt.end();
});

interface Vec { sk?: string; pk: string; msg: string; sig: string; expected: boolean; index?: number; reason?: string }

t.test('Ed25519 on the browser platform: the pinned rule on every vector', async (tt) => {
  // By URL: tap would resolve relative names from the source map's .ts path.
  const ed = await tt.mockImport<typeof import('../ed25519.js')>(new URL('../ed25519.js', import.meta.url).href, { [new URL('../platform.js', import.meta.url).href]: browserPlatform });
  const vectors = JSON.parse(readFileSync(repoPath('core/test/vectors/ed25519.json'), 'utf8')) as { rfc8032: Vec[]; edge: Vec[] };
  for (const v of vectors.rfc8032) {
    const kp = ed.keyPairFromSecret(fromHex(v.sk!));
    tt.equal(toHex(ed.sign(fromHex(v.msg), kp.secretKey)), v.sig, 'RFC 8032: the same signature bytes');
    tt.equal(ed.verify(fromHex(v.sig), fromHex(v.msg), fromHex(v.pk)), true, 'RFC 8032: accepted');
  }
  tt.equal(vectors.edge.length, 15);
  for (const v of vectors.edge) tt.equal(ed.verify(fromHex(v.sig), fromHex(v.msg), fromHex(v.pk)), v.expected, `case ${v.index} (${v.reason})`);
  const rng = new Rng(10);
  for (let i = 0; i < 50; i++) {
    const kp = ed.generateKeyPair();
    const msg = rng.bytes(1 + rng.int(100));
    const sig = ed.sign(msg, kp.secretKey);
    const bad = Uint8Array.from(sig);
    bad[rng.int(64)]! ^= 1 << rng.int(8);
    if (!ed.verify(sig, msg, kp.publicKey) || ed.verify(bad, msg, kp.publicKey)) tt.fail(`key ${i}`);
  }
  tt.throws(() => ed.verifyNode(new Uint8Array(64), new Uint8Array(0), new Uint8Array(32)), /no node:crypto/, 'no OpenSSL path to call');
});
