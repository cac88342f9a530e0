/**
 * Bad input is a CredError, never a crash: seeded random mutations (replace, delete, insert,
 * truncate, splice) of SD-JWT presentations, signed credentials (as JSON text, re-parsed),
 * did:keys and encodedLists either verify or throw a CredError, and a mutation that still
 * verifies never changes what was signed. Failures replay from the seed.
 */
import t, { type Test } from 'tap';
import { keyPairFromSecret } from '../../../../core/index.js';
import { Rng } from '../../../../test/index.js';
import {
  CredError, createStatusList, decodeStatusList, didKeyOf, encodeStatusList, issueSdJwtVc, presentSdJwtVc, publicKeyOfDidKey, signCredential, VC_V2_CONTEXT,
  verifyCredentialProof, verifySdJwtVcPresentation,
} from '../index.js';

const SEED = 4242;
const rng = new Rng(SEED);
const ALPHABET = 'AZaz09-_.~=+/{}[]":,\\ \u00e9\u{1F600}\u0000';

function mutate(s: string): string {
  const n = s.length;
  const at = rng.int(n + 1);
  switch (rng.int(5)) {
    case 0: return s.slice(0, at) + ALPHABET[rng.int(ALPHABET.length)] + s.slice(at + 1);
    case 1: return s.slice(0, at) + s.slice(at + 1 + rng.int(4));
    case 2: return s.slice(0, at) + ALPHABET[rng.int(ALPHABET.length)] + s.slice(at);
    case 3: return s.slice(0, at);
    default: { const b = rng.int(n + 1); return s.slice(0, Math.min(at, b)) + s.slice(Math.max(at, b)) + s.slice(Math.min(at, b), Math.max(at, b)); }
  }
}

/** Run `fn` on `cases` mutations of `input`; count outcomes; fail on anything but a CredError. */
function fuzz(tt: Test, what: string, input: string, cases: number, fn: (s: string) => 'skip' | void): { ok: number; refused: number } {
  let ok = 0;
  let refused = 0;
  let skipped = 0;
  for (let i = 0; i < cases; i++) {
    let s = input;
    for (let k = 1 + rng.int(3); k > 0; k--) s = mutate(s);
    try {
      if (fn(s) === 'skip') skipped++;
      else ok++;
    } catch (e) {
      if (e instanceof CredError) refused++;
      else tt.fail(`${what}: case ${i} (seed ${SEED}) threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { input: s.slice(0, 300) });
    }
  }
  tt.equal(ok + refused + skipped, cases, `${what}: ${cases} cases, ${refused} refused with a CredError, ${ok} still valid${skipped ? `, ${skipped} not JSON` : ''}`);
  return { ok, refused };
}

const issuerKey = keyPairFromSecret(rng.bytes(32));
const holderKey = keyPairFromSecret(rng.bytes(32));
const iss = didKeyOf(issuerKey.publicKey);

t.test('SD-JWT presentations', async (tt) => {
  const issued = await issueSdJwtVc({
    issuerKey, iss, vct: 'https://registry.example/x', claims: { a: 'alpha', b: { c: [1, 2, 3] }, d: true }, selective: ['a', 'b'], holderPublicKey: holderKey.publicKey, iat: 1_700_000_000,
  });
  const p = await presentSdJwtVc(issued, ['a', 'b'], holderKey, { aud: 'v', nonce: 'n', iat: 1_700_000_001 });
  const good = verifySdJwtVcPresentation(p, { aud: 'v', nonce: 'n' });
  fuzz(tt, 'presentation', p, 3000, (s) => {
    const r = verifySdJwtVcPresentation(s, { aud: 'v', nonce: 'n' });
    if (JSON.stringify(r.claims) !== JSON.stringify(good.claims)) tt.fail('a mutation verified with other claims', { s });
  });
});

t.test('signed credentials, mutated as JSON text', async (tt) => {
  const vc = signCredential({ '@context': [VC_V2_CONTEXT], type: ['VerifiableCredential'], issuer: iss, credentialSubject: { id: 'did:example:1', n: 1, list: ['x', 'y'] } }, issuerKey, { created: '2025-01-01T00:00:00Z' });
  const text = JSON.stringify(vc);
  fuzz(tt, 'credential', text, 3000, (s) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch {
      return 'skip'; // not JSON: nothing reaches the library
    }
    verifyCredentialProof(parsed);
    if (JSON.stringify(parsed) !== text) tt.fail('a credential whose JSON changed still verifies', { s });
  });
});

t.test('did:keys and encodedLists', async (tt) => {
  fuzz(tt, 'did:key', iss, 2000, (s) => void publicKeyOfDidKey(s));
  const list = encodeStatusList(createStatusList());
  fuzz(tt, 'encodedList', list, 1000, (s) => void decodeStatusList(s));
});
