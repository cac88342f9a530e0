/**
 * bench:xchg: the data-exchange layer's figures (vm xchg), in one run on this machine.
 *
 * A. Transfers, the baseline: bench:devnet run as a child process (its own 4 validators,
 *    `--seconds` from --devnet-seconds), its last JSON line parsed for its tps.
 * B. Records on a 4-validator devnet (`sov testnet`, block_interval_ms 250 like bench:devnet):
 *    governance (the central bank, the testnet's council of one) allows the funded customer
 *    accounts to send besides the tax office, so SENDERS senders submit batches in parallel.
 *    Each sender's batch transactions (xchg.send, BATCH records each, built by the SDK's
 *    xchgBatch: random payload digests, one or two purposes and legal bases a batch, a consent
 *    reference on every fifth record, receivers the welfare agency, the central bank and the
 *    commercial bank in turn) take its nonces and record numbers in order; they are built and
 *    signed before the nodes start (in worker threads, one per core; the load generator shares
 *    the machine with the validators), packed into JSON-RPC batches under the nodes' request
 *    body limit, and each sender sends to one node (sender i to node i % 4). The load keeps up
 *    to IN_FLIGHT batches submitted and not yet in a block (64,000 records' worth by default:
 *    64 batches of 1,000, about 3.5 MB; a
 *    proposer reaps its whole mempool, and on this 2-core machine blocks of over ~100 batches
 *    outlast the testnet's consensus timeouts; at 160 in flight (9 MB blocks) the chain stalled
 *    for a minute and more), and two requests open to each node.
 *    After WARMUP seconds the window opens for SECONDS: records committed per second are the
 *    records of the batches that succeeded (their xchg `sent` events, from a WebSocket
 *    subscription on node 0; checked at the end against every sender's nextSeq in state) in
 *    the blocks committed between the height read at the window's start and the one read at
 *    its end, over the time between those two reads (the middle of each request; bench:devnet
 *    counts committed transfers the same way). Also batches/s, the blocks (count, rounds, batches, records and bytes per
 *    block), failed or refused batches and the commit latency of a batch under this load.
 * C. Receipt verification on one core: RECEIPTS receipts fetched with xchg_listRecords
 *    (prove: true) in pages of up to 100 records from batches spread over the run (each page
 *    proven at the head of its time), then, with the nodes stopped, verifyXchgReceipt over
 *    them in a loop on this thread for VERIFY_SECONDS. Also with the verifier's cache
 *    (XchgVerifyOptions.cache: a certificate and a batch's state proof checked once; a page's
 *    receipts share them), as an auditor checking many receipts would run it.
 * `ratio` = records/s (B) / transfer tx/s (A); `tps` = records/s.
 * Usage: node dist/scripts/bench-xchg.js [--seconds 30] [--warmup 5] [--devnet-seconds 30]
 *   [--no-devnet] [--batch 1000] [--senders 8] [--in-flight 64000/batch] [--receipts 2000]
 *   [--verify-seconds 5] [--block-ms 250] [--prebuild-rate 60000] [--cpu-prof DIR] [--log-level warn]
 * (--prebuild-rate: records/s to build beforehand for warm-up and window; what runs short is
 * built during the run and reported. --cpu-prof DIR: node 0 of phase B runs with --cpu-prof,
 * its profile written when it stops. --log-level: the phase B nodes' log level; with
 * SOV_KEEP_DEVNET=1 their directory and logs are kept.)
 */
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { decodeAddress, encode, encodeAddress, equalBytes, fromHex, sign, to0x, toHex, Tx, txSignBytes, ValidatorSet, type KeyPair } from '../core/index.js';
import { xchg } from '../vm/index.js';
import { ActionKind, buildTx, consentRef, makeAction, SovClient, SovSocket, verifyXchgReceipt, xchgBatch, type XchgReceipt, type XchgRecordInput } from '../rpc/index.js';
import { Devnet } from '../test/devnet.js';
import { waitFor } from '../test/wait.js';
import { devnetTransferBaseline, fastSigner, killChildGroups as killGroups, percentile } from './bench-util.js';

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
const BATCH = arg('batch', 1000);
const SENDERS = arg('senders', 8);
/** Batches submitted and not yet in a block: 64,000 records' worth by default. */
const IN_FLIGHT = arg('in-flight', Math.max(2, Math.round(64_000 / BATCH)));
const RECEIPTS = arg('receipts', 2000);
const VERIFY_SECONDS = arg('verify-seconds', 5);
const BLOCK_MS = arg('block-ms', 250);
const PREBUILD_RATE = arg('prebuild-rate', 60_000);
const CPU_PROF = strArg('cpu-prof');
const LOG_LEVEL = strArg('log-level') ?? 'warn';
/** Requests open to one node at once. */
const OPEN_PER_NODE = 2;
/** A request body stays under this: the nodes' rpc.max_body_bytes is 1 MiB (raised when one batch transaction needs more). */
let MAX_BODY = 1_000_000;
/** An absolute expiry far past any height the run reaches (max_tx_ttl_blocks is 100,000). */
const EXPIRY = 50_000;
const PURPOSES = ['tax-assessment', 'urn:schema:household-income@2'] as const;
const BASES = ['Act 90/2003 art. 12', 'Social Assistance Act 40/1991 art. 21'] as const;
const RECEIVER_NAMES = ['Welfare Agency', 'Central Bank', 'Commercial Bank'] as const;

