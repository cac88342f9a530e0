/**
 * Consensus benchmark: the simulator with zero network latency, no faults and honest
 * validators only (4, 7 and 16 of equal power), plain core signing (no memoisation).
 * Reports, per validator count: decided heights per CPU second (all engines of the network
 * together), signature verifications and signatures per decided height, and, from the same
 * run, the raw Ed25519 rates of core `verify` and `sign` in a loop. Then
 *   ratio = (CPU per height - estimated signature CPU per height) / CPU per height, at 4 validators,
 * where signature CPU = verifications x (1 / verify rate) + signatures x (1 / sign rate);
 * everything else (engine rules, vote sets, codec, hashing, and the simulator's own queue and
 * network) counts as "outside signature checks", so the ratio is an upper bound for the engine.
 * `ratioVerifyOnly` counts only verification as signature work. The last line is one JSON object.
 */
import { baseSpec, runScenario } from '../consensus/index.js';
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

const raw0 = rawRates(); // warm-up and first sample
const runs: Record<string, unknown>[] = [];
let ratio = NaN;
let ratioVerifyOnly = NaN;
for (const [n, heights] of [[4, 60], [7, 30], [16, 10]] as const) {
  const spec = { ...baseSpec(n, new Array<number>(n).fill(1)), heights, minDelay: 0, maxDelay: 0, gossipMs: 0, memoSigning: false, maxTime: 10_000_000 };
  runScenario({ ...spec, heights: 2 }); // warm-up
  let out!: ReturnType<typeof runScenario>;
  const ms = cpuMs(() => (out = runScenario(spec)));
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
    validators: n, heights: total, cpuMsPerHeight: round(cpuPerHeight), heightsPerCpuSecond: round(1000 / cpuPerHeight),
    verificationsPerHeight: round(verifs), signaturesPerHeight: round(signs), rawVerifyPerSecond: verifyPerSec, rawSignPerSecond: signPerSec,
    signatureCpuShare: round((verifyMs + signMs) / cpuPerHeight),
  };
  console.log(JSON.stringify(row));
  runs.push(row);
  if (n === 4) {
    ratio = round(Math.max(0, cpuPerHeight - verifyMs - signMs) / cpuPerHeight);
    ratioVerifyOnly = round(Math.max(0, cpuPerHeight - verifyMs) / cpuPerHeight);
  }
}
console.log(JSON.stringify({ bench: 'consensus', runs, rawVerifyPerSecond: raw0.verifyPerSec, rawSignPerSecond: raw0.signPerSec, ratio, ratioVerifyOnly }));

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
