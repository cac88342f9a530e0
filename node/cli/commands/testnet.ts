/**
 * `sov testnet`: a local network in one directory. For N validators it writes N node homes
 * (keystores of the node and validator keys, a generated password file, config.toml with
 * distinct 127.0.0.1 ports and every other validator as a persistent peer, and the same
 * genesis.json), the genesis template it was built from, funded dev accounts' keystores under
 * accounts/, and DIR/testnet.json, the manifest scripts and tests read. Keystores use a low
 * scrypt cost (n = 2^10) so generation is fast: testnet keys protect nothing of value.
 * `--seed` derives every key and password from a text instead of the system's randomness, so
 * the same seed, options and genesis time give the same genesis (scripts/make-chain.ts
 * fabricates reproducible chains on it). Layout and ports are in docs/genesis.md.
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { addressFromPublicKey, encodeAddress, generateKeyPair, keyPairFromSecret, sha256, to0x, toHex, utf8, CHAIN_ID_RE, type KeyPair } from '../../../core/index.js';
import {
  buildFromTemplate, CENTRAL_BANK, COMMERCIAL_BANK, createKeystore, customerName, AGENCY_NAMES, GenesisError, isoTime, renderTemplate, testnetTemplate, TESTNET_CURRENCY,
  type KeyType, type ScryptParams,
} from '../../../genesis/index.js';
import { renderConfig } from '../../ops/config.js';
import { peerIdOfNodeKey } from '../../p2p/peer-id.js';
import { CliError } from './keys.js';

/** The testnet keystores' work factor: the least a keystore may use (fast; local use only). */
export const TESTNET_SCRYPT: ScryptParams = Object.freeze({ n: 2 ** 10, r: 8, p: 1 });
/** Ports of node i: p2p base + 10 i, RPC base + 10 i + 1, metrics base + 10 i + 2. */
export const PORT_STRIDE = 10;

function int(v: string, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < min || n > max) throw new CliError(`${name} must be an integer ${min}..${max}`);
  return n;
}

