/**
 * Crash and restart of one validator at every step type, replaying its WAL: after a clean
 * replay the engine is in the state it crashed in; with the last event records lost (so the
 * replay sees different inputs) the double-sign guard still keeps it from signing anything
 * conflicting; and in every case it reaches the same decisions as everyone else.
 */
import t from 'tap';
import { baseSpec, RoundStep, runScenario, violationsOf, type ScenarioSpec } from '../index.js';

const spec = (seed: number): ScenarioSpec => ({
  ...baseSpec(seed, [1, 1, 1, 1]), heights: 3, walFor: [0], dropP: 0.1, healTime: 1500, minDelay: 1, maxDelay: 80,
});

const baseline = runScenario(spec(11));
const trace = baseline.world.instances[0]!.trace!;
const stepNames = { [RoundStep.PROPOSE]: 'propose', [RoundStep.PREVOTE]: 'prevote', [RoundStep.PRECOMMIT]: 'precommit', [RoundStep.COMMIT]: 'commit' } as const;

t.test('baseline has no violations and visits every step type', (tt) => {
  tt.same(violationsOf(baseline.result), []);
  for (const s of [1, 2, 3, 4]) tt.ok(trace.includes(s), `step ${stepNames[s as 1]} seen`);
  tt.end();
});

for (const step of [RoundStep.PROPOSE, RoundStep.PREVOTE, RoundStep.PRECOMMIT, RoundStep.COMMIT]) {
  const points = trace.map((s, i) => (s === step ? i + 1 : -1)).filter((i) => i > 0);
  const picks = [points[0]!, points[Math.floor(points.length / 2)]!, points[points.length - 1]!];
  for (const afterEvents of picks) {
    for (const loseEvents of [0, 1, 3]) {
      t.test(`crash in ${stepNames[step]} after event ${afterEvents}, losing ${loseEvents} event records`, (tt) => {
        const { result, world } = runScenario({ ...spec(11), crash: { instance: 0, afterEvents, loseEvents } });
        tt.equal(world.restarts.length, 1, 'restarted once');
        if (loseEvents === 0) tt.equal(world.restarts[0]!.after, world.restarts[0]!.before, 'replay restores the engine state');
        tt.same(result.doubleSigns, [], 'never signs a conflicting message');
        tt.same(violationsOf(result), [], 'agreement, validity and liveness hold');
        const d0 = world.instances[0]!.decisions;
        for (let h = 1; h <= 3; h++) {
          tt.ok(d0.get(h), `decided height ${h}`);
          tt.same(d0.get(h)?.blockHash, world.instances[1]!.decisions.get(h)?.blockHash, `same decision at height ${h}`);
        }
        tt.end();
      });
    }
  }
}
