/**
 * `sov program`: public finance programs (vm prog) from the shell, through the SDK. An agency
 * drafts a program from a terms file (`create`: funder, currency, budget, eligibility,
 * allocation, schedules, expiry, purpose, legal reference) and writes the rows of an explicit
 * allocation (`rows`, in transactions of up to 10,000), or computes a Merkle allocation offline
 * (`merkle`: the root, and each row's leaf and path for the beneficiary's wallet); the funding
 * account approves the draft's current version (`finalize`); a beneficiary claims its row
 * (`claim`, presenting its credential when the program needs one); the agency pays what is due
 * to enrolled rows (`push`), revokes a row (`revoke`), recovers a payment made in error
 * (`recover`); anyone closes an expired program (`close`). The reads: a program's report and a
 * beneficiary row, each verified offline against a trusted genesis file's validator set with
 * --verify (`report`, `row`), and the payment trail (`payments`).
 *
 * Every command prints JSON. A transaction that fails (or that the node refuses) prints
 * {"ok": false, "method", "status", "code", "message", ...}, says so on stderr and exits 1; an
 * answer that does not verify exits 1; bad input (a terms file, a CSV row, a flag) exits 2
 * with one line naming what is wrong. docs/public-finance.md walks through a program.
 */
import type { Command } from 'commander';
import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { decode, Domain, encode, encodeAddress, equalBytes, escapeText, fromHex, hashOf, merkleRoot, to0x, verifyMerkleProof, type Infer, type Schema } from '../../../core/index.js';
import { BUILTIN, cred, escrowAddress, prog } from '../../../vm/index.js';
import {
  ledgerPresentation, recordToJson, RpcCallError, verifyProgramReport, verifyProgramRow, Wallet,
  type CredentialPackage, type ProgPaymentQuery, type ProgPaymentView, type ProgVerifyContext, type SovClient,
} from '../../../rpc/index.js';
import { CliError } from './keys.js';
import { clientFor, uintArg } from './tx.js';
import { addressArg, keyOf, print, readJson, readText, timeArg, trustedSets, verdictFailed, withKey, withRpc, type KeyOpts, type RpcOpts } from './xchg-shared.js';

type Leaf = Infer<typeof prog.AllocationLeafSchema>;
type Terms = Infer<typeof prog.TermsSchema>;
type Schedule = Infer<typeof prog.ScheduleSchema>;

const ALLOCATION_TYPE = 'SovProgramAllocation';
const STATUS_NAMES = ['draft', 'final', 'closed'] as const;
const e = (s: string): string => escapeText(s);
const collect = (v: string, acc: string[] = []): string[] => [...acc, v];

// ---- values: amounts, durations, times -------------------------------------------------

/**
 * An amount: an integer (a JSON number or a string of digits) is minor units, as `sov tx`
 * takes it; a string with a point ("2000.00") is in the currency's units, converted with its
 * decimals. Positive unless `zero`.
 */
function amountOf(v: unknown, decimals: number | undefined, what: string, zero = false): bigint {
  let minor: bigint;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) minor = BigInt(v);
  else if (typeof v === 'string' && /^[0-9][0-9_]*$/.test(v.trim())) minor = BigInt(v.trim().replace(/_/g, ''));
  else if (typeof v === 'string' && /^[0-9][0-9_]*\.[0-9]+$/.test(v.trim())) {
    const [int, frac] = v.trim().replace(/_/g, '').split('.') as [string, string];
    if (decimals === undefined) throw new CliError(`${what}: "${v}" is in the currency's units: give the currency's decimals (--decimals N), or the amount in minor units (an integer)`);
    if (frac.length > decimals) throw new CliError(`${what}: "${v}" has ${frac.length} decimals; the currency has ${decimals}`);
    minor = BigInt(int + frac.padEnd(decimals, '0'));
  } else {
    throw new CliError(`${what} is an amount: minor units (an integer, e.g. 250000) or the currency's units with a point (e.g. "2500.00"), not ${JSON.stringify(v)?.slice(0, 60)}`);
  }
  if (minor > (1n << 128n) - 1n) throw new CliError(`${what} is too large`);
  if (!zero && minor === 0n) throw new CliError(`${what} is zero`);
  return minor;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration: milliseconds (a number or digits), or with units, e.g. "30d", "12h", "1d12h", "500ms" (s, m, h, d, w). */
function durationOf(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[0-9]{1,15}$/.test(s)) return Number(s);
    if (/^([0-9]{1,9}(ms|s|m|h|d|w))+$/.test(s)) {
      let ms = 0;
      for (const m of s.matchAll(/([0-9]{1,9})(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
      if (Number.isSafeInteger(ms)) return ms;
    }
  }
  throw new CliError(`${what} is a duration: milliseconds, or a number with a unit such as "30d", "12h", "90m", "1d12h" (ms, s, m, h, d, w), not ${JSON.stringify(v)?.slice(0, 60)}`);
}

/** A time: milliseconds, an ISO 8601 date (2026-03-01, 2026-03-01T12:00:00Z), "now", or "+DURATION" from now. */
function timeOf(v: unknown, now: number, what: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === 'now') return now;
    if (s.startsWith('+')) return now + durationOf(s.slice(1), what);
    return timeArg(s, what);
  }
  throw new CliError(`${what} is a time: milliseconds, an ISO date (2026-03-01T00:00:00Z), "now" or "+30d", not ${JSON.stringify(v)?.slice(0, 60)}`);
}

/** The args encode by the method's schema (lengths, ranges): a CliError naming what does not, before anything is signed. */
function checkEncodes<T>(schema: Schema<T>, args: T, what: string): void {
  try {
    encode(schema, args);
  } catch (err) {
    throw new CliError(`${what}: ${(err as Error).message}`);
  }
}

/** A bech32m address under its own prefix (offline), or under `prefix` when given. */
function addressOf(v: unknown, prefix: string | undefined, what: string): Uint8Array {
  if (typeof v !== 'string' || v.trim() === '') throw new CliError(`${what} is an address, not ${JSON.stringify(v)?.slice(0, 60)}`);
  const s = v.trim();
  const own = s.slice(0, Math.max(0, s.lastIndexOf('1'))).toLowerCase();
  if (prefix !== undefined && own !== prefix) throw new CliError(`${what}: "${s.slice(0, 100)}" is not an address of this chain (prefix ${prefix})`);
  return addressArg(s, own, what);
}

// ---- allocation rows: CSV, inline, Merkle ----------------------------------------------

interface RowInput {
  leaf: Leaf;
  /** Where it came from, for errors: `rows.csv line 3`. */
  at: string;
  /** The address prefix its beneficiary was written with. */
  prefix: string;
}

/** One CSV line's cells (double quotes group a cell; "" is a quote inside one). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

/**
 * Rows from a CSV file: columns beneficiary, amount, schedule (a header line naming them sets
 * their order; without one they are in that order). Blank lines and lines starting with #
 * are skipped; an empty schedule is 0. `prefix` (when known) is the chain's address prefix;
 * offline, every address must share the first one's.
 */
