/**
 * Property: random sequences of valid and invalid operations of every module keep, for
 * every currency, supply == sum of balances (escrow addresses included), no stored balance
 * is zero or negative, and every receipt carries a known error code. Seeds are fixed, so a
 * failure replays exactly.
 */
import t from 'tap';
import { vmCodeName } from '../index.js';
import { Chain } from './harness.js';
import { Workload } from './scenario.js';

const SEEDS = [1, 2, 3];
const BLOCKS = 30;

for (const seed of SEEDS) {
  t.test(`seed ${seed}: supply == sum of balances after every block`, async (t) => {
    const c = await Chain.create();
    const w = new Workload(seed, c);
    let included = 0;
    let failed = 0;
    let rejected = 0;
    let bad = 0;
    for (let b = 0; b < BLOCKS; b++) {
      const r = await c.block(await w.block(12), 7_000);
      included += r.included.length;
      rejected += r.rejected.length;
      for (const rc of r.receipts) {
        if (rc.status !== 0) failed++;
        if (vmCodeName(rc.code) === undefined) bad++;
      }
      for (const code of ['DCASH', 'USDX']) {
        const sum = c.sumBalances(code);
        const supply = await c.supply(code);
        if (sum !== supply) t.fail(`block ${b}: ${code} supply ${supply} != sum ${sum}`);
      }
    }
    t.equal(bad, 0, 'every receipt code is a known code');
    t.ok(included - failed > 20, `some operations succeeded (${included - failed})`);
    t.ok(failed > 20, `some failed in execution (${failed})`);
    t.ok(rejected > 0, `some were rejected (${rejected})`);
    for (const code of ['DCASH', 'USDX']) t.equal(c.sumBalances(code), await c.supply(code), `${code} balanced at the end`);
  });
}
