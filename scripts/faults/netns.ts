/**
 * The fault suite's network: one Linux network namespace per node (`sovft-n<i>`), each with a
 * veth pair whose outer end is on one bridge (`sovft-br`, 10.231.0.254/24) and whose inner end
 * has 10.231.0.<i+1>; the suite itself stays in the root namespace and reaches every node's RPC
 * over the bridge. Faults are made with the system's own tools, inside the nodes' namespaces:
 * - partitions: iptables REJECT (tcp-reset, so dials fail at once) between the groups' addresses;
 * - packet loss: iptables `statistic --mode random` DROP on every node's traffic to its peers;
 * - delay with jitter: `tc qdisc netem` on the node's interface where the kernel has sch_netem;
 *   where it does not (this project's 2-core VM: CONFIG_NET_SCH_NETEM is off), iptables NFQUEUE
 *   both ways and delayer.py, which holds each queued packet for the delay +- the jitter.
 * Everything carries the `sovft` prefix; `teardown()` removes all of it, and runs at start too
 * (leftovers of a crashed run). Needs root, `ip`, `tc`, `iptables` (installed by apt-get when
 * missing) and python3 for the delayer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { repoPath } from '../../test/paths.js';

export const PREFIX = 'sovft';
const BRIDGE = `${PREFIX}-br`;
const SUBNET = '10.231.0';
export const HOST_IP = `${SUBNET}.254`;
/** The nodes' addresses (not the suite's own, so faults never touch its RPC calls). */
const PEER_RANGE = `${SUBNET}.1-${SUBNET}.253`;

export class FaultError extends Error {
  constructor(readonly code: 'FAULT_TOOL' | 'FAULT_SETUP' | 'FAULT_CHECK', message: string) {
    super(message);
  }
}

