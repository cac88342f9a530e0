/**
 * bench:devnet: four validators (or `--validators N`) from `sov testnet` on this machine, driven by a load
 * generator that submits signed transfers from many funded accounts over JSON-RPC batches,
 * spread across the four nodes. The peak phase's transfers are signed, and their request
 * bodies written, before it starts (the generator shares the machine with the validators;
 * its signing and encoding would take their cores).
 *
 * Phase 1 (peak): submit as fast as the nodes admit for DURATION seconds (a request open to
 * each node at once, up to 8,000 transfers submitted and not yet committed); committed tx/s
 * is counted from the blocks committed in that window. Phase 2: submit at half that rate and
 * measure commit latency (submission to the block that carries it, seen by polling node 0).
 * Beside it, from the same run, the machine's raw Ed25519 verification capacity on all cores
 * (core's `verify`, node:crypto with cached keys, one worker thread per core, nothing else in
 * the loop), measured before the nodes start and again after they stop (the mean is the
 * capacity). `ratio` = committed tx/s / (capacity / validators), `tps` = committed tx/s. For reference
 * it also prints the rate of the nodes' own VerifyPool over signed transfers (decoding
 * included), which is what the ratio was computed against before 2026-11-22.
 * Usage: node dist/scripts/bench-devnet.js [--validators 4] [--seconds 60] [--accounts 400] [--block-ms 250] [--rules 10] [--gc]
 * (--block-ms: the nodes' block_interval_ms; 250 by default, `sov testnet`'s config says 1000.
 * --rules 10: before the load, governance grants the central bank the regulator role and it
 * registers the ten shipped compliance typologies (vm comp.TYPOLOGIES) at their defaults, so
 * every transfer is checked against them: bench:compliance's devnet figure.
 * --gc: the nodes run with V8's --trace-gc-nvp, and the figures gain, per transaction
 * committed in the peak and per node (mean of the nodes' main threads), the bytes their
 * young-generation collections copied (`survivorBytesPerTx`: kept young plus promoted) and
 * promoted (`promotedBytesPerTx`), and the share of the peak the collections paused them.)
 */
import { availableParallelism } from 'node:os';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { summarizeGcTrace } from './gc-trace.js';
import { Devnet } from '../test/devnet.js';
import { fastSigner, percentile, rawVerifyCapacity } from './bench-util.js';
import { VerifyPool } from '../node/index.js';
import { addressFromPublicKey, encode, equalBytes, sign, to0x, toHex, Tx, txSignBytes, decodeAddress, keyPairFromSecret, signTx } from '../core/index.js';
import { comp, gov, money } from '../vm/index.js';
import { ActionKind, buildTx, makeAction, SovClient } from '../rpc/index.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 60);
const ACCOUNTS = arg('accounts', 400);
const RULES = arg('rules', 0);
const VALIDATORS = arg('validators', 4);
const GC = process.argv.includes('--gc');

/** The bytes of a file from `from` to `to`. */
function slice(path: string, from: number, to: number): string {
  const buf = Buffer.alloc(Math.max(0, to - from));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  return buf.toString('latin1');
}

/** The regulator role for the central bank (the testnet's council of one), then the first `n` shipped typologies as active rules. */
async function registerRules(net: Devnet, n: number): Promise<void> {
  const m = net.manifest;
  const cb = net.accountKeys().find((a) => a.name === 'Central Bank')!;
  const client = new SovClient(m.nodes[0]!.rpc_url, { timeoutMs: 60_000 });
  let nonce = ((await client.call<{ nonce: number } | null>('sov_getAccount', [cb.address])) ?? { nonce: 0 }).nonce;
  const send = async (module: string, method: string, args: unknown): Promise<void> => {
    const tx = buildTx({ chainId: m.chain_id, keys: [cb.keys], nonce: nonce++, expiry: 50_000 }, module, method, args);
    const r = await client.sendTransaction(tx, true);
    if (r.status !== 'committed') throw new Error(`${module}.${method}: ${r.status} ${r.message ?? ''}`);
  };
  await send('gov', 'propose', { action: makeAction(ActionKind.GRANT_ROLE, { institution: decodeAddress(cb.address, m.address_prefix), role: gov.Role.REGULATOR }), reason: 'bench' });
  // All live from one height, far enough ahead for every registration to land before it.
  const activation = (await net.height(0)) + 4 * n + 8;
  for (const t of comp.TYPOLOGIES.slice(0, n)) {
    await send('comp', 'register_rule', {
      name: t.name, version: 1, source: comp.typologySource(t.name), scope: { currencies: [], types: [], institutions: [] }, action: t.action, severity: 1, activation, shadow: false, legalRef: 'bench',
    });
  }
  await net.waitHeight(0, activation);
  console.log(`${n} compliance rules registered, live from height ${activation}`);
}