function readRowsCsv(path: string, decimals: number | undefined, prefix: string | undefined): RowInput[] {
  const lines = readText(path, 'rows file').replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: RowInput[] = [];
  let cols: { beneficiary: number; amount: number; schedule: number } | null = null;
  let pfx = prefix;
  for (let n = 0; n < lines.length; n++) {
    const text = lines[n]!.trim();
    if (text === '' || text.startsWith('#')) continue;
    const cells = csvCells(text);
    const at = `${path} line ${n + 1}`;
    if (cols === null) {
      const lower = cells.map((c) => c.toLowerCase());
      if (lower.includes('beneficiary')) {
        const idx = (name: string): number => lower.indexOf(name);
        if (idx('amount') < 0) throw new CliError(`${at}: the header names no amount column (columns: beneficiary, amount, schedule)`);
        const unknown = lower.filter((c) => !['beneficiary', 'amount', 'schedule'].includes(c));
        if (unknown.length > 0) throw new CliError(`${at}: unknown column ${JSON.stringify(unknown[0])} (columns: beneficiary, amount, schedule)`);
        cols = { beneficiary: idx('beneficiary'), amount: idx('amount'), schedule: idx('schedule') };
        continue;
      }
      cols = { beneficiary: 0, amount: 1, schedule: 2 };
    }
    const address = cells[cols.beneficiary] ?? '';
    const beneficiary = addressOf(address, pfx, `${at}: beneficiary`);
    pfx ??= address.slice(0, address.lastIndexOf('1')).toLowerCase();
    const amount = amountOf(cells[cols.amount] ?? '', decimals, `${at}: amount`);
    const sched = cols.schedule >= 0 ? (cells[cols.schedule] ?? '') : '';
    const schedule = sched === '' ? 0 : uintArg(sched, `${at}: schedule`);
    if (schedule >= prog.MAX_SCHEDULES) throw new CliError(`${at}: schedule ${schedule}: a program has at most ${prog.MAX_SCHEDULES} schedules (numbered from 0)`);
    out.push({ leaf: { beneficiary, amount, schedule }, at, prefix: pfx });
  }
  if (out.length === 0) throw new CliError(`${path} has no rows (CSV: beneficiary,amount,schedule)`);
  return out;
}

/** Rows written inline in a terms file: [{"beneficiary", "amount", "schedule"?}]. */
function inlineRows(list: unknown[], decimals: number, prefix: string, where: string): RowInput[] {
  return list.map((x, i) => {
    const at = `${where}[${i}]`;
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new CliError(`${at} is {"beneficiary", "amount", "schedule"?}`);
    const r = x as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!['beneficiary', 'amount', 'schedule'].includes(k)) throw new CliError(`${at}: unknown field "${k.slice(0, 40)}" (beneficiary, amount, schedule)`);
    const schedule = r.schedule === undefined ? 0 : typeof r.schedule === 'number' ? r.schedule : Number.NaN;
    if (!Number.isInteger(schedule) || schedule < 0 || schedule >= prog.MAX_SCHEDULES) throw new CliError(`${at}.schedule is the schedule's number, 0..${prog.MAX_SCHEDULES - 1}`);
    return { leaf: { beneficiary: addressOf(r.beneficiary, prefix, `${at}.beneficiary`), amount: amountOf(r.amount, decimals, `${at}.amount`), schedule }, at, prefix };
  });
}

const leafBytes = (l: Leaf): Uint8Array => encode(prog.AllocationLeafSchema, l);

/**
 * The Merkle tree over leaves, level by level (core merkleRoot's tree: pairs left to right,
 * an odd last node moving up as is), so that every row's path is read off in O(log n).
 */
function merkleLevels(leaves: readonly Uint8Array[]): Uint8Array[][] {
  const levels: Uint8Array[][] = [leaves.map((x) => hashOf(Domain.MERKLE_LEAF, x))];
  while (levels[levels.length - 1]!.length > 1) {
    const level = levels[levels.length - 1]!;
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(hashOf(Domain.MERKLE_INNER, level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    levels.push(next);
  }
  return levels;
}

/** Row `index`'s audit path (core merkleProof's, sibling hashes from the leaf up). */
function pathOf(levels: readonly Uint8Array[][], index: number): Uint8Array[] {
  const path: Uint8Array[] = [];
  let i = index;
  for (let l = 0; l < levels.length - 1; l++) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling < levels[l]!.length) path.push(levels[l]![sibling]!);
    i = Math.floor(i / 2);
  }
  return path;
}

/** An allocation file (`sov program merkle --out`): the root, the row count, and rows with their leaf and (unless --no-paths) path. */
interface Allocation {
  file: string;
  root: Uint8Array;
  rows: number;
  entries: Map<number, { leaf: Leaf; path: Uint8Array[] | null }>;
  levels?: Uint8Array[][];
}

function loadAllocation(file: string, prefix: string | undefined): Allocation {
  const j = readJson(file, 'allocation file') as { type?: unknown; root?: unknown; rows?: unknown; entries?: unknown };
  const bad = (m: string): never => {
    throw new CliError(`${file}: ${m}`);
  };
  if (typeof j !== 'object' || j === null || j.type !== ALLOCATION_TYPE) bad(`not an allocation file ({"type": "${ALLOCATION_TYPE}", "root", "rows", "entries"}: what \`sov program merkle\` writes)`);
  let root: Uint8Array;
  try {
    root = fromHex(String(j.root), 32);
  } catch {
    root = bad('root is 32 bytes of 0x-hex');
  }
  if (!Number.isSafeInteger(j.rows) || (j.rows as number) < 1) bad('rows is the number of rows');
  if (!Array.isArray(j.entries)) bad('entries is a list of {row, beneficiary, amount, schedule, leaf, path}');
  const entries = new Map<number, { leaf: Leaf; path: Uint8Array[] | null }>();
  (j.entries as unknown[]).forEach((x, i) => {
    const r = x as { row?: unknown; beneficiary?: unknown; amount?: unknown; schedule?: unknown; leaf?: unknown; path?: unknown };
    const at = `entries[${i}]`;
    if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.row) || (r.row as number) < 0 || (r.row as number) >= (j.rows as number)) bad(`${at}.row is a row number below ${String(j.rows)}`);
    if (!Number.isInteger(r.schedule) || (r.schedule as number) < 0 || (r.schedule as number) > 255) bad(`${at}.schedule is the schedule's number`);
    const leaf: Leaf = { beneficiary: addressOf(r.beneficiary, prefix, `${file}: ${at}.beneficiary`), amount: amountOf(r.amount, undefined, `${file}: ${at}.amount`), schedule: r.schedule as number };
    if (r.leaf !== undefined && r.leaf !== to0x(leafBytes(leaf))) bad(`${at}.leaf is not the encoding of its beneficiary, amount and schedule`);
    let path: Uint8Array[] | null = null;
    if (r.path !== undefined && r.path !== null) {
      if (!Array.isArray(r.path) || r.path.length > prog.MAX_PATH) bad(`${at}.path is a list of 32-byte 0x-hex hashes`);
      try {
        path = (r.path as unknown[]).map((h) => fromHex(String(h), 32));
      } catch {
        path = bad(`${at}.path is a list of 32-byte 0x-hex hashes`);
      }
    }
    if (entries.has(r.row as number)) bad(`row ${String(r.row)} is listed twice`);
    entries.set(r.row as number, { leaf, path });
  });
  return { file, root, rows: j.rows as number, entries };
}

/** Row `row`'s leaf and path from an allocation file, checked against the file's root. */
function proofFrom(a: Allocation, row: number): { leaf: Leaf; path: Uint8Array[] } {
  const entry = a.entries.get(row);
  if (entry === undefined) throw new CliError(`${a.file} has no row ${row}`);
  let path = entry.path;
  if (path === null) {
    // An index without paths: the tree from every row's leaf.
    if (a.levels === undefined) {
      const leaves: Uint8Array[] = [];
      for (let i = 0; i < a.rows; i++) {
        const x = a.entries.get(i);
        if (x === undefined) throw new CliError(`${a.file} has no path for row ${row} and lacks row ${i} to compute it (write it with paths: sov program merkle without --no-paths)`);
        leaves.push(leafBytes(x.leaf));
      }
      a.levels = merkleLevels(leaves);
    }
    path = pathOf(a.levels, row);
  }
  if (!verifyMerkleProof(a.root, leafBytes(entry.leaf), row, a.rows, path)) throw new CliError(`${a.file}: row ${row} and its path do not prove it under the file's root`);
  return { leaf: entry.leaf, path };
}

