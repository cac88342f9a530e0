/**
 * Consensus benchmark: the simulator with zero network latency, no faults and honest
 * validators only (4, 7, 16 and 64 of equal power), plain core signing (no memoisation).
 * Reports, per validator count: CPU per decided height (all engines of the network together,
 * and per validator: what one node's engine spends), decided heights per CPU second, signature verifications and signatures per decided height, and, from the same
 * run, the raw Ed25519 rates of core `verify` and `sign` in a loop. The time spent inside the
 * engines' `step` is measured by wrapping ConsensusEngine.prototype.step. Then, at 4 validators,
 *   ratio = (engine step time - signature time) / total CPU, per height,
 * where signature time = verifications x (1 / verify rate) + signatures x (1 / sign rate):
 * the engine's own work (rules, vote sets, codec, hashing) outside signature checks, over a
 * height's whole CPU (engines, signatures and the simulator). `ratioUpperBound` counts the
 * simulator's own queue and network as engine work too. The last line is one JSON object.
 */
import { baseSpec, ConsensusEngine, runScenario } from '../consensus/index.js';
import { keyPairFromSecret, sha256, sign, utf8, verify } from '../core/index.js';

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

function rawRates(): { verifyPerSec: number; signPerSec: number } {
  const kp = keyPairFromSecret(sha256(utf8('bench')));
  const msgs = Array.from({ length: 64 }, (_, i) => utf8(`message ${i}`));
  const sigs = msgs.map((m) => sign(m, kp.secretKey));
  const N = 4000;
  let ok = 0;
  const v = cpuMs(() => {
    for (let i = 0; i < N; i++) if (verify(sigs[i % 64]!, msgs[i % 64]!, kp.publicKey)) ok++;
  });
  if (ok !== N) throw new Error('verify failed in the benchmark');
  const M = 1000;
  const s = cpuMs(() => {
    for (let i = 0; i < M; i++) sign(msgs[i % 64]!, kp.secretKey);
  });
  return { verifyPerSec: Math.round(N / (v / 1000)), signPerSec: Math.round(M / (s / 1000)) };
}

// Time spent inside every engine's step (the benchmark's only instrumentation).
let stepNs = 0n;
const step = ConsensusEngine.prototype.step;
ConsensusEngine.prototype.step = function (this: ConsensusEngine, ev) {
  const t0 = process.hrtime.bigint();
  try {
    return step.call(this, ev);
  } finally {
    stepNs += process.hrtime.bigint() - t0;
  }
};

const raw0 = rawRates(); // warm-up and first sample
const runs: Record<string, unknown>[] = [];
let ratio = NaN;
let ratioUpperBound = NaN;
let ratioVerifyOnly = NaN;
for (const [n, heights] of [[4, 60], [7, 30], [16, 10], [64, 3]] as const) {
  const spec = { ...baseSpec(n, new Array<number>(n).fill(1)), heights, minDelay: 0, maxDelay: 0, gossipMs: 0, memoSigning: false, maxTime: 10_000_000 };
  runScenario({ ...spec, heights: 2 }); // warm-up
  let out!: ReturnType<typeof runScenario>;
  stepNs = 0n;
  const ms = cpuMs(() => (out = runScenario(spec)));
  const stepMs = Number(stepNs) / 1e6;
  const decided = out.result.decidedHeights;
  if (decided < heights || out.result.agreementViolations.length > 0) throw new Error(`bench run with ${n} validators failed`);
  const raw = rawRates();
  const verifyPerSec = Math.round((raw.verifyPerSec + raw0.verifyPerSec) / 2);
  const signPerSec = Math.round((raw.signPerSec + raw0.signPerSec) / 2);
  // Engines may decide a little past the target; count the heights every engine decided.
  const total = out.world.instances.reduce((s, i) => s + i.decisions.size, 0) / n;
  const verifs = out.result.verifications / total;
  const signs = out.world.stats.signatures / total;
  const cpuPerHeight = ms / total;
  const verifyMs = (verifs / verifyPerSec) * 1000;
  const signMs = (signs / signPerSec) * 1000;
  const row = {
    validators: n, heights: total, cpuMsPerHeight: round(cpuPerHeight), cpuMsPerHeightPerValidator: round(cpuPerHeight / n), heightsPerCpuSecond: round(1000 / cpuPerHeight),
    verificationsPerHeight: round(verifs), signaturesPerHeight: round(signs), rawVerifyPerSecond: verifyPerSec, rawSignPerSecond: signPerSec,
    signatureCpuShare: round((verifyMs + signMs) / cpuPerHeight),
    engineStepMsPerHeight: round(stepMs / total),
  };
  console.log(JSON.stringify(row));
  runs.push(row);
  if (n === 4) {
    ratio = round(Math.max(0, stepMs / total - verifyMs - signMs) / cpuPerHeight);
    ratioUpperBound = round(Math.max(0, cpuPerHeight - verifyMs - signMs) / cpuPerHeight);
    ratioVerifyOnly = round(Math.max(0, cpuPerHeight - verifyMs) / cpuPerHeight);
  }
}
console.log(JSON.stringify({ bench: 'consensus', runs, rawVerifyPerSecond: raw0.verifyPerSec, rawSignPerSecond: raw0.signPerSec, ratio, ratioUpperBound, ratioVerifyOnly }));

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
