/**
 * Worker thread body for VerifyPool: checks Ed25519 signatures under the network rule (core's
 * `verify`), so every core verifies. The main thread has already decoded each transaction
 * and run the checks that need no curve arithmetic (core's txSignatureProblem); a job holds,
 * for each transaction, the bytes its signatures cover and its (public key, signature) pairs:
 * { id, buf, offs } with, for transaction i, buf[offs[3i] .. offs[3i+1]) the signed bytes and
 * buf[offs[3i+1] .. offs[3i+2]) its pairs, 32 + 64 bytes each. The answer is
 * { id, results: (string | null)[] }: null when every signature verifies, else the error code.
 */
import { parentPort } from 'node:worker_threads';
import { ErrorCodes, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, verify } from '../../core/index.js';
import { NodeErrorCodes } from '../errors.js';

const PAIR_BYTES = PUBLIC_KEY_LENGTH + SIGNATURE_LENGTH;

interface Job {
  id: number;
  buf: Uint8Array;
  offs: Uint32Array;
}

function check(buf: Uint8Array, msgStart: number, msgEnd: number, end: number): string | null {
  const msg = buf.subarray(msgStart, msgEnd);
  for (let at = msgEnd; at < end; at += PAIR_BYTES) {
    const pk = buf.subarray(at, at + PUBLIC_KEY_LENGTH);
    const sig = buf.subarray(at + PUBLIC_KEY_LENGTH, at + PAIR_BYTES);
    if (!verify(sig, msg, pk)) return ErrorCodes.TX_BAD_SIGNATURE;
  }
  return null;
}

parentPort?.on('message', (job: Job) => {
  const n = job.offs.length / 3;
  const results: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    try {
      results[i] = check(job.buf, job.offs[3 * i]!, job.offs[3 * i + 1]!, job.offs[3 * i + 2]!);
    } catch {
      results[i] = NodeErrorCodes.INTERNAL;
    }
  }
  parentPort!.postMessage({ id: job.id, results });
});
