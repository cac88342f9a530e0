/**
 * The chain fabricator: a valid chain for a `sov testnet` of N validators (4 by default),
 * built fast in one process, so that state sync, block sync and long-chain tests have a long
 * chain with many accounts without waiting for consensus to make it.
 *
 * 1. `sov testnet --seed S` writes the homes (keys and passwords derived from the seed, a
 *    fixed genesis time, `--customers` funded customer accounts).
 * 2. Block h (1..blocks) carries real signed transactions: the commercial bank opens the
 *    block's share of the `--accounts` new accounts (account.open, tier 1), and as many funded
 *    customers, one each in turn, pay one of them a few DEV (money.transfer), so every new
 *    account holds a balance and block sync re-executes real transfers. A new account's key is
 *    the point (s0 + j)·B (s0 from the seed): a valid Ed25519 public key, made in microseconds
 *    (a key pair from a secret costs hundreds), whose account never signs here.
 * 3. The node's own ledger app (node/chain/app.ts, over the vm and the ledger store) builds,
 *    executes and commits each block, exactly as a proposer does, with the proposer that
 *    weighted round-robin picks for round 0 and the time genesis + h · blockMs; its commit
 *    certificate is every validator's precommit for round 0, signed with the validators' keys
 *    as consensus signs them. Every transaction must execute successfully, or the fabricator
 *    stops.
 * 4. The consensus epochs file is written for height blocks + 1, and validator 0's data dir
 *    (ledger, epochs; no WAL: no validator ever signed these heights, so nothing holds them
 *    back from signing blocks + 1) is copied into the other homes (LevelDB's immutable table
 *    files as hard links): `sov start` on every home continues the chain from the fabricated
 *    head.
 *
 * Deterministic: the same seed, counts and base port give the same blocks and state roots
 * (the genesis names the validators' p2p ports). Library (`makeChain`, `loadOrMakeChain`)
 * and CLI: `node dist/scripts/make-chain.js --blocks 10000 --accounts 1000000 --out DIR
 * [--seed S] [--validators 4] [--base-port P] [--customers 100] [--block-ms 1000]`; the last
 * output line is a JSON summary, also written to DIR/chain.json.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  addressFromPublicKey, Block, encode, sha256, sign, signVote, toHex, to0x, txSignBytes, utf8, ValidatorSet, VoteType, compareBytes, Tx,
  type Commit, type KeyPair, type UnsignedTx,
} from '../core/index.js';
import { Epoch } from '../consensus/index.js';
import { LedgerStore } from '../state/index.js';
import { loadGenesisFile, openKeystore, parseKeystore } from '../genesis/index.js';
import { account, money, ReceiptStatus } from '../vm/index.js';
import { advanceTriple, EpochFile, LedgerApp, type EpochTriple } from '../node/index.js';
import { repoPath } from '../test/paths.js';

export interface MakeChainOptions {
  /** The directory to write (created; must not exist or be empty). */
  out: string;
  /** Blocks to fabricate (the head height). */
  blocks: number;
  /** New accounts opened and funded over the blocks (spread evenly). */
  accounts: number;
  seed?: string;
  validators?: number;
  /** The testnet's first port (node i: base + 10 i p2p, + 1 RPC, + 2 metrics). */
  basePort?: number;
  chainId?: string;
  /** Funded customer accounts of the testnet that pay the new accounts (1..1000). */
  customers?: number;
  /** Header time between blocks, ms (block h's time is genesis + h · blockMs). */
  blockMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What DIR/chain.json records. */
export interface FabricatedChain {
  format: 1;
  dir: string;
  manifest: string;
  seed: string;
  chainId: string;
  validators: number;
  basePort: number;
  customers: number;
  blockMs: number;
  blocks: number;
  accounts: number;
  txs: number;
  genesisTime: string;
  headHash: string;
  stateRoot: string;
  seconds: number;
  blocksPerSecond: number;
  txsPerSecond: number;
}

interface Manifest {
  chain_id: string;
  nodes: { name: string; home: string; password_file: string }[];
  accounts_password_file: string;
  accounts: { name: string; role: string; keystore: string }[];
  currency: { code: string };
}

const DEFAULTS = { seed: 'sov-chain', validators: 4, basePort: 26900, chainId: 'sov-fab', customers: 100, blockMs: 1000 };
/** A fixed genesis time (2026-01-01T00:00:00Z): block times are genesis + h · blockMs, in the past of any run. */
const GENESIS_TIME = '2026-01-01T00:00:00Z';
const SOV = repoPath('bin/sov.js');
const DATA_DIR = 'data';
const EXPIRY_AHEAD = 10;