// ---------------------------------------------------------------------------------------------
// Building batch transactions (in worker threads, and in the main thread when they run short).

interface SenderSpec {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** The sender's address bytes. */
  signer: Uint8Array;
  nonce0: number;
  seq0: number;
  receivers: Uint8Array[];
}
interface BuildSpec {
  chainId: string;
  size: number;
  senders: SenderSpec[];
}
interface BuildJob extends BuildSpec {
  ranges: { s: number; from: number; to: number }[];
}
interface Built {
  s: number;
  j: number;
  bytes: Uint8Array;
  hash: Uint8Array;
}

/** Batch j of sender s: nonce nonce0 + j, records seq0 + j * size ..; receivers in turn; 1 or 2 purposes; a consent reference on every 5th record. */
function buildBatchTx(spec: BuildSpec, s: number, j: number, signer: (msg: Uint8Array) => Uint8Array): { bytes: Uint8Array; hash: Uint8Array } {
  const p = spec.senders[s]!;
  const size = spec.size;
  const first = p.seq0 + j * size;
  const receiver = p.receivers[j % p.receivers.length]!;
  const two = j % 3 !== 0;
  const rnd = randomBytes(32 * size);
  const now = Date.now();
  const inputs: XchgRecordInput[] = new Array(size);
  for (let i = 0; i < size; i++) {
    const k = two ? i & 1 : 0;
    inputs[i] = {
      payload: rnd.subarray(32 * i, 32 * i + 32), purpose: PURPOSES[k]!, legalBasis: BASES[k]!, time: now - size + i,
      ...(i % 5 === 0 ? { consent: consentRef(`urn:consent:${toHex(p.signer)}:${first + i}`) } : {}),
    };
  }
  const b = xchgBatch(p.signer, receiver, first, inputs);
  const args = encode(xchg.SendArgs, b.args);
  const unsigned = { chainId: spec.chainId, signer: p.signer, nonce: p.nonce0 + j, expiry: EXPIRY, body: { module: 'xchg', method: 'send', args } };
  const tx = Tx.fromData({ ...unsigned, signatures: [{ publicKey: p.publicKey, signature: signer(txSignBytes(unsigned)) }] });
  return { bytes: tx.bytes, hash: tx.hash };
}

function workerMain(job: BuildJob): void {
  const signers = job.senders.map((p) => fastSigner({ publicKey: p.publicKey, secretKey: p.secretKey }));
  for (const r of job.ranges) {
    for (let j = r.from; j < r.to; j++) {
      const b = buildBatchTx(job, r.s, j, signers[r.s]!);
      parentPort!.postMessage({ s: r.s, j, bytes: b.bytes, hash: b.hash } satisfies Built);
    }
  }
  parentPort!.postMessage({ done: true });
}