/** Run a system command; throws FAULT_TOOL with its stderr when it fails (unless `ok` says that is fine). */
export function sh(cmd: string, args: string[], ok: (status: number | null, stderr: string) => boolean = (s) => s === 0): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new FaultError('FAULT_TOOL', `${cmd}: ${r.error.message}`);
  if (!ok(r.status, r.stderr)) throw new FaultError('FAULT_TOOL', `${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** Make sure the tools exist: iptables from Debian's package when missing. */
export function ensureTools(): void {
  if (process.getuid?.() !== 0) throw new FaultError('FAULT_SETUP', 'the fault suite needs root (network namespaces, iptables)');
  for (const t of ['ip', 'tc', 'python3']) if (!has(t)) throw new FaultError('FAULT_SETUP', `${t} is not installed`);
  if (!has('iptables')) {
    console.log('iptables is missing: apt-get install iptables');
    sh('apt-get', ['install', '-y', '-qq', 'iptables']);
  }
}

export const nsName = (i: number): string => `${PREFIX}-n${i}`;
export const nodeIp = (i: number): string => `${SUBNET}.${i + 1}`;

/** Remove every namespace, link and process of ours (by the prefix), whatever a previous run left. */
export function teardown(): void {
  const list = sh('ip', ['netns', 'list'], () => true);
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    if (!name?.startsWith(`${PREFIX}-`)) continue;
    // Processes still inside one of our namespaces were started by this suite (a node, a delayer).
    for (const pid of sh('ip', ['netns', 'pids', name], () => true).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
    sh('ip', ['netns', 'del', name], () => true);
  }
  for (const line of sh('ip', ['-o', 'link', 'show'], () => true).split('\n')) {
    const m = /^\d+: ([^:@]+)/.exec(line);
    if (m && m[1]!.startsWith(`${PREFIX}-`)) sh('ip', ['link', 'del', m[1]!], () => true);
  }
}

/** Whether the kernel has sch_netem (tried once on a scratch veth). */
let netemProbe: boolean | null = null;
export function hasNetem(): boolean {
  if (netemProbe !== null) return netemProbe;
  const a = `${PREFIX}-pa`;
  sh('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', `${PREFIX}-pb`]);
  netemProbe = spawnSync('tc', ['qdisc', 'add', 'dev', a, 'root', 'netem', 'delay', '1ms']).status === 0;
  sh('ip', ['link', 'del', a], () => true);
  return netemProbe;
}

export class NetLab {
  private readonly delayers = new Map<number, ChildProcess>();
  private readonly nodes: number[] = [];

  /** Namespaces 0..count-1 on the bridge. */
  setup(count: number): void {
    teardown();
    sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${HOST_IP}/24`, 'dev', BRIDGE]);
    sh('ip', ['link', 'set', BRIDGE, 'up']);
    for (let i = 0; i < count; i++) {
      const ns = nsName(i);
      sh('ip', ['netns', 'add', ns]);
      sh('ip', ['link', 'add', `${PREFIX}-v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      sh('ip', ['link', 'set', `${PREFIX}-v${i}`, 'master', BRIDGE, 'up']);
      this.inNs(i, 'ip', ['addr', 'add', `${nodeIp(i)}/24`, 'dev', 'eth0']);
      this.inNs(i, 'ip', ['link', 'set', 'eth0', 'up']);
      this.inNs(i, 'ip', ['link', 'set', 'lo', 'up']);
      this.nodes.push(i);
    }
  }

  inNs(i: number, cmd: string, args: string[], ok?: (status: number | null, stderr: string) => boolean): string {
    return sh('ip', ['netns', 'exec', nsName(i), cmd, ...args], ok);
  }

  /** The command prefix that runs a program in node i's namespace. */
  prefix(i: number): string[] {
    return ['ip', 'netns', 'exec', nsName(i)];
  }

  /** Partition: no traffic between nodes of different groups (the suite's own address stays reachable). */
  partition(groups: number[][]): void {
    for (const g of groups) {
      for (const i of g) {
        for (const other of groups) {
          if (other === g) continue;
          for (const j of other) {
            this.inNs(i, 'iptables', ['-A', 'INPUT', '-s', nodeIp(j), '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
            this.inNs(i, 'iptables', ['-A', 'OUTPUT', '-d', nodeIp(j), '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
          }
        }
      }
    }
  }

  /** Cut node i off from every other node (its RPC stays reachable from the suite). */
  isolate(i: number): void {
    this.partition([[i], this.nodes.filter((j) => j !== i)]);
  }

  /** `percent`% of every packet a node sends to another node is dropped (so each link loses about that much each way). */
  loss(percent: number): void {
    for (const i of this.nodes) {
      this.inNs(i, 'iptables', ['-A', 'OUTPUT', '-m', 'iprange', '--dst-range', PEER_RANGE, '-m', 'statistic', '--mode', 'random', '--probability', String(percent / 100), '-j', 'DROP']);
    }
  }

  /**
   * Every packet between node i and the other nodes is held `ms` +- `jitterMs`: netem on the
   * node's interface (both ways: its egress there, its ingress on the bridge side), or, without
   * sch_netem, NFQUEUE in its namespace both ways and delayer.py. Returns which was used.
   */
  delay(i: number, ms: number, jitterMs: number): 'netem' | 'nfqueue' {
    if (hasNetem()) {
      this.inNs(i, 'tc', ['qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', `${ms}ms`, `${jitterMs}ms`]);
      sh('tc', ['qdisc', 'add', 'dev', `${PREFIX}-v${i}`, 'root', 'netem', 'delay', `${ms}ms`, `${jitterMs}ms`]);
      return 'netem';
    }
    const queue = 10 + i;
    const script = repoPath('scripts/faults/delayer.py');
    if (!existsSync(script)) throw new FaultError('FAULT_SETUP', `no ${script}`);
    const p = spawn('ip', ['netns', 'exec', nsName(i), 'python3', script, String(queue), String(ms), String(jitterMs)], { stdio: ['ignore', 'ignore', 'inherit'] });
    this.delayers.set(i, p);
    for (const [chain, dir] of [['OUTPUT', '--dst-range'], ['INPUT', '--src-range']] as const) {
      this.inNs(i, 'iptables', ['-A', chain, '-m', 'iprange', dir, PEER_RANGE, '-j', 'NFQUEUE', '--queue-num', String(queue), '--queue-bypass']);
    }
    return 'nfqueue';
  }

  /** Remove every fault: iptables rules, qdiscs, delayers. */
  heal(): void {
    for (const [, p] of this.delayers) p.kill('SIGTERM');
    this.delayers.clear();
    for (const i of this.nodes) {
      this.inNs(i, 'iptables', ['-F']);
      this.inNs(i, 'tc', ['qdisc', 'del', 'dev', 'eth0', 'root'], () => true);
      sh('tc', ['qdisc', 'del', 'dev', `${PREFIX}-v${i}`, 'root'], () => true);
    }
  }

  destroy(): void {
    for (const [, p] of this.delayers) p.kill('SIGKILL');
    this.delayers.clear();
    teardown();
  }
}