const silentLog = { debug() {}, info() {}, warn() {}, error() {}, fatal() {}, trace() {}, child() { return silentLog; } };

type AppOptions = ConstructorParameters<typeof LedgerApp>[0];

/**
 * The new accounts' public keys, in order: (s0 + j)·B for j = 1, 2, ... (s0 from the seed),
 * encoded with one batched inversion per call (about 10 µs a key, against hundreds for a key
 * pair from a secret).
 */
class AccountKeys {
  private p: InstanceType<typeof ed25519.Point>;
  constructor(seed: string) {
    const s0 = BigInt(to0x(sha256(utf8(`sov-chain/${seed}/accounts`)))) % ed25519.Point.Fn.ORDER;
    this.p = ed25519.Point.BASE.multiply(s0 === 0n ? 1n : s0);
  }
  next(n: number): Uint8Array[] {
    const Fp = ed25519.Point.Fp;
    const pts: { X: bigint; Y: bigint; Z: bigint }[] = [];
    for (let i = 0; i < n; i++) {
      this.p = this.p.add(ed25519.Point.BASE);
      pts.push(this.p as unknown as { X: bigint; Y: bigint; Z: bigint });
    }
    const inv = Fp.invertBatch(pts.map((q) => q.Z));
    return pts.map((q, i) => {
      const x = Fp.mul(q.X, inv[i]!);
      let y = Fp.mul(q.Y, inv[i]!);
      const b = new Uint8Array(32);
      for (let k = 0; k < 32; k++) {
        b[k] = Number(y & 255n);
        y >>= 8n;
      }
      if ((x & 1n) === 1n) b[31]! |= 0x80;
      return b;
    });
  }
}

/** A signed transaction (core's signTx, without deriving the public key again for every signature). */
function signWith(u: UnsignedTx, k: KeyPair): Tx {
  return Tx.fromData({ ...u, signatures: [{ publicKey: k.publicKey, signature: sign(txSignBytes(u), k.secretKey) }] });
}

function openKeys(path: string, passwordFile: string): KeyPair {
  const pw = readFileSync(passwordFile, 'utf8').split('\n')[0]!;
  return openKeystore(parseKeystore(JSON.parse(readFileSync(path, 'utf8'))), pw);
}

/**
 * Copy a data dir: LevelDB's table files (*.ldb), which it writes once and never changes, as
 * hard links (a 1M-account store is gigabytes); every other file (its log, MANIFEST, CURRENT,
 * the epochs file) as a copy of its own.
 */
export function copyStore(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const name of readdirSync(src)) {
    const from = join(src, name);
    const to = join(dst, name);
    if (statSync(from).isDirectory()) copyStore(from, to);
    else if (name.endsWith('.ldb')) linkSync(from, to);
    else copyFileSync(from, to);
  }
}

/** The epochs the driver holds at `t.height` (what LedgerApp checks a block against). */
const epochHashes = (t: EpochTriple) => ({ validators: t.current.validators, next: t.next.validators, previous: t.previous?.validators ?? null });

