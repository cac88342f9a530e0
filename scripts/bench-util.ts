/**
 * What several bench scripts share: a fast transaction signer for load generators, a
 * percentile, and a minimal keep-alive HTTP/1.1 load client (raw sockets, one request in
 * flight per connection, prebuilt request bytes) whose own cost stays small beside the
 * server it measures, so that the bare-server baseline and the node are measured alike.
 */
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { connect, type Socket } from 'node:net';
import { concatBytes, fromHex, type KeyPair } from '../core/index.js';

const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');
/** A fast signer for load generators: node:crypto, byte-identical to core's noble signing (callers check one signature). */
export function fastSigner(kp: KeyPair): (msg: Uint8Array) => Uint8Array {
  const key = createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, kp.secretKey)), format: 'der', type: 'pkcs8' });
  return (msg) => new Uint8Array(nodeSign(null, msg, key));
}

/**
 * The machine's raw Ed25519 verification rate on all cores (or on `threads` of them): one
 * worker thread per core, each calling core's `verify` (node:crypto, cached KeyObjects) in a
 * loop for `ms` (scripts/raw-verify-worker.ts).
 */
export async function rawVerifyCapacity(ms = 3000, threads = availableParallelism()): Promise<number> {
  const workers = Array.from({ length: threads }, (_, seed) => new Worker(new URL('./raw-verify-worker.js', import.meta.url), { workerData: { ms, seed } }));
  try {
    const rates = await Promise.all(workers.map((w) => new Promise<number>((resolve, reject) => {
      w.once('message', (r: number) => resolve(r));
      w.once('error', reject);
      // A worker that ends without a figure must not leave the bench waiting forever.
      w.once('exit', (code) => reject(new Error(`a verification worker exited (code ${code}) without a figure`)));
    })));
    return rates.reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** A JSON POST as raw HTTP/1.1 bytes (keep-alive is HTTP/1.1's default). */
export function postRequest(host: string, port: number, body: string): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\nhost: ${host}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${b.length}\r\n\r\n`), b]);
}

export interface LoadResult {
  replies: number;
  /** Replies whose status was not 200 or whose body failed `ok`. */
  bad: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstBad: string | null;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Send `next()`'s requests over `connections` keep-alive sockets for `seconds`, one in flight
 * per socket; `ok(status, body)` judges each reply. Returns the reply rate and latencies.
 */
export async function loadHttp(
  port: number,
  next: (i: number) => Buffer,
  opts: { connections: number; seconds: number; ok: (status: number, body: string) => boolean; host?: string; maxRequests?: number },
): Promise<LoadResult> {
  const host = opts.host ?? '127.0.0.1';
  const latencies: number[] = [];
  let replies = 0;
  let bad = 0;
  let sent = 0;
  let firstBad: string | null = null;
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  const one = (): Promise<void> => new Promise((resolve, reject) => {
    const sock: Socket = connect({ host, port, noDelay: true });
    let buf: Buffer = Buffer.alloc(0);
    let started = 0;
    const send = (): void => {
      if (performance.now() >= end || (opts.maxRequests !== undefined && sent >= opts.maxRequests)) {
        sock.end();
        return;
      }
      started = performance.now();
      sock.write(next(sent++));
    };
    sock.on('connect', send);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const h = buf.indexOf(HEADER_END);
        if (h < 0) return;
        const head = buf.subarray(0, h).toString('latin1');
        const m = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (!m) return reject(new Error(`a reply without content-length: ${head.slice(0, 200)}`));
        const total = h + 4 + Number(m[1]);
        if (buf.length < total) return;
        const status = Number(head.slice(9, 12));
        const body = buf.subarray(h + 4, total).toString('utf8');
        buf = buf.subarray(total);
        latencies.push(performance.now() - started);
        replies++;
        if (!opts.ok(status, body)) {
          bad++;
          firstBad ??= `${status} ${body.slice(0, 300)}`;
        }
        send();
      }
    });
    sock.on('error', reject);
    sock.on('close', () => resolve());
  });
  await Promise.all(Array.from({ length: opts.connections }, one));
  const secs = (performance.now() - t0) / 1000;
  return { replies, bad, perSecond: replies / secs, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), firstBad };
}
