/**
 * A worker for bench:cred (bench-cred.ts): an issuer's signing machine. Signs the batches of
 * national-ID credentials it is given (issueBatch, VC 2.0 + eddsa-jcs-2022), 1,000 people a
 * batch by default, and posts each batch's Merkle root as soon as it is signed; for the
 * batches listed in `keep` it also posts the packages (the verification sample).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { keyPairFromSecret, to0x } from '../core/index.js';
import { issueBatch, type CredentialSubjectInput } from '../rpc/index.js';

export interface SignJob {
  chainId: string;
  addressPrefix: string;
  secretKey: Uint8Array;
  /** The first status index of each batch to sign. */
  firsts: number[];
  size: number;
  keep: number[];
  /** Subject did:keys to cycle through. */
  subjectDids: string[];
  validFrom: number;
  validUntil: number;
  issuedAt: number;
  statusBaseUrl: string;
}

const job = workerData as SignJob;
const key = keyPairFromSecret(job.secretKey);
const REGIONS = ['Höfuðborgarsvæðið', 'Suðurnes', 'Vesturland', 'Vestfirðir', 'Norðurland vestra', 'Norðurland eystra', 'Austurland', 'Suðurland'];
const person = (i: number): CredentialSubjectInput => ({
  id: job.subjectDids[i % job.subjectDids.length]!,
  claims: {
    givenName: `Given${i}`, familyName: `Family${(i * 7919) % 100_003}`, birthDate: `${1930 + (i % 90)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    region: REGIONS[i % REGIONS.length]!, personalId: String(1_000_000_000 + i),
  },
});
const keep = new Set(job.keep);
for (const first of job.firsts) {
  const subjects = Array.from({ length: job.size }, (_, j) => person(first + j));
  const out = await issueBatch({
    format: 'vc', chainId: job.chainId, addressPrefix: job.addressPrefix, issuerKey: key, schema: { id: 'national-id@1', typeId: 'national-id', selective: [] }, first, subjects,
    validFrom: job.validFrom, validUntil: job.validUntil, issuedAt: job.issuedAt, statusBaseUrl: job.statusBaseUrl,
  });
  parentPort!.postMessage({ first, count: out.count, root: to0x(out.root), packages: keep.has(first) ? out.packages : null });
}
parentPort!.postMessage({ done: true });
