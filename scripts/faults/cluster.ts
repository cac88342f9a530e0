/**
 * A devnet for the fault suite (test/devnet.ts's `sov testnet` homes and `sov start`
 * processes), with each node in its own network namespace (netns.ts): node i listens on
 * 10.231.0.<i+1> for p2p, RPC and metrics, and dials the others there. Optional extras:
 * an observer (index 4: its own node key, named in the validators' `p2p.observers`) and a
 * twin (index 5: a copy of one validator's home without its data, so the same node key and
 * validator key run in two processes). An admin API key opens admin_mempool. A node can be
 * started with its wall clock shifted, by libfaketime (LD_PRELOAD, so the node process keeps
 * its pid; monotonic clocks are left alone).
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { createKeystore } from '../../genesis/index.js';
import { generateKeyPair } from '../../core/index.js';
import { hashSecret } from '../../rpc/index.js';
import { Devnet } from '../../test/devnet.js';
import { FaultError, nodeIp, type NetLab } from './netns.js';

export const OBSERVER = 4;
export const TWIN = 5;
const ADMIN_SECRET = 'sov_faults-admin-secret';
const FAKETIME_LIBS = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'];

export interface ClusterOptions {
  accounts: number;
  blockIntervalMs?: number;
  observer?: boolean;
  /** Make a twin of this validator (not started until asked). */
  twinOf?: number;
  logLevel?: string;
}

export class Cluster {
  /** Seconds node i's clock runs ahead (0: the true clock). */
  readonly clockAhead = new Map<number, number>();
  readonly validators: number[];

  private constructor(readonly net: Devnet, readonly lab: NetLab, readonly opts: ClusterOptions) {
    this.validators = [0, 1, 2, 3];
    net.launcher = (i) => {
      const ahead = this.clockAhead.get(i) ?? 0;
      return { prefix: lab.prefix(i), env: ahead !== 0 ? faketimeEnv(ahead) : undefined };
    };
  }

  static create(lab: NetLab, opts: ClusterOptions): Cluster {
    const net = Devnet.create({ validators: 4, blockIntervalMs: opts.blockIntervalMs ?? 200, accounts: opts.accounts, logLevel: opts.logLevel ?? 'info' });
    const m = net.manifest;
    // Every 127.0.0.1 address of node j becomes node j's namespace address, in every config.
    const rewrites: [string, string][] = [];
    m.nodes.forEach((n, j) => {
      const p2pPort = Number(/\/tcp\/(\d+)/.exec(n.p2p_address)![1]);
      for (const port of [p2pPort, p2pPort + 1, p2pPort + 2]) {
        rewrites.push([`127.0.0.1/tcp/${port}`, `${nodeIp(j)}/tcp/${port}`], [`127.0.0.1:${port}`, `${nodeIp(j)}:${port}`]);
      }
    });
    const rewrite = (s: string): string => rewrites.reduce((acc, [a, b]) => acc.split(a).join(b), s);
    for (const n of m.nodes) {
      const p = join(n.home, 'config.toml');
      writeFileSync(p, rewrite(readFileSync(p, 'utf8')));
      n.rpc_url = rewrite(n.rpc_url);
      n.p2p_address = rewrite(n.p2p_address);
    }
    writeFileSync(join(net.dir, 'rpc-keys.toml'), `[[key]]\nname = "faults"\nsha256 = "${hashSecret(ADMIN_SECRET)}"\nroles = ["admin"]\nrate_limit = 0\n`);
    const c = new Cluster(net, lab, opts);
    for (let i = 0; i < 4; i++) c.tune(i);
    if (opts.observer) c.addObserver();
    if (opts.twinOf !== undefined) c.addTwin(opts.twinOf);
    return c;
  }

