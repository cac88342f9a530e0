/**
 * Golden values: a fixed, seeded scenario (genesis plus 12 blocks of the random workload)
 * must produce exactly these bytes: the stand-in state root (which pins every key and value
 * written), and a digest of every block's resultsRoot. Any change to an encoding, a key, a
 * rule or a receipt changes them: a consensus change, to be made on purpose (update the
 * values here and say so in the commit).
 */
import t from 'tap';
import { concatBytes, sha256, toHex } from '../../core/index.js';
import { Chain } from './harness.js';
import { Workload } from './scenario.js';

/** Print the current values instead of checking: VM_GOLDEN_PRINT=1 node dist/vm/test/golden.test.js */
const GOLDEN = {
  stateRoot: '981e3c01b502ca77a9f384c1d897e61b9f5f66ef645c837db90f5004697f1302',
  results: '54722a454fc498fcfe88e65bff2a04ab3e903be6df5e5bd4341132dc9597a9d5',
};

t.test('a fixed scenario gives the pinned roots', async (t) => {
  const c = await Chain.create();
  const w = new Workload(2026, c);
  const roots: Uint8Array[] = [];
  for (let b = 0; b < 12; b++) roots.push((await c.block(await w.block(10), 4_000)).resultsRoot);
  const stateRoot = toHex(c.state.root());
  const results = toHex(sha256(concatBytes(...roots)));
  if (process.env.VM_GOLDEN_PRINT) {
    console.log(JSON.stringify({ stateRoot, results }));
    return;
  }
  t.equal(stateRoot, GOLDEN.stateRoot, 'state root');
  t.equal(results, GOLDEN.results, 'results roots');
});
