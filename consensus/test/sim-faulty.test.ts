/**
 * The checkers can fail: with twins holding more than a third of the power on both sides of
 * a partition, the agreement checker finds the violation in every scenario. Also: a scenario
 * replays exactly from its seed, and the double-sign tracker sees twins' conflicting
 * signatures only when asked to watch faulty keys (it ignores them by design).
 */
import t from 'tap';
import { randomScenario, runScenario, splitBrainScenario, violationsOf } from '../index.js';
import { toHex } from '../../core/index.js';

t.test('more than a third faulty (twins, split brain): agreement violations are found', (tt) => {
  for (let seed = 1; seed <= 12; seed++) {
    const { result } = runScenario(splitBrainScenario(seed));
    tt.ok(result.agreementViolations.length > 0, `seed ${seed}: ${result.agreementViolations[0] ?? 'none found'}`);
  }
  tt.end();
});

t.test('the same seed replays to the same run', (tt) => {
  const a = runScenario(randomScenario(77));
  const b = runScenario(randomScenario(77));
  const digest = (w: typeof a.world): string =>
    w.instances.map((i) => [...i.decisions.values()].map((d) => `${d.height}:${d.round}:${toHex(d.blockHash)}`).join(',')).join('|') + `@${w.now}`;
  tt.equal(digest(a.world), digest(b.world));
  tt.same(a.result, b.result);
  tt.same(violationsOf(a.result), []);
  tt.end();
});
