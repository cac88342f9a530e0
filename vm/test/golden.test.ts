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
  stateRoot: 'ee3e881acccf0fc0241e402a45175b93f41ae679951fe3fb2b1335be1f7f5aa1',
  results: '231f72819ecd41e9100ffdd1cc40ff31352afb67d98825fd69acb18b33673af8',
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
