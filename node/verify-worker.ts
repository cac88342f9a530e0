/**
 * Worker thread body for VerifyPool: decodes transactions and checks their signatures under
 * the network rule (core's verifyTxSignatures), so every core verifies. Receives
 * { id, chainId, txs: Uint8Array[] } and answers { id, results: (string | null)[] }, null for
 * a transaction whose signatures verify, else the error code.
 */
import { parentPort } from 'node:worker_threads';
import { isSovError, Tx, verifyTxSignatures } from '../core/index.js';

interface Job {
  id: number;
  chainId: string;
  txs: Uint8Array[];
}

parentPort?.on('message', (job: Job) => {
  const results = job.txs.map((bytes) => {
    try {
      verifyTxSignatures(Tx.decode(bytes), job.chainId);
      return null;
    } catch (e) {
      return isSovError(e) ? e.code : 'INTERNAL';
    }
  });
  parentPort!.postMessage({ id: job.id, results });
});
