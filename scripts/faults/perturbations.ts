/**
 * The fault suite's perturbations. Each applies its fault to a running 4-validator cluster
 * under transfer load, holds it, and heals it; the runner (run.ts) then checks progress,
 * agreement and exactly-once over RPC. A perturbation may add checks of its own (progress
 * while a quorum remains, the SIGKILL loop's probes, the observer's transfer, the twins'
 * evidence) and notes for the report. Repetition `rep` (0-based) picks the victim, so three
 * repetitions hit different validators.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from '../../core/index.js';
import type { Check } from './checks.js';
import type { ChainChecker } from './checks.js';
import { OBSERVER, TWIN, type Cluster } from './cluster.js';
import { nodeIp } from './netns.js';
import type { TransferLoad } from './load.js';
import { status, rpcCall } from './rpc.js';

export interface Ctx {
  cluster: Cluster;
  load: TransferLoad;
  checker: ChainChecker;
  rep: number;
  /** Funded accounts no load uses, each good for one transfer at nonce 0. */
  takeProbeAccount: () => { address: string; keys: KeyPair };
  log: (msg: string) => void;
  /** Transactions this perturbation acknowledged itself (probes), to be checked exactly once like the load's. */
  mustCommit: string[];
  notes: Record<string, unknown>;
  checks: Check[];
  /** Nodes the runner's checks leave out after this perturbation (a validator suspended for equivocating, whose node its peers then refuse). */
  exclude: Set<number>;
}

export interface Perturbation {
  name: string;
  what: string;
  /** The cluster it needs. */
  observer?: boolean;
  twin?: boolean;
  /** A fresh cluster for every repetition (its fault leaves lasting marks, e.g. a suspended validator). */
  freshCluster?: boolean;
  run(ctx: Ctx): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const V = [0, 1, 2, 3];

/** Heights of the nodes `live` move on by `blocks` within `ms` (a quorum remains during the fault). */
async function progressWhile(ctx: Ctx, live: number[], ms: number, blocks = 3): Promise<void> {
  const before = Math.max(...(await ctx.checker.tips(live)));
  await sleep(ms);
  const after = Math.min(...(await ctx.checker.tips(live)));
  ctx.notes.heightsDuringFault = { before, after, nodes: live };
  ctx.checks.push({ name: 'progress during the fault', pass: after >= before + blocks, detail: `nodes ${live.join(',')}: ${before} -> ${after} in ${ms / 1000} s` });
}

async function waitRpc(url: string, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await status(url, 500)) return true;
    await sleep(20);
  }
  return false;
}

