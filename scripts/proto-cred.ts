import { generateKeyPair } from '../core/index.js';
import { issueBatch, didKeyOf } from '../rpc/index.js';
const k = generateKeyPair();
const dids = Array.from({ length: 50 }, () => didKeyOf(generateKeyPair().publicKey));
const subjects = Array.from({ length: 1000 }, (_, i) => ({ id: dids[i % 50], claims: { givenName: 'Name' + i, familyName: 'Family', birthDate: '1980-01-01', region: 'R' } }));
for (let r = 0; r < 15; r++) {
  const t0 = performance.now();
  await issueBatch({ format: 'vc', chainId: 'c', addressPrefix: 'dev', issuerKey: k, schema: { id: 'national-id@1', typeId: 'national-id', selective: [] }, first: r * 1000, subjects, validFrom: 0, validUntil: 1e12, statusBaseUrl: 'https://x.example/s' });
  console.log('issueBatch 1000:', (performance.now() - t0).toFixed(0), 'ms');
}
