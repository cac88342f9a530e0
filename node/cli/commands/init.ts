/**
 * `sov init --genesis FILE --home DIR`: a complete node home from a jurisdiction's genesis,
 * as the last step of the ceremony (docs/genesis.md). It copies genesis.json; takes the
 * body's validator and node keystores (or makes a node key for an observer); checks that the
 * validator is in the genesis set and that the node key is the one its entry names; and
 * writes config.toml with the moniker, the ports, and every other validator's node as a
 * persistent peer: the p2p addresses the validators signed into genesis, each completed with
 * the peer id of the node key beside it (a Cosmos node's collect-gentxs does the same), so
 * the nodes find each other with no hand edits. Nothing is written unless all of it checks
 * out, and an existing non-empty home is never touched.
 */
import type { Command } from 'commander';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { equalBytes, generateKeyPair, toHex } from '../../../core/index.js';
import { createKeystore, GenesisError, loadGenesisFile, openKeystore, parseKeystore, type LoadedGenesis } from '../../../genesis/index.js';
import { renderConfig } from '../../ops/config.js';
import { peerIdOfNodeKey } from '../../p2p/peer-id.js';
import { CliError, readKeystoreFile } from './keys.js';
import { resolvePassword } from '../password.js';

const DEFAULT_P2P_PORT = 26656;

/** A genesis p2p address (host:port or a multiaddr) as a dialable multiaddr ending in /p2p/<the peer id of `nodeKey`>. */
export function peerMultiaddr(address: string, nodeKey: Uint8Array): string {
  const peerId = peerIdOfNodeKey(nodeKey);
  if (address.startsWith('/')) {
    const m = /\/p2p\/([^/]+)$/.exec(address);
    if (m === null) return `${address}/p2p/${peerId}`;
    if (m[1] !== peerId) throw new CliError(`the genesis p2p address ${address} names peer ${m[1]}, but its node key is peer ${peerId}`);
    return address;
  }
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = address.slice(i + 1);
  const proto = isIPv4(host) ? 'ip4' : isIPv6(host) ? 'ip6' : 'dns';
  return `/${proto}/${host}/tcp/${port}/p2p/${peerId}`;
}

function portOf(address: string): number | null {
  const m = address.startsWith('/') ? /\/tcp\/([0-9]+)/.exec(address) : /:([0-9]+)$/.exec(address);
  return m === null ? null : Number(m[1]);
}

function portArg(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^[0-9]{1,5}$/.test(v) || n < 1 || n > 65535) throw new CliError(`${name} is a port, 1..65535`);
  return n;
}

/** A keystore file, read as `sov keys` reads one; a file that is not a keystore is a one-line error naming the flag. */
function readKeystoreAt(path: string, what: string): ReturnType<typeof parseKeystore> {
  try {
    return readKeystoreFile(path);
  } catch (e) {
    if (e instanceof CliError) throw new CliError(`${what}: ${e.message}`);
    throw new CliError(`${what} ${path} is not a keystore: ${(e as Error).message}`);
  }
}