function writeKeystore(path: string, type: KeyType, password: string, keyPair: KeyPair): void {
  writeFileSync(path, JSON.stringify(createKeystore(type, password, { keyPair, scrypt: TESTNET_SCRYPT }), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
}

/** Key and password sources: the system's randomness, or (with a seed) SHA-256 of the seed and a label. */
function keySource(seed: string | undefined): { key: (label: string) => KeyPair; password: (label: string) => string } {
  if (seed === undefined) return { key: () => generateKeyPair(), password: () => randomBytes(16).toString('hex') };
  const derive = (label: string): Uint8Array => sha256(utf8(`sov-testnet/${seed}/${label}`));
  return { key: (label) => keyPairFromSecret(derive(label)), password: (label) => toHex(derive(`password/${label}`)).slice(0, 32) };
}

export function registerTestnet(program: Command): void {
  program
    .command('testnet')
    .description('generate a local test network: N node homes on 127.0.0.1, funded dev accounts, and DIR/testnet.json')
    .requiredOption('-n, --validators <n>', 'number of validator nodes (1..64)')
    .requiredOption('-o, --out <dir>', 'directory to create (must not exist or be empty)')
    .option('--base-port <port>', 'first port; node i uses base+10i (p2p), +1 (RPC), +2 (metrics)', '26600')
    .option('--chain-id <id>', 'the chain id', 'sov-testnet')
    .option('--accounts <n>', 'funded customer accounts (0..1000)', '4')
    .option('--genesis-time <time>', 'RFC 3339 genesis time (default: now, to the second)')
    .option('--seed <text>', 'derive every key and password from this text (reproducible; for tests and fabricated chains, never for real use)')
    .action(async (opts: { validators: string; out: string; basePort: string; chainId: string; accounts: string; genesisTime?: string; seed?: string }) => {
      const n = int(opts.validators, '--validators', 1, 64);
      const base = int(opts.basePort, '--base-port', 1024, 65535 - PORT_STRIDE * n);
      const customers = int(opts.accounts, '--accounts', 0, 1000);
      if (!CHAIN_ID_RE.test(opts.chainId)) throw new CliError(`--chain-id "${opts.chainId}" must match ${CHAIN_ID_RE}`);
      let time = Math.floor(Date.now() / 1000) * 1000;
      if (opts.genesisTime !== undefined) {
        time = /(Z|[+-]\d\d:\d\d)$/.test(opts.genesisTime) ? new Date(opts.genesisTime).getTime() : NaN;
        if (!(time > 0)) throw new CliError('--genesis-time must be an RFC 3339 date-time with an offset');
      }
      const dir = resolve(opts.out);
      if (existsSync(dir) && readdirSync(dir).length > 0) throw new CliError(`${opts.out} exists and is not empty`);

      const src = keySource(opts.seed);
      const nodes = Array.from({ length: n }, (_, i) => {
        const node = src.key(`node/${i}`);
        const peerId = peerIdOfNodeKey(node.publicKey);
        const p2pPort = base + PORT_STRIDE * i;
        return {
          name: `node${i}`, home: join(dir, `node${i}`), validator: src.key(`validator/${i}`), node, peerId, p2pPort, rpcPort: p2pPort + 1, metricsPort: p2pPort + 2,
          p2pAddress: `/ip4/127.0.0.1/tcp/${p2pPort}/p2p/${peerId}`,
        };
      });
      const centralBank = src.key('central-bank');
      const commercialBank = src.key('commercial-bank');
      const agencyKeys = AGENCY_NAMES.map((_, i) => src.key(`agency/${i}`));
      const customerKeys = Array.from({ length: customers }, (_, i) => src.key(`customer/${i}`));
      const template = testnetTemplate(opts.chainId, time, { validators: nodes, centralBank, commercialBank, agencies: agencyKeys, customers: customerKeys });
      const templateText = renderTemplate(template);
      let genesis;
      try {
        genesis = await buildFromTemplate(templateText, {}, 'testnet template');
      } catch (e) {
        if (e instanceof GenesisError) throw new CliError(`internal: the testnet genesis does not build: ${e.message}`);
        throw e;
      }

      mkdirSync(join(dir, 'accounts'), { recursive: true });
      writeFileSync(join(dir, 'genesis.toml'), templateText);
      writeFileSync(join(dir, 'genesis.json'), genesis.json);
      for (const nd of nodes) {
        mkdirSync(join(nd.home, 'keys'), { recursive: true });
        const password = src.password(nd.name);
        writeFileSync(join(nd.home, 'password.txt'), password + '\n', { mode: 0o600 });
        writeKeystore(join(nd.home, 'keys', 'node.json'), 'node', password, nd.node);
        writeKeystore(join(nd.home, 'keys', 'validator.json'), 'validator', password, nd.validator);
        writeFileSync(join(nd.home, 'genesis.json'), genesis.json);
        writeFileSync(join(nd.home, 'config.toml'), renderConfig({
          node: { moniker: nd.name, mode: 'validator', genesis_file: 'genesis.json' },
          keys: { node_key: 'keys/node.json', validator_key: 'keys/validator.json', password_file: 'password.txt' },
          p2p: { listen: `/ip4/127.0.0.1/tcp/${nd.p2pPort}`, persistent_peers: nodes.filter((o) => o !== nd).map((o) => o.p2pAddress) },
          rpc: { listen: `127.0.0.1:${nd.rpcPort}`, console: true },
          metrics: { listen: `127.0.0.1:${nd.metricsPort}` },
        }));
      }
      const accountsPassword = src.password('accounts');
      writeFileSync(join(dir, 'accounts', 'password.txt'), accountsPassword + '\n', { mode: 0o600 });
      const prefix = template.addressPrefix;
      const accounts = [
        { name: CENTRAL_BANK, file: 'central-bank.json', role: 'central_bank', kp: centralBank, balance: 0n },
        { name: COMMERCIAL_BANK, file: 'commercial-bank.json', role: 'commercial_bank', kp: commercialBank, balance: template.balances[0]!.amount },
        ...AGENCY_NAMES.map((name, i) => ({ name, file: `${name.toLowerCase().replace(/ /g, '-')}.json`, role: 'agency', kp: agencyKeys[i]!, balance: 0n })),
        ...customerKeys.map((kp, i) => ({ name: customerName(i), file: `${customerName(i)}.json`, role: 'customer', kp, balance: template.balances[i + 1]!.amount })),
      ].map((a) => {
        writeKeystore(join(dir, 'accounts', a.file), 'account', accountsPassword, a.kp);
        return {
          name: a.name, role: a.role, address: encodeAddress(prefix, addressFromPublicKey(a.kp.publicKey)), public_key: toHex(a.kp.publicKey),
          keystore: join(dir, 'accounts', a.file), balance: a.balance.toString(),
        };
      });
      const manifest = {
        chain_id: opts.chainId,
        address_prefix: prefix,
        genesis_time: isoTime(time),
        genesis_hash: to0x(genesis.hash),
        state_root: to0x(genesis.state.stateRoot),
        genesis: join(dir, 'genesis.json'),
        currency: { code: TESTNET_CURRENCY, decimals: 2 },
        scrypt: TESTNET_SCRYPT,
        nodes: nodes.map((nd) => ({
          name: nd.name, home: nd.home, rpc_url: `http://127.0.0.1:${nd.rpcPort}`, p2p_address: nd.p2pAddress, peer_id: nd.peerId,
          metrics_url: `http://127.0.0.1:${nd.metricsPort}/metrics`, validator_address: encodeAddress(prefix, addressFromPublicKey(nd.validator.publicKey)),
          validator_public_key: toHex(nd.validator.publicKey), node_public_key: toHex(nd.node.publicKey), password_file: join(nd.home, 'password.txt'),
        })),
        accounts_password_file: join(dir, 'accounts', 'password.txt'),
        accounts,
      };
      writeFileSync(join(dir, 'testnet.json'), JSON.stringify(manifest, null, 2) + '\n');
      console.log(JSON.stringify({ testnet: join(dir, 'testnet.json'), nodes: n, accounts: accounts.length, genesis_hash: manifest.genesis_hash }));
    });
}
