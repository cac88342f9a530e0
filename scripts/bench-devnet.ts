/**
 * bench:devnet: four validators from `sov testnet` on this machine, driven by a load
 * generator that submits signed transfers from many funded accounts over JSON-RPC batches,
 * spread across the four nodes. The peak phase's transfers are signed before it starts (the
 * generator shares the machine with the validators; its signing would take their cores).
 *
 * Phase 1 (peak): submit as fast as the nodes admit for DURATION seconds; committed tx/s is
 * counted from the blocks committed in that window. Phase 2: submit at half that rate and
 * measure commit latency (submission to the block that carries it, seen by polling node 0).
 * Beside it, from the same run, the machine's raw Ed25519 verification capacity on all cores
 * (core's `verify`, node:crypto with cached keys, one worker thread per core, nothing else in
 * the loop). `ratio` = committed tx/s / (capacity / 4), `tps` = committed tx/s. For reference
 * it also prints the rate of the nodes' own VerifyPool over signed transfers (decoding
 * included), which is what the ratio was computed against before 2026-11-22.
 * Usage: node dist/scripts/bench-devnet.js [--seconds 60] [--accounts 400] [--block-ms 250]
 * (--block-ms: the nodes' block_interval_ms; 250 by default, `sov testnet`'s config says 1000)
 */
import { availableParallelism } from 'node:os';
import { Devnet } from '../test/devnet.js';
import { fastSigner, percentile, rawVerifyCapacity } from './bench-util.js';
import { VerifyPool } from '../node/index.js';
import { addressFromPublicKey, encode, equalBytes, sign, to0x, toHex, Tx, txSignBytes, decodeAddress, keyPairFromSecret, signTx } from '../core/index.js';
import { money } from '../vm/index.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 60);
const ACCOUNTS = arg('accounts', 400);

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
  console.log(`bench:devnet: 4 validators, ${ACCOUNTS} accounts, ${SECONDS} s at peak, then ${Math.round(SECONDS / 2)} s at half rate`);
  const capacity = await rawVerifyCapacity();
  console.log(`raw Ed25519 verification capacity, all ${availableParallelism()} cores (node:crypto, workers): ${Math.round(capacity)}/s`);
  const pool = await poolRate();
  console.log(`(for reference: the nodes' verify pool over signed transfers, decoding included: ${Math.round(pool)}/s)`);
  const net = Devnet.create({ validators: 4, blockIntervalMs: arg('block-ms', 250), accounts: ACCOUNTS, logLevel: 'warn' });
  for (let i = 0; i < 4; i++) net.setConfig(i, 'rpc', 'max_batch', '1000');
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
    // does not compete with the validators for the cores during the measurement. Each sender's
    // transactions are in nonce order; what phase 1 leaves unsent is dropped and the nonces reset.
    const PRESIGNED_PER_SECOND = 2500;
    let presigned: { tx: Tx; sender: (typeof senders)[number] }[] = [];
    let nextPresigned = 0;
    const presign = (n: number): void => {
      presigned = [];
      nextPresigned = 0;
      for (let i = 0; i < n; i++) {
        const sender = senders[i % senders.length]!;
        presigned.push({ tx: makeTx(sender), sender });
      }
    };
    const dropPresigned = (): void => {
      const reset = new Set<object>();
      for (let i = nextPresigned; i < presigned.length; i++) {
        const { tx, sender } = presigned[i]!;
        if (reset.has(sender)) continue;
        sender.nonce = tx.nonce;
        reset.add(sender);
      }
      presigned = [];
      nextPresigned = 0;
    };
    let node = 0;
    const sendBatch = async (n: number): Promise<void> => {
      const txs: Tx[] = [];
      for (let i = 0; i < n; i++) txs.push(nextPresigned < presigned.length ? presigned[nextPresigned++]!.tx : makeTx(senders[(i + node * 7) % senders.length]!));
      const body = txs.map((t, i) => ({ jsonrpc: '2.0', id: i, method: 'sov_sendTransaction', params: [to0x(t.bytes)] }));
      const now = performance.now();
      for (const t of txs) submitted.set('0x' + toHex(t.hash), now);
      const target = net.manifest.nodes[node++ % 4]!.rpc_url;
      await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    };

    // Signed before the nodes start: a long pause between requests would also leave the
    // client with keep-alive connections the nodes are closing.
    const t0 = performance.now();
    presign(SECONDS * PRESIGNED_PER_SECOND);
    console.log(`signed ${presigned.length} transfers beforehand in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    net.startAll();
    for (let i = 0; i < 4; i++) await net.waitHeight(i, 2);
    let seenHeight = await net.height(0);

    // Phase 1: peak. Keep about 4 s of work in flight.
    console.log('phase 1: peak load');
    phaseStart = performance.now();
    phaseCommitted = 0;
    const end1 = phaseStart + SECONDS * 1000;
    let lastPoll = 0;
    while (performance.now() < end1) {
      if (submitted.size < 8000) await sendBatch(250);
      if (performance.now() - lastPoll > 200) {
        await poll();
        lastPoll = performance.now();
      }
      if (submitted.size >= 8000) await new Promise((r) => setTimeout(r, 20));
    }
    await poll();
    peakDone = true;
    const ranOut = nextPresigned >= presigned.length;
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
    const figures = {
      validators: 4,
      seconds: SECONDS,
      tps: Number(tps.toFixed(1)),
      committedPeak: committed,
      peakBlocks,
      peakLaterRounds,
      verifyCapacityPerSec: Math.round(capacity),
      verifyPoolPerSec: Math.round(pool),
      ratio: Number((tps / (capacity / 4)).toFixed(3)),
      halfRateTps: Number(half.toFixed(1)),
      latencyP50Ms: Math.round(percentile(latencies, 50)),
      latencyP99Ms: Math.round(percentile(latencies, 99)),
      latencySamples: latencies.length,
      notCommittedAtEnd: submitted.size,
    };
    console.log(JSON.stringify(figures));
  } finally {
    // A clean stop first (and --cpu-prof's profiles, when SOV_NODE_ARGS asks for them).
    await Promise.all([0, 1, 2, 3].map((i) => net.kill(i, 'SIGTERM')));
    await net.stop();
  }
}

await main();
