/**
 * The node's side of the Regulatory OS queries (vm comp): alerts found through the module's
 * indexes (kept beside the blocks: by account, payer or payee, and time; by rule and time; by
 * the bank of either party and time), each read back from its transaction's receipt (the
 * entry names the event's position); holds (by the bank of either party and time through the
 * index, else by id) read from state at the head; the rules in force read from state. A page
 * of alerts or holds resumes with an opaque cursor. Also one block's alerts and holds for the
 * `alerts` subscription, and who may read what: the regulator every institution's, a bank's
 * key bound to its institution that institution's only (`supervision`).
 */
import { concatBytes, decode, decodeAddress, encodeAddress, equalBytes, fromHex, sha256Utf8, to0x, type Infer } from '../core/index.js';
import { txHashOf, type IndexCursor, type IndexItem } from '../state/index.js';
import { comp, CounterSchema, ReceiptSchema } from '../vm/index.js';
import type { Caller } from './access.js';
import type { BlockActivity, NodeFacade, RecordView } from './facade.js';
import { RpcCodes, RpcError } from './errors.js';
import { SerializedResult } from './jsonrpc.js';

const I = comp.CompIndexes;
type AlertEv = Infer<typeof comp.AlertEvent>;
type HeldEv = Infer<typeof comp.HeldEvent>;
const invalid = (m: string): RpcError => new RpcError(RpcCodes.INVALID_PARAMS, m);
const ACTIONS = ['refuse', 'flag', 'hold', 'travel_rule'] as const;
const HOLD_STATUS = ['held', 'released', 'refused'] as const;
/** Most state records or index entries one page reads while filtering holds by status. */
const MAX_HOLD_READS = 1000;

export interface CompAlertQuery {
  by: 'account' | 'rule' | 'institution';
  account?: string;
  rule?: string;
  institution?: string;
  from?: number;
  to?: number;
  limit?: number;
  order?: 'asc' | 'desc';
  cursor?: string;
}

export interface CompAlertView {
  rule: string;
  severity: number;
  from: string;
  to: string;
  amount: string;
  currency: string;
  /** Block time, ms. */
  time: number;
  height: number;
  tx: { hash: string; index: number; event: number };
}

/** A hold opened in a block, as the `alerts` subscription gives it (the `held` event). */
export interface CompHeldView {
  id: number;
  rule: string;
  from: string;
  to: string;
  amount: string;
  currency: string;
  /** The escrow address holding the funds. */
  escrow: string;
  time: number;
  height: number;
  tx: { hash: string; index: number; event: number };
}

/** What the `alerts` subscription selects: alerts and holds of one institution's customers, of one account (payer or payee), of one rule; all given must hold. */
export interface CompAlertFilter {
  institution?: string;
  account?: string;
  rule?: string;
}

/** One block's notification of the `alerts` subscription. */
export interface CompAlertBlock {
  height: number;
  blockHash: string;
  time: number;
  alerts: CompAlertView[];
  holds: CompHeldView[];
}

/** Transactions read for their alerts, by `height:index`. */
export type ReceiptCache = Map<string, Promise<{ tx: Uint8Array; events: readonly { module: string; name: string; data: Uint8Array }[] } | null>>;

/** What a caller may read of the supervisory data: everything (the regulator), or one institution's (a bank's bound key). */
export type Supervision = { readonly all: true } | { readonly all: false; readonly institution: Uint8Array; readonly address: string };

export interface CompHoldQuery {
  institution?: string;
  status?: (typeof HOLD_STATUS)[number];
  limit?: number;
  cursor?: string;
}

export interface CompHoldView {
  id: number;
  type: string;
  from: string;
  to: string;
  currency: string;
  amount: string;
  rule: string;
  fromBank: string | null;
  toBank: string | null;
  status: (typeof HOLD_STATUS)[number];
  reason: string;
  decidedBy: string | null;
  height: number;
  decidedHeight: number;
}

export interface CompRuleView {
  id: string;
  name: string;
  version: number;
  source: string;
  scope: { currencies: string[]; types: string[]; institutions: string[] };
  action: string;
  severity: number;
  activation: number;
  status: string;
  cost: number;
  legalRef: string;
  registeredBy: string;
  height: number;
  statusHeight: number;
}

