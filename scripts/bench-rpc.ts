/**
 * bench:rpc: JSON-RPC throughput of a real node on loopback, from a keep-alive client.
 * - balance reads: `sov_getRecord` of a random funded account's balance (each reply checked);
 * - signed-transfer submissions: `sov_sendTransaction` of pre-signed transfers (admitted = a
 *   hash back), while the node keeps committing blocks;
 * - in the same run, a bare node:http server in its own process that reads the request body
 *   and answers a fixed JSON body, driven by the same client.
 * `ratio` = balance reads/s / bare server replies/s.
 * Usage: node dist/scripts/bench-rpc.js [--seconds 8] [--connections 16] [--accounts 1000] [--reads-only]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { addressFromPublicKey, decodeAddress, encode, equalBytes, sign, to0x, Tx, txSignBytes } from '../core/index.js';
import { money } from '../vm/index.js';
import { Devnet } from '../test/devnet.js';
import { fastSigner, loadHttp, postRequest, type LoadResult } from './bench-util.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
};
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 16);
const ACCOUNTS = arg('accounts', 1000);
const BARE_PORT = 18_590;
/** For profiling one phase: `--reads-only` skips the baseline and the submissions (no JSON figures then). */
const READS_ONLY = process.argv.includes('--reads-only');

const BARE_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { kind: 'balance', key: '0x' + '00'.repeat(40), height: 1, value: { amount: '100000000' }, raw: '0x' + '00'.repeat(8) } });
const BARE_SERVER = `
const http = require('node:http');
const body = Buffer.from(${JSON.stringify(BARE_BODY)});
http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
}).listen(${BARE_PORT}, '127.0.0.1', () => console.log('ready'));
`;

async function startBare(): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(p.stdout!, 'data');
  return p;
}

const show = (name: string, r: LoadResult): void => {
  console.log(`${name}: ${Math.round(r.perSecond)}/s (${r.replies} replies, ${r.bad} bad), latency p50 ${r.p50Ms.toFixed(2)} ms p99 ${r.p99Ms.toFixed(2)} ms${r.firstBad ? `; first bad: ${r.firstBad}` : ''}`);
};

/** Slices of one measurement as one: rates add up by time, latencies by reply count (p50/p99 of the slices' weighted mean: close enough for a report). */
function merge(runs: LoadResult[]): LoadResult {
  const replies = runs.reduce((n, r) => n + r.replies, 0);
  const secs = runs.reduce((n, r) => n + r.replies / r.perSecond, 0);
  const w = (f: (r: LoadResult) => number): number => runs.reduce((n, r) => n + f(r) * r.replies, 0) / replies;
  return { replies, bad: runs.reduce((n, r) => n + r.bad, 0), perSecond: replies / secs, p50Ms: w((r) => r.p50Ms), p99Ms: w((r) => r.p99Ms), firstBad: runs.find((r) => r.firstBad)?.firstBad ?? null };
}