interface InitOpts {
  genesis: string;
  home: string;
  moniker?: string;
  validatorKey?: string;
  nodeKey?: string;
  passwordFile?: string;
  passwordEnv?: string;
  p2pPort?: string;
  listenHost: string;
  rpcListen?: string;
  metricsListen?: string;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description("write a node home from a jurisdiction's genesis.json: its keys, and config.toml with every other validator's node as a persistent peer")
    .requiredOption('--genesis <file>', 'the genesis.json the ceremony built')
    .requiredOption('--home <dir>', 'the node home to create (must not exist or be empty)')
    .option('--moniker <name>', "the node's name in logs and status (default: the validator's body, or observer)")
    .option('--validator-key <keystore>', "the body's validator keystore (from `sov keys generate --type validator`); without it the node is an observer")
    .option('--node-key <keystore>', "the node keystore whose public key the genesis entry names (without it, one is generated: an observer's)")
    .option('--password-file <file>', "the keystores' password, first line (copied into the home as password.txt, mode 600)")
    .option('--password-env <var>', "the environment variable holding the keystores' password (the node reads it at start)")
    .option('--p2p-port <port>', 'the p2p port (default: the one in this validator\'s genesis address, else 26656)')
    .option('--listen-host <ip>', 'the address the p2p port listens on', '0.0.0.0')
    .option('--rpc-listen <host:port>', 'the JSON-RPC address (default 127.0.0.1:8545)')
    .option('--metrics-listen <host:port>', 'the metrics address (default 127.0.0.1:9464)')
    .action(async (o: InitOpts) => {
      const home = resolve(o.home);
      if (existsSync(home) && readdirSync(home).length > 0) throw new CliError(`${o.home} exists and is not empty: a home is never overwritten`);
      if (o.passwordFile !== undefined && o.passwordEnv !== undefined) throw new CliError('give --password-file or --password-env, not both');
      if (o.nodeKey !== undefined && o.passwordFile === undefined && o.passwordEnv === undefined) throw new CliError('--node-key needs its password: --password-file FILE or --password-env VAR');
      if (o.validatorKey !== undefined && o.nodeKey === undefined) throw new CliError("a validator needs --node-key: the node key its genesis entry names");
      let genesis: LoadedGenesis;
      try {
        genesis = await loadGenesisFile(o.genesis);
      } catch (e) {
        if (e instanceof GenesisError) throw new CliError(`${o.genesis}: ${e.message}`);
        throw e;
      }
      const p2pPort = portArg(o.p2pPort, '--p2p-port');
      if (!isIPv4(o.listenHost) && !isIPv6(o.listenHost)) throw new CliError('--listen-host is an IP address');

      // The password: read now to check the keys; the node reads it again at start.
      const password = o.passwordFile !== undefined || o.passwordEnv !== undefined
        ? await resolvePassword({ ...(o.passwordFile ? { passwordFile: o.passwordFile } : {}), ...(o.passwordEnv ? { passwordEnv: o.passwordEnv } : {}) }, { confirm: false })
        : randomBytes(16).toString('hex');
      const open = (ks: ReturnType<typeof parseKeystore>, what: string) => {
        try {
          return openKeystore(ks, password);
        } catch (e) {
          throw new CliError(`${what}: ${(e as Error).message}`);
        }
      };

      let self: (typeof genesis.doc.validators)[number] | undefined;
      let validatorKs: ReturnType<typeof parseKeystore> | undefined;
      if (o.validatorKey !== undefined) {
        validatorKs = readKeystoreAt(o.validatorKey, '--validator-key');
        if (validatorKs.type !== 'validator') throw new CliError(`--validator-key ${o.validatorKey} is a ${validatorKs.type} key, not a validator key`);
        const v = open(validatorKs, '--validator-key');
        self = genesis.doc.validators.find((x) => equalBytes(x.publicKey, v.publicKey));
        if (self === undefined) throw new CliError(`the validator key ${toHex(v.publicKey)} is not in the genesis validator set: check --validator-key and --genesis`);
      }
      let nodeKs: ReturnType<typeof parseKeystore>;
      let nodePublic: Uint8Array;
      if (o.nodeKey !== undefined) {
        nodeKs = readKeystoreAt(o.nodeKey, '--node-key');
        if (nodeKs.type !== 'node') throw new CliError(`--node-key ${o.nodeKey} is a ${nodeKs.type} key, not a node key`);
        nodePublic = open(nodeKs, '--node-key').publicKey;
        if (self !== undefined && !equalBytes(self.nodeKey, nodePublic)) {
          throw new CliError(`the genesis names node key ${toHex(self.nodeKey)} for ${self.body}, not ${toHex(nodePublic)}: give --node-key with that key`);
        }
      } else {
        const kp = generateKeyPair();
        nodeKs = createKeystore('node', password, { keyPair: kp });
        nodePublic = kp.publicKey;
      }

      const peers = genesis.doc.validators.filter((v) => !equalBytes(v.nodeKey, nodePublic) && v.p2pAddress !== '').map((v) => peerMultiaddr(v.p2pAddress, v.nodeKey));
      const port = p2pPort ?? (self !== undefined ? portOf(self.p2pAddress) : null) ?? DEFAULT_P2P_PORT;
      const moniker = o.moniker ?? self?.body ?? 'observer';
      const listen = `/${isIPv6(o.listenHost) ? 'ip6' : 'ip4'}/${o.listenHost}/tcp/${port}`;
      const keys: Record<string, string> = { node_key: 'keys/node.json', validator_key: 'keys/validator.json' };
      if (o.passwordEnv !== undefined) Object.assign(keys, { password_file: '', password_env: o.passwordEnv });
      else keys.password_file = 'password.txt';

      // Everything checked: write the home (removed again if a write fails).
      const created = !existsSync(home);
      try {
        mkdirSync(join(home, 'keys'), { recursive: true });
        writeFileSync(join(home, 'keys', 'node.json'), JSON.stringify(nodeKs, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
        if (o.validatorKey !== undefined) copyFileSync(o.validatorKey, join(home, 'keys', 'validator.json'));
        if (o.passwordEnv === undefined) writeFileSync(join(home, 'password.txt'), password + '\n', { mode: 0o600, flag: 'wx' });
        writeFileSync(join(home, 'genesis.json'), genesis.json);
        writeFileSync(join(home, 'config.toml'), renderConfig({
          node: { moniker, mode: self !== undefined ? 'validator' : 'observer', genesis_file: 'genesis.json' },
          keys,
          p2p: { listen, persistent_peers: peers },
          ...(o.rpcListen !== undefined ? { rpc: { listen: o.rpcListen } } : {}),
          ...(o.metricsListen !== undefined ? { metrics: { listen: o.metricsListen } } : {}),
        }));
      } catch (e) {
        if (created) rmSync(home, { recursive: true, force: true });
        throw new CliError(`could not write ${o.home}: ${(e as Error).message}`);
      }
      const peerId = peerIdOfNodeKey(nodePublic);
      console.log(JSON.stringify({
        home, chain_id: genesis.doc.chainId, moniker, mode: self !== undefined ? 'validator' : 'observer', peer_id: peerId, p2p_listen: `${listen}/p2p/${peerId}`, persistent_peers: peers.length,
        ...(self === undefined ? { note: "an observer: the validators' nodes admit it once its peer id is in their [p2p] observers" } : {}),
      }));
    });
}
