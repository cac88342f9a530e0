/**
 * bench:programs: public finance claims (vm prog) committed per second on a 4-validator
 * devnet, against bench:devnet's transfers in the same run.
 *
 * A. Transfers, the baseline: bench:devnet run as a child process (its own 4 validators,
 *    `--seconds` from --devnet-seconds, `--block-ms` as here), its last JSON line parsed for
 *    its tps (bench-util's devnetTransferBaseline).
 * B. Claims on a 4-validator devnet (`sov testnet`, block_interval_ms 250 like bench:devnet,
 *    ACCOUNTS funded customer accounts). The Commercial Bank funds the Welfare Agency (role
 *    agency), which drafts a program of ROWS (1,000,000) beneficiaries by Merkle allocation
 *    and, as its funder, finalizes it: a lump sum, budget the sum of the rows. A row is
 *    encode(prog.AllocationLeafSchema, {beneficiary, amount, schedule}), the root core's
 *    merkleRoot over the rows in row order (built once, its levels kept, so each row's path is
 *    read off them and checked against core's merkleProof and verifyMerkleProof). Each
 *    customer account has ROWS_PER_ACCOUNT rows at random positions; the other rows go to
 *    random addresses. No eligibility credential: a claim proves its row by its Merkle path
 *    alone (prog.claim {program, row, leaf, path, presentation: null}).
 *    The claims are built and signed before the nodes start (worker threads, one per core;
 *    bench-util's fastSigner), as many as PREBUILD_RATE claims/s for the warm-up and the
 *    window, each account's in nonce order; account a's claims go to node a % 4 in JSON-RPC
 *    batches of BATCH (250, as bench:devnet), one request open to each node, up to IN_FLIGHT
 *    claims submitted and not yet in a block (3,000: blocks of about 1,500 claims).
 *    After WARMUP seconds the window opens for SECONDS: claims committed per second are the
 *    successful claims (the program's `payments` in state, one per `paid` event, read at the
 *    window's two heights; beside them the claim transactions in those blocks: any difference
 *    is failed claims, reported with the first failure's code) in the blocks committed between
 *    the height read at the window's start and the one read at its end, over the time between
 *    those two reads (the middle of each request; bench:devnet and bench:xchg count the same
 *    way). Also blocks (count, rounds, claims and bytes a block), refusals, and commit latency.
 * C. Credential-gated first claims, on the same devnet: governance accredits the central
 *    bank as accreditor (the testnet's council is the central bank alone), which accredits the
 *    Commercial Bank as issuer of `residence` and registers residence@1; the bank issues one
 *    SD-JWT residence credential to each customer account (the SDK's issueBatch, batches of up
 *    to 1,000, each anchored with cred.anchor). A second program of ROWS rows (Merkle,
 *    eligibility types ['residence'] with a predicate on the region, report groups by
 *    region) has one row for each customer account; each claims it once with
 *    ledgerPresentation(pkg, ['region'], holderKeys, {chainId, iat}) — one claim an account,
 *    so this window is short (ACCOUNTS claims, a few seconds, the first block's wait
 *    included): from the height read before the first request to the one read when the last
 *    claim is in a block.
 * `tps` = claims/s (B), `ratio` = that / transfer tx/s (A) (aim >= 0.5);
 * `credentialClaimsTps` (C) and `credentialRatio` = that / transfer tx/s.
 * Usage: node dist/scripts/bench-programs.js [--seconds 30] [--warmup 5] [--devnet-seconds 30]
 *   [--no-devnet] [--accounts 1000] [--block-ms 250] [--rows 1000000] [--rows-per-account 200]
 *   [--batch 250] [--in-flight 3000] [--prebuild-rate 4000] [--cpu-prof DIR] [--log-level warn]
 * (--cpu-prof DIR: node 0 of phase B runs with --cpu-prof, its profile written when it stops.
 * --log-level: the phase B nodes' log level; with SOV_KEEP_DEVNET=1 their directory and logs
 * are kept.) The LAST line is one JSON object of the figures.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  decode, decodeAddress, Domain, encode, equalBytes, hashOf, merkleProof, merkleRoot, sign, to0x, Tx, txSignBytes, verifyMerkleProof, type KeyPair,
} from '../core/index.js';
import { prog } from '../vm/index.js';
import { ActionKind, buildTx, issueBatch, ledgerPresentation, makeAction, SovClient, type CredentialPackage } from '../rpc/index.js';
import { Devnet } from '../test/devnet.js';
import { devnetTransferBaseline, fastSigner, killChildGroups, percentile } from './bench-util.js';

const argv = process.argv;
const arg = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} takes a number`);
  return v;
};
const strArg = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : argv[i + 1];
};
const SECONDS = arg('seconds', 30);
const WARMUP = arg('warmup', 5);
const DEVNET_SECONDS = arg('devnet-seconds', 30);
const NO_DEVNET = argv.includes('--no-devnet');
const ACCOUNTS = arg('accounts', 1000);
const BLOCK_MS = arg('block-ms', 250);
const ROWS = arg('rows', 1_000_000);
const ROWS_PER_ACCOUNT = arg('rows-per-account', 200);
const BATCH = arg('batch', 250);
/**
 * Claims submitted and not yet in a block. A proposer reaps its whole mempool (up to
 * block_max_work: about 4,600 claims, 4 MB), and on this 2-core machine blocks of 2,500
 * claims and more began to outlast the testnet's consensus timeouts (rounds after 0; at 4,500
 * in flight on a busy machine the chain made one block in 15 s), so the default keeps about
 * 2.5 s of claims in flight: blocks of about 1,500.
 */
const IN_FLIGHT = arg('in-flight', 3000);
const PREBUILD_RATE = arg('prebuild-rate', 4000);
const CPU_PROF = strArg('cpu-prof');
const LOG_LEVEL = strArg('log-level') ?? 'warn';
/** Requests open to one node at once (bench:devnet keeps four open in all). */
const OPEN_PER_NODE = 1;
/** An absolute expiry far past any height the run reaches (max_tx_ttl_blocks is 100,000). */
const EXPIRY = 50_000;
const DAY = 86_400_000;
const REGIONS = ['IS-1', 'IS-2', 'IS-3', 'IS-4', 'IS-5', 'IS-6', 'IS-7', 'IS-8'];
const RESIDENCE = { id: 'residence@1', typeId: 'residence', selective: ['region', 'birthDate'] };
const LUMP = { kind: prog.ScheduleKind.LUMP_SUM, start: 0, cliffMs: 0, durationMs: 0, intervalMs: 0, count: 0 };

