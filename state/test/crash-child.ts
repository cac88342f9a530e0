/**
 * Child process of the crash test (not a test itself): opens the ledger at argv[2] and
 * commits heights with the deterministic content of seed argv[3] forever, printing each
 * committed height on its own line. The parent kills it with SIGKILL at random moments.
 * It prunes state versions (window 6) and blocks (window 5), in each commit's batch.
 */
import { LedgerStore } from '../index.js';
import { blockBodyFor, commitFor, makeBlock, writesFor } from './helpers.js';

const [dir, seedArg] = process.argv.slice(2);
const seed = Number(seedArg);
const store = await LedgerStore.open({ path: dir!, pruneWindow: 6, blockWindow: 5, sync: false, cacheNodes: 200 });
while (true) {
  const h = store.height + 1;
  const prepared = await store.prepare(writesFor(seed, h));
  const { txs, results } = blockBodyFor(seed, h);
  const block = makeBlock(h, prepared.rootHash, txs);
  await store.commit(prepared, { block, commit: commitFor(block), results });
  process.stdout.write(`${h}\n`);
}