/** Write an allocation file line by line (a million rows do not fit in one string). */
function writeAllocation(out: string, rows: readonly Leaf[], prefix: string, withPaths: boolean): { root: Uint8Array; allocated: bigint } {
  const leaves = rows.map(leafBytes);
  const levels = merkleLevels(leaves);
  const root = levels[levels.length - 1]![0]!;
  // The tree read level by level is core's: the root is merkleRoot's, and sampled paths verify.
  if (!equalBytes(root, merkleRoot(leaves))) throw new Error('the Merkle tree differs from core merkleRoot');
  const allocated = rows.reduce((s, r) => s + r.amount, 0n);
  let fd: number;
  try {
    fd = openSync(out, 'w');
  } catch (err) {
    throw new CliError(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const head = { type: ALLOCATION_TYPE, root: to0x(root), rows: rows.length, allocated: allocated.toString(), addressPrefix: prefix };
    writeSync(fd, `${JSON.stringify(head).slice(0, -1)},\n"entries": [\n`);
    const step = Math.max(1, Math.floor(rows.length / 1000));
    let chunk = '';
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const path = withPaths || i % step === 0 ? pathOf(levels, i) : null;
      if (path !== null && !verifyMerkleProof(root, leaves[i]!, i, rows.length, path)) throw new Error(`the path of row ${i} does not verify`);
      const entry = { row: i, beneficiary: encodeAddress(prefix, r.beneficiary), amount: r.amount.toString(), schedule: r.schedule, leaf: to0x(leaves[i]!), ...(withPaths ? { path: path!.map(to0x) } : {}) };
      chunk += `${JSON.stringify(entry)}${i + 1 < rows.length ? ',' : ''}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, `${chunk}]}\n`);
  } finally {
    closeSync(fd);
  }
  return { root, allocated };
}

// ---- terms -----------------------------------------------------------------------------

const TERMS_FIELDS = ['name', 'funder', 'currency', 'budget', 'eligibility', 'reportClaim', 'allocation', 'schedules', 'expiresAt', 'grace', 'category', 'spend', 'legalRef'];
const SCHEDULE_KINDS: Record<string, number> = {
  lump: prog.ScheduleKind.LUMP_SUM, 'lump-sum': prog.ScheduleKind.LUMP_SUM, lump_sum: prog.ScheduleKind.LUMP_SUM,
  vesting: prog.ScheduleKind.VESTING, instalments: prog.ScheduleKind.INSTALMENTS, installments: prog.ScheduleKind.INSTALMENTS,
};
const OPS: Record<string, number> = { eq: cred.PredicateOp.EQ, ne: cred.PredicateOp.NE, lt: cred.PredicateOp.LT, le: cred.PredicateOp.LE, gt: cred.PredicateOp.GT, ge: cred.PredicateOp.GE, in: cred.PredicateOp.IN };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function only(o: Obj, fields: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!fields.includes(k)) throw new CliError(`${where}: unknown field "${k.slice(0, 40)}" (fields: ${fields.join(', ')})`);
}

function textOf(v: unknown, what: string, required: boolean): string {
  if (v === undefined || v === null) {
    if (required) throw new CliError(`${what} is missing`);
    return '';
  }
  if (typeof v !== 'string') throw new CliError(`${what} is a string`);
  if (required && v.trim() === '') throw new CliError(`${what} is empty`);
  return v;
}

function scheduleOf(v: unknown, i: number, now: number, file: string): Schedule {
  const at = `${file}: schedules[${i}]`;
  if (!isObj(v)) throw new CliError(`${at} is {"kind": "lump" | "vesting" | "instalments", "start", ...}`);
  only(v, ['kind', 'start', 'cliff', 'cliffMs', 'duration', 'durationMs', 'interval', 'intervalMs', 'count'], at);
  const kind = typeof v.kind === 'string' ? SCHEDULE_KINDS[v.kind.toLowerCase()] : undefined;
  if (kind === undefined) throw new CliError(`${at}.kind is lump, vesting or instalments, not ${JSON.stringify(v.kind)?.slice(0, 40)}`);
  const dur = (a: string, b: string): number | undefined => {
    if (v[a] !== undefined && v[b] !== undefined) throw new CliError(`${at}: give ${a} or ${b}, not both`);
    const x = v[a] ?? v[b];
    return x === undefined ? undefined : durationOf(x, `${at}.${v[a] !== undefined ? a : b}`);
  };
  const need = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new CliError(`${at}: a ${String(v.kind)} schedule needs ${what}`);
    return x;
  };
  const start = v.start === undefined ? undefined : timeOf(v.start, now, `${at}.start`);
  const cliffMs = dur('cliff', 'cliffMs');
  const durationMs = dur('duration', 'durationMs');
  const intervalMs = dur('interval', 'intervalMs');
  const count = v.count === undefined ? undefined : typeof v.count === 'number' && Number.isInteger(v.count) && v.count >= 1 && v.count <= prog.MAX_INSTALMENTS ? v.count : Number.NaN;
  if (Number.isNaN(count)) throw new CliError(`${at}.count is the number of instalments, 1..${prog.MAX_INSTALMENTS}`);
  const unused = (names: [string, unknown][]): void => {
    for (const [n, x] of names) if (x !== undefined) throw new CliError(`${at}: ${n} does not apply to a ${String(v.kind)} schedule`);
  };
  if (kind === prog.ScheduleKind.LUMP_SUM) {
    unused([['cliff', cliffMs], ['duration', durationMs], ['interval', intervalMs], ['count', count]]);
    return { kind, start: start ?? 0, cliffMs: 0, durationMs: 0, intervalMs: 0, count: 0 };
  }
  if (kind === prog.ScheduleKind.VESTING) {
    unused([['interval', intervalMs], ['count', count]]);
    const d = need(durationMs, 'a duration ("365d")');
    if (d < 1) throw new CliError(`${at}.duration is positive`);
    if ((cliffMs ?? 0) > d) throw new CliError(`${at}: the cliff is after the end of vesting`);
    return { kind, start: need(start, 'a start (an ISO date, ms, "now")'), cliffMs: cliffMs ?? 0, durationMs: d, intervalMs: 0, count: 0 };
  }
  unused([['cliff', cliffMs], ['duration', durationMs]]);
  const interval = need(intervalMs, 'an interval ("30d")');
  if (interval < 1) throw new CliError(`${at}.interval is positive`);
  return { kind, start: need(start, 'a start (an ISO date, ms, "now")'), cliffMs: 0, durationMs: 0, intervalMs: interval, count: need(count, 'a count of instalments') };
}

function eligibilityOf(v: unknown, prefix: string, file: string): Terms['eligibility'] {
  const at = `${file}: eligibility`;
  if (v === undefined || v === null) return { types: [], issuers: [], predicates: [] };
  if (!isObj(v)) throw new CliError(`${at} is {"types": [...], "issuers": [...], "predicates": [{"claim", "op", "values"}]}`);
  only(v, ['types', 'issuers', 'predicates'], at);
  const list = (x: unknown, what: string): unknown[] => {
    if (x === undefined || x === null) return [];
    if (!Array.isArray(x)) throw new CliError(`${at}.${what} is a list`);
    return x;
  };
  const types = list(v.types, 'types').map((t, i) => textOf(t, `${at}.types[${i}]`, true));
  const issuers = list(v.issuers, 'issuers').map((a, i) => addressOf(a, prefix, `${at}.issuers[${i}]`));
  const predicates = list(v.predicates, 'predicates').map((p, i) => {
    const pat = `${at}.predicates[${i}]`;
    if (!isObj(p)) throw new CliError(`${pat} is {"claim", "op": eq|ne|lt|le|gt|ge|in, "values": [...]}`);
    only(p, ['claim', 'op', 'values', 'value'], pat);
    const op = typeof p.op === 'string' ? OPS[p.op.toLowerCase()] : undefined;
    if (op === undefined) throw new CliError(`${pat}.op is eq, ne, lt, le, gt, ge or in, not ${JSON.stringify(p.op)?.slice(0, 40)}`);
    if (p.values !== undefined && p.value !== undefined) throw new CliError(`${pat}: give values or value, not both`);
    const raw = p.values ?? (p.value === undefined ? undefined : [p.value]);
    if (!Array.isArray(raw) || raw.length === 0) throw new CliError(`${pat}.values is a non-empty list`);
    const values = raw.map((x, j) => {
      if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw new CliError(`${pat}.values[${j}] is a string, number or boolean`);
      return String(x);
    });
    if (op !== cred.PredicateOp.IN && values.length !== 1) throw new CliError(`${pat}: ${String(p.op)} takes one value (in takes one or more)`);
    return { claim: textOf(p.claim, `${pat}.claim`, true), op, values };
  });
  return { types, issuers, predicates };
}

type AllocationSpec = { mode: 'explicit'; rows: RowInput[] } | { mode: 'merkle'; root: Uint8Array; rows: number; allocated: bigint | null; source: string };

function allocationOf(v: unknown, base: string, decimals: number, prefix: string, file: string): AllocationSpec {
  const at = `${file}: allocation`;
  if (v === undefined || v === null) return { mode: 'explicit', rows: [] };
  if (!isObj(v)) throw new CliError(`${at} is {"rows": "rows.csv" | [...]} (explicit) or {"merkle": "rows.csv" | "allocation.json" | {"root", "rows"}}`);
  only(v, ['rows', 'merkle'], at);
  if ((v.rows === undefined) === (v.merkle === undefined)) throw new CliError(`${at}: give rows (explicit) or merkle, one of the two`);
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  if (v.rows !== undefined) {
    if (typeof v.rows === 'string') return { mode: 'explicit', rows: readRowsCsv(path(v.rows), decimals, prefix) };
    if (Array.isArray(v.rows)) return { mode: 'explicit', rows: inlineRows(v.rows, decimals, prefix, `${at}.rows`) };
    throw new CliError(`${at}.rows is a CSV file (beneficiary,amount,schedule) or a list of {"beneficiary", "amount", "schedule"}`);
  }
  const m = v.merkle;
  if (typeof m === 'string') {
    const p = path(m);
    if (/\.json$/i.test(p)) {
      const a = loadAllocation(p, prefix);
      if (a.entries.size === a.rows) {
        const leaves = Array.from({ length: a.rows }, (_, i) => leafBytes(a.entries.get(i)!.leaf));
        if (!equalBytes(merkleRoot(leaves), a.root)) throw new CliError(`${p}: its rows do not make its root`);
      }
      const allocated = a.entries.size === a.rows ? [...a.entries.values()].reduce((s, x) => s + x.leaf.amount, 0n) : null;
      return { mode: 'merkle', root: a.root, rows: a.rows, allocated, source: p };
    }
    const rows = readRowsCsv(p, decimals, prefix);
    return { mode: 'merkle', root: merkleRoot(rows.map((r) => leafBytes(r.leaf))), rows: rows.length, allocated: rows.reduce((s, r) => s + r.leaf.amount, 0n), source: p };
  }
  if (isObj(m)) {
    only(m, ['root', 'rows'], `${at}.merkle`);
    let root: Uint8Array;
    try {
      root = fromHex(String(m.root), 32);
    } catch {
      throw new CliError(`${at}.merkle.root is 32 bytes of 0x-hex`);
    }
    if (!Number.isSafeInteger(m.rows) || (m.rows as number) < 1) throw new CliError(`${at}.merkle.rows is the number of rows`);
    return { mode: 'merkle', root, rows: m.rows as number, allocated: null, source: 'the terms file' };
  }
  throw new CliError(`${at}.merkle is a CSV file of rows, an allocation file (sov program merkle --out), or {"root", "rows"}`);
}

/** The terms file as prog.create's args, and its allocation; everything checked before anything is signed. */
function termsOf(j: Obj, file: string, chain: { prefix: string; decimals: number; now: number }): { terms: Terms; allocation: AllocationSpec } {
  only(j, TERMS_FIELDS, file);
  const base = dirname(resolve(file));
  if (!Array.isArray(j.schedules) || j.schedules.length === 0) throw new CliError(`${file}: schedules is a non-empty list of {"kind": "lump" | "vesting" | "instalments", "start", ...}`);
  if (j.schedules.length > prog.MAX_SCHEDULES) throw new CliError(`${file}: at most ${prog.MAX_SCHEDULES} schedules`);
  const schedules = j.schedules.map((s, i) => scheduleOf(s, i, chain.now, file));
  const budget = amountOf(j.budget, chain.decimals, `${file}: budget`);
  const eligibility = eligibilityOf(j.eligibility, chain.prefix, file);
  const reportClaim = textOf(j.reportClaim, `${file}: reportClaim`, false);
  if (reportClaim !== '' && eligibility.types.length === 0) throw new CliError(`${file}: reportClaim names a credential claim: eligibility needs credential types`);
  if (eligibility.types.length === 0 && (eligibility.issuers.length > 0 || eligibility.predicates.length > 0)) throw new CliError(`${file}: eligibility issuers and predicates need credential types`);
  const category = textOf(j.category, `${file}: category`, false);
  const spendMs = j.spend === undefined || j.spend === null ? 0 : durationOf(j.spend, `${file}: spend`);
  if (category !== '' && spendMs < 1) throw new CliError(`${file}: a purpose (category) needs a spending period, spend ("90d")`);
  if (category === '' && spendMs > 0) throw new CliError(`${file}: spend applies to a purpose-bound program: give its category`);
  const expiresAt = j.expiresAt === undefined || j.expiresAt === null || j.expiresAt === 0 ? 0 : timeOf(j.expiresAt, chain.now, `${file}: expiresAt`);
  if (expiresAt !== 0 && expiresAt <= chain.now) throw new CliError(`${file}: expiresAt ${new Date(expiresAt).toISOString()} is in the past`);
  const graceMs = j.grace === undefined || j.grace === null ? 0 : durationOf(j.grace, `${file}: grace`);
  const allocation = allocationOf(j.allocation, base, chain.decimals, chain.prefix, file);
  const terms: Terms = {
    name: textOf(j.name, `${file}: name`, true), funder: addressOf(j.funder, chain.prefix, `${file}: funder`), currency: textOf(j.currency, `${file}: currency`, true), budget,
    eligibility, reportClaim, mode: allocation.mode === 'merkle' ? prog.AllocationMode.MERKLE : prog.AllocationMode.EXPLICIT,
    root: allocation.mode === 'merkle' ? allocation.root : new Uint8Array(32), rows: allocation.mode === 'merkle' ? allocation.rows : 0,
    schedules, expiresAt, graceMs, category, spendMs, legalRef: textOf(j.legalRef, `${file}: legalRef`, true),
  };
  if (allocation.mode === 'explicit') checkRows(allocation.rows, schedules.length, budget, 0n, file);
  checkEncodes(prog.CreateArgs, terms, file);
  return { terms, allocation };
}

/** Rows the program can pay: each names one of its schedules, and (explicit) they add up to at most the budget. */
function checkRows(rows: readonly RowInput[], schedules: number, budget: bigint, others: bigint, where: string): bigint {
  let sum = others;
  for (const r of rows) {
    if (r.leaf.schedule >= schedules) throw new CliError(`${r.at}: schedule ${r.leaf.schedule}: the program has ${schedules} schedule${schedules === 1 ? '' : 's'} (numbered from 0)`);
    sum += r.leaf.amount;
  }
  if (sum > budget) throw new CliError(`${where}: the rows add up to ${sum} (minor units), over the budget ${budget}`);
  return sum;
}

// ---- the chain: reads and transactions -------------------------------------------------

interface ProgramView {
  id: number;
  version: number;
  status: number;
  owner: string;
  terms: { funder: string; currency: string; budget: string; mode: number; root: string; rows: number | string; schedules: unknown[]; eligibility: { types: string[] } };
  allocated: string;
}

async function programOf(client: SovClient, id: number): Promise<ProgramView> {
  const v = (await client.getRecord({ kind: 'program', id })).value as ProgramView | null;
  if (v === null) throw new CliError(`no program ${id}`);
  return v;
}

async function decimalsOf(client: SovClient, currency: string): Promise<number> {
  let v: { decimals?: unknown } | null;
  try {
    v = (await client.getRecord({ kind: 'currency', currency })).value as { decimals?: unknown } | null;
  } catch (err) {
    if (err instanceof RpcCallError) throw new CliError(`currency ${JSON.stringify(currency).slice(0, 40)}: ${err.message}`);
    throw err;
  }
  if (v === null) throw new CliError(`the ledger has no currency ${currency}`);
  return Number(v.decimals);
}

interface Signer {
  client: SovClient;
  wallet: Wallet;
  prefix: string;
  chainId: string;
  key: Awaited<ReturnType<typeof keyOf>>;
}

/** The signer's wallet and the chain's status; the keystore opened first (its scrypt takes a moment). */
async function signerOf(o: KeyOpts): Promise<Signer> {
  const key = await keyOf(o);
  const client = clientFor(o);
  const status = await client.status();
  const signer = o.signer !== undefined ? addressArg(o.signer, status.addressPrefix, '--signer') : undefined;
  return { client, wallet: new Wallet(client, [key], { chainId: status.chainId, ...(signer ? { signer } : {}) }), prefix: status.addressPrefix, chainId: status.chainId, key };
}

interface WaitOpts {
  wait?: boolean;
}
/** --wait (the default) and --no-wait. */
function withWait(c: Command): Command {
  return c
    .option('--wait', 'wait until the transaction is committed and print its outcome (the default)')
    .option('--no-wait', 'print the transaction hash once the node admits it, without waiting for its block');
}
const waits = (o: WaitOpts): boolean => o.wait !== false;

interface Sent {
  hash: string;
  status: 'committed' | 'pending';
  height: number | null;
  /** The receipt's result (hex), when waited for. */
  result: string | null;
}

/**
 * Submit `prog.method(args)`, waiting for its block unless `wait` is false. A transaction the
 * node refuses, or that fails, prints {ok: false, ...} (with `context`: what committed before
 * it), says so on stderr and sets exit status 1; returns null then.
 */
async function submit<T>(s: Signer, method: string, schema: Schema<T>, args: T, wait: boolean, context: Obj = {}): Promise<Sent | null> {
  checkEncodes(schema, args, `prog.${method}`);
  let out;
  try {
    out = await s.wallet.send('prog', method, args, { wait });
  } catch (err) {
    if (!(err instanceof RpcCallError)) throw err;
    const data = err.data as { code?: unknown } | undefined;
    return failed(method, { hash: null, status: 'refused', height: null, code: data?.code ?? err.code, message: err.message }, context);
  }
  if (out.status === 'failed' || (wait && out.status === 'pending')) {
    const got = out.height !== null ? await s.client.getTransaction(out.hash).catch(() => null) : null;
    const message = out.status === 'pending' ? 'not committed while the node waited (sov query tx HASH shows what became of it)' : out.message ?? got?.receipt.message ?? null;
    return failed(method, { hash: out.hash, status: out.status, height: out.height, code: got?.receipt.codeName ?? out.code, message }, context);
  }
  if (!wait) return { hash: out.hash, status: out.status, height: out.height, result: null };
  const got = await s.client.getTransaction(out.hash);
  return { hash: out.hash, status: 'committed', height: out.height, result: got.receipt.result };
}

function failed(method: string, f: { hash: string | null; status: string; height: number | null; code: unknown; message: string | null }, context: Obj): null {
  const code = f.code === null || f.code === undefined ? '' : `${String(f.code)}: `;
  print({ ok: false, method: `prog.${method}`, ...f, ...context });
  process.stderr.write(`sov: prog.${method} ${f.status}${f.height !== null ? ` at height ${f.height}` : ''}: ${e(code + (f.message ?? ''))}${f.hash ? ` (tx ${f.hash})` : ''}\n`);
  process.exitCode = 1;
  return null;
}

const txOf = (s: Sent): Obj => ({ hash: s.hash, height: s.height, ...(s.status === 'pending' ? { status: 'pending' } : {}) });
const resultOf = <T>(schema: Schema<T>, s: Sent): T | null => (s.result === null ? null : decode(schema, fromHex(s.result)));

/** Write explicit rows first.. in transactions of `chunk`; the transactions, or null when one failed (reported). */
async function writeRows(s: Signer, program: number, first: number, rows: readonly RowInput[], chunk: number, wait: boolean, done: Obj[]): Promise<Obj[] | null> {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk).map((r) => r.leaf);
    const sent = await submit(s, 'set_rows', prog.SetRowsArgs, { program, first: first + i, rows: part }, wait, {
      program, first: first + i, count: part.length, ...(done.length > 0 ? { committedBefore: done } : {}),
    });
    if (sent === null) return null;
    done.push({ first: first + i, count: part.length, ...txOf(sent) });
  }
  return done;
}

function chunkArg(v: string, max: number): number {
  const n = uintArg(v, '--chunk');
  if (n < 1 || n > max) throw new CliError(`--chunk is 1..${max}`);
  return n;
}

/** Rows like "0,1,5-9": each once, in the order given. */
function rowsArg(v: string): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const part of v.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const m = /^([0-9]{1,15})(?:-([0-9]{1,15}))?$/.exec(part);
    if (m === null) throw new CliError(`--rows is a list of rows and ranges, e.g. 0,1,5-9; not "${part.slice(0, 40)}"`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new CliError(`--rows: the range ${part} runs backwards`);
    if (out.length + (b - a + 1) > 1_000_000) throw new CliError('--rows names more than 1,000,000 rows: push them in several runs');
    for (let r = a; r <= b; r++) {
      if (seen.has(r)) throw new CliError(`--rows names row ${r} twice`);
      seen.add(r);
      out.push(r);
    }
  }
  if (out.length === 0) throw new CliError('--rows names no row');
  return out;
}

/** The leaf and path a Merkle program's row needs (from --allocation, checked against the program's root); null and [] for an explicit one. */
function rowProof(p: ProgramView, row: number, alloc: Allocation | null): { leaf: Leaf | null; path: Uint8Array[] } {
  if (p.terms.mode !== prog.AllocationMode.MERKLE) {
    if (alloc !== null) throw new CliError(`program ${p.id} has an explicit allocation: it takes no --allocation`);
    return { leaf: null, path: [] };
  }
  if (alloc === null) throw new CliError(`program ${p.id} allocates by Merkle root: give the allocation file (sov program merkle --out) with --allocation FILE`);
  return proofFrom(alloc, row);
}

function allocationFor(p: ProgramView, file: string | undefined, prefix: string): Allocation | null {
  if (file === undefined || p.terms.mode !== prog.AllocationMode.MERKLE) return file === undefined ? null : loadAllocation(file, prefix);
  const a = loadAllocation(file, prefix);
  if (to0x(a.root) !== p.terms.root || a.rows !== Number(p.terms.rows)) {
    throw new CliError(`${file} (root ${to0x(a.root)}, ${a.rows} rows) is not program ${p.id}'s allocation (root ${p.terms.root}, ${String(p.terms.rows)} rows)`);
  }
  return a;
}