  /** Batches of 1,000 calls, the admin key file, no per-key limit. */
  private tune(i: number): void {
    const home = this.net.manifest.nodes[i]!.home;
    copyFileSync(join(this.net.dir, 'rpc-keys.toml'), join(home, 'rpc-keys.toml'));
    this.net.setConfig(i, 'rpc', 'max_batch', '1000');
    this.net.setConfig(i, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
    this.net.setConfig(i, 'rpc', 'rate_limit_per_key', '0');
  }

  /** A node home beside node `like`'s, listening in namespace `index`. */
  private addNode(index: number, name: string, like: number, home: string): void {
    const m = this.net.manifest;
    const src = m.nodes[like]!;
    const port = Number(/\/tcp\/(\d+)/.exec(src.p2p_address)![1]);
    while (m.nodes.length < index) m.nodes.push({ ...src, name: `unused${m.nodes.length}` });
    m.nodes[index] = { ...src, name, home, rpc_url: `http://${nodeIp(index)}:${port + 1}`, p2p_address: `/ip4/${nodeIp(index)}/tcp/${port}/p2p/${src.peer_id}` };
    this.net.setConfig(index, 'node', 'moniker', `"${name}"`);
    this.net.setConfig(index, 'p2p', 'listen', `"/ip4/${nodeIp(index)}/tcp/${port}"`);
    this.net.setConfig(index, 'rpc', 'listen', `"${nodeIp(index)}:${port + 1}"`);
    this.net.setConfig(index, 'metrics', 'listen', `"${nodeIp(index)}:${port + 2}"`);
  }

  private addObserver(): void {
    const m = this.net.manifest;
    const key = generateKeyPair();
    const peerId = peerIdFromPublicKey(publicKeyFromRaw(key.publicKey)).toString();
    const home = join(this.net.dir, 'observer');
    mkdirSync(join(home, 'keys'), { recursive: true });
    const src = m.nodes[0]!.home;
    const password = readFileSync(join(src, 'password.txt'), 'utf8').split('\n')[0]!;
    writeFileSync(join(home, 'password.txt'), `${password}\n`);
    writeFileSync(join(home, 'keys', 'node.json'), JSON.stringify(createKeystore('node', password, { keyPair: key, scrypt: { n: 1024, r: 8, p: 1 } })));
    copyFileSync(join(src, 'genesis.json'), join(home, 'genesis.json'));
    copyFileSync(join(src, 'config.toml'), join(home, 'config.toml'));
    this.addNode(OBSERVER, 'observer', 0, home);
    m.nodes[OBSERVER]!.peer_id = peerId;
    m.nodes[OBSERVER]!.p2p_address = m.nodes[OBSERVER]!.p2p_address.replace(/\/p2p\/.*$/, `/p2p/${peerId}`);
    this.net.setConfig(OBSERVER, 'node', 'mode', '"observer"');
    this.net.setConfig(OBSERVER, 'p2p', 'persistent_peers', JSON.stringify(this.validators.map((i) => m.nodes[i]!.p2p_address)));
    this.tune(OBSERVER);
    for (const i of this.validators) this.net.setConfig(i, 'p2p', 'observers', JSON.stringify([peerId]));
  }

  private addTwin(of: number): void {
    const home = join(this.net.dir, 'twin');
    cpSync(this.net.manifest.nodes[of]!.home, home, { recursive: true, filter: (s) => !s.endsWith('/data') });
    this.addNode(TWIN, `twin-of-node${of}`, of, home);
    this.tune(TWIN);
  }

  /** Node i's process id, or null when it is not running. */
  pid(i: number): number | null {
    return this.net.procs[i]?.pid ?? null;
  }

  /** Restart node i with its clock `seconds` ahead (0: the true clock again). */
  async restartWithClock(i: number, seconds: number): Promise<void> {
    if (seconds !== 0 && !FAKETIME_LIBS.some((p) => existsSync(p))) throw new FaultError('FAULT_SETUP', 'libfaketime is missing (apt-get install faketime)');
    await this.net.kill(i);
    this.clockAhead.set(i, seconds);
    this.net.start(i);
  }

  adminKey(): string {
    return ADMIN_SECRET;
  }
}

function faketimeEnv(secondsAhead: number): Record<string, string> {
  const lib = FAKETIME_LIBS.find((p) => existsSync(p))!;
  return { LD_PRELOAD: lib, FAKETIME: `+${secondsAhead}s`, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' };
}