async function main(): Promise<void> {
  console.log(`bench:rpc: ${CONNECTIONS} keep-alive connections, ${SECONDS} s per figure, ${ACCOUNTS} accounts`);
  const net = Devnet.create({ validators: 1, blockIntervalMs: 250, accounts: ACCOUNTS, logLevel: 'warn' });
  let bare: ChildProcess | null = null;
  try {
    net.setConfig(0, 'mempool', 'max_txs', '200000');
    net.startAll();
    await net.waitHeight(0, 2);
    const m = net.manifest;
    const port = Number(new URL(m.nodes[0]!.rpc_url).port);
    const customers = m.accounts.filter((a) => a.role === 'customer');
    const cur = m.currency.code;
    const ok = (status: number, body: string): boolean => status === 200 && body.includes('"result"');

    // Balance reads of random funded accounts, and the bare server, measured in alternating
    // slices so that a change in the machine's background load hits both alike.
    const reads = customers.map((a, i) => postRequest('127.0.0.1', port, JSON.stringify({ jsonrpc: '2.0', id: i, method: 'sov_getRecord', params: { query: { kind: 'balance', address: a.address, currency: cur } } })));
    const pick = (n: number): Buffer => reads[(n * 7919) % reads.length]!;
    bare = await startBare();
    const bareBuf = Buffer.from(reads[0]!.toString().replace(`:${port}`, `:${BARE_PORT}`));
    const bareOk = (s: number): boolean => s === 200;
    await loadHttp(port, pick, { connections: CONNECTIONS, seconds: 1, ok });
    await loadHttp(BARE_PORT, () => bareBuf, { connections: CONNECTIONS, seconds: 1, ok: bareOk });
    const slices = READS_ONLY ? 1 : 4;
    const readRuns: LoadResult[] = [];
    const bareRuns: LoadResult[] = [];
    for (let i = 0; i < slices; i++) {
      readRuns.push(await loadHttp(port, pick, { connections: CONNECTIONS, seconds: SECONDS / slices, ok }));
      if (!READS_ONLY) bareRuns.push(await loadHttp(BARE_PORT, () => bareBuf, { connections: CONNECTIONS, seconds: SECONDS / slices, ok: bareOk }));
    }
    bare.kill();
    bare = null;
    const balance = merge(readRuns);
    show('balance reads (sov_getRecord)', balance);
    if (READS_ONLY) return;
    const baseline = merge(bareRuns);
    show('bare node:http server, fixed JSON body', baseline);

    // Pre-signed transfers: round-robin over senders, each sender's nonces in order.
    const keys = net.accountKeys().filter((a) => a.name.startsWith('customer'));
    const payee = decodeAddress(keys[0]!.address, m.address_prefix);
    const senders = keys.slice(1);
    const expiry = (await net.height(0)) + 100_000;
    const perSender = Math.ceil(Math.min(150_000, 40_000 * SECONDS / 8) / senders.length);
    console.log(`signing ${perSender * senders.length} transfers...`);
    const args = encode(money.TransferArgs, { currency: cur, to: payee, amount: 1n, memo: '', reference: '' });
    const submits: Buffer[] = [];
    const signers = senders.map((s) => fastSigner(s.keys));
    for (let n = 0; n < perSender; n++) {
      senders.forEach((s, i) => {
        const unsigned = { chainId: m.chain_id, signer: addressFromPublicKey(s.keys.publicKey), nonce: n, expiry, body: { module: 'money', method: 'transfer', args } };
        const msg = txSignBytes(unsigned);
        const tx = Tx.fromData({ ...unsigned, signatures: [{ publicKey: s.keys.publicKey, signature: signers[i]!(msg) }] });
        if (n === 0 && i === 0 && !equalBytes(tx.signatures[0]!.signature, sign(msg, s.keys.secretKey))) throw new Error('fast signer differs from core signing');
        submits.push(postRequest('127.0.0.1', port, JSON.stringify({ jsonrpc: '2.0', id: submits.length, method: 'sov_sendTransaction', params: [to0x(tx.bytes)] })));
      });
    }
    // Requests are handed out in sequence, so a sender's next nonce comes `senders.length`
    // requests after its previous one, long after that one was answered.
    const submit = await loadHttp(port, (n) => submits[n]!, { connections: CONNECTIONS, seconds: SECONDS, ok, maxRequests: submits.length });
    show('signed-transfer submissions (sov_sendTransaction)', submit);

    const ratio = balance.perSecond / baseline.perSecond;
    console.log(`ratio = balance reads/s / bare server replies/s = ${ratio.toFixed(3)} (aim >= 0.5)`);
    console.log(JSON.stringify({
      balanceReadsPerSec: Math.round(balance.perSecond),
      balanceReadP50Ms: Number(balance.p50Ms.toFixed(2)),
      balanceReadP99Ms: Number(balance.p99Ms.toFixed(2)),
      badReads: balance.bad,
      submissionsPerSec: Math.round(submit.perSecond),
      badSubmissions: submit.bad,
      bareRepliesPerSec: Math.round(baseline.perSecond),
      connections: CONNECTIONS,
      tps: Math.round(submit.perSecond),
      ratio: Number(ratio.toFixed(3)),
    }));
  } finally {
    bare?.kill();
    await net.kill(0, 'SIGTERM'); // a clean stop (and --cpu-prof's profile, when SOV_NODE_ARGS asks for one)
    await net.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