export const PERTURBATIONS: Perturbation[] = [
  {
    name: 'partition-2-2',
    what: 'validators {0,1} | {2,3} for 15 s (no quorum on either side), then heal',
    async run(ctx) {
      const { lab } = ctx.cluster;
      const h = Math.max(...(await ctx.checker.tips(V)));
      lab.partition([[0, 1], [2, 3]]);
      await sleep(15_000);
      const during = Math.max(...(await ctx.checker.tips(V)));
      ctx.notes.heightsDuringFault = { before: h, after: during };
      ctx.checks.push({ name: 'no side commits without a quorum', pass: during <= h + 1, detail: `highest tip ${h} -> ${during}` });
      lab.heal();
    },
  },
  {
    name: 'partition-1-3',
    what: 'one validator cut off from the other three for 15 s, then heal',
    async run(ctx) {
      const v = ctx.rep % 4;
      ctx.notes.victim = v;
      ctx.cluster.lab.isolate(v);
      await progressWhile(ctx, V.filter((i) => i !== v), 15_000);
      ctx.cluster.lab.heal();
    },
  },
  {
    name: 'delay',
    what: "200 ms +- 50 ms on every packet of one validator's links (both ways) for 20 s",
    async run(ctx) {
      const v = ctx.rep % 4;
      ctx.notes.victim = v;
      ctx.notes.tool = ctx.cluster.lab.delay(v, 200, 50);
      // In effect: a TCP connect from the victim to a peer's p2p port takes a SYN and a SYN-ACK, each held 200 +- 50 ms.
      const peer = (v + 1) % 4;
      const port = /\/tcp\/(\d+)/.exec(ctx.cluster.net.manifest.nodes[peer]!.p2p_address)![1];
      const connectMs = (): number => Number(ctx.cluster.lab.inNs(v, 'python3', ['-c', `import socket,time\nt=time.monotonic()\nsocket.create_connection(('${nodeIp(peer)}', ${port}), 10).close()\nprint(round((time.monotonic()-t)*1000))`]).trim());
      // The NFQUEUE delayer binds its queue a moment after it starts (until then packets bypass
      // the queue): measure until the delay shows, for up to 5 s.
      let ms = connectMs();
      let tries = 1;
      for (const until = Date.now() + 5000; ms < 250 && Date.now() < until; tries++) {
        await new Promise((r) => setTimeout(r, 200));
        ms = connectMs();
      }
      ctx.checks.push({ name: 'delay in effect', pass: ms >= 250, detail: `TCP connect from node ${v} to node ${peer}: ${ms} ms (measurement ${tries})` });
      await progressWhile(ctx, V, 20_000);
      ctx.cluster.lab.heal();
    },
  },
  {
    name: 'loss',
    what: 'every node drops 5% of the packets it sends to the others, for 20 s',
    async run(ctx) {
      ctx.cluster.lab.loss(5);
      await progressWhile(ctx, V, 20_000);
      // In effect: the DROP rules' packet counters, node by node.
      const dropped = V.map((i) => {
        const line = ctx.cluster.lab.inNs(i, 'iptables', ['-nvxL', 'OUTPUT']).split('\n').find((l) => l.includes('DROP') && l.includes('statistic'));
        return Number(line?.trim().split(/\s+/)[0] ?? 0);
      });
      ctx.checks.push({ name: 'loss in effect', pass: dropped.every((d) => d > 0), detail: `packets dropped by each node's rule: ${dropped.join('/')}` });
      ctx.cluster.lab.heal();
    },
  },
  {
    name: 'clock-ahead',
    what: "one validator restarted with its wall clock 30 s ahead (libfaketime) for 20 s, then restarted on the true clock",
    async run(ctx) {
      const v = ctx.rep % 4;
      ctx.notes.victim = v;
      ctx.load.targets = V.filter((i) => i !== v);
      await sleep(300);
      await ctx.cluster.restartWithClock(v, 30);
      ctx.load.targets = [...V];
      await progressWhile(ctx, V.filter((i) => i !== v), 20_000);
      // Did the shifted node keep up with the others?
      const tips = await ctx.checker.tips(V);
      ctx.notes.tipsBeforeClockHeal = tips;
      ctx.load.targets = V.filter((i) => i !== v);
      await sleep(300);
      await ctx.cluster.restartWithClock(v, 0);
      ctx.load.targets = [...V];
    },
  },
  {
    name: 'pause',
    what: 'one validator stopped (SIGSTOP) for 15 s, then resumed (SIGCONT)',
    async run(ctx) {
      const v = ctx.rep % 4;
      ctx.notes.victim = v;
      ctx.cluster.net.signal(v, 'SIGSTOP');
      try {
        await progressWhile(ctx, V.filter((i) => i !== v), 15_000);
      } finally {
        ctx.cluster.net.signal(v, 'SIGCONT');
      }
    },
  },
  {
    name: 'kill-loop',
    what: 'SIGKILL a validator every few seconds for 2 minutes (--kill-seconds; each validator in turn): right after each restart, before it has links, 3 transfers go to it; it is killed again 1.5-4 s later',
    async run(ctx) {
      const net = ctx.cluster.net;
      const seconds = Number(ctx.notes.killSeconds ?? 120);
      const end = Date.now() + seconds * 1000;
      type Probe = { hash: string; node: number; relayedTo: number | null; linked: boolean };
      const probes: Probe[] = [];
      let kills = 0;
      let cycle = 0;
      while (Date.now() < end) {
        const v = cycle++ % 4;
        ctx.load.targets = V.filter((i) => i !== v);
        await sleep(500);
        await net.kill(v);
        kills++;
        await sleep(300 + Math.random() * 700);
        net.start(v);
        if (!(await waitRpc(net.manifest.nodes[v]!.rpc_url, 90_000))) {
          ctx.checks.push({ name: `node ${v} answers after restart`, pass: false, detail: 'no RPC within 90 s' });
          break;
        }
        const mine: Probe[] = [];
        for (let k = 0; k < 3; k++) {
          const acct = ctx.takeProbeAccount();
          const tx = ctx.load.transfer(acct.keys, 0);
          const a = await ctx.load.submitOne(v, tx, 10_000);
          if (a.ok) mine.push({ hash: '0x' + tx.hashHex, node: v, relayedTo: a.relayedTo, linked: false });
        }
        // Killed again 1.5-4 s after its restart; did it get a link before that?
        const killAt = Date.now() + 1500 + Math.random() * 2500;
        let linked = false;
        while (Date.now() < killAt) {
          const s = await status(net.manifest.nodes[v]!.rpc_url, 300);
          if (s && s.peers > 0) linked = true;
          await sleep(100);
        }
        await net.kill(v);
        kills++;
        for (const p of mine) probes.push({ ...p, linked });
        await sleep(300);
        net.start(v);
        await waitRpc(net.manifest.nodes[v]!.rpc_url, 90_000);
        ctx.load.targets = [...V];
        await sleep(1500);
      }
      const linked = probes.filter((p) => p.linked);
      const unlinked = probes.filter((p) => !p.linked);
      ctx.mustCommit.push(...linked.map((p) => p.hash));
      const res = await ctx.checker.waitCommitted(0, unlinked.map((p) => p.hash), 5_000);
      ctx.notes.kills = kills;
      ctx.notes.probes = { sent: probes.length, beforeLinks: probes.filter((p) => p.relayedTo === 0).length, nodeLivedToLink: linked.length, nodeDiedUnlinked: unlinked.length, unlinkedCommittedAnyway: res.found.size };
      ctx.checks.push({ name: 'probes answered before links (relayedTo 0)', pass: probes.some((p) => p.relayedTo === 0), detail: `${probes.filter((p) => p.relayedTo === 0).length} of ${probes.length}` });
    },
  },
  {
    name: 'observer-isolated',
    what: 'an observer restarted with no links (iptables) acknowledges 3 transfers (relayedTo 0), is linked again, and the transfers commit',
    observer: true,
    async run(ctx) {
      const { net, lab } = ctx.cluster;
      const url = net.manifest.nodes[OBSERVER]!.rpc_url;
      await net.kill(OBSERVER);
      lab.isolate(OBSERVER);
      net.start(OBSERVER);
      if (!(await waitRpc(url, 90_000))) throw new Error('the observer did not answer after its restart');
      const hashes: string[] = [];
      const answers: (number | null)[] = [];
      for (let k = 0; k < 3; k++) {
        const acct = ctx.takeProbeAccount();
        const tx = ctx.load.transfer(acct.keys, 0);
        const a = await ctx.load.submitOne(OBSERVER, tx);
        if (a.ok) hashes.push('0x' + tx.hashHex);
        answers.push(a.relayedTo);
      }
      const peers = (await status(url))?.peers ?? -1;
      await sleep(5000);
      const early = await ctx.checker.waitCommitted(0, hashes, 1);
      ctx.checks.push({ name: 'observer acknowledged with no links', pass: hashes.length === 3 && answers.every((r) => r === 0) && peers === 0, detail: `answers relayedTo ${JSON.stringify(answers)}, peers ${peers}` });
      ctx.checks.push({ name: 'nothing committed while it was cut off', pass: early.found.size === 0, detail: `${early.found.size} found` });
      lab.heal();
      ctx.mustCommit.push(...hashes);
      ctx.notes.observerTxs = hashes.length;
    },
  },
  {
    name: 'twins',
    what: "validator 3's home copied whole (node key, validator key, signing state, ledger) and run by a second process from another address for 25 s",
    twin: true,
    freshCluster: true,
    async run(ctx) {
      const { net } = ctx.cluster;
      const before = Math.max(...(await ctx.checker.tips(V)));
      const twinUrl = net.manifest.nodes[TWIN]!.rpc_url;
      // As an operator copying a node's directory to a standby machine would: validator 3
      // stopped, its home copied whole (keys, signing state, WAL, ledger), both started.
      ctx.load.targets = [0, 1, 2];
      await sleep(300);
      await net.kill(3, 'SIGTERM');
      const home3 = net.manifest.nodes[3]!.home;
      const twinHome = net.manifest.nodes[TWIN]!.home;
      rmSync(join(twinHome, 'data'), { recursive: true, force: true });
      cpSync(join(home3, 'data'), join(twinHome, 'data'), { recursive: true });
      net.start(3);
      net.start(TWIN);
      // Load stays on validators 0-2: validator 3 may be suspended for equivocating, its node cut off.
      const up = await waitRpc(twinUrl, 90_000);
      ctx.checks.push({ name: 'the twin runs', pass: up, detail: up ? 'answers RPC' : 'no RPC answer within 90 s' });
      await progressWhile(ctx, [0, 1, 2], 25_000);
      const twinTip = (await status(twinUrl, 10_000))?.height ?? -1;
      // The twin's chain must be the same chain: compare it with the others before stopping it.
      const cmp = await ctx.checker.compare([0, 1, 2, 3, TWIN], twinTip);
      ctx.checks.push({ name: 'the twin serves the same chain', pass: twinTip >= 0 && cmp.mismatches.length === 0, detail: `twin at height ${twinTip}; heights ${cmp.from}..${cmp.to} compared on the 4 validators and the twin${cmp.mismatches.length ? ': ' + cmp.mismatches.slice(0, 3).join('; ') : ''}` });
      await net.kill(TWIN);
      const ev = await rpcCall<{ items: { validator: string; height: number; suspendedFrom: number | null }[] }>(net.manifest.nodes[0]!.rpc_url, 'evid_equivocations', {}).catch(() => ({ items: [] }));
      // The node's duplicate-key warnings: peers hearing both ("two processes are running one
      // node key"), and each of the two processes told so ("another process is running this
      // node's key").
      const grep = (i: number, re: RegExp): string[] => readFileSync(net.logPath(i), 'utf8').split('\n').filter((l) => re.test(l));
      const told = (i: number): number => grep(i, /another process is running this node's key/).length;
      const heard = [0, 1, 2].map((i) => grep(i, /two processes are running one node key/).length);
      ctx.notes.twin = { startedAt: before, twinTip, equivocations: ev.items.length, suspendedFrom: ev.items.map((e) => e.suspendedFrom), peersLoggingTwoProcesses: heard, validatorLogLines: told(3), twinLogLines: told(TWIN) };
      // A validator whose double-signing is on chain is suspended, and its node (outside the
      // validator set now) is refused by its peers: node 3 is no longer expected to follow.
      if (ev.items.length > 0) ctx.exclude.add(3);
      // The twin is noticed one way or the other: both processes are told of the duplicate node
      // key, or the two signed different votes first and the chain recorded that and suspended
      // the validator, whose node its peers then refuse (so nobody hears both processes after).
      const logged = told(3) > 0 && told(TWIN) > 0;
      const suspended = ev.items.some((e) => e.suspendedFrom !== null);
      ctx.checks.push({
        name: 'the twin is noticed (both processes log the duplicate node key, or its double-signing is recorded and the validator suspended)',
        pass: logged || suspended,
        detail: `node 3: ${told(3)} line(s), twin: ${told(TWIN)}; peers 0-2 logging two processes: ${heard.join('/')}; equivocations recorded: ${ev.items.length}${suspended ? `, suspended from ${ev.items.map((e) => e.suspendedFrom).join('/')}` : ''}`,
      });
    },
  },
];