const denied = (m: string, data: Record<string, unknown> = {}): RpcError => new RpcError(RpcCodes.UNAUTHORIZED, m, { roles: ['regulator', 'bank'], ...data });

const queries = new WeakMap<NodeFacade, CompQueries>();
/** The queries of a facade (one per facade: it caches the address prefix). */
export function compQueriesOf(f: NodeFacade): CompQueries {
  let q = queries.get(f);
  if (q === undefined) queries.set(f, (q = new CompQueries(f)));
  return q;
}

export class CompQueries {
  private pfx: string | undefined;
  constructor(private readonly f: NodeFacade) {}

  /** The chain's address prefix (it never changes). */
  async prefix(): Promise<string> {
    return (this.pfx ??= (await this.f.status()).addressPrefix);
  }

  /**
   * What `caller` may read of the supervisory data (`what`, for the message): an API key with
   * the regulator role everything; a key with the bank role bound to an institution (the keys
   * file's `institution`) that institution's only; anyone else is refused (UNAUTHORIZED).
   */
  async supervision(caller: Caller | undefined, what: string): Promise<Supervision> {
    const roles: readonly string[] = caller?.roles ?? [];
    if (roles.includes('regulator')) return { all: true };
    if (!roles.includes('bank')) throw denied(`${what} needs an API key with the regulator role, or a bank's key bound to its institution`);
    if (caller?.institution === undefined) {
      throw denied(`${what} needs the regulator role; a bank's key reads its own institution's only, and this one (${caller?.key ?? 'unnamed'}) is bound to none (institution = "<address>" in its entry of the API keys file)`);
    }
    const pfx = await this.prefix();
    try {
      return { all: false, institution: decodeAddress(caller.institution, pfx), address: caller.institution };
    } catch {
      throw denied(`this key's institution ${caller.institution} is not an address of this chain (prefix ${pfx}): fix its entry in the API keys file`);
    }
  }

  /** Refuse a bound bank key `s` that asks about another institution than its own (or none: every institution's). */
  async ownOnly(s: Supervision, institution: string | undefined, what: string): Promise<void> {
    if (s.all) return;
    const own = `a bank's key reads ${what} of its own institution only`;
    if (institution === undefined) throw denied(`${own}: give institution ${s.address}`, { institution: s.address });
    if (!equalBytes(addr(institution, await this.prefix(), 'institution'), s.institution)) throw denied(`${own} (${s.address}), not ${institution}`, { institution: s.address });
  }