// ---------------------------------------------------------------------------------------------
// Everything this run starts, so that every exit (normal, error, signal) stops it.

let net: Devnet | null = null;
const children = new Set<ChildProcess>();
const workers = new Set<Worker>();
const tmpDirs = new Set<string>();
let socket: SovSocket | null = null;

/** bench:devnet runs in its own process group with its nodes: end each group. */
const killChildGroups = (): void => killGroups(children);

async function cleanup(): Promise<void> {
  killChildGroups();
  await Promise.all([...workers].map((w) => w.terminate()));
  workers.clear();
  socket?.ws.terminate();
  socket = null;
  if (net) await net.stop();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
  tmpDirs.clear();
}

/** Last resort on exit (synchronous): kill what is left. */
process.on('exit', () => {
  killChildGroups();
  if (net) {
    for (const p of net.procs) p?.kill('SIGKILL');
    if (!process.env.SOV_KEEP_DEVNET) rmSync(net.dir, { recursive: true, force: true });
  }
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Phase A: bench:devnet as a child.

// ---------------------------------------------------------------------------------------------
// Phase C helpers.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------

interface TxInfo {
  s: number;
  j: number;
  first: number;
  records: number;
  bytes: number;
  submittedAt: number;
  /** Height of the block that carried it (0: not seen in a block yet). */
  height: number;
}
interface Req {
  s: number;
  body: Buffer;
  txs: { hash: string; j: number; bytes: Uint8Array }[];
}
interface BlockSeen {
  height: number;
  time: number;
  round: number;
  txs: string[];
}

async function main(): Promise<void> {
  if (!Number.isInteger(BATCH) || BATCH < 1 || BATCH > xchg.MAX_XCHG_BATCH) throw new Error(`--batch is 1..${xchg.MAX_XCHG_BATCH}`);
  if (!Number.isInteger(SENDERS) || SENDERS < 1) throw new Error('--senders is at least 1');
  const cores = availableParallelism();
  console.log(`bench:xchg: batches of ${BATCH} records from ${SENDERS} senders on 4 validators, ${WARMUP} s warm-up then ${SECONDS} s measured; ` +
    `receipt verification on one core for ${VERIFY_SECONDS} s; ${cores} cores`);

  // ---- Phase A.
  let transferTps: number | null = null;
  let devnetLine = '';
  if (!NO_DEVNET) {
    console.log(`phase A: bench:devnet --seconds ${DEVNET_SECONDS} (transfers), as a child:`);
    const r = await devnetTransferBaseline(DEVNET_SECONDS, { children, tmpDirs }, [], 'bench-xchg-devnet-');
    transferTps = r.tps;
    devnetLine = r.last;
    console.log(`phase A: transfers ${transferTps} tx/s`);
  }

  // ---- Phase B: the devnet and its senders.
  console.log('phase B: records');
  const n = Devnet.create({ validators: 4, blockIntervalMs: BLOCK_MS, accounts: Math.max(1, SENDERS - 1), logLevel: LOG_LEVEL });
  net = n;
  const m = n.manifest;
  const P = m.address_prefix;
  if (process.env.SOV_KEEP_DEVNET) console.log(`(the devnet and its logs are kept in ${n.dir})`);
  const accounts = Object.fromEntries(n.accountKeys().map((a) => [a.name, a])) as Record<string, { name: string; address: string; keys: KeyPair }>;
  const need = (name: string): { name: string; address: string; keys: KeyPair } => {
    const a = accounts[name];
    if (!a) throw new Error(`the testnet has no account "${name}" (agencies came with vm xchg)`);
    return a;
  };
  const cb = need('Central Bank');
  const senders = [need('Tax Office'), ...Object.values(accounts).filter((a) => a.name.startsWith('customer')).slice(0, SENDERS - 1)];
  if (senders.length < SENDERS) throw new Error(`only ${senders.length} senders`);
  const receivers = RECEIVER_NAMES.map(need);
  const raw = (a: string): Uint8Array => decodeAddress(a, P);
  const spec: BuildSpec = {
    chainId: m.chain_id, size: BATCH,
    senders: senders.map((a) => ({
      secretKey: a.keys.secretKey, publicKey: a.keys.publicKey, signer: raw(a.address), nonce0: 0, seq0: 0,
      receivers: receivers.filter((r) => r.address !== a.address).map((r) => raw(r.address)),
    })),
  };
  const S = senders.length;
  const signers = senders.map((a) => fastSigner(a.keys));
  {
    // The fast signer must sign exactly as core does.
    const msg = new Uint8Array(64).fill(3);
    if (!equalBytes(signers[0]!(msg), sign(msg, senders[0]!.keys.secretKey))) throw new Error('fast signer differs from core signing');
  }

  // Build the warm-up's and the window's batches before the nodes start, on every core.
  const perSender = Math.ceil((PREBUILD_RATE * (WARMUP + SECONDS)) / BATCH / S);
  const built: (Built | undefined)[][] = senders.map(() => new Array<Built | undefined>(perSender));
  const tb = performance.now();
  const threads = Math.max(1, Math.min(cores, perSender * S));
  await Promise.all(Array.from({ length: threads }, (_, w) => new Promise<void>((resolve, reject) => {
    const lo = Math.floor((perSender * w) / threads);
    const hi = Math.floor((perSender * (w + 1)) / threads);
    const job: BuildJob = { ...spec, ranges: senders.map((_, s) => ({ s, from: lo, to: hi })) };
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    workers.add(worker);
    let done = false;
    worker.on('message', (msg: Built | { done: true }) => {
      if ('done' in msg) {
        done = true;
        workers.delete(worker);
        void worker.terminate().then(() => resolve());
        return;
      }
      built[msg.s]![msg.j] = msg;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (done ? undefined : reject(new Error(`a build worker exited (code ${code}) before its batches`))));
  })));
  const buildSeconds = (performance.now() - tb) / 1000;
  let txBytesSum = 0;
  let txBytesMax = 0;
  for (const list of built) {
    for (const b of list) {
      txBytesSum += b!.bytes.length;
      txBytesMax = Math.max(txBytesMax, b!.bytes.length);
    }
  }
  if (2 * txBytesMax + 200 > MAX_BODY) {
    // Batches this large: one to a request, under a raised limit.
    const limit = 2 * txBytesMax + 64 * 1024;
    for (let i = 0; i < 4; i++) n.setConfig(i, 'rpc', 'max_body_bytes', String(limit));
    MAX_BODY = limit;
    console.log(`(a batch transaction is up to ${txBytesMax} bytes: the nodes' rpc.max_body_bytes is raised to ${limit})`);
  }
  const meanTxBytes = txBytesSum / (perSender * S);
  console.log(`built and signed ${perSender * S} batches (${perSender * S * BATCH} records) beforehand in ${buildSeconds.toFixed(1)} s on ${threads} threads; ` +
    `a batch transaction is ${(meanTxBytes / 1024).toFixed(1)} KiB`);

  // Request bodies: each sender's batches in order, as many to a request as fit the body limit.
  const queues: Req[][] = senders.map(() => []);
  const pack = (s: number, items: { j: number; bytes: Uint8Array; hash: Uint8Array }[]): Req[] => {
    const reqs: Req[] = [];
    let cur: { params: string[]; txs: Req['txs'] } = { params: [], txs: [] };
    let size = 2;
    const flush = (): void => {
      if (cur.txs.length === 0) return;
      const body = Buffer.from(JSON.stringify(cur.params.map((p, id) => ({ jsonrpc: '2.0', id, method: 'sov_sendTransaction', params: [p] }))));
      reqs.push({ s, body, txs: cur.txs });
      cur = { params: [], txs: [] };
      size = 2;
    };
    for (const it of items) {
      const hex = to0x(it.bytes);
      const add = hex.length + 80;
      if (size + add > MAX_BODY) flush();
      cur.params.push(hex);
      cur.txs.push({ hash: to0x(it.hash), j: it.j, bytes: it.bytes });
      size += add;
    }
    flush();
    return reqs;
  };
  for (let s = 0; s < S; s++) queues[s] = pack(s, built[s]!.map((b) => b!));
  built.length = 0;
  const nextJ = senders.map(() => perSender);
  let builtDuringRun = 0;

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
  const client = new SovClient(m.nodes[0]!.rpc_url);

  // Governance allows the customers to send (the central bank alone is the council: it executes at once).
  const cbNonce = (await client.getAccount(cb.address)).nonce;
  const h = (await client.status()).height;
  const allowed = await Promise.all(senders.slice(1).map((a, k) => client.sendTransaction(buildTx(
    { chainId: m.chain_id, keys: [cb.keys], signer: raw(cb.address), nonce: cbNonce + k, expiry: h + 200 }, 'gov', 'propose',
    { action: makeAction(ActionKind.ALLOW_XCHG_SENDER, { account: raw(a.address), allowed: true, legalRef: 'Bench Act 1/2026 art. 1' }), reason: 'bench:xchg load' },
  ), true)));
  for (const [k, r] of allowed.entries()) if (r.status !== 'committed') throw new Error(`allowing ${senders[k + 1]!.name} to send: ${r.status} ${r.message ?? ''}`);
  // The batches were built for nonce 0 and record 0 of every sender.
  for (const a of senders) {
    const nonce = (await client.getAccount(a.address)).nonce;
    const rec = await client.getRecord({ kind: 'xchg_sender', address: a.address });
    const seq = (rec.value as { nextSeq?: number } | null)?.nextSeq ?? 0;
    if (nonce !== 0 || seq !== 0) throw new Error(`${a.name} is at nonce ${nonce}, record ${seq}: the batches were built for 0 and 0`);
  }
  console.log(`governance allowed ${S - 1} customer accounts to send beside the tax office`);

  // The xchg `sent` events: which batch transactions succeeded.
  const succeeded = new Set<string>();
  let seenHeight = await n.height(0);
  socket = await SovSocket.connect(m.nodes[0]!.rpc_url);
  await socket.subscribe('events', { module: 'xchg', name: 'sent', fromHeight: seenHeight + 1 }, (note) => {
    const res = note.result as { events: { txHash: string }[] } | undefined;
    if (!res) return;
    for (const e of res.events) succeeded.add((e.txHash.startsWith('0x') ? e.txHash : `0x${e.txHash}`).toLowerCase());
  });

  // ---- The load.
  const info = new Map<string, TxInfo>();
  const blocks = new Map<number, BlockSeen>();
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
      blocks.set(x, { height: x, time: b.header.time, round: b.commit?.round ?? 0, txs: b.txs });
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
  const nextReq = (s: number): Req => {
    const q = queues[s]!;
    if (q.length > 0) return q.shift()!;
    // The batches built beforehand ran out: build one request's worth now.
    const items = [];
    let bytes = 2;
    while (bytes < MAX_BODY * 0.6) {
      const j = nextJ[s]!++;
      const b = buildBatchTx(spec, s, j, signers[s]!);
      builtDuringRun++;
      items.push({ j, ...b });
      bytes += 2 * b.bytes.length + 80;
    }
    return pack(s, items)[0]!;
  };
  const launch = (s: number): void => {
    const node = s % 4;
    const req = nextReq(s);
    const now = performance.now();
    for (const t of req.txs) {
      const known = info.get(t.hash);
      if (known) known.submittedAt = now;
      else info.set(t.hash, { s, j: t.j, first: spec.senders[s]!.seq0 + t.j * BATCH, records: BATCH, bytes: t.bytes.length, submittedAt: now, height: 0 });
      pendingCount++;
    }
    openPerNode[node]!++;
    const p: Promise<void> = (async () => {
      const res = await fetch(m.nodes[node]!.rpc_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: req.body });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`node ${node} answered ${res.status}: ${text.slice(0, 300)}`);
      const replies = JSON.parse(text) as { id: number; result?: { status: string }; error?: { message: string; data?: { code?: string } } }[];
      if (!Array.isArray(replies)) throw new Error(`node ${node} answered: ${text.slice(0, 300)}`);
      const again: Req['txs'] = [];
      for (const r of replies) {
        if (!r.error) continue;
        const t = req.txs[r.id]!;
        const code = r.error.data?.code;
        pendingCount--;
        if (code === 'MEMPOOL_FULL' || code === 'MEMPOOL_ACCOUNT_FULL') {
          again.push(t);
          retried++;
        } else {
          refused++;
          firstRefusal ??= `${code ?? ''} ${r.error.message}`;
        }
      }
      // A full mempool: the same transactions again, first in their sender's queue.
      if (again.length > 0) queues[s]!.unshift(...pack(s, again.map((t) => ({ j: t.j, bytes: t.bytes, hash: fromHex(t.hash, 32) }))));
    })().catch((e: unknown) => void (failure.e ??= e)).finally(() => {
      openPerNode[node]!--;
      open.delete(p);
    });
    open.add(p);
  };
  let rr = 0;
  /** Round robin over the senders whose node has a request slot free, while fewer than IN_FLIGHT batches wait for a block. */
  const fill = (): void => {
    for (let launched = true; launched && pendingCount < IN_FLIGHT; ) {
      launched = false;
      for (let k = 0; k < S; k++) {
        const who = (rr + k) % S;
        if (openPerNode[who % 4]! >= OPEN_PER_NODE) continue;
        launch(who);
        rr = (who + 1) % S;
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
  console.log(`load: warm-up ${WARMUP} s, then ${SECONDS} s measured (up to ${IN_FLIGHT} batches in flight, ${OPEN_PER_NODE} requests open to each node)`);
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
  const included = [...info.entries()].filter(([, t]) => t.height > 0);
  // Every sender's nextSeq in state is the truth: the events must account for all of it.
  let stateRecords = 0;
  for (const a of senders) {
    const rec = await client.getRecord({ kind: 'xchg_sender', address: a.address });
    stateRecords += (rec.value as { nextSeq?: number } | null)?.nextSeq ?? 0;
  }
  const okRecords = (): number => included.reduce((sum, [id, t]) => sum + (succeeded.has(id) ? t.records : 0), 0);
  try {
    await waitFor(async () => okRecords() === stateRecords, 'the sent events of every committed batch', 30_000, 100);
  } catch {
    console.log(`(the sent events account for ${okRecords()} records; the senders' nextSeq for ${stateRecords})`);
  }
  const failedIds = included.filter(([id]) => !succeeded.has(id)).map(([id]) => id);
  let firstFailure: string | null = null;
  if (failedIds.length > 0) {
    const tx = (await n.rpc(0, 'sov_getTransaction', [failedIds[0]])) as { receipt: { codeName: string | null; message: string } };
    firstFailure = `${tx.receipt.codeName ?? ''} ${tx.receipt.message}`;
  }

  // The window: blocks h0+1 .. h1.
  let wRecords = 0;
  let wBatches = 0;
  let wFailed = 0;
  let wBytes = 0;
  let wLaterRounds = 0;
  for (let x = h0 + 1; x <= h1; x++) {
    const b = blocks.get(x)!;
    if (b.round > 0) wLaterRounds++;
    for (const id of b.txs) {
      const t = info.get(id);
      if (t === undefined) continue;
      wBytes += t.bytes;
      if (succeeded.has(id)) {
        wRecords += t.records;
        wBatches++;
      } else wFailed++;
    }
  }
  const wBlocks = h1 - h0;
  const recordsPerSec = wRecords / elapsed;
  const batchesPerSec = wBatches / elapsed;
  const inFlightMean = inFlightSum / Math.max(1, inFlightSamples);
  console.log(`window: blocks ${h0 + 1}..${h1} (${wBlocks} blocks, ${wLaterRounds} decided after round 0) in ${elapsed.toFixed(2)} s: ` +
    `${wBatches} batches = ${wRecords} records committed = ${Math.round(recordsPerSec)} records/s, ${batchesPerSec.toFixed(1)} batches/s`);
  console.log(`  a block: ${(wBatches / Math.max(1, wBlocks)).toFixed(1)} batches, ${Math.round(wRecords / Math.max(1, wBlocks))} records, ` +
    `${(wBytes / Math.max(1, wBlocks) / 1e6).toFixed(2)} MB, ${(wBlocks / elapsed).toFixed(2)} blocks/s; batches in flight ${Math.round(inFlightMean)} on average; ` +
    `commit latency p50 ${Math.round(percentile(latencies, 50))} ms, p99 ${Math.round(percentile(latencies, 99))} ms (under saturation)`);
  console.log(`  failed batches: ${wFailed} in the window, ${failedIds.length} in all${firstFailure ? ` (first: ${firstFailure})` : ''}; ` +
    `refused at submission: ${refused}${firstRefusal ? ` (first: ${firstRefusal})` : ''}; resent after a full mempool: ${retried}; ` +
    `not in a block after the drain: ${pendingCount}`);
  if (builtDuringRun > 0) console.log(`  (the batches built beforehand ran out: ${builtDuringRun} were built during the run, on the validators' cores; raise --prebuild-rate)`);
  console.log(`  in all: ${included.length} batch transactions in blocks, ${stateRecords} records in state`);

  // ---- Phase C: receipts, fetched while the nodes run, verified once they are stopped.
  const v = await client.getValidators();
  const trusted = new ValidatorSet(v.validators.map((x) => ({ address: raw(x.address), publicKey: fromHex(x.publicKey, 32), power: x.power })));
  const okBatches = included.filter(([id]) => succeeded.has(id)).map(([, t]) => t).sort((a, b) => a.height - b.height || a.s - b.s || a.j - b.j);
  const receipts: XchgReceipt[] = [];
  if (okBatches.length > 0) {
    const perPage = Math.min(100, BATCH, Math.max(1, Math.ceil(RECEIPTS / okBatches.length)));
    const pages = Math.ceil(RECEIPTS / perPage);
    for (let k = 0; k < pages && receipts.length < RECEIPTS; k++) {
      const t = okBatches[Math.floor((k * okBatches.length) / pages)]!;
      const time = blocks.get(t.height)!.time;
      const sender = senders[t.s]!.address;
      const receiver = encodeAddress(P, spec.senders[t.s]!.receivers[t.j % spec.senders[t.s]!.receivers.length]!);
      const page = await client.xchgListRecords({ by: 'pair', sender, receiver, from: time, to: time, limit: Math.min(perPage, RECEIPTS - receipts.length), prove: true });
      for (const it of page.items) if (it.receipt) receipts.push(it.receipt);
    }
  }
  console.log(`fetched ${receipts.length} receipts (xchg_listRecords, prove) from ${new Set(receipts.map((r) => `${r.record.sender}/${r.batch.first}`)).size} batches, ` +
    `proven at ${new Set(receipts.map((r) => r.state.height)).size} heights`);

  // Stop the nodes (a clean stop first: --cpu-prof writes its profile then).
  socket.ws.terminate();
  socket = null;
  await Promise.all([0, 1, 2, 3].map((i) => n.kill(i, 'SIGTERM')));
  await n.stop();
  net = null;

  let verifyPerSec = NaN;
  let cachedPerSec = NaN;
  if (receipts.length > 0) {
    // Every receipt verifies, with and without the verifier's cache, with the same verdict; a changed byte fails both.
    const warm = new Set<string>();
    for (const r of receipts) {
      const a = verifyXchgReceipt(r, { validators: trusted, chainId: m.chain_id });
      const b = verifyXchgReceipt(r, { validators: trusted, chainId: m.chain_id, cache: warm });
      if (a.acknowledged !== b.acknowledged || a.record.seq !== r.record.seq) throw new Error('the cached check disagrees');
    }
    const bad = JSON.parse(JSON.stringify(receipts[0])) as XchgReceipt;
    bad.record.payload = to0x(fromHex(bad.record.payload).map((x, i) => (i === 0 ? x ^ 1 : x)));
    let caught = 0;
    for (const cache of [undefined, warm]) {
      try {
        verifyXchgReceipt(bad, { validators: trusted, ...(cache ? { cache } : {}) });
      } catch {
        caught++;
      }
    }
    if (caught !== 2) throw new Error('a changed receipt verified');
    const rate = (one: (r: XchgReceipt) => void): number => {
      const tv = performance.now();
      let count = 0;
      while (performance.now() - tv < VERIFY_SECONDS * 1000) {
        for (const r of receipts) one(r);
        count += receipts.length;
      }
      return count / ((performance.now() - tv) / 1000);
    };
    verifyPerSec = rate((r) => void verifyXchgReceipt(r, { validators: trusted }));
    cachedPerSec = rate((() => {
      const cache = new Set<string>();
      return (r: XchgReceipt) => void verifyXchgReceipt(r, { validators: trusted, cache });
    })());
    console.log(`receipt verification, one core: ${Math.round(verifyPerSec)}/s (verifyXchgReceipt: certificate, state proof, Merkle path); ` +
      `with the verifier's cache (certificates and batch proofs checked once): ${Math.round(cachedPerSec)}/s`);
  }

  // ---- Summary.
  const ratio = transferTps === null || !(transferTps > 0) ? null : Number((recordsPerSec / transferTps).toFixed(2));
  console.log('summary:');
  console.log(`  records committed: ${Math.round(recordsPerSec)}/s (${batchesPerSec.toFixed(1)} batches of ${BATCH}/s)`);
  if (transferTps !== null) console.log(`  bench:devnet transfers: ${transferTps} tx/s  ->  ratio ${ratio} (aim >= 20)`);
  else console.log('  bench:devnet skipped (--no-devnet): ratio null');
  console.log(`  receipt verifications on one core: ${Math.round(verifyPerSec)}/s (${Math.round(cachedPerSec)}/s with the verifier's cache)`);
  if (devnetLine) console.log(`  bench:devnet said: ${devnetLine}`);
  console.log(JSON.stringify({
    ratio,
    tps: Math.round(recordsPerSec),
    records_per_s: Math.round(recordsPerSec),
    transfer_tps: transferTps,
    batches_per_s: Number(batchesPerSec.toFixed(2)),
    receipt_verify_per_s: Math.round(verifyPerSec),
    receipt_verify_per_s_cached: Math.round(cachedPerSec),
    batch: BATCH,
    senders: S,
    seconds: Number(elapsed.toFixed(2)),
    warmup_s: WARMUP,
    blocks: wBlocks,
    blocks_later_rounds: wLaterRounds,
    mean_block_batches: Number((wBatches / Math.max(1, wBlocks)).toFixed(2)),
    mean_block_records: Math.round(wRecords / Math.max(1, wBlocks)),
    mean_block_bytes: Math.round(wBytes / Math.max(1, wBlocks)),
    batch_tx_bytes: Math.round(meanTxBytes),
    failed_batches: wFailed,
    failed_batches_all: failedIds.length,
    refused_batches: refused,
    in_flight_mean: Math.round(inFlightMean),
    latency_p50_ms: Math.round(percentile(latencies, 50)),
    latency_p99_ms: Math.round(percentile(latencies, 99)),
    built_during_run: builtDuringRun,
    receipts: receipts.length,
    receipt_heights: new Set(receipts.map((r) => r.state.height)).size,
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
      console.error(`\nbench:xchg: ${sig}: stopping everything it started`);
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