/** A row's amount in minor units (1.00 .. 100.00 DEV), a function of the row: workers compute it too. */
const amountOf = (row: number): bigint => 100n + BigInt((row * 7919) % 9901);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * POST a JSON-RPC body; a request that fails at the network level (a keep-alive connection
 * the node closed while idle as the request left) is sent again, up to three times in all:
 * transactions sent twice are answered as duplicates, not executed twice.
 */
async function postJson(url: string, body: string): Promise<{ status: number; text: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: res.status, text: await res.text() };
    } catch (e) {
      if (attempt >= 3 || !(e instanceof TypeError)) throw e;
      await sleep(100);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The allocation tree: core's Merkle tree (RFC 6962 shape, built bottom-up as core's
// merkleRoot does: pairs left to right, an odd last node moves up as is), every level kept as
// one array of 32-byte hashes, in shared memory so the workers read paths off it.

interface Tree {
  /** Level 0 the leaf hashes, the last level the root; each `counts[l] * 32` bytes. */
  levels: Uint8Array[];
  counts: number[];
}

function buildTree(items: readonly Uint8Array[]): Tree {
  const n = items.length;
  const leaf = new Uint8Array(new SharedArrayBuffer(n * 32));
  for (let i = 0; i < n; i++) leaf.set(hashOf(Domain.MERKLE_LEAF, items[i]!), i * 32);
  const levels = [leaf];
  const counts = [n];
  while (counts.at(-1)! > 1) {
    const below = levels.at(-1)!;
    const m = counts.at(-1)!;
    const up = Math.ceil(m / 2);
    const level = new Uint8Array(new SharedArrayBuffer(up * 32));
    for (let i = 0; i + 1 < m; i += 2) level.set(hashOf(Domain.MERKLE_INNER, below.subarray(i * 32, i * 32 + 32), below.subarray(i * 32 + 32, i * 32 + 64)), (i / 2) * 32);
    if (m % 2 === 1) level.set(below.subarray((m - 1) * 32, m * 32), (up - 1) * 32);
    levels.push(level);
    counts.push(up);
  }
  return { levels, counts };
}

const rootOf = (t: Tree): Uint8Array => t.levels.at(-1)!.slice(0, 32);

/** Row `index`'s audit path (siblings from the leaf up), read off the levels: what core's merkleProof gives, without re-hashing. */
function pathOf(t: Tree, index: number): Uint8Array[] {
  const path: Uint8Array[] = [];
  let i = index;
  for (let l = 0; l < t.counts.length - 1; l++) {
    const m = t.counts[l]!;
    const s = (i & 1) === 1 ? i - 1 : i + 1 < m ? i + 1 : -1;
    if (s >= 0) path.push(t.levels[l]!.slice(s * 32, s * 32 + 32));
    i >>>= 1;
  }
  return path;
}

/** The levels' paths are core's: every row of a few small trees, against merkleProof. */
function checkPathsAgainstCore(): void {
  for (const n of [1, 2, 3, 5, 7, 8, 13, 100, 777, 1024, 1025]) {
    const items = Array.from({ length: n }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 7));
    const t = buildTree(items);
    if (!equalBytes(rootOf(t), merkleRoot(items))) throw new Error(`the tree's root differs from core's merkleRoot at ${n} rows`);
    for (let i = 0; i < n; i++) {
      const a = pathOf(t, i);
      const b = merkleProof(items, i);
      if (a.length !== b.length || a.some((x, k) => !equalBytes(x, b[k]!))) throw new Error(`row ${i} of ${n}: the path differs from core's merkleProof`);
    }
  }
}

/**
 * An allocation of `rows` rows: `mine[j]` gets row `positions[j]` (distinct, random), the
 * rest random addresses; amounts amountOf(row), schedule 0. Returns the encoded rows, the
 * tree, its root (core's merkleRoot, checked against the tree's) and the budget (their sum).
 */
function allocation(rows: number, positions: Uint32Array, mine: readonly Uint8Array[]): { items: Uint8Array[]; tree: Tree; root: Uint8Array; budget: bigint } {
  const owner = new Int32Array(rows).fill(-1);
  for (let j = 0; j < positions.length; j++) owner[positions[j]!] = j;
  const rnd = randomBytes(20 * rows);
  const items: Uint8Array[] = new Array<Uint8Array>(rows);
  let budget = 0n;
  for (let r = 0; r < rows; r++) {
    const o = owner[r]!;
    const beneficiary = o >= 0 ? mine[o]! : rnd.subarray(20 * r, 20 * r + 20);
    const amount = amountOf(r);
    budget += amount;
    items[r] = encode(prog.AllocationLeafSchema, { beneficiary, amount, schedule: 0 });
  }
  const tree = buildTree(items);
  const root = merkleRoot(items);
  if (!equalBytes(root, rootOf(tree))) throw new Error("the tree's root differs from core's merkleRoot");
  // One row's path against core's merkleProof at full size (it re-hashes the tree: once).
  const probe = positions.length > 0 ? positions[0]! : 0;
  const a = pathOf(tree, probe);
  const b = merkleProof(items, probe);
  if (a.length !== b.length || a.some((x, k) => !equalBytes(x, b[k]!))) throw new Error(`row ${probe}: the path differs from core's merkleProof`);
  return { items, tree, root, budget };
}

