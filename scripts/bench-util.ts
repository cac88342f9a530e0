/**
 * What several bench scripts share: a fast transaction signer for load generators, a
 * percentile, and a minimal keep-alive HTTP/1.1 load client (raw sockets, one request in
 * flight per connection, prebuilt request bytes) whose own cost stays small beside the
 * server it measures, so that the bare-server baseline and the node are measured alike;
 * and bench:devnet run as a child process for a bench's transfer baseline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Child process groups and temporary directories a bench started: every exit (normal, error, signal) ends and removes them. */
export interface StartedByBench {
  children: Set<ChildProcess>;
  tmpDirs: Set<string>;
}

/**
 * Kill the process group of every child still running (children started detached lead their
 * own group, with the processes they start) and forget them. Synchronous, so an 'exit'
 * handler can call it.
 */
export function killChildGroups(children: Set<ChildProcess>): void {
  for (const c of children) {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  children.clear();
}

/**
 * A transfer baseline: bench:devnet (dist/scripts/bench-devnet.js) as a child process with
 * `--seconds seconds` and `args`, in its own process group (registered in `started.children`
 * while it runs), its devnet under a temporary directory of ours (in `started.tmpDirs`,
 * removed when it ends). Its output is relayed line by line, indented with `  | `; resolves
 * with the tps of its last line (one JSON object) and that line.
 */
export async function devnetTransferBaseline(seconds: number, started: StartedByBench, args: readonly string[] = [], tmpPrefix = 'bench-devnet-child-'): Promise<{ tps: number; last: string }> {
  const tmp = mkdtempSync(join(tmpdir(), tmpPrefix));
  started.tmpDirs.add(tmp);
  const child = spawn(process.execPath, [new URL('./bench-devnet.js', import.meta.url).pathname, '--seconds', String(seconds), ...args], {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp },
  });
  started.children.add(child);
  let out = '';
  let err = '';
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const l of lines) console.log(`  | ${l}`);
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  started.children.delete(child);
  rmSync(tmp, { recursive: true, force: true });
  started.tmpDirs.delete(tmp);
  if (partial) console.log(`  | ${partial}`);
  if (code !== 0) throw new Error(`bench:devnet exited with ${code}: ${err.trim().split('\n').slice(-10).join('\n')}`);
  const last = out.trim().split('\n').at(-1)!;
  return { tps: (JSON.parse(last) as { tps: number }).tps, last };
}
