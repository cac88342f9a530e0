/**
 * A multi-process devnet for tests and benchmarks: `sov testnet` homes on 127.0.0.1, one
 * `sov start` process per node, JSON-RPC to each, signed transfers from the funded testnet
 * accounts. Every process it starts is killed in `stop()` (tests call it in teardown), and
 * every wait is bounded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addressFromPublicKey, decodeAddress, encode, signTx, type KeyPair, type Tx } from '../core/index.js';
import { openKeystore, parseKeystore } from '../genesis/index.js';
import { money } from '../vm/index.js';
import { NODE_V8_FLAGS } from '../node/index.js';
import { repoPath } from './paths.js';
import { reservePorts, type PortBlock } from './ports.js';
import { waitFor } from './wait.js';

export interface Manifest {
  chain_id: string;
  address_prefix: string;
  currency: { code: string; decimals: number };
  nodes: { name: string; home: string; rpc_url: string; p2p_address: string; peer_id: string; password_file: string }[];
  accounts_password_file: string;
  accounts: { name: string; role: string; address: string; keystore: string; balance: string }[];
}

export interface DevnetOptions {
  validators: number;
  blockIntervalMs?: number;
  accounts?: number;
  /** Extra lines per node appended to config.toml sections, e.g. { p2p: 'observers = [...]' }. */
  logLevel?: string;
  /**
   * An existing testnet directory (a `sov testnet` output, e.g. a chain from scripts/make-chain.ts)
   * to copy in and run, instead of making a new one; `validators` and `accounts` are then its own.
   */
  fromDir?: string;
}

/** Port slots a devnet reserves beyond its validators', for observers added later (addObserver). */
const SPARE_SLOTS = 4;

const SOV = repoPath('bin/sov.js');

/**
 * The environment variable that sets the node's config key `[section] key`, as docs/config.md
 * (generated from the config table, and checked current by its test) lists it; null when the
 * node has no such key (e.g. a feature not built yet).
 */