/** Fabricate the chain into `opts.out` (see the module docblock). */
export async function makeChain(opts: MakeChainOptions): Promise<FabricatedChain> {
  const o = { ...DEFAULTS, ...opts };
  const log = opts.log ?? (() => undefined);
  if (!Number.isSafeInteger(o.blocks) || o.blocks < 1) throw new Error('blocks must be a positive integer');
  if (!Number.isSafeInteger(o.accounts) || o.accounts < 0) throw new Error('accounts must be a non-negative integer');
  if (o.customers < 1 || o.customers > 1000) throw new Error('customers must be 1..1000');
  const dir = resolve(o.out);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} exists and is not empty`);
  const started = performance.now();

  // 1. The homes.
  const r = spawnSync(process.execPath, [
    SOV, 'testnet', '--validators', String(o.validators), '--out', dir, '--base-port', String(o.basePort), '--chain-id', o.chainId,
    '--accounts', String(o.customers), '--genesis-time', GENESIS_TIME, '--seed', o.seed,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sov testnet failed: ${r.stderr}`);
  const manifestPath = join(dir, 'testnet.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const home0 = manifest.nodes[0]!.home;
  const genesis = await loadGenesisFile(join(home0, 'genesis.json'));
  const chainId = genesis.doc.chainId;
  const genesisTime = genesis.vmDoc.genesisTime;
  const validatorKeys = manifest.nodes.map((n) => openKeys(join(n.home, 'keys', 'validator.json'), n.password_file));
  const byRole = (role: string) => manifest.accounts.filter((a) => a.role === role).map((a) => openKeys(a.keystore, manifest.accounts_password_file));
  const bank = byRole('commercial_bank')[0]!;
  const customers = byRole('customer');
  const bankAddr = addressFromPublicKey(bank.publicKey);
  const customerAddrs = customers.map((c) => addressFromPublicKey(c.publicKey));
  const currency = manifest.currency.code;
  log(`make-chain: ${o.validators} validators, ${customers.length} paying customers, ${o.blocks} blocks, ${o.accounts} new accounts, seed "${o.seed}" in ${dir}`);

  // 2-3. The blocks, by the node's own ledger app.
  const ledger = await LedgerStore.open({ path: join(home0, DATA_DIR, 'ledger'), sync: false });
  let pending: Tx[] = [];
  const mempool = {
    reap: async () => pending,
    evict: () => 0,
    has: () => false,
    wasVerified: () => true, // signed here just now: execution skips the signature checks, as for the mempool's
    update: async () => 0,
  } as unknown as AppOptions['mempool'];
  let now = genesisTime;
  const app = new LedgerApp({
    chainId, genesis: genesis.vmDoc, ledger, mempool, log: silentLog as unknown as AppOptions['log'], now: () => now,
    maxBlockTxs: genesis.doc.consensus.maxBlockTxs, maxBlockBytes: genesis.doc.consensus.maxBlockBytes, maxTxBytes: genesis.doc.consensus.maxTxBytes,
  });
  await app.init();
  const set = ValidatorSet.fromKeys(app.validatorsAtGenesis.map((v) => ({ publicKey: v.publicKey, power: v.power })));
  const [current, next] = Epoch.genesis(set);
  let triple: EpochTriple = { height: 1, previous: null, current, next };
  const validatorByAddress = new Map(validatorKeys.map((k) => [toHex(addressFromPublicKey(k.publicKey)), k]));

  const keys = new AccountKeys(o.seed);
  let bankNonce = 0;
  const customerNonces = customers.map(() => 0);
  let opened = 0;
  let payer = 0;
  let txs = 0;
  let lastCommit: Commit | null = null;
  let lastLog = performance.now();
  for (let h = 1; h <= o.blocks; h++) {
    // This block's share of the new accounts: the first (accounts mod blocks) blocks take one more.
    const n = Math.floor(o.accounts / o.blocks) + (h <= o.accounts % o.blocks ? 1 : 0);
    const expiry = h + EXPIRY_AHEAD;
    const newKeys = keys.next(n);
    const opens: Tx[] = [];
    const pays: Tx[] = [];
    for (let i = 0; i < n; i++) {
      const pk = newKeys[i]!;
      const to = addressFromPublicKey(pk);
      const openArgs = encode(account.OpenArgs, { keys: [pk], threshold: 1, kind: 2, tier: 1, linkedRef: null, category: '' });
      opens.push(signWith({ chainId, signer: bankAddr, nonce: bankNonce++, expiry, body: { module: 'account', method: 'open', args: openArgs } }, bank));
      const c = payer++ % customers.length;
      const amount = 100n + BigInt((opened + i) % 900); // 1.00 .. 9.99 DEV
      const payArgs = encode(money.TransferArgs, { currency, to, amount, memo: '', reference: '' });
      pays.push(signWith({ chainId, signer: customerAddrs[c]!, nonce: customerNonces[c]!++, expiry, body: { module: 'money', method: 'transfer', args: payArgs } }, customers[c]!));
    }
    opened += n;
    pending = [...opens, ...pays];
    now = genesisTime + h * o.blockMs;
    const epochs = epochHashes(triple);
    const proposer = triple.current.proposer(0);
    const bytes = await app.buildBlock(h, proposer, lastCommit, epochs, []);
    const block = Block.decode(bytes);
    const signatures = triple.current.validators.validators
      .map((v) => {
        const k = validatorByAddress.get(toHex(v.address));
        if (!k) throw new Error(`no key for validator ${toHex(v.address)}`);
        const vote = signVote(chainId, { type: VoteType.PRECOMMIT, height: h, round: 0, blockHash: block.hash, validator: v.address }, k.secretKey);
        return { validator: v.address, signature: vote.signature };
      })
      .sort((a, b) => compareBytes(a.validator, b.validator));
    const commit: Commit = { height: h, round: 0, blockHash: block.hash, signatures };
    let updates: Parameters<typeof advanceTriple>[1] = [];
    const done = await app.commitBlock(bytes, commit, epochs, (u) => (updates = u));
    if (done.result.included.length !== pending.length) {
      const first = done.result.rejected[0];
      throw new Error(`block ${h}: ${pending.length - done.result.included.length} transactions left out${first ? ` (first: ${first.code})` : ''}`);
    }
    const failed = done.result.receipts.findIndex((rc) => rc.status !== ReceiptStatus.OK);
    if (failed >= 0) throw new Error(`block ${h}: transaction ${failed} failed: ${done.result.receipts[failed]!.message}`);
    triple = advanceTriple(triple, updates);
    lastCommit = commit;
    txs += pending.length;
    if (performance.now() - lastLog > 10_000 || h === o.blocks) {
      lastLog = performance.now();
      const s = (lastLog - started) / 1000;
      log(`make-chain: height ${h}/${o.blocks}, ${opened} accounts, ${txs} txs, ${s.toFixed(1)} s (${Math.round(txs / s)} tx/s)`);
    }
  }
  const head = await app.headBlock();
  const stateRoot = ledger.rootHash;
  await ledger.close();

  // 4. Epochs for the next height, and the data dir in every home.
  new EpochFile(join(home0, DATA_DIR)).save(triple, advanceTriple(triple, []));
  for (const nd of manifest.nodes.slice(1)) copyStore(join(home0, DATA_DIR), join(nd.home, DATA_DIR));
  const seconds = (performance.now() - started) / 1000;
  const info: FabricatedChain = {
    format: 1, dir, manifest: manifestPath, seed: o.seed, chainId, validators: o.validators, basePort: o.basePort, customers: customers.length,
    blockMs: o.blockMs, blocks: o.blocks, accounts: opened, txs, genesisTime: GENESIS_TIME, headHash: to0x(head!.hash), stateRoot: to0x(stateRoot),
    seconds: Math.round(seconds * 10) / 10, blocksPerSecond: Math.round(o.blocks / seconds), txsPerSecond: Math.round(txs / seconds),
  };
  writeFileSync(join(dir, 'chain.json'), JSON.stringify(info, null, 2) + '\n');
  return info;
}