/**
 * Rows a push pays in one transaction by default: each paid row costs about 600 work units,
 * and a transaction may use tx_max_work (2,000,000 by default).
 */
const PUSH_CHUNK = 2000;
/** The most bytes of items one transaction carries (the largest transaction is 1 MiB). */
const MAX_ARGS_BYTES = 800_000;

/** `items` in runs of at most `count` items and MAX_ARGS_BYTES encoded bytes. */
function batches<T>(items: readonly T[], count: number, size: (x: T) => number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const it of items) {
    const n = size(it);
    if (cur.length > 0 && (cur.length >= count || bytes + n > MAX_ARGS_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(it);
    bytes += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

const programArg = (v: string): number => uintArg(v, '--program');
const codeName = (n: number): string => (n === 0 ? 'OK' : BUILTIN.codesByNumber.get(n)?.name ?? String(n));

// ---- offline verification --------------------------------------------------------------

interface VerifyOpts {
  verify?: string;
  validators?: string[];
}
function withVerify(c: Command): Command {
  return c
    .option('--verify <genesis.json>', "check the answer OFFLINE against the validator set of this trusted genesis file (exit status 1 when it does not verify)")
    .option('--validators <file>', 'with --verify: a JSON sov_getValidators answer adding a trusted set, for proofs made after a validator-set change (repeatable)', collect);
}

/** Run `f` with each trusted validator set until one verifies; the result and what was trusted, or null after printing why it does not verify (exit 1). */
async function verifiedWith<T>(o: VerifyOpts, f: (ctx: ProgVerifyContext) => T): Promise<{ value: T; trusted: string[] } | null> {
  if (o.verify === undefined) throw new CliError('--validators adds to --verify GENESIS: give the genesis file too');
  const trust = await trustedSets({ genesis: o.verify, validators: o.validators ?? [] });
  let last: unknown;
  for (const validators of trust.sets) {
    try {
      return { value: f({ chainId: trust.chainId!, addressPrefix: trust.addressPrefix!, validators }), trusted: trust.sources };
    } catch (err) {
      last = err;
    }
  }
  verdictFailed(last);
  return null;
}

// ---- the command -----------------------------------------------------------------------

const TERMS_HELP = `
A terms file (create):
  {
    "name": "Child benefit 2026", "funder": "<address>", "currency": "DEV", "budget": "250000.00",
    "eligibility": {"types": ["residence"], "issuers": [], "predicates": [{"claim": "region", "op": "eq", "values": ["IS-1"]}]},
    "reportClaim": "region",
    "allocation": {"rows": "rows.csv"},
    "schedules": [{"kind": "instalments", "start": "2026-01-01", "interval": "30d", "count": 12}],
    "expiresAt": "2027-01-31", "grace": "30d", "legalRef": "Child Benefit Act 2026 s.3"
  }
  amounts: an integer is minor units (as sov tx takes them); "2500.00" is in the currency's units.
  eligibility (optional): types empty means anyone allocated may claim; op is eq, ne, lt, le, gt, ge or in.
  allocation: {"rows": "rows.csv" | [{"beneficiary", "amount", "schedule"}]} (explicit, written in state),
    or {"merkle": "rows.csv" | "allocation.json" | {"root", "rows"}} (a Merkle root over the rows).
  schedules: kind lump (all at start), vesting (start, duration, cliff) or instalments (start, interval, count);
    times are ISO dates, ms, "now" or "+7d"; durations "30d", "12h", "1d12h" or ms. A row names its schedule by number.
  expiresAt, grace: optional; after both, \`close\` returns the rest to the funder.
  category, spend (optional): a purpose-bound program pays grants spendable only at accounts of the category
    ("childcare") for the spend period ("90d").
A rows file (CSV): beneficiary,amount,schedule (a header line optional; schedule defaults to 0).

Example:
  sov program create --terms terms.json -k agency.json --password-file pw.txt
  sov program finalize --program 1 -k funder.json --password-file pw.txt
  sov program claim --program 1 --row 0 -k person.json --credential residence.json --disclose region,birthDate
  sov program report --program 1 --verify genesis.json`;

export function registerProgram(program: Command): void {
  const c = program
    .command('program')
    .description("public finance programs: draft a program from a terms file, write its allocation (explicit rows or a Merkle root), fund it, claim and push payments, revoke, recover, close; reports and rows verified offline, and every payment's trail (docs/public-finance.md)")
    .addHelpText('after', TERMS_HELP);

  withWait(withKey(c.command('create').description("an agency (or the central bank) drafts a program from a terms file; writes an explicit allocation's rows; prints the program id, its version, and a Merkle allocation's root and row count")))
    .requiredOption('--terms <terms.json>', 'the terms file (see `sov program --help`)')
    .option('--chunk <n>', 'explicit rows per transaction, 1..10000', String(prog.MAX_ROWS_PER_TX))
    .action(async (o: KeyOpts & WaitOpts & { terms: string; chunk: string }) => {
      const chunk = chunkArg(o.chunk, prog.MAX_ROWS_PER_TX);
      const j = readJson(o.terms, 'terms file');
      if (!isObj(j)) throw new CliError(`${o.terms} is not a JSON object of terms (see sov program --help)`);
      const s = await signerOf(o);
      const currency = textOf(j.currency, `${o.terms}: currency`, true);
      const decimals = await decimalsOf(s.client, currency);
      const { terms, allocation } = termsOf(j, o.terms, { prefix: s.prefix, decimals, now: Date.now() });
      const rows = allocation.mode === 'explicit' ? allocation.rows : [];
      if (!waits(o) && rows.length > 0) throw new CliError('--no-wait: the rows are written once the program exists, so create waits for it (leave out --no-wait, or write the rows later with `sov program rows`)');
      const created = await submit(s, 'create', prog.CreateArgs, terms, waits(o));
      if (created === null) return;
      if (created.result === null) return print({ ok: true, status: 'pending', hash: created.hash, note: 'the program id is in the receipt: sov query tx HASH' });
      const r = resultOf(prog.ProgramIdResult, created)!;
      const id = r.program;
      const merkle = allocation.mode === 'merkle' ? { root: to0x(allocation.root), rows: allocation.rows, ...(allocation.allocated !== null ? { allocated: allocation.allocated.toString() } : {}) } : null;
      if (merkle !== null && allocation.mode === 'merkle' && allocation.allocated !== null && allocation.allocated > terms.budget) {
        process.stderr.write(`sov: warning: the Merkle rows add up to ${allocation.allocated}, over the budget ${terms.budget}: claims are paid until the budget runs out\n`);
      }
      const txs: Obj[] = [{ method: 'create', ...txOf(created) }];
      if (rows.length > 0) {
        const written = await writeRows(s, id, 0, rows, chunk, true, []);
        if (written === null) {
          process.stderr.write(`sov: program ${id} was created; write its rows again with: sov program rows --program ${id} --rows FILE\n`);
          return;
        }
        txs.push(...written.map((w) => ({ method: 'set_rows', ...w })));
      }
      const p = await programOf(s.client, id);
      print({
        ok: true, program: id, version: p.version, status: STATUS_NAMES[p.status], name: terms.name, funder: encodeAddress(s.prefix, r.funder), currency: terms.currency, budget: r.budget.toString(),
        allocation: merkle !== null ? { mode: 'merkle', ...merkle } : { mode: 'explicit', rows: rows.length, allocated: p.allocated },
        escrow: encodeAddress(s.prefix, escrowAddress('prog', id)), transactions: txs,
      });
    });

  withWait(withKey(c.command('rows').description("the owner writes rows of a draft's explicit allocation from a CSV file (beneficiary,amount,schedule), as rows --first.. in transactions of up to 10,000 (each a new version; a row written again is replaced)")))
    .requiredOption('--program <id>', 'the program')
    .requiredOption('--rows <rows.csv>', 'the rows: CSV beneficiary,amount,schedule (an amount with a point is in the currency\'s units)')
    .option('--first <n>', "the row number of the file's first row (rows are contiguous: at most the program's row count)", '0')
    .option('--chunk <n>', 'rows per transaction, 1..10000', String(prog.MAX_ROWS_PER_TX))
    .action(async (o: KeyOpts & WaitOpts & { program: string; rows: string; first: string; chunk: string }) => {
      const id = programArg(o.program);
      const first = uintArg(o.first, '--first');
      const chunk = chunkArg(o.chunk, prog.MAX_ROWS_PER_TX);
      const s = await signerOf(o);
      const p = await programOf(s.client, id);
      if (p.terms.mode !== prog.AllocationMode.EXPLICIT) throw new CliError(`program ${id} allocates by Merkle root: it has no explicit rows`);
      if (p.status !== prog.ProgramStatus.DRAFT) throw new CliError(`program ${id} is ${STATUS_NAMES[p.status]}: its rows are immutable`);
      if (first > Number(p.terms.rows)) throw new CliError(`--first ${first}: rows are contiguous, and program ${id} has ${String(p.terms.rows)} (the next new row is ${String(p.terms.rows)})`);
      const rows = readRowsCsv(o.rows, await decimalsOf(s.client, p.terms.currency), s.prefix);
      for (const r of rows) if (r.leaf.schedule >= p.terms.schedules.length) throw new CliError(`${r.at}: schedule ${r.leaf.schedule}: program ${id} has ${p.terms.schedules.length} schedule${p.terms.schedules.length === 1 ? '' : 's'} (numbered from 0)`);
      const written = await writeRows(s, id, first, rows, chunk, waits(o), []);
      if (written === null) return;
      if (!waits(o)) return print({ ok: true, program: id, first, rows: rows.length, transactions: written });
      const after = await programOf(s.client, id);
      const over = BigInt(after.allocated) > BigInt(after.terms.budget);
      if (over) process.stderr.write(`sov: warning: program ${id} allocates ${after.allocated}, over its budget ${after.terms.budget}: finalize refuses it (OVER_ALLOCATED)\n`);
      print({ ok: true, program: id, version: after.version, first, rows: rows.length, totalRows: Number(after.terms.rows), allocated: after.allocated, budget: after.terms.budget, transactions: written });
    });

  c.command('merkle')
    .description("OFFLINE: a Merkle allocation from a CSV of rows: its root (for the terms' allocation), and an allocation file with each row's leaf and path (hex) that a beneficiary's wallet claims with (`claim --allocation`)")
    .requiredOption('--rows <rows.csv>', 'the rows: CSV beneficiary,amount,schedule, in row order')
    .requiredOption('--out <allocation.json>', 'where to write the allocation file')
    .option('--decimals <n>', "the currency's decimals, for amounts written with a point (\"12.50\"); integers are minor units")
    .option('--prefix <prefix>', "the chain's address prefix (default: the first address's)")
    .option('--no-paths', "write each row's leaf without its path (a smaller index; a wallet computes the path from every row)")
    .action((o: { rows: string; out: string; decimals?: string; prefix?: string; paths: boolean }) => {
      const decimals = o.decimals === undefined ? undefined : uintArg(o.decimals, '--decimals');
      if (decimals !== undefined && decimals > 18) throw new CliError('--decimals is 0..18');
      const rows = readRowsCsv(o.rows, decimals, o.prefix?.toLowerCase());
      const { root, allocated } = writeAllocation(o.out, rows.map((r) => r.leaf), rows[0]!.prefix, o.paths);
      print({ root: to0x(root), rows: rows.length, allocated: allocated.toString(), out: o.out, paths: o.paths });
    });

  withWait(withKey(c.command('finalize').description("the funding account approves the draft's current version (read from the ledger; --version pins one): its budget moves into the program's escrow and its terms become immutable")))
    .requiredOption('--program <id>', 'the program')
    .option('--version <n>', 'the version approved (default: the current one)')
    .action(async (o: KeyOpts & WaitOpts & { program: string; version?: string }) => {
      const id = programArg(o.program);
      const s = await signerOf(o);
      const p = await programOf(s.client, id);
      const version = o.version === undefined ? p.version : uintArg(o.version, '--version');
      const sent = await submit(s, 'finalize', prog.FinalizeArgs, { program: id, version }, waits(o), { program: id, version });
      if (sent === null) return;
      print({ ok: true, program: id, version, budget: p.terms.budget, currency: p.terms.currency, escrow: encodeAddress(s.prefix, escrowAddress('prog', id)), ...txOf(sent) });
    });

  withWait(withKey(c.command('claim').description("a beneficiary claims what its row has vested; its first claim presents its eligibility credential when the program needs one (--credential, disclosing --disclose)")))
    .requiredOption('--program <id>', 'the program')
    .requiredOption('--row <n>', 'the row of the allocation')
    .option('--allocation <file>', "a Merkle program's allocation file (sov program merkle --out): the row's leaf and path")
    .option('--credential <pkg.json>', 'the eligibility credential package (an SD-JWT VC with its inclusion, as issued); its holder key must be a key of the claiming account (-k)')
    .option('--disclose <claims>', 'claims to disclose, comma-separated (e.g. region,birthDate; repeatable)', collect)
    .action(async (o: KeyOpts & WaitOpts & { program: string; row: string; allocation?: string; credential?: string; disclose?: string[] }) => {
      const id = programArg(o.program);
      const row = uintArg(o.row, '--row');
      const disclose = (o.disclose ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
      if (o.credential === undefined && disclose.length > 0) throw new CliError('--disclose goes with --credential');
      const pkg = o.credential === undefined ? null : (readJson(o.credential, 'credential package') as CredentialPackage);
      const s = await signerOf(o);
      const p = await programOf(s.client, id);
      const { leaf, path } = rowProof(p, row, allocationFor(p, o.allocation, s.prefix));
      let presentation = null;
      if (pkg !== null) {
        try {
          presentation = await ledgerPresentation(pkg, disclose, s.key, { chainId: s.chainId, iat: Math.floor(Date.now() / 1000) });
        } catch (err) {
          throw new CliError(`the credential package ${o.credential}: ${(err as Error).message}`);
        }
      }
      const sent = await submit(s, 'claim', prog.ClaimArgs, { program: id, row, leaf, path, presentation }, waits(o), { program: id, row });
      if (sent === null) return;
      const r = resultOf(prog.ClaimResult, sent);
      print({ ok: true, program: id, row, ...(r !== null ? { paid: r.amount.toString(), step: r.step, claimed: r.claimed.toString(), currency: p.terms.currency, ...(r.grant !== 0 ? { grant: r.grant } : {}) } : {}), ...txOf(sent) });
    });

  withWait(withKey(c.command('push').description('the owner pays what is due now to rows (enrolled ones, when the program needs a credential), in transactions of up to 2,000 rows (--chunk); prints what was paid and each row that was not, with its code')))
    .requiredOption('--program <id>', 'the program')
    .requiredOption('--rows <rows>', 'rows and ranges, e.g. 0,1,5-9')
    .option('--allocation <file>', "a Merkle program's allocation file: the rows' leaves and paths")
    .option('--chunk <n>', "rows per transaction at most, 1..10000 (a Merkle row's path also keeps a transaction under its size limit)", String(PUSH_CHUNK))
    .action(async (o: KeyOpts & WaitOpts & { program: string; rows: string; allocation?: string; chunk: string }) => {
      const id = programArg(o.program);
      const rows = rowsArg(o.rows);
      const chunk = chunkArg(o.chunk, 10_000);
      const s = await signerOf(o);
      const p = await programOf(s.client, id);
      const alloc = allocationFor(p, o.allocation, s.prefix);
      const items = rows.map((row) => ({ row, ...rowProof(p, row, alloc) }));
      const txs: Obj[] = [];
      const notPaid: Record<string, number[]> = {};
      let paid = 0n;
      let ok = 0;
      for (const part of batches(items, chunk, (it) => encode(prog.PushItem, it).length)) {
        const sent = await submit(s, 'push', prog.PushArgs, { program: id, items: part }, waits(o), { program: id, rows: `${part[0]!.row}..${part[part.length - 1]!.row}`, ...(txs.length ? { committedBefore: txs } : {}) });
        if (sent === null) return;
        txs.push({ rows: part.length, ...txOf(sent) });
        const r = resultOf(prog.PushResult, sent);
        if (r === null) continue;
        paid += r.paid;
        r.codes.forEach((code, k) => {
          if (code === 0) ok++;
          else (notPaid[codeName(code)] ??= []).push(part[k]!.row);
        });
      }
      if (!waits(o)) return print({ ok: true, program: id, rows: rows.length, transactions: txs });
      print({ ok: true, program: id, rows: rows.length, paidRows: ok, paid: paid.toString(), currency: p.terms.currency, notPaid, transactions: txs });
    });

  withWait(withKey(c.command('revoke').description("the owner revokes a beneficiary's row, citing the legal reference: no further payment")))
    .requiredOption('--program <id>', 'the program')
    .requiredOption('--row <n>', 'the row')
    .requiredOption('--legal-ref <text>', 'the legal reference of the decision (up to 128 bytes)')
    .option('--allocation <file>', "a Merkle program's allocation file: the row's leaf and path")
    .action(async (o: KeyOpts & WaitOpts & { program: string; row: string; legalRef: string; allocation?: string }) => {
      const id = programArg(o.program);
      const row = uintArg(o.row, '--row');
      if (o.legalRef.trim() === '') throw new CliError('--legal-ref is empty');
      const s = await signerOf(o);
      const p = await programOf(s.client, id);
      const { leaf, path } = rowProof(p, row, allocationFor(p, o.allocation, s.prefix));
      const sent = await submit(s, 'revoke', prog.RowArgs, { program: id, row, leaf, path, legalRef: o.legalRef }, waits(o), { program: id, row });
      if (sent === null) return;
      print({ ok: true, program: id, revoked: row, legalRef: o.legalRef, ...txOf(sent) });
    });

  withWait(withKey(c.command('recover').description("the owner recovers a payment made in error from the beneficiary's account to the funder, citing the legal reference (at most what the row was paid and not yet recovered)")))
    .requiredOption('--program <id>', 'the program')
    .requiredOption('--row <n>', 'the row')
    .requiredOption('--amount <amount>', "the amount: minor units (an integer) or the currency's units with a point (\"12.50\")")
    .requiredOption('--legal-ref <text>', 'the legal reference of the decision (up to 128 bytes)')
    .action(async (o: KeyOpts & WaitOpts & { program: string; row: string; amount: string; legalRef: string }) => {
      const id = programArg(o.program);
      const row = uintArg(o.row, '--row');
      if (o.legalRef.trim() === '') throw new CliError('--legal-ref is empty');
      const s = await signerOf(o);
      const p = await programOf(s.client, id);
      const amount = amountOf(o.amount, await decimalsOf(s.client, p.terms.currency), '--amount');
      const sent = await submit(s, 'recover', prog.RecoverArgs, { program: id, row, amount, legalRef: o.legalRef }, waits(o), { program: id, row });
      if (sent === null) return;
      print({ ok: true, program: id, row, recovered: amount.toString(), currency: p.terms.currency, legalRef: o.legalRef, ...txOf(sent) });
    });

  withWait(withKey(c.command('close').description('anyone, after the expiry and grace: the unclaimed remainder returns to the funder, and the program closes')))
    .requiredOption('--program <id>', 'the program')
    .action(async (o: KeyOpts & WaitOpts & { program: string }) => {
      const id = programArg(o.program);
      const s = await signerOf(o);
      const p = await programOf(s.client, id);
      const sent = await submit(s, 'close', prog.CloseArgs, { program: id }, waits(o), { program: id });
      if (sent === null) return;
      const r = resultOf(prog.CloseResult, sent);
      print({ ok: true, program: id, closed: true, ...(r !== null ? { returned: r.returned.toString(), currency: p.terms.currency, to: p.terms.funder } : {}), ...txOf(sent) });
    });

  withVerify(withRpc(c.command('report').description("a program's report: its terms (version, status, eligibility, schedules, expiry, legal reference), totals (paid, recovered, returned; payments, beneficiaries, revoked; by report group) and what is left in its escrow; with --verify, checked offline against a trusted genesis file's validator set")))
    .requiredOption('--program <id>', 'the program')
    .option('--proofs', "include the records' proofs (the bundle a verifier checks)")
    .action(async (o: RpcOpts & VerifyOpts & { program: string; proofs?: boolean }) => {
      const id = programArg(o.program);
      const client = clientFor(o);
      const r = await client.progGetReport(id);
      if (r === null) throw new CliError(`no program ${id}`);
      const proofs = o.proofs ? { proofs: r.proofs } : {};
      if (o.verify === undefined && (o.validators ?? []).length === 0) {
        const status = (r.program as { status?: number } | null)?.status;
        return print({ program: id, height: r.proofs.height, verified: false, status: STATUS_NAMES[status ?? 0], report: { program: r.program, totals: r.totals, escrow: r.escrow }, ...proofs });
      }
      const v = await verifiedWith(o, (ctx) => ({ ctx, out: verifyProgramReport(id, r, ctx) }));
      if (v === null) return;
      const { ctx, out } = v.value;
      print({
        program: id, height: out.height, time: out.time, verified: true, trusted: v.trusted, status: STATUS_NAMES[out.program.status],
        report: { program: recordToJson(out.program, ctx.addressPrefix), totals: out.totals === null ? null : recordToJson(out.totals, ctx.addressPrefix), escrow: { address: r.escrow.address, balance: out.escrowBalance.toString() } },
        ...proofs,
      });
    });

  withVerify(withRpc(c.command('row').description("a beneficiary row: what it was paid and recovered, its schedule step, the credential that made it eligible, whether it is revoked or paid in full (row null before its first payment or revocation); with --verify, checked offline against a trusted genesis file's validator set")))
    .requiredOption('--program <id>', 'the program')
    .requiredOption('--row <n>', 'the row')
    .option('--proofs', "include the records' proofs")
    .action(async (o: RpcOpts & VerifyOpts & { program: string; row: string; proofs?: boolean }) => {
      const id = programArg(o.program);
      const row = uintArg(o.row, '--row');
      const client = clientFor(o);
      let r;
      try {
        r = await client.progGetRow(id, row);
      } catch (err) {
        if (err instanceof RpcCallError) throw new CliError(err.message);
        throw err;
      }
      const proofs = o.proofs ? { proofs: r.proofs } : {};
      if (o.verify === undefined && (o.validators ?? []).length === 0) return print({ program: id, row, height: r.proofs.height, verified: false, state: r.row, paidInFull: r.paidInFull, ...proofs });
      const v = await verifiedWith(o, (ctx) => ({ ctx, out: verifyProgramRow(id, row, r, ctx) }));
      if (v === null) return;
      const { ctx, out } = v.value;
      print({ program: id, row, height: out.height, time: out.time, verified: true, trusted: v.trusted, state: out.row === null ? null : recordToJson(out.row, ctx.addressPrefix), paidInFull: out.paidInFull, ...proofs });
    });

  withRpc(c.command('payments').description("the payment trail of a beneficiary (--beneficiary) or of a program (--program), in block-time order: each payment's program version, row, schedule step, the credential that made the person eligible, report group and transaction; prints a page and the cursor of the next"))
    .option('--beneficiary <address>', "a person's payments")
    .option('--program <id>', "a program's payments")
    .option('--from <time>', 'block time from (ms or ISO date, inclusive)')
    .option('--to <time>', 'block time to (ms or ISO date, inclusive)')
    .option('--limit <n>', 'payments per page, 1..1000', '100')
    .option('--desc', 'newest first')
    .option('--cursor <cursor>', "continue after a page: its `next`")
    .option('--all', 'follow every page (up to 100,000 payments)')
    .action(async (o: RpcOpts & { beneficiary?: string; program?: string; from?: string; to?: string; limit: string; desc?: boolean; cursor?: string; all?: boolean }) => {
      if ((o.beneficiary === undefined) === (o.program === undefined)) throw new CliError('give --beneficiary ADDRESS or --program ID, one of the two');
      const limit = uintArg(o.limit, '--limit');
      if (limit < 1 || limit > 1000) throw new CliError('--limit is 1..1000');
      const client = clientFor(o);
      if (o.beneficiary !== undefined) addressArg(o.beneficiary, (await client.status()).addressPrefix, '--beneficiary');
      const q: ProgPaymentQuery = {
        ...(o.beneficiary !== undefined ? { by: 'beneficiary' as const, beneficiary: o.beneficiary.trim() } : { by: 'program' as const, program: programArg(o.program!) }),
        limit, ...(o.desc ? { order: 'desc' as const } : {}), ...(o.from !== undefined ? { from: timeArg(o.from, '--from') } : {}), ...(o.to !== undefined ? { to: timeArg(o.to, '--to') } : {}),
        ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
      };
      let page;
      try {
        page = await client.progListPayments(q);
      } catch (err) {
        if (err instanceof RpcCallError) throw new CliError(err.message);
        throw err;
      }
      if (!o.all) return print(page);
      const items: ProgPaymentView[] = [...page.items];
      while (page.next !== null && items.length < 100_000) {
        page = await client.progListPayments({ ...q, cursor: page.next });
        items.push(...page.items);
      }
      print({ items, next: page.next, height: page.height });
    });
}

