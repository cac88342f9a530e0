/**
 * The consensus simulation campaign from the command line:
 *   node dist/scripts/sim.js --seeds N [--start K]   run seeds K .. K+N-1 (default K = 1)
 *   node dist/scripts/sim.js --seed S                run one seed, printing its details
 *   node dist/scripts/sim.js --split-brain N         run N scenarios with > 1/3 faulty power (must violate)
 * Prints counts (scenarios, decided heights, violations, evidence, max rounds after heal)
 * and exits 1 if any scenario of the campaign violates agreement, validity, no-double-sign
 * or liveness. Any failing seed replays exactly with --seed S.
 */
import { randomScenario, runScenario, splitBrainScenario, violationsOf } from '../consensus/index.js';

function arg(name: string): number | null {
  const i = process.argv.indexOf(name);
  if (i < 0) return null;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`${name} needs a non-negative integer`);
    process.exit(2);
  }
  return v;
}

const one = arg('--seed');
const seeds = arg('--seeds');
const start = arg('--start') ?? 1;
const splitBrain = arg('--split-brain');

if (one !== null) {
  const spec = randomScenario(one);
  const { result } = runScenario(spec);
  console.log(JSON.stringify({
    seed: one, powers: spec.powers, behaviours: spec.behaviours, twins: spec.twins, healTime: spec.healTime, partitions: spec.partitions,
    dropP: spec.dropP, dupP: spec.dupP, delay: [spec.minDelay, spec.maxDelay], heights: spec.heights,
  }));
  console.log(JSON.stringify(result));
  process.exit(violationsOf(result).length > 0 ? 1 : 0);
}

if (splitBrain !== null) {
  let found = 0;
  for (let s = 1; s <= splitBrain; s++) if (runScenario(splitBrainScenario(s)).result.agreementViolations.length > 0) found++;
  console.log(JSON.stringify({ splitBrainScenarios: splitBrain, violationsFound: found }));
  process.exit(found === splitBrain ? 0 : 1);
}

const n = seeds ?? 100;
let heights = 0;
let violations = 0;
let evidence = 0;
let maxRounds = 0;
const failing: number[] = [];
const t0 = process.hrtime.bigint();
for (let s = start; s < start + n; s++) {
  const { result } = runScenario(randomScenario(s));
  heights += result.decidedHeights;
  evidence += result.evidence;
  maxRounds = Math.max(maxRounds, result.maxRoundsAfterHeal);
  const v = violationsOf(result);
  if (v.length > 0) {
    violations += v.length;
    failing.push(s);
    console.error(`seed ${s}: ${v.join('; ')}`);
  }
  if ((s - start + 1) % 1000 === 0) console.error(`... ${s - start + 1} scenarios`);
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ scenarios: n, start, decidedHeights: heights, violations, failingSeeds: failing.slice(0, 20), evidence, maxRoundsAfterHeal: maxRounds, seconds: Math.round(seconds * 10) / 10 }));
process.exit(violations > 0 ? 1 : 0);