/** Options that make a fabricated chain what it is (a cached one is reused only if they all match). */
const IDENTITY = ['seed', 'chainId', 'validators', 'basePort', 'customers', 'blockMs', 'blocks', 'accounts'] as const;

/**
 * The chain of `opts` in `opts.out`: the one already there when its chain.json says it was
 * made with the same options (a cache for benchmarks: nodes started on it change it, so
 * callers copy it before use), else fabricated afresh (the directory emptied first).
 */
export async function loadOrMakeChain(opts: MakeChainOptions): Promise<FabricatedChain & { reused: boolean }> {
  const o = { ...DEFAULTS, ...opts };
  const p = join(resolve(o.out), 'chain.json');
  if (existsSync(p)) {
    const info = JSON.parse(readFileSync(p, 'utf8')) as FabricatedChain;
    if (info.format === 1 && IDENTITY.every((k) => info[k] === o[k])) return { ...info, reused: true };
  }
  rmSync(resolve(o.out), { recursive: true, force: true });
  return { ...(await makeChain(opts)), reused: false };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function intFlag(name: string): number | undefined {
  const v = flag(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer`);
  return n;
}

async function cli(): Promise<void> {
  const out = flag('out');
  const blocks = intFlag('blocks');
  const accounts = intFlag('accounts');
  if (!out || blocks === undefined || accounts === undefined) {
    console.error('usage: make-chain --blocks N --accounts N --out DIR [--seed S] [--validators 4] [--base-port P] [--customers 100] [--block-ms 1000]');
    process.exit(2);
  }
  const opt = (k: keyof typeof DEFAULTS, f: string) => (intFlag(f) === undefined ? {} : { [k]: intFlag(f) });
  const info = await makeChain({
    out, blocks, accounts, ...(flag('seed') ? { seed: flag('seed')! } : {}), ...opt('validators', 'validators'), ...opt('basePort', 'base-port'),
    ...opt('customers', 'customers'), ...opt('blockMs', 'block-ms'), log: (l) => console.log(l),
  });
  console.log(JSON.stringify(info));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  cli().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
