/**
 * Worker thread body for VerifyPool: decodes transactions and checks their signatures under
 * the network rule (core's verifyTxSignatures), so every core verifies. Receives
 * { id, chainId, buf, ends } (the transactions end to end) and answers { id, results: (string | null)[] }, null for
 * a transaction whose signatures verify, else the error code.
 */
import { parentPort } from 'node:worker_threads';
import { isSovError, Tx, verifyTxSignatures } from '../core/index.js';

interface Job {
  id: number;
  chainId: string;
  /** The transactions end to end; `ends[i]` is where transaction i ends. */
  buf: Uint8Array;
  ends: Uint32Array;
}

parentPort?.on('message', (job: Job) => {
  const results: (string | null)[] = [];
  let start = 0;
  for (const end of job.ends) {
    try {
      verifyTxSignatures(Tx.decode(job.buf.subarray(start, end)), job.chainId);
      results.push(null);
    } catch (e) {
      results.push(isSovError(e) ? e.code : 'INTERNAL');
    }
    start = end;
  }
  parentPort!.postMessage({ id: job.id, results });
});