/** The nodes' VerifyPool over signed transfers (decoding and sign bytes included): for reference only. */
async function poolRate(): Promise<number> {
  const pool = new VerifyPool(availableParallelism());
  const k = keyPairFromSecret(new Uint8Array(32).fill(7));
  const txs = Array.from({ length: 4000 }, (_, i) => signTx({ chainId: 'bench', signer: addressFromPublicKey(k.publicKey), nonce: i, expiry: 10, body: { module: 'money', method: 'transfer', args: new Uint8Array(60) } }, [k.secretKey]).bytes);
  await pool.check('bench', txs.slice(0, 200));
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 3000) {
    await pool.check('bench', txs);
    n += txs.length;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await pool.close();
  return rate;
}

async function main(): Promise<void> {
  console.log(`bench:devnet: ${VALIDATORS} validators, ${ACCOUNTS} accounts, ${SECONDS} s at peak, then ${Math.round(SECONDS / 2)} s at half rate`);
  const before = await rawVerifyCapacity();
  console.log(`raw Ed25519 verification capacity, all ${availableParallelism()} cores (node:crypto, workers): ${Math.round(before)}/s`);
  const pool = await poolRate();
  console.log(`(for reference: the nodes' verify pool over signed transfers, decoding included: ${Math.round(pool)}/s)`);
  const net = Devnet.create({ validators: VALIDATORS, blockIntervalMs: arg('block-ms', 250), accounts: ACCOUNTS, logLevel: 'warn' });
  for (let i = 0; i < VALIDATORS; i++) net.setConfig(i, 'rpc', 'max_batch', '1000');
  let figures: { tps: number } & Record<string, number>;
  try {
    const accts = net.accountKeys().filter((a) => a.name.startsWith('customer'));
    const payee = decodeAddress(accts[0]!.address, net.manifest.address_prefix);
    const senders = accts.slice(1).map((a) => ({ kp: a.keys, signer: fastSigner(a.keys), nonce: 0 }));
    // An absolute expiry far past any height this run reaches (about 4 blocks a second).
    const expiry = 50_000;
    const cur = net.manifest.currency.code;
    const makeTx = (s: (typeof senders)[number]): Tx => {
      const args = encode(money.TransferArgs, { currency: cur, to: payee, amount: 1n, memo: '', reference: '' });
      const unsigned = { chainId: net.manifest.chain_id, signer: addressFromPublicKey(s.kp.publicKey), nonce: s.nonce++, expiry, body: { module: 'money', method: 'transfer', args } };
      const msg = txSignBytes(unsigned);
      return Tx.fromData({ ...unsigned, signatures: [{ publicKey: s.kp.publicKey, signature: s.signer(msg) }] });
    };
    // The fast signer must sign exactly as core does.
    const probe = makeTx(senders[0]!);
    senders[0]!.nonce--;
    if (!equalBytes(probe.signatures[0]!.signature, sign(probe.signBytes(), senders[0]!.kp.secretKey))) throw new Error('fast signer differs from core signing');

    const submitted = new Map<string, number>();
    const latencies: number[] = [];
    let committed = 0;
    let phaseStart = 0;
    let phaseCommitted = 0;
    let measuring = false;
    /** Blocks seen committed during the peak, and how many of them needed more than round 0. */
    let peakBlocks = 0;
    let peakLaterRounds = 0;
    let peakDone = false;
    const poll = async (): Promise<void> => {
      const h = await net.height(0);
      for (let x = seenHeight + 1; x <= h; x++) {
        const b = (await net.rpc(0, 'sov_getBlock', [x])) as { txs: string[]; commit: { round: number } | null };
        const now = performance.now();
        if (!peakDone && phaseStart > 0 && now >= phaseStart) {
          peakBlocks++;
          if ((b.commit?.round ?? 0) > 0) peakLaterRounds++;
        }
        for (const id of b.txs) {
          const at = submitted.get(id);
          if (at !== undefined) {
            submitted.delete(id);
            committed++;
            if (measuring) latencies.push(now - at);
            if (now >= phaseStart) phaseCommitted++;
          }
        }
      }
      seenHeight = Math.max(seenHeight, h);
    };
    // The peak phase sends transactions signed beforehand, so the load generator's signing
    // does not compete with the validators for the cores during the measurement. They are
    // kept as ready request bodies of BATCH transfers and their hashes packed in one array:
    // the generator then holds a few large strings instead of a hundred thousand decoded
    // transactions (whose garbage collection took about 1% of the machine during the peak).
    // Transfer i is sender i % S's transfer with nonce base + floor(i / S), so what phase 1
    // leaves unsent is dropped by resetting each sender's nonce.
    const PRESIGNED_PER_SECOND = 2500;
    const BATCH = 250;
    const S = senders.length;
    const presigned = { bodies: [] as string[], hashes: new Uint8Array(0), count: 0, base: [] as number[], next: 0 };
    const presign = (n: number): void => {
      const batches = Math.ceil(n / BATCH);
      presigned.base = senders.map((s) => s.nonce);
      presigned.hashes = new Uint8Array(batches * BATCH * 32);
      presigned.bodies = [];
      for (let b = 0; b < batches; b++) {
        const params: string[] = [];
        for (let j = 0; j < BATCH; j++) {
          const i = b * BATCH + j;
          const tx = makeTx(senders[i % S]!);
          presigned.hashes.set(tx.hash, i * 32);
          params.push(to0x(tx.bytes));
        }
        presigned.bodies.push(JSON.stringify(params.map((p, id) => ({ jsonrpc: '2.0', id, method: 'sov_sendTransaction', params: [p] }))));
      }
      presigned.count = batches * BATCH;
      presigned.next = 0;
    };
    const dropPresigned = (): void => {
      for (let i = presigned.next; i < Math.min(presigned.count, presigned.next + S); i++) senders[i % S]!.nonce = presigned.base[i % S]! + Math.floor(i / S);
      presigned.bodies = [];
      presigned.hashes = new Uint8Array(0);
      presigned.count = 0;
      presigned.next = 0;
    };
    let node = 0;
    const post = (body: string): Promise<Response> => fetch(net.manifest.nodes[node++ % VALIDATORS]!.rpc_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const sendBatch = async (n: number): Promise<void> => {
      if (n === BATCH && presigned.next < presigned.count) {
        const first = presigned.next;
        presigned.next += BATCH;
        const now = performance.now();
        for (let i = first; i < first + BATCH; i++) submitted.set('0x' + toHex(presigned.hashes.subarray(i * 32, i * 32 + 32)), now);
        await post(presigned.bodies[first / BATCH]!);
        return;
      }
      const txs: Tx[] = [];
      for (let i = 0; i < n; i++) txs.push(makeTx(senders[(i + node * 7) % S]!));
      const body = txs.map((t, i) => ({ jsonrpc: '2.0', id: i, method: 'sov_sendTransaction', params: [to0x(t.bytes)] }));
      const now = performance.now();
      for (const t of txs) submitted.set('0x' + toHex(t.hash), now);
      await post(JSON.stringify(body));
    };

    // Signed before the nodes start: a long pause between requests would also leave the
    // client with keep-alive connections the nodes are closing.
    const t0 = performance.now();
    presign(SECONDS * PRESIGNED_PER_SECOND);
    console.log(`signed ${presigned.count} transfers beforehand in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (GC) process.env.SOV_NODE_ARGS = [process.env.SOV_NODE_ARGS, '--trace-gc-nvp'].filter(Boolean).join(' ');
    net.startAll();
    for (let i = 0; i < VALIDATORS; i++) await net.waitHeight(i, 2);
    if (RULES > 0) await registerRules(net, RULES);
    let seenHeight = await net.height(0);

    // Phase 1: peak. Keep about 4 s of work in flight, with a request open to each node at
    // once: a node answers a batch only after verifying its signatures (about 0.1 s under this
    // load), so one request at a time capped the offered load near 2,000 tx/s by itself (the
    // nodes then held under 2,000 transfers, not the 8,000 meant).
    console.log('phase 1: peak load');
    const logAt = (): number[] => net.manifest.nodes.map((_, i) => statSync(net.logPath(i)).size);
    const logsBefore = logAt();
    phaseStart = performance.now();
    phaseCommitted = 0;
    const end1 = phaseStart + SECONDS * 1000;
    const IN_FLIGHT = 8000;
    const open = new Set<Promise<void>>();
    let lastPoll = 0;
    let inFlightSum = 0;
    let inFlightSamples = 0;
    while (performance.now() < end1) {
      // (sendBatch records its transfers in `submitted` before its first await.)
      while (open.size < VALIDATORS && submitted.size < IN_FLIGHT) {
        const req: Promise<void> = sendBatch(BATCH).finally(() => open.delete(req));
        open.add(req);
      }
      if (performance.now() - lastPoll > 200) {
        await poll();
        lastPoll = performance.now();
        inFlightSum += submitted.size;
        inFlightSamples++;
      } else {
        await Promise.race([...open, new Promise((r) => setTimeout(r, 20))]);
      }
    }
    const logsAfter = logAt();
    await Promise.all(open);
    await poll();
    let gcFigures: Record<string, number> = {};
    if (GC) {
      const per = net.manifest.nodes.map((_, i) => summarizeGcTrace(slice(net.logPath(i), logsBefore[i]!, logsAfter[i]!)));
      const mean = (f: (g: (typeof per)[number]) => number): number => per.reduce((s, g) => s + f(g), 0) / per.length;
      const txs = Math.max(1, phaseCommitted);
      gcFigures = {
        survivorBytesPerTx: Math.round(mean((g) => g.survivedBytes + g.promotedBytes) / txs),
        promotedBytesPerTx: Math.round(mean((g) => g.promotedBytes) / txs),
        scavengesPerNode: Math.round(mean((g) => g.scavenges)),
        markCompactsPerNode: Math.round(mean((g) => g.markCompacts)),
        gcPauseShare: Number((mean((g) => g.pauseMs) / (SECONDS * 1000)).toFixed(3)),
      };
      console.log(`young-generation survivors per transaction and node: ${gcFigures.survivorBytesPerTx} bytes copied, ${gcFigures.promotedBytesPerTx} of them promoted; collections paused each node ${(gcFigures.gcPauseShare! * 100).toFixed(1)}% of the peak`);
    }
    console.log(`(transfers submitted and not yet committed during the peak: ${Math.round(inFlightSum / Math.max(1, inFlightSamples))} on average)`);
    peakDone = true;
    const ranOut = presigned.next >= presigned.count;
    dropPresigned();
    if (ranOut) console.log(`(the ${SECONDS * PRESIGNED_PER_SECOND} transfers signed beforehand ran out; the rest were signed during the phase)`);
    const tps = phaseCommitted / SECONDS;
    console.log(`peak: ${phaseCommitted} transactions committed in ${SECONDS} s = ${tps.toFixed(0)} tx/s, in ${peakBlocks} blocks (${peakLaterRounds} decided after round 0)`);

    // Drain, then phase 2 at half the peak rate.
    const drainEnd = performance.now() + 30_000;
    while (submitted.size > 0 && performance.now() < drainEnd) {
      await poll();
      await new Promise((r) => setTimeout(r, 200));
    }
    submitted.clear();
    const half = Math.max(1, tps / 2);
    const secs2 = Math.max(10, Math.round(SECONDS / 2));
    console.log(`phase 2: ${half.toFixed(0)} tx/s for ${secs2} s`);
    measuring = true;
    phaseStart = performance.now();
    const end2 = phaseStart + secs2 * 1000;
    let due = 0;
    while (performance.now() < end2) {
      const elapsed = (performance.now() - phaseStart) / 1000;
      const want = Math.floor(elapsed * half) - due;
      if (want > 0) {
        await sendBatch(Math.min(want, 500));
        due += Math.min(want, 500);
      }
      await poll();
      await new Promise((r) => setTimeout(r, 50));
    }
    const waitEnd = performance.now() + 20_000;
    while (submitted.size > 0 && performance.now() < waitEnd) {
      await poll();
      await new Promise((r) => setTimeout(r, 100));
    }
    figures = {
      validators: VALIDATORS,
      seconds: SECONDS,
      tps: Number(tps.toFixed(1)),
      committedPeak: committed,
      peakBlocks,
      peakLaterRounds,
      verifyPoolPerSec: Math.round(pool),
      halfRateTps: Number(half.toFixed(1)),
      latencyP50Ms: Math.round(percentile(latencies, 50)),
      latencyP99Ms: Math.round(percentile(latencies, 99)),
      latencySamples: latencies.length,
      notCommittedAtEnd: submitted.size,
      ...gcFigures,
    };
  } finally {
    // A clean stop first (and --cpu-prof's profiles, when SOV_NODE_ARGS asks for them).
    await Promise.all(net.manifest.nodes.map((_, i) => net.kill(i, 'SIGTERM')));
    await net.stop();
  }
  // The capacity again, once the nodes are stopped: this machine's speed drifts by several
  // percent within minutes (a shared VM), and the ratio is taken against the mean of the two.
  const after = await rawVerifyCapacity();
  console.log(`raw Ed25519 verification capacity again, after the run: ${Math.round(after)}/s`);
  const mean = (before + after) / 2;
  console.log(JSON.stringify({
    ...figures,
    rules: RULES,
    verifyCapacityPerSec: Math.round(mean),
    verifyCapacityBefore: Math.round(before),
    verifyCapacityAfter: Math.round(after),
    ratio: Number((figures.tps / (mean / VALIDATORS)).toFixed(3)),
  }));
}

await main();