/** `count` distinct random rows of `rows` (a partial Fisher-Yates shuffle). */
function randomRows(rows: number, count: number): Uint32Array {
  if (count > rows) throw new Error(`${count} rows wanted of ${rows}`);
  const perm = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) perm[i] = i;
  const r = new Uint32Array(count);
  const rnd = new Uint32Array(randomBytes(4 * count).buffer);
  for (let i = 0; i < count; i++) {
    const j = i + (rnd[i]! % (rows - i));
    const x = perm[j]!;
    perm[j] = perm[i]!;
    perm[i] = x;
    r[i] = x;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Building claims (worker threads): account a's claim k (nonce k) claims row
// positions[a * K + k]; the claims of accounts a % 4 = q go to node q in batches of BATCH,
// in (k, a) order, so each account's nonces arrive in order at one node.

interface BuildJob {
  chainId: string;
  program: number;
  perAccount: number;
  batch: number;
  levels: Uint8Array[];
  counts: number[];
  positions: Uint32Array;
  accounts: { secretKey: Uint8Array; publicKey: Uint8Array; address: Uint8Array }[];
  kFrom: number;
  kTo: number;
}
interface Req {
  node: number;
  /** The claims' 0x-hex bytes and hashes. */
  params: string[];
  hashes: string[];
  bytes: number;
}

function buildClaimTx(job: BuildJob, a: number, k: number, signer: (m: Uint8Array) => Uint8Array, tree: Tree): Tx {
  const acct = job.accounts[a]!;
  const row = job.positions[a * job.perAccount + k]!;
  const leaf = { beneficiary: acct.address, amount: amountOf(row), schedule: 0 };
  const args = encode(prog.ClaimArgs, { program: job.program, row, leaf, path: pathOf(tree, row), presentation: null });
  const unsigned = { chainId: job.chainId, signer: acct.address, nonce: k, expiry: EXPIRY, body: { module: 'prog', method: 'claim', args } };
  return Tx.fromData({ ...unsigned, signatures: [{ publicKey: acct.publicKey, signature: signer(txSignBytes(unsigned)) }] });
}

function workerMain(job: BuildJob): void {
  const tree: Tree = { levels: job.levels, counts: job.counts };
  const signers = job.accounts.map((a) => fastSigner({ publicKey: a.publicKey, secretKey: a.secretKey }));
  const open: Req[] = [0, 1, 2, 3].map((node) => ({ node, params: [], hashes: [], bytes: 0 }));
  const flush = (q: number): void => {
    const r = open[q]!;
    if (r.params.length === 0) return;
    parentPort!.postMessage(r);
    open[q] = { node: q, params: [], hashes: [], bytes: 0 };
  };
  for (let k = job.kFrom; k < job.kTo; k++) {
    for (let a = 0; a < job.accounts.length; a++) {
      const tx = buildClaimTx(job, a, k, signers[a]!, tree);
      const r = open[a % 4]!;
      r.params.push(to0x(tx.bytes));
      r.hashes.push(to0x(tx.hash));
      r.bytes += tx.bytes.length;
      if (r.params.length >= job.batch) flush(a % 4);
    }
  }
  for (let q = 0; q < 4; q++) flush(q);
  parentPort!.postMessage({ done: true });
}

// ---------------------------------------------------------------------------------------------
// Everything this run starts, so that every exit (normal, error, signal) stops it.

let net: Devnet | null = null;
const started = { children: new Set<ChildProcess>(), tmpDirs: new Set<string>() };
const workers = new Set<Worker>();

async function cleanup(): Promise<void> {
  killChildGroups(started.children);
  await Promise.all([...workers].map((w) => w.terminate()));
  workers.clear();
  if (net) await net.stop();
  net = null;
  for (const d of started.tmpDirs) rmSync(d, { recursive: true, force: true });
  started.tmpDirs.clear();
}

/** Last resort on exit (synchronous): kill what is left. */
process.on('exit', () => {
  killChildGroups(started.children);
  if (net) {
    for (const p of net.procs) p?.kill('SIGKILL');
    if (!process.env.SOV_KEEP_DEVNET) rmSync(net.dir, { recursive: true, force: true });
  }
  for (const d of started.tmpDirs) rmSync(d, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

interface TxInfo {
  submittedAt: number;
  bytes: number;
  /** Height of the block that carried it (0: not seen in a block yet). */
  height: number;
}
interface BlockSeen {
  time: number;
  round: number;
  txs: string[];
}
type Account = { name: string; address: string; keys: KeyPair };

async function main(): Promise<void> {
  if (!Number.isInteger(ACCOUNTS) || ACCOUNTS < 4 || ACCOUNTS > 1000) throw new Error('--accounts is 4..1000');
  if (!Number.isInteger(ROWS) || ROWS < ACCOUNTS * ROWS_PER_ACCOUNT || ROWS > 2 ** 32) throw new Error('--rows must hold every account\'s rows');
  const cores = availableParallelism();
  const wanted = Math.ceil(PREBUILD_RATE * (WARMUP + SECONDS));
  const K = Math.min(ROWS_PER_ACCOUNT, Math.ceil(wanted / ACCOUNTS));
  console.log(`bench:programs: a program of ${ROWS.toLocaleString('en')} beneficiaries (Merkle allocation), claims from ${ACCOUNTS} accounts on 4 validators ` +
    `(block interval ${BLOCK_MS} ms), ${WARMUP} s warm-up then ${SECONDS} s measured; then credential-gated first claims; ${cores} cores`);

  // ---- Phase A.
  let transferTps: number | null = null;
  let devnetLine = '';
  if (!NO_DEVNET) {
    console.log(`phase A: bench:devnet --seconds ${DEVNET_SECONDS} --block-ms ${BLOCK_MS} (transfers), as a child:`);
    const r = await devnetTransferBaseline(DEVNET_SECONDS, started, ['--block-ms', String(BLOCK_MS)], 'bench-programs-devnet-');
    transferTps = r.tps;
    devnetLine = r.last;
    console.log(`phase A: transfers ${transferTps} tx/s`);
  }

  // ---- Phase B: the devnet, the allocation and the claims, built before the nodes start.
  console.log('phase B: claims of a Merkle program (no credential)');
  // The devnet goes under a directory of ours, removed whatever happens (also when `sov testnet` fails).
  const base = mkdtempSync(join(tmpdir(), 'bench-programs-'));
  if (!process.env.SOV_KEEP_DEVNET) started.tmpDirs.add(base);
  const tmpEnv = process.env.TMPDIR;
  process.env.TMPDIR = base;
  let created: Devnet;
  try {
    created = Devnet.create({ validators: 4, blockIntervalMs: BLOCK_MS, accounts: ACCOUNTS, logLevel: LOG_LEVEL });
  } finally {
    if (tmpEnv === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpEnv;
  }
  const n = created;
  net = n;
  for (let i = 0; i < 4; i++) n.setConfig(i, 'rpc', 'max_batch', '1000');
  const m = n.manifest;
  const P = m.address_prefix;
  const raw = (a: string): Uint8Array => decodeAddress(a, P);
  if (process.env.SOV_KEEP_DEVNET) console.log(`(the devnet and its logs are kept in ${n.dir})`);
  const tk = performance.now();
  const all = Object.fromEntries(n.accountKeys().map((a) => [a.name, a])) as Record<string, Account>;
  const need = (name: string): Account => {
    const a = all[name];
    if (!a) throw new Error(`the testnet has no account "${name}"`);
    return a;
  };
  const cb = need('Central Bank');
  const bank = need('Commercial Bank');
  const welfare = need('Welfare Agency');
  const customers = Object.values(all).filter((a) => a.name.startsWith('customer'));
  if (customers.length !== ACCOUNTS) throw new Error(`${customers.length} customer accounts, not ${ACCOUNTS}`);
  console.log(`opened ${Object.keys(all).length} testnet keystores in ${((performance.now() - tk) / 1000).toFixed(1)} s`);
  {
    // The fast signer must sign exactly as core does.
    const msg = new Uint8Array(64).fill(3);
    if (!equalBytes(fastSigner(customers[0]!.keys)(msg), sign(msg, customers[0]!.keys.secretKey))) throw new Error('fast signer differs from core signing');
  }

  checkPathsAgainstCore();
  const tt = performance.now();
  const positions1 = randomRows(ROWS, ACCOUNTS * K);
  const mine1 = Array.from({ length: ACCOUNTS * K }, (_, j) => raw(customers[Math.floor(j / K)]!.address));
  const alloc1 = allocation(ROWS, positions1, mine1);
  const treeSeconds = (performance.now() - tt) / 1000;
  console.log(`allocation 1: ${ROWS.toLocaleString('en')} rows (${K} for each of the ${ACCOUNTS} accounts, the rest random addresses), budget ${alloc1.budget} minor units; ` +
    `rows encoded, tree and root built and checked against core's merkleRoot in ${treeSeconds.toFixed(1)} s (${alloc1.tree.counts.length - 1} levels)`);
  // Phase C's allocation too, now: no long pause between requests later (the nodes close idle keep-alive connections).
  const tt2 = performance.now();
  const positions2 = randomRows(ROWS, ACCOUNTS);
  const alloc2 = allocation(ROWS, positions2, customers.map((c) => raw(c.address)));
  alloc2.items.length = 0;
  console.log(`allocation 2 (phase C): ${ROWS.toLocaleString('en')} rows, one for each account, built in ${((performance.now() - tt2) / 1000).toFixed(1)} s`);

  // The claims, on every core. Program 1 is the chain's first program (checked when created).
  const PROGRAM = 1;
  const job0 = {
    chainId: m.chain_id, program: PROGRAM, perAccount: K, batch: BATCH, levels: alloc1.tree.levels, counts: alloc1.tree.counts, positions: positions1,
    accounts: customers.map((a) => ({ secretKey: a.keys.secretKey, publicKey: a.keys.publicKey, address: raw(a.address) })),
  };
  {
    // A sample of claims as the ledger will check them: the leaf's path proves it under the root.
    const probe = buildClaimTx({ ...job0, kFrom: 0, kTo: 1 }, ACCOUNTS - 1, K - 1, fastSigner(customers[ACCOUNTS - 1]!.keys), alloc1.tree);
    const c = decode(prog.ClaimArgs, probe.body.args);
    if (!verifyMerkleProof(alloc1.root, encode(prog.AllocationLeafSchema, c.leaf!), c.row, ROWS, c.path)) throw new Error("a claim's path does not prove its row");
    if (!equalBytes(encode(prog.AllocationLeafSchema, c.leaf!), alloc1.items[c.row]!)) throw new Error("a claim's leaf is not its row");
  }
  alloc1.items.length = 0;
  const threads = Math.max(1, Math.min(cores, K));
  const queues: Req[][] = [[], [], [], []];
  const perWorker: Req[][][] = Array.from({ length: threads }, () => [[], [], [], []]);
  const tb = performance.now();
  await Promise.all(Array.from({ length: threads }, (_, w) => new Promise<void>((resolve, reject) => {
    const job: BuildJob = { ...job0, kFrom: Math.floor((K * w) / threads), kTo: Math.floor((K * (w + 1)) / threads) };
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    workers.add(worker);
    let done = false;
    worker.on('message', (msg: Req | { done: true }) => {
      if ('done' in msg) {
        done = true;
        workers.delete(worker);
        void worker.terminate().then(() => resolve());
        return;
      }
      perWorker[w]![msg.node]!.push(msg);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (done ? undefined : reject(new Error(`a build worker exited (code ${code}) before its claims`))));
  })));
  for (const byNode of perWorker) for (let q = 0; q < 4; q++) queues[q]!.push(...byNode[q]!);
  const built = queues.reduce((s, q) => s + q.reduce((x, r) => x + r.params.length, 0), 0);
  const builtBytes = queues.reduce((s, q) => s + q.reduce((x, r) => x + r.bytes, 0), 0);
  const claimTxBytes = builtBytes / built;
  const buildSeconds = (performance.now() - tb) / 1000;
  console.log(`built and signed ${built} claims beforehand (${K} an account) in ${buildSeconds.toFixed(1)} s on ${threads} threads; a claim transaction is ${Math.round(claimTxBytes)} bytes ` +
    `(a transfer about 150): its leaf and a path of ${alloc1.tree.counts.length - 1} hashes`);

  // Start the nodes (node 0 profiled on request).
  const nodeArgs = process.env.SOV_NODE_ARGS;
  for (let i = 0; i < 4; i++) {
    if (CPU_PROF !== undefined && i === 0) process.env.SOV_NODE_ARGS = [nodeArgs, '--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`].filter(Boolean).join(' ');
    else if (nodeArgs === undefined) delete process.env.SOV_NODE_ARGS;
    else process.env.SOV_NODE_ARGS = nodeArgs;
    n.start(i);
  }
  if (nodeArgs === undefined) delete process.env.SOV_NODE_ARGS;
  else process.env.SOV_NODE_ARGS = nodeArgs;
  for (let i = 0; i < 4; i++) await n.waitHeight(i, 2);
  const client = new SovClient(m.nodes[0]!.rpc_url, { timeoutMs: 60_000 });

  const nonces = new Map<string, number>();
  const send = async (who: Account, module: string, method: string, args: unknown, what: string): Promise<unknown> => {
    const nonce = nonces.get(who.address) ?? (await client.getAccount(who.address)).nonce;
    nonces.set(who.address, nonce + 1);
    const tx = buildTx({ chainId: m.chain_id, keys: [who.keys], signer: raw(who.address), nonce, expiry: EXPIRY }, module, method, args);
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await client.sendTransaction(tx, true);
        if (r.status !== 'committed') throw new Error(`${what}: ${r.status} ${r.message ?? ''}`);
        return r;
      } catch (e) {
        // A keep-alive connection the node closed as the request left: the same bytes again.
        if (attempt >= 3 || (e as { code?: string }).code !== 'RPC_UNREACHABLE') throw e;
        await sleep(200);
      }
    }
  };
  const createProgram = async (terms: Record<string, unknown>, budget: bigint, want: number, what: string): Promise<void> => {
    await send(welfare, 'prog', 'create', { ...terms, funder: raw(welfare.address), currency: m.currency.code, budget }, `${what}: drafted`);
    const rec = await client.getRecord({ kind: 'program', id: want });
    const p = rec.value as { owner?: string; version?: number; terms?: { name?: string } } | null;
    if (p === null || p.terms?.name !== terms.name) throw new Error(`${what} is not program ${want}: the claims were built for it`);
    await send(welfare, 'prog', 'finalize', { program: want, version: Number(p.version) }, `${what}: finalized by its funder`);
  };
  const payments = async (program: number, height: number): Promise<number> => {
    const r = await client.getRecord({ kind: 'prog_totals', program }, { height });
    return Number((r.value as { payments?: number | string } | null)?.payments ?? 0);
  };

  // The Welfare Agency funded by the bank (both programs' budgets), program 1 drafted and final.
  const terms1 = {
    name: 'Energy rebate 2026', eligibility: { types: [], issuers: [], predicates: [] }, reportClaim: '', mode: prog.AllocationMode.MERKLE, root: alloc1.root, rows: ROWS,
    schedules: [LUMP], expiresAt: 0, graceMs: 0, category: '', spendMs: 0, legalRef: 'Energy Rebate Act 2026 s.4',
  };
  await send(bank, 'money', 'transfer', { currency: m.currency.code, to: raw(welfare.address), amount: 2n * alloc1.budget + 1_000_000n, memo: '', reference: 'programs' }, 'fund the welfare agency');
  await createProgram(terms1, alloc1.budget, PROGRAM, 'program 1');
  for (const a of customers) {
    if ((await client.getAccount(a.address)).nonce !== 0) throw new Error(`${a.name} is not at nonce 0: the claims were built for 0`);
  }
  console.log(`the welfare agency (funded by the commercial bank) drafted program ${PROGRAM} (${ROWS.toLocaleString('en')} rows, root ${to0x(alloc1.root).slice(0, 18)}..) and finalized it as its funder`);

  // ---- The load.
  const info = new Map<string, TxInfo>();
  const blocks = new Map<number, BlockSeen>();
  let seenHeight = await n.height(0);
  let pendingCount = 0;
  let measuring = false;
  const latencies: number[] = [];
  let refused = 0;
  let retried = 0;
  let firstRefusal: string | null = null;
  /** Fetch the blocks committed since the last poll; returns when node 0 was asked its height (the middle of the request). */
  const poll = async (): Promise<number> => {
    const asked = performance.now();
    const top = await n.height(0);
    const at = (asked + performance.now()) / 2;
    for (let x = seenHeight + 1; x <= top; x++) {
      const b = (await n.rpc(0, 'sov_getBlock', [x])) as { header: { time: number }; txs: string[]; commit: { round: number } | null };
      const now = performance.now();
      blocks.set(x, { time: b.header.time, round: b.commit?.round ?? 0, txs: b.txs });
      for (const id of b.txs) {
        const t = info.get(id);
        if (t !== undefined && t.height === 0) {
          t.height = x;
          pendingCount--;
          if (measuring) latencies.push(now - t.submittedAt);
        }
      }
    }
    seenHeight = Math.max(seenHeight, top);
    return at;
  };
  const failure: { e: unknown } = { e: null };
  const openPerNode = [0, 0, 0, 0];
  const open = new Set<Promise<void>>();
  const launch = (q: number, req: Req): void => {
    const now = performance.now();
    const perTx = req.bytes / req.params.length;
    for (const h of req.hashes) {
      const known = info.get(h);
      if (known) known.submittedAt = now;
      else info.set(h, { submittedAt: now, bytes: perTx, height: 0 });
      pendingCount++;
    }
    openPerNode[q]!++;
    const body = JSON.stringify(req.params.map((p, id) => ({ jsonrpc: '2.0', id, method: 'sov_sendTransaction', params: [p] })));
    const p: Promise<void> = (async () => {
      const res = await postJson(m.nodes[q]!.rpc_url, body);
      const text = res.text;
      if (res.status !== 200) throw new Error(`node ${q} answered ${res.status}: ${text.slice(0, 300)}`);
      const replies = JSON.parse(text) as { id: number; result?: { status: string }; error?: { message: string; data?: { code?: string } } }[];
      if (!Array.isArray(replies)) throw new Error(`node ${q} answered: ${text.slice(0, 300)}`);
      const again: Req = { node: q, params: [], hashes: [], bytes: 0 };
      for (const r of replies) {
        if (!r.error) continue;
        const code = r.error.data?.code;
        pendingCount--;
        if (code === 'MEMPOOL_FULL' || code === 'MEMPOOL_ACCOUNT_FULL') {
          again.params.push(req.params[r.id]!);
          again.hashes.push(req.hashes[r.id]!);
          again.bytes += perTx;
          retried++;
        } else {
          refused++;
          firstRefusal ??= `${code ?? ''} ${r.error.message}`;
        }
      }
      // A full mempool: the same transactions again, first in their node's queue.
      if (again.params.length > 0) queues[q]!.unshift(again);
    })().catch((e: unknown) => void (failure.e ??= e)).finally(() => {
      openPerNode[q]!--;
      open.delete(p);
    });
    open.add(p);
  };
  let rr = 0;
  let ranOut = false;
  /** Round robin over the nodes with a request slot free and claims queued, while fewer than IN_FLIGHT claims wait for a block. */
  const fill = (): void => {
    for (let launched = true; launched && pendingCount < IN_FLIGHT; ) {
      launched = false;
      for (let k = 0; k < 4; k++) {
        const q = (rr + k) % 4;
        if (openPerNode[q]! >= OPEN_PER_NODE) continue;
        const req = queues[q]!.shift();
        if (req === undefined) {
          ranOut = true;
          continue;
        }
        launch(q, req);
        rr = (q + 1) % 4;
        launched = true;
        break;
      }
    }
  };

  const tLoad = performance.now();
  const tStart = tLoad + WARMUP * 1000;
  const tEnd = tStart + SECONDS * 1000;
  let h0 = -1;
  let t0 = 0;
  let lastPoll = 0;
  let inFlightSum = 0;
  let inFlightSamples = 0;
  let ranOutInWindow = false;
  console.log(`load: warm-up ${WARMUP} s, then ${SECONDS} s measured (batches of ${BATCH}, up to ${IN_FLIGHT} claims in flight, ${OPEN_PER_NODE} request open to each node)`);
  while (true) {
    const now = performance.now();
    if (h0 < 0 && now >= tStart) {
      t0 = await poll();
      h0 = seenHeight;
      measuring = true;
      lastPoll = performance.now();
      continue;
    }
    if (now >= tEnd) break;
    fill();
    if (measuring && ranOut) ranOutInWindow = true;
    if (now - lastPoll > 200) {
      await poll();
      lastPoll = performance.now();
      if (measuring) {
        inFlightSum += pendingCount;
        inFlightSamples++;
      }
    } else {
      await Promise.race([...open, sleep(20)]);
    }
    if (failure.e) throw failure.e;
  }
  const t1 = await poll();
  const h1 = seenHeight;
  measuring = false;
  const elapsed = (t1 - t0) / 1000;

  // Drain: what was sent is committed (or fails) before the counts are final.
  await Promise.all(open);
  if (failure.e) throw failure.e;
  const drainEnd = performance.now() + 60_000;
  while (pendingCount > 0 && performance.now() < drainEnd) {
    await poll();
    await sleep(200);
  }

  // The window: blocks h0+1 .. h1; its successful claims from the program's payments in state.
  let wTxs = 0;
  let wBytes = 0;
  let wLaterRounds = 0;
  const wIds: string[] = [];
  for (let x = h0 + 1; x <= h1; x++) {
    const b = blocks.get(x)!;
    if (b.round > 0) wLaterRounds++;
    for (const id of b.txs) {
      const t = info.get(id);
      if (t === undefined) continue;
      wTxs++;
      wBytes += t.bytes;
      wIds.push(id);
    }
  }
  const wPaid = (await payments(PROGRAM, h1)) - (await payments(PROGRAM, h0));
  const included = [...info.values()].filter((t) => t.height > 0).length;
  const paidAll = await payments(PROGRAM, await n.height(0));
  let wFailed = wTxs - wPaid;
  const failedAll = included - paidAll;
  let firstFailure: string | null = null;
  if (failedAll !== 0 || wFailed !== 0) {
    // Which claims failed, and why: their receipts (after the window, the nodes idle).
    let counted = 0;
    for (let i = 0; i < wIds.length; i += 500) {
      const body = wIds.slice(i, i + 500).map((h, id) => ({ jsonrpc: '2.0', id, method: 'sov_getTransaction', params: [h] }));
      const res = await postJson(m.nodes[0]!.rpc_url, JSON.stringify(body));
      for (const r of JSON.parse(res.text) as { result?: { receipt: { status: string; codeName: string | null; message: string } } }[]) {
        if (r.result?.receipt.status === 'failed') {
          counted++;
          firstFailure ??= `${r.result.receipt.codeName ?? ''} ${r.result.receipt.message}`;
        }
      }
    }
    wFailed = counted;
  }
  const wBlocks = h1 - h0;
  const claimsPerSec = wPaid / elapsed;
  const inFlightMean = inFlightSum / Math.max(1, inFlightSamples);
  console.log(`window: blocks ${h0 + 1}..${h1} (${wBlocks} blocks, ${wLaterRounds} decided after round 0) in ${elapsed.toFixed(2)} s: ` +
    `${wPaid} claims paid = ${Math.round(claimsPerSec)} claims/s`);
  console.log(`  a block: ${Math.round(wTxs / Math.max(1, wBlocks))} claims, ${(wBytes / Math.max(1, wBlocks) / 1e6).toFixed(2)} MB, ${(wBlocks / elapsed).toFixed(2)} blocks/s; ` +
    `claims in flight ${Math.round(inFlightMean)} on average; commit latency p50 ${Math.round(percentile(latencies, 50))} ms, p99 ${Math.round(percentile(latencies, 99))} ms (under saturation)`);
  console.log(`  failed claims: ${wFailed} in the window, ${failedAll} in all${firstFailure ? ` (first: ${firstFailure})` : ''}; refused at submission: ${refused}` +
    `${firstRefusal ? ` (first: ${firstRefusal})` : ''}; resent after a full mempool: ${retried}; not in a block after the drain: ${pendingCount}`);
  if (ranOutInWindow) console.log(`  (the ${built} claims built beforehand ran out during the window: the figure is a lower bound; raise --prebuild-rate or --rows-per-account)`);
  console.log(`  in all: ${included} claims in blocks, ${paidAll} payments in the program's totals`);

  // ---- Phase C: credential-gated first claims.
  console.log('phase C: credential-gated first claims (eligibility residence@1, SD-JWT presentations)');
  await send(cb, 'gov', 'propose', { action: makeAction(ActionKind.ACCREDIT_ACCREDITOR, { account: raw(cb.address), jurisdiction: 'XX', types: [], legalRef: 'Act 12/2026' }), reason: 'bench' }, 'accredit the accreditor');
  await send(cb, 'cred', 'accredit_issuer', { account: raw(bank.address), jurisdiction: 'XX', types: ['residence'], legalRef: 'Registers Act 2026' }, 'accredit the issuer');
  const jsonSchema = { type: 'object', properties: { givenName: { type: 'string' }, region: { type: 'string' }, birthDate: { type: 'string' } } };
  await send(cb, 'cred', 'register_schema', { typeId: 'residence', version: 1, jsonSchema: JSON.stringify(jsonSchema), selective: RESIDENCE.selective, issuers: [], maxValidityMs: 3650 * DAY }, 'register residence@1');
  const ti = performance.now();
  const validFrom = Date.now() - 60_000;
  const pkgs: CredentialPackage[] = [];
  for (let i = 0; i < ACCOUNTS; i += 1000) {
    const rec = await client.getRecord({ kind: 'cred_issuer', issuer: bank.address });
    const first = rec.value === null ? 0 : Number((rec.value as { nextIndex: number }).nextIndex);
    const out = await issueBatch({
      format: 'sd-jwt', chainId: m.chain_id, addressPrefix: P, issuerKey: bank.keys, issuerAccount: raw(bank.address), schema: RESIDENCE, first,
      subjects: customers.slice(i, i + 1000).map((c, j) => ({ holderPublicKey: c.keys.publicKey, claims: { givenName: `Person ${i + j}`, region: REGIONS[(i + j) % REGIONS.length]!, birthDate: '1990-05-01' } })),
      validFrom, issuedAt: validFrom, validUntil: validFrom + 365 * DAY, statusBaseUrl: 'https://registry.example/status/residence',
    });
    await send(bank, 'cred', 'anchor', { schema: RESIDENCE.id, first, count: out.count, root: out.root }, `anchor credentials ${first}..`);
    pkgs.push(...out.packages);
  }
  console.log(`the central bank accredited (governance), the commercial bank issued and anchored ${pkgs.length} SD-JWT residence credentials in ${((performance.now() - ti) / 1000).toFixed(1)} s`);

  // Program 2: one row for each account, the rest random addresses.
  const PROGRAM2 = PROGRAM + 1;
  const terms2 = {
    name: 'Housing allowance 2026',
    eligibility: { types: ['residence'], issuers: [], predicates: [{ claim: 'region', op: 6, values: REGIONS }] },
    reportClaim: 'region', mode: prog.AllocationMode.MERKLE, root: alloc2.root, rows: ROWS,
    schedules: [LUMP], expiresAt: 0, graceMs: 0, category: '', spendMs: 0, legalRef: 'Housing Allowance Act 2026 s.2',
  };
  await createProgram(terms2, alloc2.budget, PROGRAM2, 'program 2');
  console.log(`program ${PROGRAM2} final: allocation 2's ${ROWS.toLocaleString('en')} rows, eligibility residence with the region in ${REGIONS.length} regions, report groups by region`);

  // The claims: a presentation disclosing the region, the allocation row and path; signed now (the nodes idle).
  const tp = performance.now();
  const accountNonces = await Promise.all(customers.map(async (c) => (await client.getAccount(c.address)).nonce));
  const credReqs: Req[] = [0, 1, 2, 3].map((node) => ({ node, params: [], hashes: [], bytes: 0 }));
  const credInfo = new Map<string, { height: number }>();
  let credBytes = 0;
  for (const [a, c] of customers.entries()) {
    const row = positions2[a]!;
    const presentation = await ledgerPresentation(pkgs[a]!, ['region'], c.keys, { chainId: m.chain_id, iat: Math.floor(Date.now() / 1000) });
    const args = encode(prog.ClaimArgs, { program: PROGRAM2, row, leaf: { beneficiary: raw(c.address), amount: amountOf(row), schedule: 0 }, path: pathOf(alloc2.tree, row), presentation });
    const unsigned = { chainId: m.chain_id, signer: raw(c.address), nonce: accountNonces[a]!, expiry: EXPIRY, body: { module: 'prog', method: 'claim', args } };
    const tx = Tx.fromData({ ...unsigned, signatures: [{ publicKey: c.keys.publicKey, signature: fastSigner(c.keys)(txSignBytes(unsigned)) }] });
    const r = credReqs[a % 4]!;
    r.params.push(to0x(tx.bytes));
    r.hashes.push(to0x(tx.hash));
    r.bytes += tx.bytes.length;
    credBytes += tx.bytes.length;
    credInfo.set(to0x(tx.hash), { height: 0 });
  }
  const credTxBytes = credBytes / ACCOUNTS;
  console.log(`built ${ACCOUNTS} credential claims (presentation, allocation row and path) in ${((performance.now() - tp) / 1000).toFixed(1)} s; a claim transaction is ${Math.round(credTxBytes)} bytes`);
  // Requests of up to ~1 MB each.
  const credQueue: { node: number; body: string }[] = [];
  for (const r of credReqs) {
    for (let i = 0; i < r.params.length; ) {
      const part: string[] = [];
      let size = 2;
      while (i < r.params.length && (part.length === 0 || size + r.params[i]!.length + 80 < 1_000_000)) {
        size += r.params[i]!.length + 80;
        part.push(r.params[i++]!);
      }
      credQueue.push({ node: r.node, body: JSON.stringify(part.map((p, id) => ({ jsonrpc: '2.0', id, method: 'sov_sendTransaction', params: [p] }))) });
    }
  }
  let credSeen = await n.height(0);
  const credPoll = async (): Promise<number> => {
    const asked = performance.now();
    const top = await n.height(0);
    const at = (asked + performance.now()) / 2;
    for (let x = credSeen + 1; x <= top; x++) {
      const b = (await n.rpc(0, 'sov_getBlock', [x])) as { txs: string[] };
      for (const id of b.txs) {
        const t = credInfo.get(id);
        if (t !== undefined && t.height === 0) t.height = x;
      }
    }
    credSeen = Math.max(credSeen, top);
    return at;
  };
  await sleep(1000);
  const c0 = await credPoll();
  const ch0 = credSeen;
  let credRefused = 0;
  let credFirstRefusal: string | null = null;
  // One request open to each node, in order.
  const sends = [0, 1, 2, 3].map(async (q) => {
    for (const r of credQueue.filter((x) => x.node === q)) {
      const res = await postJson(m.nodes[q]!.rpc_url, r.body);
      if (res.status !== 200) throw new Error(`node ${q} answered ${res.status}: ${res.text.slice(0, 300)}`);
      const replies = JSON.parse(res.text) as { error?: { message: string; data?: { code?: string } } }[];
      for (const x of replies) {
        if (!x.error) continue;
        credRefused++;
        credFirstRefusal ??= `${x.error.data?.code ?? ''} ${x.error.message}`;
      }
    }
  });
  const sent = Promise.all(sends);
  let sendsDone = false;
  void sent.then(() => (sendsDone = true), () => (sendsDone = true));
  const credEnd = performance.now() + 120_000;
  let c1 = c0;
  const credLeft = (): number => [...credInfo.values()].filter((t) => t.height === 0).length;
  while (performance.now() < credEnd) {
    c1 = await credPoll();
    if (sendsDone && credLeft() <= credRefused) break;
    await sleep(50);
  }
  await sent;
  const ch1 = credSeen;
  const credSeconds = (c1 - c0) / 1000;
  const credPaid = (await payments(PROGRAM2, ch1)) - (await payments(PROGRAM2, ch0));
  const credIncluded = [...credInfo.values()].filter((t) => t.height > 0).length;
  const credFailed = credIncluded - credPaid;
  let credFirstFailure: string | null = null;
  if (credFailed > 0) {
    const ids = [...credInfo.entries()].filter(([, t]) => t.height > 0).map(([h]) => h);
    for (let i = 0; i < ids.length && credFirstFailure === null; i++) {
      const tx = (await n.rpc(0, 'sov_getTransaction', [ids[i]])) as { receipt: { status: string; codeName: string | null; message: string } };
      if (tx.receipt.status === 'failed') credFirstFailure = `${tx.receipt.codeName ?? ''} ${tx.receipt.message}`;
    }
  }
  const credTps = credPaid / credSeconds;
  const credBlocks = ch1 - ch0;
  console.log(`credential claims: blocks ${ch0 + 1}..${ch1} (${credBlocks} blocks) in ${credSeconds.toFixed(2)} s: ${credPaid} first claims paid = ${Math.round(credTps)} claims/s ` +
    `(one claim an account: a short window, its first block's wait included)`);
  console.log(`  failed: ${credFailed}${credFirstFailure ? ` (first: ${credFirstFailure})` : ''}; refused at submission: ${credRefused}${credFirstRefusal ? ` (first: ${credFirstRefusal})` : ''}; ` +
    `not in a block: ${credLeft()}`);
  const report = await client.getRecord({ kind: 'prog_totals', program: PROGRAM2 });
  const groups = ((report.value as { groups?: { group: string; beneficiaries: number | string }[] } | null)?.groups ?? []).map((g) => `${g.group} ${g.beneficiaries}`);
  console.log(`  program ${PROGRAM2}'s totals by region (beneficiaries): ${groups.join(', ')}`);

  // Stop the nodes (a clean stop first: --cpu-prof writes its profile then).
  await Promise.all([0, 1, 2, 3].map((i) => n.kill(i, 'SIGTERM')));
  await n.stop();
  net = null;

  // ---- Summary.
  const ratioOf = (x: number): number | null => (transferTps === null || !(transferTps > 0) ? null : Number((x / transferTps).toFixed(3)));
  const ratio = ratioOf(claimsPerSec);
  const credentialRatio = ratioOf(credTps);
  console.log('summary:');
  console.log(`  claims committed (Merkle row proof, no credential), ${ROWS.toLocaleString('en')}-row program: ${Math.round(claimsPerSec)}/s`);
  console.log(`  credential-gated first claims (SD-JWT residence presentation): ${Math.round(credTps)}/s over ${ACCOUNTS} claims (a short window)`);
  if (transferTps !== null) console.log(`  bench:devnet transfers: ${transferTps} tx/s  ->  ratio ${ratio} (aim >= 0.5), credential ratio ${credentialRatio}`);
  else console.log('  bench:devnet skipped (--no-devnet): ratios null');
  if (devnetLine) console.log(`  bench:devnet said: ${devnetLine}`);
  console.log(JSON.stringify({
    tps: Math.round(claimsPerSec),
    ratio,
    transferTps,
    credentialClaimsTps: Math.round(credTps),
    credentialRatio,
    rows: ROWS,
    accounts: ACCOUNTS,
    rowsPerAccount: K,
    seconds: Number(elapsed.toFixed(2)),
    warmupS: WARMUP,
    blockMs: BLOCK_MS,
    claimsInWindow: wPaid,
    blocks: wBlocks,
    blocksLaterRounds: wLaterRounds,
    meanBlockClaims: Math.round(wTxs / Math.max(1, wBlocks)),
    meanBlockBytes: Math.round(wBytes / Math.max(1, wBlocks)),
    claimTxBytes: Math.round(claimTxBytes),
    failedClaims: wFailed,
    failedClaimsAll: failedAll,
    refusedClaims: refused,
    inFlightMean: Math.round(inFlightMean),
    latencyP50Ms: Math.round(percentile(latencies, 50)),
    latencyP99Ms: Math.round(percentile(latencies, 99)),
    prebuiltRanOut: ranOutInWindow,
    credentialClaims: credPaid,
    credentialSeconds: Number(credSeconds.toFixed(2)),
    credentialBlocks: credBlocks,
    credentialFailed: credFailed,
    credentialRefused: credRefused,
    credentialClaimTxBytes: Math.round(credTxBytes),
    treeSeconds: Number(treeSeconds.toFixed(1)),
    cores,
  }));
}

if (!isMainThread) {
  workerMain(workerData as BuildJob);
} else {
  let exiting = false;
  for (const [sig, num] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.on(sig, () => {
      if (exiting) return;
      exiting = true;
      console.error(`\nbench:programs: ${sig}: stopping everything it started`);
      void cleanup().finally(() => process.exit(128 + num));
    });
  }
  try {
    await main();
  } catch (e) {
    console.error(e);
    await cleanup();
    process.exit(1);
  }
  await cleanup();
}
