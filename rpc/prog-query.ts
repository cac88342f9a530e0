/**
 * The node's side of the public-finance queries (vm prog): a program's terms, totals and
 * escrow (its report), a beneficiary row's state, each with the records' state proofs at one
 * height in a bundle a client opens with nothing but the validator set (the credential
 * bundle's form: rpc/cred-proofs.ts); and the payment trail, per beneficiary or per program,
 * found through the module's indexes and read back from each transaction's receipt.
 */
import { concatBytes, decode, encodeAddress, fromHex, to0x, type Infer } from '../core/index.js';
import { txHashOf, type IndexItem } from '../state/index.js';
import { escrowAddress, prog, ReceiptSchema } from '../vm/index.js';
import type { CredProofBundle } from './cred-proofs.js';
import type { NodeFacade, RecordQuery, RecordView } from './facade.js';
import { addr, asView, cursorOf, parseCursor, readU64, u64 } from './comp-query.js';
import { RpcCodes, RpcError } from './errors.js';

type PaidEv = Infer<typeof prog.PaidEvent>;
const invalid = (m: string): RpcError => new RpcError(RpcCodes.INVALID_PARAMS, m);

export interface ProgPaymentView {
  program: number;
  version: number;
  row: number;
  beneficiary: string;
  amount: string;
  step: number;
  claimed: string;
  via: 'claim' | 'push';
  credential: { issuer: string; index: number } | null;
  group: string;
  grant: number;
  /** Block time, ms. */
  time: number;
  height: number;
  tx: { hash: string; index: number; event: number };
}

export interface ProgPaymentQuery {
  by: 'beneficiary' | 'program';
  beneficiary?: string;
  program?: number;
  from?: number;
  to?: number;
  limit?: number;
  order?: 'asc' | 'desc';
  cursor?: string;
}

/** A program's report: its terms, totals and escrow balance, decoded, and the proofs of the three records. */
export interface ProgReportView {
  program: unknown;
  totals: unknown;
  escrow: { address: string; balance: string };
  proofs: CredProofBundle;
}

export interface ProgRowView {
  row: unknown;
  paidInFull: boolean;
  proofs: CredProofBundle;
}

export class ProgQueries {
  private pfx: string | undefined;
  constructor(private readonly f: NodeFacade) {}

  private async prefix(): Promise<string> {
    return (this.pfx ??= (await this.f.status()).addressPrefix);
  }

  /** Read `queries` proven at the head, as one bundle. */
  private async bundle(queries: RecordQuery[]): Promise<{ views: RecordView[]; proofs: CredProofBundle }> {
    const height = this.f.head();
    const views: RecordView[] = [];
    for (const q of queries) {
      const v = asView(await this.f.record(q, height, true));
      if (!v.proof) throw new RpcError(RpcCodes.INTERNAL_ERROR, 'a proven read came without its proof');
      views.push(v);
    }
    const first = views[0]!.proof!;
    return { views, proofs: { height, header: first.header, commit: first.commit, records: views.map((v, i) => ({ query: queries[i]!, raw: v.raw, proof: v.proof!.proof })) } };
  }

  async report(id: number): Promise<ProgReportView | null> {
    const pfx = await this.prefix();
    const p = asView(await this.f.record({ kind: 'program', id }, undefined, false));
    if (p.value === null) return null;
    const currency = (p.value as { terms: { currency: string } }).terms.currency;
    const escrow = encodeAddress(pfx, escrowAddress('prog', id));
    const { views, proofs } = await this.bundle([{ kind: 'program', id }, { kind: 'prog_totals', program: id }, { kind: 'balance', address: escrow, currency }]);
    const bal = views[2]!.value as { amount: string } | null;
    return { program: views[0]!.value, totals: views[1]!.value, escrow: { address: escrow, balance: bal?.amount ?? '0' }, proofs };
  }

  async row(id: number, row: number): Promise<ProgRowView> {
    const chunk = Math.floor(row / prog.CLAIM_CHUNK_ROWS);
    const { views, proofs } = await this.bundle([{ kind: 'program', id }, { kind: 'prog_row_state', program: id, row }, { kind: 'prog_claimed', program: id, chunk }]);
    if (views[0]!.value === null) throw new RpcError(RpcCodes.NOT_FOUND, `no program ${id}`);
    const raw = views[2]!.raw;
    const bits = raw === null ? new Uint8Array(0) : decode(prog.ClaimChunkSchema, fromHex(raw)).bits;
    const bit = row - chunk * prog.CLAIM_CHUNK_ROWS;
    return { row: views[1]!.value, paidInFull: ((bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0, proofs };
  }

  /** A page of payments through the beneficiary or program index, in block-time order. */
  async payments(q: ProgPaymentQuery): Promise<{ items: ProgPaymentView[]; next: string | null; height: number }> {
    const pfx = await this.prefix();
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit is 1..1000');
    const from = q.from ?? 0;
    const to = q.to ?? Number.MAX_SAFE_INTEGER - 1;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from || to >= Number.MAX_SAFE_INTEGER) throw invalid('from and to are times in ms, from <= to');
    let prefix: Uint8Array;
    if (q.by === 'beneficiary') prefix = concatBytes(Uint8Array.of(prog.ProgIndexes.beneficiary.id), addr(q.beneficiary, pfx, 'beneficiary'));
    else if (q.by === 'program') {
      if (!Number.isSafeInteger(q.program) || (q.program as number) < 0) throw invalid('program is a program id');
      prefix = concatBytes(Uint8Array.of(prog.ProgIndexes.program.id), u64(q.program as number));
    } else throw invalid('by is beneficiary or program');
    const height = this.f.head();
    const after = q.cursor === undefined ? undefined : parseCursor(q.cursor);
    const r = await this.f.indexScan({ prefix, gte: concatBytes(prefix, u64(from)), lt: concatBytes(prefix, u64(to + 1)), order: q.order ?? 'asc', limit, ...(after ? { after } : {}) });
    const items: ProgPaymentView[] = [];
    for (const it of r.items) items.push(await this.paymentAt(it, pfx));
    return { items, next: r.next === null ? null : cursorOf(r.next), height };
  }

  private async paymentAt(it: IndexItem, pfx: string): Promise<ProgPaymentView> {
    const at = await this.f.txAt(it.height, it.index);
    if (at === null) throw new RpcError(RpcCodes.INTERNAL_ERROR, `the index names transaction ${it.index} of block ${it.height}, which is not there`);
    const position = ((it.value[16] ?? 0) << 8) | (it.value[17] ?? 0);
    const ev = decode(ReceiptSchema, at.receipt).events[position];
    if (ev === undefined || ev.module !== 'prog' || ev.name !== 'paid') throw new RpcError(RpcCodes.INTERNAL_ERROR, `event ${position} of transaction ${it.index} of block ${it.height} is not a payment`);
    const e: PaidEv = decode(prog.PaidEvent, ev.data);
    const time = readU64(it.key, it.key.length - prog.PROG_INDEX_TAIL);
    const noCred = e.credIssuer.every((b) => b === 0);
    return {
      program: e.program, version: e.version, row: e.row, beneficiary: encodeAddress(pfx, e.beneficiary), amount: e.amount.toString(), step: e.step, claimed: e.claimed.toString(),
      via: e.via === 1 ? 'push' : 'claim', credential: noCred ? null : { issuer: encodeAddress(pfx, e.credIssuer), index: e.credIndex }, group: e.group, grant: e.grant,
      time, height: it.height, tx: { hash: to0x(txHashOf(at.tx)), index: it.index, event: position },
    };
  }
}
