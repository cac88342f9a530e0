/**
 * `npm run test:faults`: the fault suite on real processes. For each perturbation
 * (perturbations.ts) a 4-validator cluster is made, each node in its own network namespace
 * (netns.ts, cluster.ts), put under transfer load (load.ts), and the perturbation is applied,
 * held and healed `--times` times; after each repetition the checks (checks.ts) run over RPC
 * only: progress after the heal, the same block hash and state root at every height on every
 * node, every acknowledged transaction committed exactly once. The report (report.ts) ends
 * with one JSON line of totals. Every namespace, link, rule and process it made is removed at
 * exit (and at start: leftovers of a crashed run). Needs root.
 *
 * Usage: node dist/scripts/faults/run.js [--only name,name] [--times 3] [--rate 200]
 *        [--kill-seconds 120] [--backlog 1000] [--list]
 * (--backlog: the load pauses while any validator's mempool holds more transfers than this, 1000 by default.)
 */
import { rmSync } from 'node:fs';
import { Cluster, OBSERVER } from './cluster.js';
import { ChainChecker, type Check } from './checks.js';
import { TransferLoad } from './load.js';
import { rpcCall } from './rpc.js';
import { ensureTools, NetLab, teardown } from './netns.js';
import { PERTURBATIONS, type Ctx, type Perturbation } from './perturbations.js';
import { printRep, summary, type RepResult } from './report.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const TIMES = Number(opt('times', '3'));
const RATE = Number(opt('rate', '200'));
const KILL_SECONDS = Number(opt('kill-seconds', '120'));
const LOAD_SENDERS = 150;
const BACKLOG = Number(opt('backlog', '1000'));
const ACCOUNTS = 400;
const V = [0, 1, 2, 3];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let current: Cluster | null = null;
const lab = new NetLab();
function cleanup(): void {
  for (const p of current?.net.procs ?? []) p?.kill('SIGKILL');
  lab.destroy();
  if (current && !process.env.SOV_KEEP_DEVNET) rmSync(current.net.dir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => process.exit(130));

async function startCluster(p: Perturbation): Promise<{ cluster: Cluster; load: TransferLoad; checker: ChainChecker; probes: { address: string; keys: import('../../core/index.js').KeyPair }[] }> {
  const cluster = Cluster.create(lab, { accounts: ACCOUNTS, observer: p.observer, twinOf: p.twin ? 3 : undefined });
  current = cluster;
  const net = cluster.net;
  for (const i of V) net.start(i);
  if (p.observer) net.start(OBSERVER);
  const checker = new ChainChecker(net);
  if (!(await checker.waitAll(p.observer ? [...V, OBSERVER] : V, 2, 120_000))) throw new Error('the cluster did not reach height 2 in 120 s');
  const accts = net.accountKeys().filter((a) => a.name.startsWith('customer'));
  const load = new TransferLoad(net, accts.slice(0, LOAD_SENDERS), { rate: RATE, targets: [...V] });
  return { cluster, load, checker, probes: accts.slice(LOAD_SENDERS) };
}

async function stopCluster(c: Cluster): Promise<void> {
  c.lab.heal();
  await c.net.stop();
  current = null;
}

async function runRep(p: Perturbation, rep: number, env: Awaited<ReturnType<typeof startCluster>>, checked: Set<string>): Promise<RepResult> {
  const { cluster, load, checker, probes } = env;
  const t0 = performance.now();
  const checks: Check[] = [];
  const notes: Record<string, unknown> = p.name === 'kill-loop' ? { killSeconds: KILL_SECONDS } : {};
  const ctx: Ctx = {
    cluster, load, checker, rep, checks, notes, mustCommit: [], exclude: new Set(),
    takeProbeAccount: () => {
      const a = probes.shift();
      if (!a) throw new Error('out of probe accounts');
      return a;
    },
    log: (m) => console.log(`    ${m}`),
  };
  let compared = p.observer ? [...V, OBSERVER] : V;
  const fromHeight = checker.comparedTo + 1;
  load.targets = [...V];
  load.start();
  // Backpressure: no new transfers while the mempool of a node taking load holds more than BACKLOG (so the
  // suite's own load cannot pile up blocks of thousands of transfers on a slow machine).
  const gate = setInterval(() => {
    void Promise.all(load.targets.map((i) => rpcCall<{ count: number }>(cluster.net.manifest.nodes[i]!.rpc_url, 'admin_mempool', [], 2000, cluster.adminKey()).then((m) => m.count, () => 0)))
      .then((counts) => {
        load.paused = Math.max(...counts) > BACKLOG;
        if (load.paused) pausedTicks++;
      });
  }, 1000);
  let pausedTicks = 0;
  await sleep(4000);
  try {
    await p.run(ctx);
  } catch (e) {
    checks.push({ name: 'perturbation ran', pass: false, detail: (e as Error).message });
    cluster.lab.heal();
  }
  delete notes.killSeconds;
  const live = V.filter((i) => !ctx.exclude.has(i));
  compared = compared.filter((i) => !ctx.exclude.has(i));
  if (ctx.exclude.size > 0) notes.leftOutOfChecks = [...ctx.exclude];
  // Progress after the heal: every validator three blocks past the highest tip at the heal.
  const healTop = Math.max(...(await checker.tips(live)));
  const tHeal = performance.now();
  const progressed = await checker.waitAll(live, healTop + 3, 120_000);
  const tips = await checker.tips(live);
  checks.push({ name: 'progress after the heal', pass: progressed, detail: `highest tip ${healTop} at the heal; tips ${tips.join(',')} after ${((performance.now() - tHeal) / 1000).toFixed(1)} s` });
  await sleep(2000);
  clearInterval(gate);
  await load.stop();
  load.paused = false;
  // Exactly once: every acknowledgement not checked before.
  const hashes = [...load.acks.keys(), ...load.replayed, ...ctx.mustCommit].filter((h) => !checked.has(h));
  const wc = await checker.waitCommitted(0, hashes, 120_000);
  let maxH = 0;
  for (const h of wc.found.values()) maxH = Math.max(maxH, h);
  await checker.waitAll(compared, maxH, 60_000);
  const cmp = await checker.compare(compared);
  const eo = checker.exactlyOnce(hashes, wc.found);
  for (const h of hashes) if (wc.found.has(h)) checked.add(h);
  const byNode = (hs: string[]): string => JSON.stringify(hs.slice(0, 3).map((h) => ({ h, ack: load.acks.get(h) ?? (load.replayed.has(h) ? 'nonce-replayed answer' : 'probe') })));
  checks.push({ name: 'same block hash and state root on every node', pass: cmp.mismatches.length === 0, detail: `heights ${cmp.from}..${cmp.to}, ${cmp.comparisons} comparisons${cmp.mismatches.length ? ': ' + cmp.mismatches.slice(0, 3).join('; ') : ''}` });
  checks.push({ name: 'every acknowledged transaction committed', pass: wc.missing.length === 0, detail: `${wc.found.size} of ${hashes.length}${wc.missing.length ? `; missing ${byNode(wc.missing)}` : ''}` });
  checks.push({ name: 'each exactly once', pass: eo.twice.length === 0 && eo.notScanned === 0 && checker.duplicates.length === 0, detail: `${eo.once} once${eo.twice.length ? `, more than once: ${eo.twice.slice(0, 3).join(', ')}` : ''}${eo.notScanned ? `, ${eo.notScanned} above the heights compared` : ''}; ${checker.duplicates.length} duplicates in all blocks scanned` });
  if (load.errors.length > 0) checks.push({ name: 'no unexpected refusals', pass: false, detail: load.errors.slice(0, 3).join('; ') });
  notes.acknowledged = hashes.length;
  notes.unacknowledgedAtEnd = load.unacknowledged;
  notes.submitRetries = load.submitFailures;
  if (pausedTicks > 0) notes.loadPausedSeconds = pausedTicks;
  load.submitFailures = 0;
  return {
    perturbation: p.name, rep, pass: checks.every((c) => c.pass), seconds: (performance.now() - t0) / 1000,
    heights: { from: fromHeight, to: cmp.to }, nodesCompared: compared.length, hashComparisons: cmp.comparisons,
    txsChecked: hashes.length, committedOnce: eo.once, checks, notes,
  };
}

async function main(): Promise<void> {
  if (argv.includes('--list')) {
    for (const p of PERTURBATIONS) console.log(`${p.name.padEnd(18)} ${p.what}`);
    return;
  }
  const only = opt('only', '').split(',').filter(Boolean);
  const chosen = only.length ? PERTURBATIONS.filter((p) => only.includes(p.name)) : PERTURBATIONS;
  const unknown = only.filter((n) => !PERTURBATIONS.some((p) => p.name === n));
  if (unknown.length) throw new Error(`unknown perturbation(s) ${unknown.join(', ')}; --list names them`);
  ensureTools();
  teardown();
  lab.setup(6);
  console.log(`fault suite: ${chosen.map((p) => p.name).join(', ')}; ${TIMES} time(s) each; load ${RATE} transfers/s; nodes in network namespaces ${'sovft-n0..5'} on 10.231.0.0/24`);
  const t0 = performance.now();
  const results: RepResult[] = [];
  for (const p of chosen) {
    console.log(`\n== ${p.name}: ${p.what}`);
    let env: Awaited<ReturnType<typeof startCluster>> | null = null;
    let checked = new Set<string>();
    for (let rep = 0; rep < TIMES; rep++) {
      try {
        if (!env || p.freshCluster) {
          if (env) await stopCluster(env.cluster);
          env = await startCluster(p);
          checked = new Set();
        }
        const r = await runRep(p, rep, env, checked);
        printRep(r);
        results.push(r);
      } catch (e) {
        const r: RepResult = { perturbation: p.name, rep, pass: false, seconds: 0, heights: { from: 0, to: -1 }, nodesCompared: 0, hashComparisons: 0, txsChecked: 0, committedOnce: 0, checks: [{ name: 'repetition completed', pass: false, detail: (e as Error).stack ?? String(e) }], notes: {} };
        printRep(r);
        results.push(r);
        if (env) await stopCluster(env.cluster).catch(() => undefined);
        env = null;
      }
    }
    if (env) {
      // A failed perturbation's node homes and logs are kept for a look.
      const failed = results.some((r) => r.perturbation === p.name && !r.pass);
      if (failed) process.env.SOV_KEEP_DEVNET = '1';
      await stopCluster(env.cluster);
      if (failed) console.log(`    node homes and logs kept in ${env.cluster.net.dir}`);
      delete process.env.SOV_KEEP_DEVNET;
    }
  }
  const s = summary(results, (performance.now() - t0) / 1000);
  console.log(JSON.stringify(s));
  process.exitCode = results.every((r) => r.pass) ? 0 : 1;
}

await main();
