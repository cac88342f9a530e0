/** did:key for Ed25519: the did:key specification's vectors, round trips, and every refusal typed. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { base58btc } from 'multiformats/bases/base58';
import { fromHex, generateKeyPair, keyPairFromSecret, toHex } from '../../../../core/index.js';
import { repoPath } from '../../../../test/index.js';
import { didKeyOf, isDidKey, multibaseOfPublicKey, parseVerificationMethod, publicKeyOfDidKey, verificationMethodOf } from '../index.js';

interface DidVectors {
  ed25519: { did: string; seed: string; publicKeyHex: string; verificationMethod: string }[];
  x25519: string[];
}
const vectors = JSON.parse(readFileSync(repoPath('rpc/client/cred/test/vectors/did-key-ed25519.json'), 'utf8')) as DidVectors;

t.test("the did:key specification's Ed25519 vectors", async (tt) => {
  tt.equal(vectors.ed25519.length, 5);
  const first = vectors.ed25519[0]!;
  tt.equal(first.did, 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp');
  tt.equal(first.publicKeyHex, '3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29', 'the known public key of the zero seed');
  for (const v of vectors.ed25519) {
    const kp = keyPairFromSecret(fromHex(v.seed));
    tt.equal(toHex(kp.publicKey), v.publicKeyHex, `seed ${v.seed.slice(-4)} gives the vector's key`);
    tt.equal(didKeyOf(kp.publicKey), v.did, 'didKeyOf gives the vector DID');
    tt.equal(toHex(publicKeyOfDidKey(v.did)), v.publicKeyHex, 'publicKeyOfDidKey gives the vector key');
    tt.equal(verificationMethodOf(v.did), v.verificationMethod, 'the verification method id is did#multibase');
    const vm = parseVerificationMethod(v.verificationMethod);
    tt.same([vm.did, vm.fragment, toHex(vm.publicKey)], [v.did, v.did.slice(8), v.publicKeyHex]);
    tt.ok(isDidKey(v.did));
    const raw = base58btc.decode(v.did.slice(8));
    tt.same([raw[0], raw[1], raw.length], [0xed, 0x01, 34], 'multicodec ed25519-pub varint, then 32 bytes');
  }
});

t.test('round trips of random keys; a returned key is a copy', async (tt) => {
  for (let i = 0; i < 50; i++) {
    const { publicKey } = generateKeyPair();
    const did = didKeyOf(publicKey);
    tt.match(did, /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
    tt.equal(toHex(publicKeyOfDidKey(did)), toHex(publicKey));
    tt.equal(multibaseOfPublicKey(publicKey), did.slice(8));
  }
  const did = vectors.ed25519[0]!.did;
  const k = publicKeyOfDidKey(did);
  k.fill(0);
  tt.equal(toHex(publicKeyOfDidKey(did)), vectors.ed25519[0]!.publicKeyHex, 'changing a returned key does not change the cache');
});

t.test('refusals are CRED_DID_INVALID', async (tt) => {
  const good = vectors.ed25519[0]!.did;
  const id = good.slice(8);
  const withCodec = (prefix: number[], key: Uint8Array): string => 'did:key:' + base58btc.encode(Uint8Array.from([...prefix, ...key]));
  const key = publicKeyOfDidKey(good);
  const smallOrder = new Uint8Array(32);
  smallOrder[0] = 1; // the identity point: of small order, refused by the network rule
  const nonCanonical = new Uint8Array(32).fill(0xff);
  nonCanonical[31] = 0x7f; // y >= p
  const bad: [string, unknown][] = [
    ['another DID method', 'did:web:example.gov'],
    ['not a DID', 'z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'],
    ['empty id', 'did:key:'],
    ['base64url multibase', 'did:key:u' + id.slice(1)],
    ['a character outside base58 (0)', 'did:key:z6Mk0TBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'],
    ['an X25519 key (multicodec 0xec)', 'did:key:' + vectors.x25519[0]],
    ['a secp256k1 key (multicodec 0xe7)', withCodec([0xe7, 0x01], Uint8Array.from([2, ...key]))],
    ['one byte short', withCodec([0xed, 0x01], key.subarray(0, 31))],
    ['one byte long', withCodec([0xed, 0x01], Uint8Array.from([...key, 0]))],
    ['a non-minimal varint for 0xed', withCodec([0xed, 0x81, 0x00], key)],
    ['a truncated varint', 'did:key:' + base58btc.encode(Uint8Array.of(0xed))],
    ['a key of small order', withCodec([0xed, 0x01], smallOrder)],
    ['a non-canonical key encoding', withCodec([0xed, 0x01], nonCanonical)],
    ['a DID URL (fragment)', good + '#' + id],
    ['a DID URL (path)', good + '/path'],
    ['far too long', 'did:key:z' + '1'.repeat(500)],
    ['not a string', 42],
    ['undefined', undefined],
  ];
  for (const [what, input] of bad) {
    tt.throws(() => publicKeyOfDidKey(input as string), { code: 'CRED_DID_INVALID' }, what);
    tt.notOk(isDidKey(input), `isDidKey: ${what}`);
  }
  tt.throws(() => didKeyOf(smallOrder), { code: 'CRED_DID_INVALID' }, 'didKeyOf refuses a small-order key');
  tt.throws(() => didKeyOf(new Uint8Array(31)), { code: 'CRED_DID_INVALID' }, 'didKeyOf refuses 31 bytes');
  tt.throws(() => didKeyOf('abc' as unknown as Uint8Array), { code: 'CRED_DID_INVALID' }, 'didKeyOf refuses a string');
  const other = vectors.ed25519[1]!.did;
  tt.throws(() => parseVerificationMethod(good), { code: 'CRED_DID_INVALID' }, 'a method id has a fragment');
  tt.throws(() => parseVerificationMethod(`${good}#key-1`), { code: 'CRED_DID_INVALID' }, "a did:key method's fragment is the multibase value");
  tt.throws(() => parseVerificationMethod(`${good}#${other.slice(8)}`), { code: 'CRED_DID_INVALID' }, "another key's fragment");
  tt.throws(() => verificationMethodOf('did:web:x'), { code: 'CRED_DID_INVALID' });
});
