/** The SDK opens keystore files (the format `sov keys generate` writes). */
import t from 'tap';
import { loadKeystore } from '../client/index.js';
import { createKeystore, generateKeyPair, toHex } from '../../core/index.js';

const FAST = { n: 2 ** 10, r: 8, p: 1 };
const PW = 'correct horse battery';

t.test('the SDK loads a keystore file; bad files are typed errors', async (tt) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sov-ks-'));
  try {
    const kp = generateKeyPair();
    writeFileSync(join(dir, 'k.json'), JSON.stringify(createKeystore('account', PW, { keyPair: kp, scrypt: FAST })));
    writeFileSync(join(dir, 'bad.json'), '{');
    tt.equal(toHex((await loadKeystore(join(dir, 'k.json'), PW)).secretKey), toHex(kp.secretKey));
    await tt.rejects(loadKeystore(join(dir, 'k.json'), 'wrong password'), { code: 'KEYSTORE_WRONG_PASSWORD' });
    await tt.rejects(loadKeystore(join(dir, 'bad.json'), PW), { code: 'KEYSTORE_INVALID' });
    await tt.rejects(loadKeystore(join(dir, 'missing.json'), PW), { code: 'KEYSTORE_INVALID' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