  /** A page of alerts through one of the alert indexes, in block-time order. */
  async alerts(q: CompAlertQuery): Promise<{ items: CompAlertView[]; next: string | null; height: number }> {
    const pfx = await this.prefix();
    const limit = checkLimit(q.limit);
    const from = q.from ?? 0;
    const to = q.to ?? Number.MAX_SAFE_INTEGER - 1;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from || to >= Number.MAX_SAFE_INTEGER) throw invalid('from and to are times in ms, from <= to');
    let prefix: Uint8Array;
    if (q.by === 'account') prefix = concatBytes(Uint8Array.of(I.alertAccount.id), addr(q.account, pfx, 'account'));
    else if (q.by === 'institution') prefix = concatBytes(Uint8Array.of(I.alertInstitution.id), addr(q.institution, pfx, 'institution'));
    else if (q.by === 'rule') {
      if (typeof q.rule !== 'string' || !RULE_ID.test(q.rule)) throw invalid('rule is a rule id, name@version');
      prefix = concatBytes(Uint8Array.of(I.alertRule.id), sha256Utf8(q.rule));
    } else throw invalid('by is account, rule or institution');
    const height = this.f.head();
    const after = q.cursor === undefined ? undefined : parseCursor(q.cursor);
    const r = await this.f.indexScan({
      prefix, gte: concatBytes(prefix, u64(from)), lt: concatBytes(prefix, u64(to + 1)), order: q.order ?? 'asc', limit, ...(after ? { after } : {}),
    });
    const items: CompAlertView[] = [];
    for (const it of r.items) items.push(await this.alertAt(it, pfx));
    return { items, next: r.next === null ? null : cursorOf(r.next), height };
  }

  private async alertAt(it: IndexItem, pfx: string): Promise<CompAlertView> {
    const { alert, tx, position } = await this.alertEventAt(it);
    return alertView(alert, pfx, indexTime(it), it.height, { hash: to0x(txHashOf(tx)), index: it.index, event: position });
  }

  /**
   * The alert event an alert index entry names (its value is the event's position), read back
   * from the receipt; `receipts` keeps each transaction's read for the entries that share it.
   */
  async alertEventAt(it: IndexItem, receipts?: ReceiptCache): Promise<{ alert: AlertEv; tx: Uint8Array; position: number }> {
    const key = `${it.height}:${it.index}`;
    let read = receipts?.get(key);
    if (read === undefined) {
      read = this.f.txAt(it.height, it.index).then((x) => (x === null ? null : { tx: x.tx, events: decode(ReceiptSchema, x.receipt).events }));
      receipts?.set(key, read);
    }
    const at = await read;
    if (at === null) throw new RpcError(RpcCodes.INTERNAL_ERROR, `the index names transaction ${it.index} of block ${it.height}, which is not there`);
    const position = ((it.value[0] ?? 0) << 8) | (it.value[1] ?? 0);
    const ev = at.events[position];
    if (ev === undefined || ev.module !== 'comp' || ev.name !== 'alert') throw new RpcError(RpcCodes.INTERNAL_ERROR, `event ${position} of transaction ${it.index} of block ${it.height} is not an alert`);
    return { alert: decode(comp.AlertEvent, ev.data), tx: at.tx, position };
  }

  /** Check an `alerts` subscription's filter (addresses of this chain, a rule id); throws INVALID_PARAMS. */
  async checkAlertFilter(f: CompAlertFilter): Promise<void> {
    const pfx = await this.prefix();
    if (f.institution !== undefined) addr(f.institution, pfx, 'institution');
    if (f.account !== undefined) addr(f.account, pfx, 'account');
    if (f.rule !== undefined && !RULE_ID.test(f.rule)) throw invalid('rule is a rule id, name@version');
  }

  /**
   * Block `a`'s compliance alerts and the holds it opened (its successful transactions'
   * `alert` and `held` events, in order) that match `f`, or null when none does. An
   * institution is matched as comp_alerts and comp_holds match it: through the module's
   * indexes by bank (either party's), at the block's time and height.
   */
  async blockAlerts(a: BlockActivity, f: CompAlertFilter): Promise<CompAlertBlock | null> {
    const height = a.block.header.height;
    const time = a.block.header.time;
    const found: { alert?: AlertEv; held?: HeldEv; tx: { hash: string; index: number; event: number } }[] = [];
    for (const t of a.txs) {
      if (t.status !== 'ok') continue;
      t.events.forEach((e, event) => {
        if (e.module !== 'comp' || (e.name !== 'alert' && e.name !== 'held')) return;
        const tx = { hash: t.hash, index: t.index, event };
        found.push(e.name === 'alert' ? { alert: decode(comp.AlertEvent, fromHex(e.data)), tx } : { held: decode(comp.HeldEvent, fromHex(e.data)), tx });
      });
    }
    if (found.length === 0) return null;
    const pfx = await this.prefix();
    const account = f.account === undefined ? undefined : addr(f.account, pfx, 'account');
    let picked = found.filter((x) => {
      const e = (x.alert ?? x.held)!;
      return (f.rule === undefined || e.rule === f.rule) && (account === undefined || equalBytes(e.from, account) || equalBytes(e.to, account));
    });
    if (f.institution !== undefined && picked.length > 0) {
      const bank = addr(f.institution, pfx, 'institution');
      const alerts = picked.some((x) => x.alert) ? await this.entriesAt(I.alertInstitution.id, bank, time, height) : [];
      const holds = picked.some((x) => x.held) ? await this.entriesAt(I.holdInstitution.id, bank, time, height) : [];
      const alertAt = new Set(alerts.map((it) => `${it.index}:${((it.value[0] ?? 0) << 8) | (it.value[1] ?? 0)}`));
      const holdIds = new Set(holds.map((it) => readU64(it.value, 0)));
      picked = picked.filter((x) => (x.alert ? alertAt.has(`${x.tx.index}:${x.tx.event}`) : holdIds.has(x.held!.id)));
    }
    if (picked.length === 0) return null;
    return {
      height, blockHash: a.block.hash, time,
      alerts: picked.filter((x) => x.alert).map((x) => alertView(x.alert!, pfx, time, height, x.tx)),
      holds: picked.filter((x) => x.held).map((x) => {
        const h = x.held!;
        return {
          id: h.id, rule: h.rule, from: encodeAddress(pfx, h.from), to: encodeAddress(pfx, h.to), amount: h.amount.toString(), currency: h.currency,
          escrow: encodeAddress(pfx, h.escrow), time, height, tx: x.tx,
        };
      }),
    };
  }

  /** The entries of index `id` under `bank` written by block `height` (at block time `time`). */
  private async entriesAt(id: number, bank: Uint8Array, time: number, height: number): Promise<IndexItem[]> {
    const prefix = concatBytes(Uint8Array.of(id), bank);
    const out: IndexItem[] = [];
    let after: IndexCursor | undefined;
    for (;;) {
      const r = await this.f.indexScan({ prefix, gte: concatBytes(prefix, u64(time)), lt: concatBytes(prefix, u64(time + 1)), limit: 1000, ...(after ? { after } : {}) });
      for (const it of r.items) if (it.height === height) out.push(it);
      if (r.next === null) return out;
      after = r.next;
    }
  }

  private async hold(id: number): Promise<comp.Hold | null> {
    const v = asView(await this.f.record({ kind: 'comp_hold', id }, undefined, false));
    return v.raw === null ? null : decode(comp.HoldSchema, fromHex(v.raw));
  }

  /**
   * A page of holds: of one bank's customers (either party) in block-time order through the
   * index, else every hold by id; optionally only those of a status (at the head).
   */
  async holds(q: CompHoldQuery): Promise<{ items: CompHoldView[]; next: string | null; height: number }> {
    const pfx = await this.prefix();
    const limit = checkLimit(q.limit);
    if (q.status !== undefined && !HOLD_STATUS.includes(q.status)) throw invalid('status is held, released or refused');
    const keep = (h: comp.Hold): boolean => q.status === undefined || HOLD_STATUS[h.status] === q.status;
    const height = this.f.head();
    const items: CompHoldView[] = [];
    let reads = 0;
    if (q.institution === undefined) {
      // Every hold, by id: ids run 1 .. the counter's next - 1.
      const seq = asView(await this.f.record({ kind: 'comp_hold_seq' }, undefined, false));
      const last = seq.raw === null ? 0 : decode(CounterSchema, fromHex(seq.raw)).next - 1;
      let id = q.cursor === undefined ? 1 : parseIdCursor(q.cursor) + 1;
      for (; id <= last && items.length < limit && reads < MAX_HOLD_READS; id++, reads++) {
        const h = await this.hold(id);
        if (h !== null && keep(h)) items.push(holdView(h, pfx));
      }
      return { items, next: id <= last ? idCursorOf(id - 1) : null, height };
    }
    const prefix = concatBytes(Uint8Array.of(I.holdInstitution.id), addr(q.institution, pfx, 'institution'));
    let after: IndexCursor | undefined = q.cursor === undefined ? undefined : parseCursor(q.cursor);
    for (;;) {
      const r = await this.f.indexScan({ prefix, limit: Math.min(64, limit - items.length), ...(after ? { after } : {}) });
      for (const it of r.items) {
        reads++;
        after = it;
        const h = await this.hold(readU64(it.value, 0));
        if (h !== null && keep(h)) items.push(holdView(h, pfx));
      }
      if (r.next === null) return { items, next: null, height };
      if (items.length >= limit || reads >= MAX_HOLD_READS) return { items, next: cursorOf(r.next), height };
    }
  }

  /** The rules in force (active or shadow), in the order the payment hook runs them. */
  async rules(): Promise<{ rules: CompRuleView[]; height: number }> {
    const pfx = await this.prefix();
    const idx = asView(await this.f.record({ kind: 'comp_in_force' }, undefined, false));
    const height = idx.height;
    if (idx.raw === null) return { rules: [], height };
    const out: CompRuleView[] = [];
    for (const r of decode(comp.InForceListSchema, fromHex(idx.raw)).rules) {
      const id = comp.ruleId(r.name, r.version);
      const v = asView(await this.f.record({ kind: 'comp_rule', rule: id }, height, false));
      if (v.raw === null) throw new RpcError(RpcCodes.INTERNAL_ERROR, `rule ${id} is in force but not registered`);
      out.push(ruleView(decode(comp.RuleSchema, fromHex(v.raw)), pfx));
    }
    return { rules: out, height };
  }
}

