/**
 * Bitstring status lists: the bit order of the specification, encodedList round trips, the
 * specification's example list, size bounds (a gzip bomb is refused without inflating it
 * whole), status list credentials and status entries.
 */
import t from 'tap';
import { gzipSync } from 'node:zlib';
import { base64url } from 'multiformats/bases/base64';
import { keyPairFromSecret } from '../../../../core/index.js';
import { Rng } from '../../../../test/index.js';
import {
  createStatusList, credentialStatusEntries, decodeStatusList, didKeyOf, encodeStatusList, getBit, MAX_STATUS_LIST_BYTES, MIN_STATUS_LIST_BYTES, readStatusListCredential, setBit,
  signCredential, statusListCredential, statusListUrl, verifyCredentialProof,
} from '../index.js';

const rng = new Rng(99);
const issuerKey = keyPairFromSecret(rng.bytes(32));
const issuer = didKeyOf(issuerKey.publicKey);

t.test('bit i counts from the most significant bit of byte 0', async (tt) => {
  const bits = createStatusList();
  tt.equal(bits.length, MIN_STATUS_LIST_BYTES, 'the default list is the minimum, 16 KB = 131,072 entries');
  setBit(bits, 0, true);
  tt.equal(bits[0], 0x80, 'index 0 is the leftmost bit');
  setBit(bits, 7, true);
  tt.equal(bits[0], 0x81, 'index 7 is the rightmost bit of byte 0');
  setBit(bits, 8, true);
  tt.equal(bits[1], 0x80, 'index 8 is the leftmost bit of byte 1');
  setBit(bits, 131071, true);
  tt.equal(bits[16383], 0x01, 'the last index');
  tt.same([getBit(bits, 0), getBit(bits, 1), getBit(bits, 7), getBit(bits, 8), getBit(bits, 9)], [true, false, true, true, false]);
  setBit(bits, 0, false);
  tt.equal(bits[0], 0x01, 'clearing one bit leaves the others');
  setBit(bits, 7, true);
  tt.equal(bits[0], 0x01, 'setting a set bit changes nothing');
  tt.equal(createStatusList(1_000_000).length, 125_000, 'larger lists round up to whole bytes');
  tt.equal(createStatusList(10).length, MIN_STATUS_LIST_BYTES, 'smaller ones get the minimum');
});

t.test('encodedList round trips; the specification example decodes', async (tt) => {
  const bits = createStatusList(MIN_STATUS_LIST_BYTES * 8 * 2);
  const set = new Set<number>();
  for (let i = 0; i < 500; i++) set.add(rng.int(bits.length * 8));
  for (const i of set) setBit(bits, i, true);
  const encoded = encodeStatusList(bits);
  tt.match(encoded, /^u[A-Za-z0-9_-]+$/, 'multibase base64url, no padding');
  tt.equal(encodeStatusList(bits), encoded, 'the same bits encode the same way (one zlib build)');
  const decoded = decodeStatusList(encoded);
  tt.equal(decoded.length, bits.length);
  tt.ok(Buffer.from(decoded).equals(Buffer.from(bits)), 'the same bits back');
  let count = 0;
  for (let i = 0; i < decoded.length * 8; i++) if (getBit(decoded, i)) count++;
  tt.equal(count, set.size);
  // Bitstring Status List v1.0, example 1: an all-zero list of the minimum size.
  const example = decodeStatusList('uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA');
  tt.equal(example.length, MIN_STATUS_LIST_BYTES);
  tt.ok(example.every((b) => b === 0));
});

t.test('bounds and bad input: typed errors', async (tt) => {
  const small = new Uint8Array(MIN_STATUS_LIST_BYTES - 1);
  tt.throws(() => encodeStatusList(small), { code: 'CRED_STATUS_LIST_INVALID' }, 'encoding less than 16 KB');
  tt.throws(() => decodeStatusList(base64url.encode(gzipSync(small))), { code: 'CRED_STATUS_LIST_INVALID' }, 'decoding less than 16 KB');
  tt.throws(() => encodeStatusList(new Uint8Array(MAX_STATUS_LIST_BYTES + 1)), { code: 'CRED_STATUS_LIST_TOO_LARGE' }, 'encoding over the bound');
  const bomb = base64url.encode(gzipSync(new Uint8Array(MAX_STATUS_LIST_BYTES + 1024), { level: 9 }));
  tt.ok(bomb.length < 100_000, 'a small text ...');
  tt.throws(() => decodeStatusList(bomb), { code: 'CRED_STATUS_LIST_TOO_LARGE' }, '... that inflates past the bound is refused');
  tt.throws(() => decodeStatusList('u' + 'A'.repeat(23_000_000)), { code: 'CRED_STATUS_LIST_TOO_LARGE' }, 'a text longer than any list within the bound');
  const good = encodeStatusList(createStatusList());
  const bad: [string, unknown][] = [
    ['no multibase prefix', good.slice(1)],
    ['base58 prefix', 'z' + good.slice(1)],
    ['padding', good + '=='],
    ['a character outside base64url', good.slice(0, 10) + '+' + good.slice(11)],
    ['not gzip', base64url.encode(new Uint8Array(20_000))],
    ['a truncated gzip', good.slice(0, good.length - 10)],
    ['not a string', 5],
  ];
  for (const [what, input] of bad) tt.throws(() => decodeStatusList(input as string), { code: 'CRED_STATUS_LIST_INVALID' }, what);
  const bits = createStatusList();
  for (const i of [-1, bits.length * 8, 1.5, NaN]) {
    tt.throws(() => getBit(bits, i), { code: 'CRED_INDEX_OUT_OF_RANGE' }, `getBit(${i})`);
    tt.throws(() => setBit(bits, i, true), { code: 'CRED_INDEX_OUT_OF_RANGE' }, `setBit(${i})`);
  }
  tt.throws(() => getBit([1, 2] as unknown as Uint8Array, 0), { code: 'CRED_STATUS_LIST_INVALID' });
  tt.throws(() => createStatusList(0), { code: 'CRED_INDEX_OUT_OF_RANGE' });
});