export function configEnvVar(section: string, key: string): string | null {
  const doc = readFileSync(repoPath('docs/config.md'), 'utf8');
  const sec = doc.split(/^## /m).find((s) => s.startsWith(`[${section}]`));
  const row = sec?.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
  return (row ? /`(SOV_[A-Z0-9_]+)`/.exec(row)?.[1] : undefined) ?? null;
}

/** How node i is launched: a command put before `node` (e.g. `ip netns exec NS`) and extra environment (e.g. libfaketime's). */
export interface Launch {
  prefix?: string[];
  env?: Record<string, string>;
}

export class Devnet {
  readonly procs: (ChildProcess | null)[] = [];
  /** Optional: how each node is launched (the fault suite starts nodes inside network namespaces, or with a shifted clock). */
  launcher: ((i: number) => Launch) | null = null;
  private stopped = false;
  /** The port slots reserved for this devnet's nodes (none for a copied chain: its ports are its maker's). */
  private ports: PortBlock | null = null;

  /** The validators' nodes: the first `validatorCount` of `manifest.nodes` (observers added later follow). */
  readonly validatorCount: number;

  private constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    private readonly opts: DevnetOptions = { validators: manifest.nodes.length },
  ) {
    this.validatorCount = manifest.nodes.length;
  }

  static create(opts: DevnetOptions): Devnet {
    const dir = mkdtempSync(join(tmpdir(), 'sov-devnet-'));
    const out = join(dir, 'net');
    let ports: PortBlock | null = null;
    if (opts.fromDir) {
      // LevelDB's table files (*.ldb) are written once and never changed: hard links, not copies, of a store of gigabytes.
      cpSync(opts.fromDir, out, { recursive: true, filter: (src, dst) => !src.endsWith('.ldb') || (linkSync(src, dst), false) });
      // The manifest names files by absolute paths: move them to the copy.
      const p = join(out, 'testnet.json');
      writeFileSync(p, readFileSync(p, 'utf8').split(JSON.stringify(resolve(opts.fromDir)).slice(1, -1)).join(JSON.stringify(out).slice(1, -1)));
    } else {
      ports = reservePorts(opts.validators + SPARE_SLOTS);
      const r = spawnSync(process.execPath, [SOV, 'testnet', '--validators', String(opts.validators), '--out', out, '--base-port', String(ports.base), '--chain-id', 'sov-devnet', '--accounts', String(opts.accounts ?? 4)], { encoding: 'utf8' });
      if (r.status !== 0) {
        ports.release();
        throw new Error(`sov testnet failed: ${r.stderr}`);
      }
    }
    const manifest = JSON.parse(readFileSync(join(out, 'testnet.json'), 'utf8')) as Manifest;
    for (const n of manifest.nodes) Devnet.tune(n.home, opts);
    const net = new Devnet(dir, manifest, opts);
    net.ports = ports;
    return net;
  }

  /** The harness's config for a home: block interval, log level, no per-address RPC limits. */
  private static tune(home: string, opts: Pick<DevnetOptions, 'blockIntervalMs' | 'logLevel'>): void {
    const cfgPath = join(home, 'config.toml');
    let cfg = readFileSync(cfgPath, 'utf8');
    cfg = cfg.replace(/^block_interval_ms = .*$/m, `block_interval_ms = ${opts.blockIntervalMs ?? 200}`);
    cfg = cfg.replace(/^(\[log\]\n(?:#.*\n)*level = ).*$/m, `$1"${opts.logLevel ?? 'info'}"`);
    // Tests and benchmarks call from one address, faster than a public caller may.
    cfg = cfg.replace(/^rate_limit_per_address = .*$/m, 'rate_limit_per_address = 0').replace(/^max_connections_per_address = .*$/m, 'max_connections_per_address = 0');
    writeFileSync(cfgPath, cfg);
  }

  /**
   * Add an observer node (not started): a home made by `sov init` from the network's genesis
   * (a new node key, the validators as persistent peers, ports after the last node's), admitted
   * by every validator's `[p2p] observers` (call before starting them, or restart them).
   * Returns its index.
   */
  addObserver(name: string): number {
    const i = this.size;
    if (this.ports && i >= this.ports.slots) throw new Error(`addObserver: the devnet reserved ports for ${this.ports.slots} nodes`);
    // Node i's ports, as sov testnet numbers them: p2p base + 10 i, RPC + 1, metrics + 2.
    const rpcPort = Number(/:(\d+)$/.exec(this.manifest.nodes[0]!.rpc_url)![1]) + 10 * i;
    const p2pPort = rpcPort - 1;
    const home = join(this.dir, name);
    const genesis = join(this.manifest.nodes[0]!.home, 'genesis.json');
    const r = spawnSync(process.execPath, [
      SOV, 'init', '--genesis', genesis, '--home', home, '--moniker', name, '--password-file', this.manifest.nodes[0]!.password_file,
      '--p2p-port', String(p2pPort), '--listen-host', '127.0.0.1', '--rpc-listen', `127.0.0.1:${rpcPort}`, '--metrics-listen', `127.0.0.1:${rpcPort + 1}`,
    ], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sov init failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { peer_id: string };
    Devnet.tune(home, this.opts);
    for (let v = 0; v < this.validatorCount; v++) {
      const p = join(this.manifest.nodes[v]!.home, 'config.toml');
      const text = readFileSync(p, 'utf8');
      const m = /^observers = (\[.*\])$/m.exec(text);
      if (!m) throw new Error(`no [p2p] observers in ${p}`);
      writeFileSync(p, text.replace(m[0], `observers = ${JSON.stringify([...(JSON.parse(m[1]!) as string[]), out.peer_id])}`));
    }
    this.manifest.nodes.push({
      name, home, rpc_url: `http://127.0.0.1:${rpcPort}`, p2p_address: `/ip4/127.0.0.1/tcp/${p2pPort}/p2p/${out.peer_id}`, peer_id: out.peer_id,
      password_file: join(home, 'password.txt'),
    });
    return i;
  }

  get size(): number {
    return this.manifest.nodes.length;
  }

  /** Rewrite a config.toml key of node i (section and key must exist). */
  setConfig(i: number, section: string, key: string, value: string): void {
    const p = join(this.manifest.nodes[i]!.home, 'config.toml');
    const text = readFileSync(p, 'utf8');
    const re = new RegExp(`(\\[${section}\\][\\s\\S]*?\\n${key} = ).*`);
    if (!re.test(text)) throw new Error(`no ${section}.${key} in ${p}`);
    writeFileSync(p, text.replace(re, `$1${value}`));
  }

  logPath(i: number): string {
    return join(this.dir, `node${i}.log`);
  }

  start(i: number): void {
    if (this.procs[i]) throw new Error(`node ${i} is running`);
    const fd = openSync(this.logPath(i), 'a');
    const args = [...NODE_V8_FLAGS, ...(process.env.SOV_NODE_ARGS ? process.env.SOV_NODE_ARGS.split(' ') : []), SOV, 'start', '--home', this.manifest.nodes[i]!.home];
    const launch = this.launcher?.(i) ?? {};
    const cmd = [...(launch.prefix ?? []), process.execPath, ...args];
    const p = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', fd, fd], env: launch.env ? { ...process.env, ...launch.env } : process.env });
    closeSync(fd);
    p.on('exit', () => {
      if (this.procs[i] === p) this.procs[i] = null;
    });
    this.procs[i] = p;
  }

  startAll(): void {
    for (let i = 0; i < this.size; i++) this.start(i);
  }

  /** Send node i a signal without waiting for anything (e.g. SIGHUP: reload). */
  signal(i: number, signal: NodeJS.Signals): void {
    const p = this.procs[i];
    if (!p) throw new Error(`node ${i} is not running`);
    p.kill(signal);
  }

  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs[i];
    if (!p) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill(signal);
    await exited;
    this.procs[i] = null;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.procs.map((_, i) => this.kill(i)));
    this.ports?.release();
    if (!process.env.SOV_KEEP_DEVNET) rmSync(this.dir, { recursive: true, force: true });
  }

  async rpc(i: number, method: string, params: unknown[] = [], timeoutMs = 10_000): Promise<unknown> {
    const res = await fetch(this.manifest.nodes[i]!.rpc_url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { rpcError: body.error });
    return body.result;
  }

  /** Node i's height, or -1 when it does not answer. */
  async height(i: number): Promise<number> {
    try {
      return ((await this.rpc(i, 'sov_status', [], 3000)) as { height: number }).height;
    } catch {
      return -1;
    }
  }

  /**
   * What a failed wait should say: per node, whether its process runs, its height, syncing
   * and peer count (sov_status), and the last `lines` lines of its log.
   */
  async report(lines = 12): Promise<string> {
    const out: string[] = [];
    for (let i = 0; i < this.size; i++) {
      let status: string;
      try {
        const st = (await this.rpc(i, 'sov_status', [], 3000)) as { height: number; syncing: boolean; peers: number };
        status = `height ${st.height}, syncing ${st.syncing}, peers ${st.peers}`;
      } catch (e) {
        status = `no answer (${(e as Error).message})`;
      }
      let log = '';
      try {
        log = readFileSync(this.logPath(i), 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `    ${l.slice(0, 400)}`).join('\n');
      } catch {
        log = '    (no log)';
      }
      out.push(`node ${i}: ${this.procs[i] ? 'running' : 'not running'}; ${status}\n${log}`);
    }
    return out.join('\n');
  }

  async waitHeight(i: number, h: number, timeoutMs = 120_000): Promise<void> {
    await waitFor(async () => (await this.height(i)) >= h, `node ${i} at height ${h}`, timeoutMs, 100);
  }

  /** Open the funded customer accounts' keys. */
  accountKeys(): { name: string; address: string; keys: KeyPair }[] {
    const pw = readFileSync(this.manifest.accounts_password_file, 'utf8').split('\n')[0]!;
    return this.manifest.accounts.map((a) => ({ name: a.name, address: a.address, keys: openKeystore(parseKeystore(JSON.parse(readFileSync(a.keystore, 'utf8'))), pw) }));
  }

  /** A signed transfer of `amount` minor units from `from` to the address `to`. */
  transfer(from: KeyPair, nonce: number, to: string, amount: bigint, expiry: number, memo = ''): Tx {
    const args = encode(money.TransferArgs, { currency: this.manifest.currency.code, to: decodeAddress(to, this.manifest.address_prefix), amount, memo, reference: '' });
    return signTx({ chainId: this.manifest.chain_id, signer: addressFromPublicKey(from.publicKey), nonce, expiry, body: { module: 'money', method: 'transfer', args } }, [from.secretKey]);
  }
}
