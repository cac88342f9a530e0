/**
 * `sov keys`: generate an encrypted keystore for a validator, node or account key, and show
 * a keystore's address and public key (no password needed).
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { addressFromPublicKey, encodeAddress, fromHex } from '../../../core/index.js';
import { createKeystore, DEFAULT_SCRYPT, KEY_TYPES, parseKeystore, type KeyType } from '../../../genesis/index.js';
import { resolvePassword } from '../password.js';
import { NodeError } from '../../errors.js';
import { homePath, loadConfig } from '../../ops/config.js';
import { peerIdOfNodeKey } from '../../p2p/peer-id.js';

export class CliError extends NodeError {
  constructor(message: string) {
    super('CLI_ERROR', message);
  }
}

export function readKeystoreFile(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not JSON`);
  }
  return parseKeystore(json);
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('generate and inspect encrypted Ed25519 keystores');

  keys
    .command('generate')
    .description('generate a new key and write it as an encrypted keystore (scrypt + AES-256-GCM)')
    .requiredOption('-o, --out <file>', 'where to write the keystore (refuses to overwrite)')
    .option('-t, --type <type>', `what the key is for: ${KEY_TYPES.join(', ')}`, 'account')
    .option('--password-file <file>', 'read the password from the first line of this file')
    .option('--password-env <var>', 'read the password from this environment variable')
    .option('-p, --prefix <prefix>', "the chain's address prefix, for the printed address", 'sov')
    .option('--scrypt-n <n>', 'scrypt work factor, a power of two 1024..1048576 (default 131072; lower only for throwaway test keys)')
    .action(async (opts: { out: string; type: string; passwordFile?: string; passwordEnv?: string; prefix: string; scryptN?: string }) => {
      if (!KEY_TYPES.includes(opts.type as KeyType)) throw new CliError(`--type must be one of ${KEY_TYPES.join(', ')}`);
      let scrypt = DEFAULT_SCRYPT;
      if (opts.scryptN !== undefined) {
        const n = Number(opts.scryptN);
        if (!/^[0-9]+$/.test(opts.scryptN) || n < 1024 || n > 1_048_576 || (n & (n - 1)) !== 0) throw new CliError('--scrypt-n must be a power of two from 1024 to 1048576');
        scrypt = { ...DEFAULT_SCRYPT, n };
      }
      if (existsSync(opts.out)) throw new CliError(`${opts.out} already exists; not overwriting a key`);
      const password = await resolvePassword(opts, { confirm: true });
      const ks = createKeystore(opts.type as KeyType, password, { scrypt });
      writeFileSync(opts.out, JSON.stringify(ks, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      const address = encodeAddress(opts.prefix, addressFromPublicKey(fromHex(ks.publicKey)));
      console.log(JSON.stringify({ file: opts.out, type: ks.type, address, publicKey: ks.publicKey }));
    });

  keys
    .command('show')
    .description("print a keystore's type, address and public key (no password needed); for a node key also its libp2p peer id, and with --home the full multiaddr peers dial")
    .argument('[file]', 'the keystore file (default with --home: the home\'s node key)')
    .option('-p, --prefix <prefix>', "the chain's address prefix", 'sov')
    .option('--home <dir>', "a node home: its node key, and its [p2p] listen address for the multiaddr")
    .action((file: string | undefined, opts: { prefix: string; home?: string }) => {
      let listen: string | null = null;
      if (opts.home !== undefined) {
        const config = loadConfig(opts.home);
        file ??= homePath(opts.home, config.keys.node_key);
        listen = config.p2p.listen;
      }
      if (file === undefined) throw new NodeError('CLI_ERROR', 'name a keystore file, or a node home with --home');
      const ks = readKeystoreFile(file);
      const publicKey = fromHex(ks.publicKey);
      const address = encodeAddress(opts.prefix, addressFromPublicKey(publicKey));
      const out: Record<string, unknown> = { type: ks.type, address, publicKey: ks.publicKey };
      if (ks.type === 'node') {
        const peerId = peerIdOfNodeKey(publicKey);
        out.peerId = peerId;
        if (listen !== null) {
          out.multiaddr = `${listen}/p2p/${peerId}`;
          if (/^\/ip[46]\/(0\.0\.0\.0|::)\//.test(listen)) out.note = 'the node listens on every interface: peers dial it at this host\'s own address in place of the unspecified one';
        }
      }
      console.log(JSON.stringify(out));
    });
}
