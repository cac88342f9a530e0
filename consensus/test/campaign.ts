/**
 * The random-scenario campaign as a tap test: seeds [from, from + count), each a random
 * scenario (randomScenario), all required free of violations. Split over several test files
 * so tap runs them in parallel.
 */
import type { Test } from 'tap';
import { randomScenario, runScenario, violationsOf } from '../index.js';

export function campaign(tt: Test, from: number, count: number): void {
  let heights = 0;
  let maxRounds = 0;
  let evidence = 0;
  let withFaults = 0;
  let withPartitions = 0;
  const failures: string[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const spec = randomScenario(seed);
    const { result } = runScenario(spec);
    heights += result.decidedHeights;
    maxRounds = Math.max(maxRounds, result.maxRoundsAfterHeal);
    evidence += result.evidence;
    if (spec.twins.length > 0 || spec.behaviours.some((b) => b !== 'honest')) withFaults++;
    if (spec.partitions.length > 0) withPartitions++;
    const v = violationsOf(result);
    if (v.length > 0) failures.push(`seed ${seed}: ${v.slice(0, 3).join('; ')}`);
  }
  tt.same(failures, [], `${count} scenarios from seed ${from}: no violations (replay one with: node dist/scripts/sim.js --seed S)`);
  tt.ok(heights >= count * 2, `${heights} heights decided`);
  tt.ok(withFaults > count / 4, `${withFaults} scenarios with Byzantine validators or twins`);
  tt.ok(withPartitions > count / 4, `${withPartitions} scenarios with partitions`);
  tt.ok(evidence > 0, `${evidence} duplicate-vote evidence found`);
  tt.comment(`max rounds per height after heal: ${maxRounds}`);
}
