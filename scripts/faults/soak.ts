/**
 * `npm run test:soak -- --minutes N`: four validators on 127.0.0.1 (test/devnet.ts) under
 * transfers at 80% of bench:devnet's peak (measured first, by bench:devnet run as a child
 * for `--peak-seconds`; or `--rate R` transfers/s given) for N minutes. The nodes prune
 * (`[storage] retain_blocks` / `retain_state`), as a long-running node would, so their disk
 * can level off.
 *
 * Every 10 s it samples each node's RSS (/proc/PID/status VmRSS), its data directory's size
 * and its mempool (admin_mempool); it polls node 0's blocks as they commit and takes each
 * acknowledged transfer's latency from its acknowledgement to the block that carries it.
 * Passes when:
 * - lost = 0: every acknowledged transfer is committed (seen in a block) by the end (the load
 *   stops, then up to 120 s for the last ones);
 * - the mempool never overflows: no MEMPOOL_FULL refusal, and no sample at its max_txs;
 * - RSS levels off on every node: the mean of the last third of the samples is at most 10%
 *   (+16 MiB) above the middle third's;
 * - disk levels off on every node: the largest last-third sample is at most 25% (+8 MiB)
 *   above the middle third's largest;
 * - p99 latency of the last minute is at most 2x the first minute's (`ratio`).
 * The last line is one JSON object of its figures.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Devnet } from '../../test/devnet.js';
import { devnetTransferBaseline, killChildGroups, percentile, type StartedByBench } from '../bench-util.js';
import { hashSecret } from '../../rpc/index.js';
import { TransferLoad } from './load.js';
import { rpcBatch, rpcCall, status } from './rpc.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const MINUTES = opt('minutes', 10);
const PEAK_SECONDS = opt('peak-seconds', 20);
const BLOCK_MS = 250;
const ADMIN = 'sov_soak-admin-secret';
const SAMPLE_MS = 10_000;
const RETAIN_BLOCKS = 100;
const RETAIN_STATE = 50;

const started: StartedByBench = { children: new Set(), tmpDirs: new Set() };
let net: Devnet | null = null;
process.on('exit', () => {
  killChildGroups(started.children);
  for (const d of started.tmpDirs) rmSync(d, { recursive: true, force: true });
  for (const p of net?.procs ?? []) p?.kill('SIGKILL');
  if (net && !process.env.SOV_KEEP_DEVNET) rmSync(net.dir, { recursive: true, force: true });
});
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => process.exit(130));

function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function dirMiB(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      try {
        if (e.isDirectory()) walk(p);
        else total += statSync(p).blocks * 512;
      } catch {
        // removed while walking (compaction)
      }
    }
  };
  walk(dir);
  return total / (1024 * 1024);
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const thirds = <T>(xs: T[]): [T[], T[]] => {
  const n = xs.length;
  return [xs.slice(Math.floor(n / 3), Math.floor((2 * n) / 3)), xs.slice(Math.floor((2 * n) / 3))];
};

async function main(): Promise<void> {
  let rate = opt('rate', 0);
  let peakTps: number | null = null;
  if (!rate) {
    console.log(`soak: measuring the peak with bench:devnet (--seconds ${PEAK_SECONDS})`);
    const { tps } = await devnetTransferBaseline(PEAK_SECONDS, started, ['--accounts', '400', '--block-ms', String(BLOCK_MS)], 'soak-peak-');
    peakTps = tps;
    if (tps < 10) throw new Error(`bench:devnet's peak was ${tps} tx/s: this machine is too loaded to soak at 80% of it; pass --rate N`);
    rate = Math.round(tps * 0.8);
  }
  console.log(`soak: ${MINUTES} min at ${rate} transfers/s${peakTps !== null ? ` (80% of the ${peakTps} tx/s peak)` : ''}`);
  net = Devnet.create({ validators: 4, blockIntervalMs: BLOCK_MS, accounts: 400, logLevel: 'warn' });
  writeFileSync(join(net.dir, 'rpc-keys.toml'), `[[key]]\nname = "soak"\nsha256 = "${hashSecret(ADMIN)}"\nroles = ["admin"]\nrate_limit = 0\n`);
  for (let i = 0; i < 4; i++) {
    writeFileSync(join(net.manifest.nodes[i]!.home, 'rpc-keys.toml'), readFileSync(join(net.dir, 'rpc-keys.toml')));
    net.setConfig(i, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
    net.setConfig(i, 'rpc', 'max_batch', '1000');
    net.setConfig(i, 'rpc', 'rate_limit_per_key', '0');
    // A window that fills within the first minutes at this load (1 to 4 blocks a second), so
    // the middle and last thirds of the run see pruning in its steady state (600 blocks took
    // about 10 minutes to fill at 1,700 tx/s: the disk grew for the whole of a 10-minute soak).
    net.setConfig(i, 'storage', 'retain_blocks', String(RETAIN_BLOCKS));
    net.setConfig(i, 'storage', 'retain_state', String(RETAIN_STATE));
  }
  net.startAll();
  for (let i = 0; i < 4; i++) await net.waitHeight(i, 2);
  const accts = net.accountKeys().filter((a) => a.name.startsWith('customer'));
  const load = new TransferLoad(net, accts, { rate, targets: [0, 1, 2, 3] });
  const url0 = net.manifest.nodes[0]!.rpc_url;
  const dataDir = (i: number): string => join(net!.manifest.nodes[i]!.home, 'data');

  // Commit tracking: node 0's new blocks, matched against acknowledgements.
  let seen = (await status(url0))!.height;
  const pendingAck = new Map<string, number>();
  let ackedCount = 0;
  const committedAt: { t: number; latency: number }[] = [];
  const t0 = performance.now();
  /** Transactions seen in a block before their acknowledgement reached us (the answer waited in our event loop), by when. */
  const seenEarly = new Map<string, number>();
  const poll = async (): Promise<void> => {
    for (const [h, a] of load.acks) {
      ackedCount++;
      const seenAt = seenEarly.get(h);
      if (seenAt !== undefined) {
        seenEarly.delete(h);
        committedAt.push({ t: seenAt - t0, latency: Math.max(0, seenAt - a.at) });
      } else pendingAck.set(h, a.at);
    }
    load.acks.clear();
    for (const [h, at] of seenEarly) if (performance.now() - at > 60_000) seenEarly.delete(h);
    const tip = (await status(url0, 5000))?.height ?? seen;
    for (let from = seen + 1; from <= tip; from += 50) {
      const calls: { method: string; params: unknown }[] = [];
      for (let h = from; h <= Math.min(tip, from + 49); h++) calls.push({ method: 'sov_getBlock', params: [h] });
      const answers = await rpcBatch(url0, calls, 20_000);
      const now = performance.now();
      for (const a of answers) {
        for (const tx of (a.result as { txs: string[] } | undefined)?.txs ?? []) {
          const at = pendingAck.get(tx);
          if (at !== undefined) {
            pendingAck.delete(tx);
            committedAt.push({ t: now - t0, latency: now - at });
          } else seenEarly.set(tx, now);
        }
      }
      seen = Math.min(tip, from + 49);
    }
  };

  type Sample = { t: number; rss: number[]; disk: number[]; mempool: number };
  const samples: Sample[] = [];
  let mempoolMax = 0;
  let mempoolLimit = Infinity;
  const sample = async (): Promise<void> => {
    let mp = 0;
    for (let i = 0; i < 4; i++) {
      const m = await rpcCall<{ count: number; maxTxs: number }>(net!.manifest.nodes[i]!.rpc_url, 'admin_mempool', [], 5000, ADMIN).catch(() => null);
      if (m) {
        mp = Math.max(mp, m.count);
        mempoolLimit = m.maxTxs;
      }
    }
    mempoolMax = Math.max(mempoolMax, mp);
    samples.push({ t: (performance.now() - t0) / 1000, rss: [0, 1, 2, 3].map((i) => rssMiB(net!.procs[i]?.pid)), disk: [0, 1, 2, 3].map((i) => dirMiB(dataDir(i))), mempool: mp });
  };

  load.start();
  const end = t0 + MINUTES * 60_000;
  let nextSample = performance.now();
  let nextReport = t0 + 60_000;
  while (performance.now() < end) {
    await poll().catch(() => undefined);
    if (performance.now() >= nextSample) {
      await sample();
      nextSample += SAMPLE_MS;
    }
    if (performance.now() >= nextReport) {
      const m = Math.round((nextReport - t0) / 60_000);
      const inMin = committedAt.filter((c) => c.t >= (m - 1) * 60_000 && c.t < m * 60_000);
      const s = samples.at(-1)!;
      console.log(`minute ${m}: ${(inMin.length / 60).toFixed(0)} tx/s committed, p99 ${percentile(inMin.map((c) => c.latency), 99).toFixed(0)} ms, mempool ${s.mempool}, rss ${s.rss.map((x) => x.toFixed(0)).join('/')} MiB, disk ${s.disk.map((x) => x.toFixed(1)).join('/')} MiB`);
      nextReport += 60_000;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await load.stop();
  await sample();
  const drainEnd = performance.now() + 120_000;
  while (pendingAck.size > 0 && performance.now() < drainEnd) {
    await poll().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
  }
  // Whatever is left: asked one by one (a block may have been missed by a failed poll).
  let lost = 0;
  if (pendingAck.size > 0) {
    const left = [...pendingAck.keys()];
    for (let i = 0; i < left.length; i += 500) {
      const answers = await rpcBatch(url0, left.slice(i, i + 500).map((h) => ({ method: 'sov_getTransaction', params: [h] })), 30_000);
      lost += answers.filter((a) => !a.result).length;
    }
  }

  const minutes = Math.max(1, Math.round(MINUTES));
  const p99PerMinute: number[] = [];
  const tpsPerMinute: number[] = [];
  for (let m = 0; m < minutes; m++) {
    const inMin = committedAt.filter((c) => c.t >= m * 60_000 && c.t < (m + 1) * 60_000);
    p99PerMinute.push(Math.round(percentile(inMin.map((c) => c.latency), 99)));
    tpsPerMinute.push(Math.round(inMin.length / 60));
  }
  const nodes = [0, 1, 2, 3];
  const [mid, last] = thirds(samples);
  const rssLevel = nodes.map((i) => mean(last.map((s) => s.rss[i]!)) <= mean(mid.map((s) => s.rss[i]!)) * 1.1 + 16);
  const diskLevel = nodes.map((i) => Math.max(...last.map((s) => s.disk[i]!)) <= Math.max(...mid.map((s) => s.disk[i]!)) * 1.25 + 8);
  const firstMin = samples.filter((s) => s.t <= 60);
  const lastMin = samples.filter((s) => s.t >= samples.at(-1)!.t - 60);
  const ratio = p99PerMinute[0]! > 0 ? p99PerMinute.at(-1)! / p99PerMinute[0]! : NaN;
  const overflow = (load.refusals.get('MEMPOOL_FULL') ?? 0) > 0 || mempoolMax >= mempoolLimit;
  const pass = lost === 0 && !overflow && rssLevel.every(Boolean) && diskLevel.every(Boolean) && ratio <= 2;
  const figures = {
    soak: pass ? 'pass' : 'fail',
    minutes: MINUTES,
    peakTps,
    rate,
    tps: round1(committedAt.length / (MINUTES * 60)),
    tpsPerMinute,
    acknowledged: ackedCount,
    lost,
    mempoolMax,
    mempoolLimit,
    mempoolFullRefusals: load.refusals.get('MEMPOOL_FULL') ?? 0,
    p99PerMinuteMs: p99PerMinute,
    p50Ms: Math.round(percentile(committedAt.map((c) => c.latency), 50)),
    rssMiB: nodes.map((i) => ({ node: i, first: round1(mean(firstMin.map((s) => s.rss[i]!))), last: round1(mean(lastMin.map((s) => s.rss[i]!))), levelsOff: rssLevel[i] })),
    diskMiB: nodes.map((i) => ({ node: i, first: round1(Math.max(...firstMin.map((s) => s.disk[i]!))), last: round1(Math.max(...lastMin.map((s) => s.disk[i]!))), levelsOff: diskLevel[i] })),
    ratio: Number(ratio.toFixed(3)),
  };
  await Promise.all(nodes.map((i) => net!.kill(i, 'SIGTERM')));
  await net.stop();
  console.log(JSON.stringify(figures));
  process.exitCode = pass ? 0 : 1;
}

await main();
