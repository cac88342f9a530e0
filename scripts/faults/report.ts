/**
 * The fault suite's report: one block of lines per perturbation repetition (its checks, the
 * heights compared, the block hash and state root comparisons made, the transactions checked)
 * and, last, one JSON line of totals with `ratio` = checks passed / checks made.
 */
import type { Check } from './checks.js';

export interface RepResult {
  perturbation: string;
  rep: number;
  pass: boolean;
  seconds: number;
  heights: { from: number; to: number };
  nodesCompared: number;
  hashComparisons: number;
  txsChecked: number;
  committedOnce: number;
  checks: Check[];
  notes: Record<string, unknown>;
}

export function printRep(r: RepResult): void {
  console.log(`[${r.pass ? 'PASS' : 'FAIL'}] ${r.perturbation} #${r.rep + 1}: heights ${r.heights.from}..${r.heights.to} on ${r.nodesCompared} nodes (${r.hashComparisons} block hash and state root comparisons), ${r.txsChecked} transactions checked, ${r.committedOnce} committed exactly once, ${r.seconds.toFixed(0)} s`);
  for (const c of r.checks) console.log(`    ${c.pass ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (Object.keys(r.notes).length > 0) console.log(`    notes: ${JSON.stringify(r.notes)}`);
}

export function summary(results: RepResult[], seconds: number): Record<string, unknown> {
  const checks = results.flatMap((r) => r.checks);
  const per: Record<string, { runs: number; passed: number }> = {};
  for (const r of results) {
    const p = (per[r.perturbation] ??= { runs: 0, passed: 0 });
    p.runs++;
    if (r.pass) p.passed++;
  }
  return {
    suite: 'faults',
    runs: results.length,
    passed: results.filter((r) => r.pass).length,
    failed: results.filter((r) => !r.pass).map((r) => `${r.perturbation}#${r.rep + 1}`),
    perturbations: per,
    heightsCompared: results.reduce((a, r) => a + Math.max(0, r.heights.to - r.heights.from + 1), 0),
    hashComparisons: results.reduce((a, r) => a + r.hashComparisons, 0),
    txsChecked: results.reduce((a, r) => a + r.txsChecked, 0),
    checks: checks.length,
    seconds: Math.round(seconds),
    ratio: checks.length === 0 ? 0 : Number((checks.filter((c) => c.pass).length / checks.length).toFixed(4)),
  };
}