const RULE_ID = /^[a-z0-9][a-z0-9._-]{0,47}@[0-9]{1,10}$/;

function alertView(a: AlertEv, pfx: string, time: number, height: number, tx: { hash: string; index: number; event: number }): CompAlertView {
  return {
    rule: a.rule, severity: a.severity, from: encodeAddress(pfx, a.from), to: encodeAddress(pfx, a.to), amount: a.amount.toString(), currency: a.currency, time, height, tx,
  };
}

/** The block time in an index entry's key. */
export const indexTime = (it: IndexItem): number => readU64(it.key, it.key.length - comp.INDEX_TIME_FROM_END);

function ruleView(r: comp.Rule, pfx: string): CompRuleView {
  return {
    id: comp.ruleId(r.name, r.version), name: r.name, version: r.version, source: r.source,
    scope: { currencies: [...r.scope.currencies], types: [...r.scope.types], institutions: r.scope.institutions.map((b) => encodeAddress(pfx, b)) },
    action: ACTIONS[r.action] ?? String(r.action), severity: r.severity, activation: r.activation, status: comp.RULE_STATUS_NAMES[r.status] ?? String(r.status),
    cost: r.cost, legalRef: r.legalRef, registeredBy: encodeAddress(pfx, r.registeredBy), height: r.height, statusHeight: r.statusHeight,
  };
}