t.test('status list credentials and entries', async (tt) => {
  const base = 'https://registry.example/status/agency-7';
  const url = statusListUrl(base, 'revocation');
  tt.equal(url, `${base}/revocation`);
  const bits = createStatusList();
  setBit(bits, 94567, true);
  const vc = statusListCredential({ id: url, issuer, purpose: 'revocation', bits, validFrom: '2025-01-01T00:00:00Z' }, issuerKey, '2025-01-01T00:00:00Z');
  tt.same(vc.type, ['VerifiableCredential', 'BitstringStatusListCredential']);
  tt.same(vc['@context'], ['https://www.w3.org/ns/credentials/v2']);
  tt.same({ ...vc.credentialSubject, encodedList: '' }, { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: '' });
  tt.ok(verifyCredentialProof(vc));
  const read = readStatusListCredential(JSON.parse(JSON.stringify(vc)));
  tt.same([read.id, read.issuer, read.purpose], [url, issuer, 'revocation']);
  tt.ok(getBit(read.bits, 94567));
  tt.notOk(getBit(read.bits, 94566));
  const tampered = structuredClone(vc);
  tampered.credentialSubject.encodedList = encodeStatusList(createStatusList());
  tt.throws(() => readStatusListCredential(tampered), { code: 'CRED_TAMPERED' }, 'an unrevoking edit breaks the proof');
  const { proof: _proof, ...unsigned } = structuredClone(vc);
  const refresh = signCredential({ ...unsigned, credentialSubject: { ...unsigned.credentialSubject, statusPurpose: 'refresh' } }, issuerKey, { created: '2025-01-01T00:00:00Z' });
  tt.throws(() => readStatusListCredential(refresh), { code: 'CRED_STATUS_LIST_INVALID' }, 'a signed list of another purpose');
  const notList = signCredential({ ...unsigned, type: ['VerifiableCredential'] }, issuerKey, { created: '2025-01-01T00:00:00Z' });
  tt.throws(() => readStatusListCredential(notList), { code: 'CRED_STATUS_LIST_INVALID' }, 'a signed credential that is not a list');
  const resigned = statusListCredential({ id: url, issuer, purpose: 'suspension', bits, validFrom: '2025-01-01T00:00:00Z', validUntil: '2025-02-01T00:00:00Z' }, issuerKey, '2025-01-01T00:00:00Z');
  tt.equal(readStatusListCredential(resigned).purpose, 'suspension');
  tt.equal(resigned.validUntil, '2025-02-01T00:00:00Z');

  const other = keyPairFromSecret(rng.bytes(32));
  tt.throws(() => statusListCredential({ id: url, issuer, purpose: 'revocation', bits, validFrom: '2025-01-01T00:00:00Z' }, other, '2025-01-01T00:00:00Z'), { code: 'CRED_ISSUER_MISMATCH' });
  tt.throws(() => statusListCredential({ id: url, issuer, purpose: 'refresh' as 'revocation', bits, validFrom: '2025-01-01T00:00:00Z' }, issuerKey, '2025-01-01T00:00:00Z'), { code: 'CRED_MALFORMED' });
  tt.throws(() => statusListCredential({ id: `${url}#x`, issuer, purpose: 'revocation', bits, validFrom: '2025-01-01T00:00:00Z' }, issuerKey, '2025-01-01T00:00:00Z'), { code: 'CRED_MALFORMED' });
  tt.throws(() => statusListCredential({ id: url, issuer, purpose: 'revocation', bits, validFrom: 'Jan 1' }, issuerKey, '2025-01-01T00:00:00Z'), { code: 'CRED_MALFORMED' });
  tt.throws(() => statusListCredential({ id: url, issuer, purpose: 'revocation', bits: new Uint8Array(10), validFrom: '2025-01-01T00:00:00Z' }, issuerKey, '2025-01-01T00:00:00Z'), { code: 'CRED_STATUS_LIST_INVALID' });

  const entries = credentialStatusEntries(base, 94567);
  tt.same(entries, [
    { id: `${base}/revocation#94567`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '94567', statusListCredential: `${base}/revocation` },
    { id: `${base}/suspension#94567`, type: 'BitstringStatusListEntry', statusPurpose: 'suspension', statusListIndex: '94567', statusListCredential: `${base}/suspension` },
  ]);
  tt.throws(() => credentialStatusEntries(base, -1), { code: 'CRED_INDEX_OUT_OF_RANGE' });
  tt.throws(() => credentialStatusEntries(base, 0.5), { code: 'CRED_INDEX_OUT_OF_RANGE' });
  tt.throws(() => credentialStatusEntries(`${base}/`, 1), { code: 'CRED_MALFORMED' }, 'a trailing slash');
  tt.throws(() => credentialStatusEntries(`${base}#frag`, 1), { code: 'CRED_MALFORMED' }, 'a fragment');
  tt.throws(() => credentialStatusEntries('not a url', 1), { code: 'CRED_MALFORMED' });
  tt.throws(() => statusListUrl(base, 'refresh' as 'revocation'), { code: 'CRED_MALFORMED' });
});
