/**
 * Keystores: round trip, wrong password, every kind of tampering, malformed files.
 */
import t from 'tap';
import { createKeystore, generateKeyPair, openKeystore, parseKeystore, KeystoreError, toHex, type KeystoreFile } from '../index.js';

const FAST = { n: 2 ** 10, r: 8, p: 1 };
const PW = 'correct horse battery';

t.test('round trip keeps the key; the public key is readable without the password', (tt) => {
  const kp = generateKeyPair();
  const ks = createKeystore('validator', PW, { keyPair: kp, scrypt: FAST });
  tt.equal(ks.publicKey, toHex(kp.publicKey));
  const back = openKeystore(JSON.parse(JSON.stringify(ks)) as KeystoreFile, PW);
  tt.equal(toHex(back.secretKey), toHex(kp.secretKey));
  tt.not(JSON.stringify(ks).includes(toHex(kp.secretKey)), 'the secret key is not in clear');
  tt.end();
});

t.test('wrong password and tampering are refused with typed errors', (tt) => {
  const ks = createKeystore('account', PW, { scrypt: FAST });
  tt.throws(() => openKeystore(ks, 'wrong password'), { code: 'KEYSTORE_WRONG_PASSWORD' });
  tt.throws(() => openKeystore({ ...ks, type: 'validator' }, PW), { code: 'KEYSTORE_WRONG_PASSWORD' }, 'type is bound');
  const otherPk = toHex(generateKeyPair().publicKey);
  tt.throws(() => openKeystore({ ...ks, publicKey: otherPk }, PW), { code: 'KEYSTORE_WRONG_PASSWORD' }, 'public key is bound');
  const flipped = ks.crypto.ciphertext.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  tt.throws(() => openKeystore({ ...ks, crypto: { ...ks.crypto, ciphertext: flipped } }, PW), { code: 'KEYSTORE_WRONG_PASSWORD' });
  tt.throws(() => openKeystore({ ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, n: 2 ** 11 } } }, PW), { code: 'KEYSTORE_WRONG_PASSWORD' });
  tt.end();
});

t.test('malformed keystores and weak passwords', (tt) => {
  const ks = createKeystore('node', PW, { scrypt: FAST });
  const bad: unknown[] = [
    null, 42, {}, { ...ks, version: 2 }, { ...ks, type: 'root' }, { ...ks, publicKey: 'zz' },
    { ...ks, crypto: { ...ks.crypto, kdf: 'pbkdf2' } },
    { ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, n: 3 } } },
    { ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, n: 2 ** 30 } } },
    { ...ks, crypto: { ...ks.crypto, nonce: '00' } },
    { ...ks, crypto: { ...ks.crypto, ciphertext: '00' } },
  ];
  for (const b of bad) tt.throws(() => parseKeystore(b), KeystoreError);
  tt.throws(() => createKeystore('account', 'short', { scrypt: FAST }), { code: 'KEYSTORE_WEAK_PASSWORD' });
  tt.throws(() => createKeystore('root' as 'account', PW, { scrypt: FAST }), { code: 'KEYSTORE_INVALID' });
  tt.end();
});