function holdView(h: comp.Hold, pfx: string): CompHoldView {
  const a = (x: Uint8Array | null): string | null => (x === null ? null : encodeAddress(pfx, x));
  return {
    id: h.id, type: h.type, from: encodeAddress(pfx, h.from), to: encodeAddress(pfx, h.to), currency: h.currency, amount: h.amount.toString(), rule: h.rule,
    fromBank: a(h.fromBank), toBank: a(h.toBank), status: HOLD_STATUS[h.status] ?? 'held', reason: h.reason, decidedBy: a(h.decidedBy), height: h.height, decidedHeight: h.decidedHeight,
  };
}

function checkLimit(limit: number | undefined): number {
  const l = limit ?? 100;
  if (!Number.isInteger(l) || l < 1 || l > 1000) throw invalid('limit is 1..1000');
  return l;
}

export function addr(a: string | undefined, prefix: string, what: string): Uint8Array {
  if (typeof a !== 'string') throw invalid(`${what} is needed`);
  try {
    return decodeAddress(a, prefix);
  } catch {
    throw invalid(`${a} is not an address of this chain`);
  }
}

export function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

export function readU64(b: Uint8Array, at: number): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at));
}

/** A record read: the facade serves some head reads as ready-made JSON text. */
export const asView = (r: RecordView | SerializedResult<RecordView>): RecordView => (r instanceof SerializedResult ? (JSON.parse(r.text) as RecordView) : r);

/** A cursor over an index: the entry last read. */
export function cursorOf(c: IndexCursor): string {
  return Buffer.from(JSON.stringify({ k: to0x(c.key), h: c.height, i: c.index })).toString('base64url');
}

export function parseCursor(c: string): IndexCursor {
  try {
    const j = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { k: string; h: number; i: number };
    if (typeof j.k !== 'string' || !Number.isSafeInteger(j.h) || !Number.isSafeInteger(j.i)) throw new Error('shape');
    return { key: fromHex(j.k), height: j.h, index: j.i };
  } catch {
    throw invalid('not a cursor of this query');
  }
}

/** A cursor over holds by id: the id last read. */
const idCursorOf = (id: number): string => Buffer.from(JSON.stringify({ id })).toString('base64url');

function parseIdCursor(c: string): number {
  try {
    const j = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { id: number };
    if (!Number.isSafeInteger(j.id) || j.id < 0) throw new Error('shape');
    return j.id;
  } catch {
    throw invalid('not a cursor of this query');
  }
}
