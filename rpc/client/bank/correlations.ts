/**
 * The adapter's correlation store: for each pacs.008 it built, the end-to-end id, the UETR it
 * gave it, what it was for (a payout and its id, or a waterfall) and whether a final status
 * came back. A pacs.002 that cites only the original UETR (or message id) is matched through
 * it, and a block scanned again (after a crash before the outbox mark was written) gets the
 * same UETR back, so the core system sees the same instruction twice rather than two.
 *
 * With a file, it survives restarts: loaded when the adapter starts, written after every
 * change atomically (a temp file beside it, flushed, then renamed over it: a crash leaves the
 * old file or the new one, never half of one). Bounded: past `max` entries the oldest settled
 * ones go first; if every entry is unsettled, the oldest go (their reports can still be
 * matched by the end-to-end id `sov-payout-<id>`, which carries the payout id).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { bankFail } from './errors.js';
import { UETR_RE } from './refs.js';

export const CORRELATIONS_FILE = '.sov-bank-correlations.json';
export const DEFAULT_MAX_CORRELATIONS = 10_000;
const FORMAT = 1;

export interface Correlation {
  readonly endToEndId: string;
  readonly uetr: string;
  readonly kind: 'payout' | 'waterfall';
  /** The payout id (kind payout). */
  readonly payout: number | null;
  /** The block of the ledger event the pacs.008 was built for. */
  readonly height: number;
  /** A final status came back (the payout settled on the ledger; a waterfall's ACSC, ACCC or RJCT). */
  readonly settled: boolean;
}

export class CorrelationStore {
  private readonly byE2e = new Map<string, Correlation>();
  private readonly byUetr = new Map<string, Correlation>();

  /** `file` null: in memory only. */
  constructor(readonly file: string | null, readonly max = DEFAULT_MAX_CORRELATIONS) {
    if (!Number.isSafeInteger(max) || max < 1) bankFail('BANK_CONFIG', `the correlation store's bound must be a positive integer, not ${max}`);
    if (file !== null && existsSync(file)) this.load(file);
  }

  get size(): number {
    return this.byE2e.size;
  }
  /** Every entry, oldest first. */
  entries(): Correlation[] {
    return [...this.byE2e.values()];
  }
  ofEndToEndId(e2e: string): Correlation | null {
    return this.byE2e.get(e2e) ?? null;
  }
  ofUetr(uetr: string): Correlation | null {
    return this.byUetr.get(uetr) ?? null;
  }

  /** Record a pacs.008 (an entry for its end-to-end id already there is kept as it is). */
  add(c: Omit<Correlation, 'settled'>): Correlation {
    const had = this.byE2e.get(c.endToEndId);
    if (had !== undefined) return had;
    const e: Correlation = { ...c, settled: false };
    this.put(e);
    this.prune();
    this.save();
    return e;
  }

  /** Mark the pacs.008 of `e2e` settled (no effect for one not recorded). */
  settle(e2e: string): void {
    const had = this.byE2e.get(e2e);
    if (had === undefined || had.settled) return;
    const e = { ...had, settled: true };
    this.byE2e.set(e2e, e);
    this.byUetr.set(e.uetr, e);
    this.prune();
    this.save();
  }

  private put(e: Correlation): void {
    this.byE2e.set(e.endToEndId, e);
    this.byUetr.set(e.uetr, e);
  }
  private drop(e: Correlation): void {
    this.byE2e.delete(e.endToEndId);
    this.byUetr.delete(e.uetr);
  }

  private prune(): void {
    if (this.byE2e.size <= this.max) return;
    for (const e of [...this.byE2e.values()]) {
      if (this.byE2e.size <= this.max) return;
      if (e.settled) this.drop(e);
    }
    for (const e of [...this.byE2e.values()]) {
      if (this.byE2e.size <= this.max) return;
      this.drop(e);
    }
  }

  private load(file: string): void {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      bankFail('BANK_CONFIG', `the correlation file ${file} cannot be read: ${(e as Error).message}`);
    }
    const d = doc as { format?: unknown; entries?: unknown };
    if (typeof d !== 'object' || d === null || d.format !== FORMAT || !Array.isArray(d.entries)) {
      bankFail('BANK_CONFIG', `the correlation file ${file} is not a format ${FORMAT} correlation store`);
    }
    d.entries.forEach((x: unknown, i: number) => this.put(entryOf(x, `${file}: entries[${i}]`)));
    this.prune();
  }

  private save(): void {
    if (this.file === null) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ format: FORMAT, entries: this.entries() }) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}

function entryOf(x: unknown, where: string): Correlation {
  const e = x as Record<string, unknown>;
  const ok = typeof e === 'object' && e !== null && typeof e['endToEndId'] === 'string' && typeof e['uetr'] === 'string' && UETR_RE.test(e['uetr'])
    && (e['kind'] === 'payout' || e['kind'] === 'waterfall') && (e['payout'] === null || Number.isSafeInteger(e['payout']))
    && Number.isSafeInteger(e['height']) && typeof e['settled'] === 'boolean' && (e['kind'] === 'waterfall' || e['payout'] !== null);
  if (!ok) bankFail('BANK_CONFIG', `${where} is not a correlation entry`);
  return { endToEndId: e['endToEndId'] as string, uetr: e['uetr'] as string, kind: e['kind'] as Correlation['kind'], payout: e['payout'] as number | null, height: e['height'] as number, settled: e['settled'] as boolean };
}
