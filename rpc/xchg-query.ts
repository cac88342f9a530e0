/**
 * The node's side of the data-exchange queries (vm xchg): finding records through the
 * module's indexes (kept beside the blocks: by agency pair and time, by agency, by purpose
 * and time, by consent, by a sender's record numbers), reading their fields from the batch
 * transaction that carried them, their status from the batch's state record, and building
 * receipts (rpc/xchg-receipts.ts) from proven state reads. A page counts records; its cursor
 * is opaque (the index entry and the position in its batch). Batches read recently are kept
 * decoded with their Merkle trees, so a page or a run of receipts over one batch hashes it once.
 */
import { concatBytes, decode, decodeAddress, equalBytes, fromHex, sha256Utf8, to0x, Tx } from '../core/index.js';
import type { IndexCursor, IndexItem } from '../state/index.js';
import { xchg } from '../vm/index.js';
import { buildAnchorBatch, type AnchorBatch } from './client/cred/batch.js';
import type { NodeFacade, RecordView, StatusView } from './facade.js';
import { RpcCodes, RpcError } from './errors.js';
import { SerializedResult } from './jsonrpc.js';
import { DOC_PROOF_TYPE, RECEIPT_TYPE, recordToJson, type CertifiedState, type XchgDocProof, type XchgReceipt, type XchgRecordJson } from './xchg-receipts.js';

const I = xchg.XchgIndexes;
const invalid = (m: string): RpcError => new RpcError(RpcCodes.INVALID_PARAMS, m);

/** A batch as the node read it: where its transaction is, its records spelled out, their tree. */
interface LoadedBatch {
  sender: Uint8Array;
  first: number;
  height: number;
  txIndex: number;
  records: xchg.XchgRecord[];
  tree: AnchorBatch;
  /** The sender's and receiver's addresses as text, by address prefix (encoded once per batch). */
  names: Map<string, { sender: string; receiver: string }>;
}

/** What a query answers per record. */
export interface XchgRecordView {
  /** `sender/seq`. */
  id: string;
  record: XchgRecordJson;
  batch: { first: number; count: number; height: number; time: number; tx: { height: number; index: number } };
  /** acknowledged; pending (before ackBy); overdue (unacknowledged after ackBy, at the answer's height). */
  status: 'acknowledged' | 'pending' | 'overdue';
  ackBy: number;
  /** With `prove`: the record's receipt. */
  receipt?: XchgReceipt;
}

const CACHE = 32;

export class XchgQueries {
  private readonly batches = new Map<string, LoadedBatch>();

  constructor(private readonly f: NodeFacade, private readonly status: () => Promise<StatusView>) {}

  /** Whether the index holds exactly `e` (key, height, position, value) under `prefix`. */
  private async holds(prefix: Uint8Array, e: IndexItem): Promise<boolean> {
    if (e.key.length < prefix.length || !equalBytes(e.key.subarray(0, prefix.length), prefix) || e.key.length > 256) return false;
    const r = await this.f.indexScan({ prefix: e.key, limit: 1000 });
    return r.items.some((it) => equalBytes(it.key, e.key) && it.height === e.height && it.index === e.index && equalBytes(it.value, e.value));
  }

  /** The batch (index entry) holding `seq` of `sender`, or null. */
  private async batchEntry(sender: Uint8Array, seq: number): Promise<{ first: number; height: number; index: number } | null> {
    const prefix = concatBytes(Uint8Array.of(I.batch.id), sender);
    const r = await this.f.indexScan({ prefix, lt: concatBytes(prefix, xchg.u64(seq + 1)), order: 'desc', limit: 1 });
    const it = r.items[0];
    return it === undefined ? null : { first: xchg.readU64(it.key, 21), height: it.height, index: it.index };
  }

  private async load(sender: Uint8Array, first: number, height: number, txIndex: number): Promise<LoadedBatch> {
    const id = `${height}:${txIndex}`;
    const hit = this.batches.get(id);
    if (hit !== undefined) {
      this.batches.delete(id);
      this.batches.set(id, hit);
      return hit;
    }
    const at = await this.f.txAt(height, txIndex);
    if (at === null) throw new RpcError(RpcCodes.INTERNAL_ERROR, `the index names transaction ${txIndex} of block ${height}, which is not there`);
    const tx = Tx.decode(at.tx);
    const a = decode(xchg.SendArgs, tx.body.args);
    const records = xchg.batchRecords(tx.signer, a.receiver, a.first, a.purposes, a.bases, a.records);
    if (a.first !== first || !records.length) throw new RpcError(RpcCodes.INTERNAL_ERROR, `the batch at ${id} is not batch ${first}`);
    const b = { sender, first, height, txIndex, records, names: new Map(), tree: buildAnchorBatch(xchg.batchDigests(tx.signer, a.receiver, a.first, a.purposes, a.bases, a.records)) };
    if (this.batches.size >= CACHE) this.batches.delete(this.batches.keys().next().value!);
    this.batches.set(id, b);
    return b;
  }

  /** The batch's state record at the head (or `height`), with its proof when `prove`. */
  private async batchState(sender: string, first: number, prove: boolean, height?: number): Promise<RecordView> {
    return asView(await this.f.record({ kind: 'xchg_batch', sender, first }, height, prove));
  }

  private async view(b: LoadedBatch, position: number, state: RecordView, prefix: string, chainId: string, prove: boolean): Promise<XchgRecordView> {
    if (state.raw === null) throw new RpcError(RpcCodes.INTERNAL_ERROR, `no state record of batch ${b.first}`);
    const batch = decode(xchg.XchgBatchSchema, fromHex(state.raw));
    const r = b.records[position]!;
    const acked = xchg.ackBit(batch.ackBits, position);
    const headTime = state.proof?.header.time ?? (await this.timeAt(state.height));
    const record = recordJson(b, r, prefix);
    const out: XchgRecordView = {
      id: `${record.sender}/${r.seq}`, record, batch: { first: b.first, count: batch.count, height: batch.height, time: batch.time, tx: { height: b.height, index: b.txIndex } },
      status: acked ? 'acknowledged' : headTime > batch.ackBy ? 'overdue' : 'pending', ackBy: batch.ackBy,
    };
    if (prove) {
      const p = state.proof!;
      const certified: CertifiedState = { height: state.height, header: p.header, commit: p.commit, raw: state.raw, proof: p.proof };
      out.receipt = {
        type: RECEIPT_TYPE, version: 1, chainId, addressPrefix: prefix, record,
        batch: { first: b.first, count: batch.count, position, path: b.tree.path(position).map(to0x) }, state: certified,
      };
    }
    return out;
  }

  private lastTime: { height: number; time: number } | null = null;

  /** The block time of `height` (the last one asked is kept). */
  private async timeAt(height: number): Promise<number> {
    if (this.lastTime?.height === height) return this.lastTime.time;
    const time = (await this.f.blockByHeight(height))?.header.time ?? 0;
    this.lastTime = { height, time };
    return time;
  }

  /** One record by its id (sender, seq), with its receipt when `prove`; null if there is none. */
  async record(sender: string, seq: number, prove: boolean): Promise<XchgRecordView | null> {
    const st = await this.status();
    const s = this.addr(sender, st.addressPrefix);
    if (!Number.isSafeInteger(seq) || seq < 0) throw invalid('seq is a non-negative integer');
    const e = await this.batchEntry(s, seq);
    if (e === null) return null;
    const b = await this.load(s, e.first, e.height, e.index);
    const position = seq - e.first;
    if (position >= b.records.length) return null;
    const state = await this.batchState(sender, e.first, prove);
    return this.view(b, position, state, st.addressPrefix, st.chainId, prove);
  }

  /**
   * A page of records found through an index: `by` names the index and its key; the records
   * of each batch an entry names are listed in order (a consent entry names one record),
   * filtered by `keep` and `status`. The cursor resumes inside an entry, or after it.
   */
  async page(q: XchgPageQuery): Promise<{ items: XchgRecordView[]; next: string | null; height: number }> {
    const st = await this.status();
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit is 1..1000 records');
    const order = q.order ?? 'asc';
    const desc = order === 'desc';
    const { prefix, gte, lt, keep } = this.rangeOf(q, st.addressPrefix);
    const height = this.f.head();
    const items: XchgRecordView[] = [];
    const states = new Map<string, RecordView>();
    const resume = q.cursor === undefined ? null : parseCursor(q.cursor);
    // A cursor is the caller's text: resume only at an entry this index holds, under this query's prefix.
    if (resume !== null && !(await this.holds(prefix, resume.entry))) throw invalid('not a cursor of this query');
    let after: IndexCursor | undefined = resume?.entry;
    let queue: IndexItem[] = resume !== null && resume.position !== null ? [resume.entry] : [];
    let exhausted = false;
    while (items.length < limit) {
      if (queue.length === 0) {
        if (exhausted) break;
        const r = await this.f.indexScan({ prefix, ...(gte ? { gte } : {}), ...(lt ? { lt } : {}), order, limit: 64, ...(after ? { after } : {}) });
        queue = r.items;
        exhausted = r.next === null;
        if (queue.length === 0) break;
      }
      const it = queue.shift()!;
      after = it;
      const loc = await this.locate(q.by, it);
      if (loc === null) continue;
      const b = await this.load(loc.sender, loc.first, loc.height, loc.index);
      let positions = loc.position !== null ? [loc.position] : b.records.map((_, i) => i);
      if (desc) positions = positions.reverse();
      if (resume !== null && resume.position !== null && it === resume.entry) {
        const from = resume.position;
        positions = positions.filter((p) => (desc ? p < from : p > from));
      }
      const stKey = `${b.first}:${loc.height}:${loc.index}`;
      for (let n = 0; n < positions.length; n++) {
        const p = positions[n]!;
        if (!keep(b.records[p]!)) continue;
        let state = states.get(stKey);
        if (state === undefined) states.set(stKey, (state = await this.batchState(recordJson(b, b.records[0]!, st.addressPrefix).sender, b.first, q.prove === true, height)));
        const v = await this.view(b, p, state, st.addressPrefix, st.chainId, q.prove === true);
        if (q.status !== undefined && v.status !== q.status) continue;
        items.push(v);
        if (items.length >= limit) {
          if (n + 1 < positions.length) return { items, next: cursorOf(it, p), height };
          return { items, next: queue.length > 0 || !exhausted ? cursorOf(it, null) : null, height };
        }
      }
    }
    return { items, next: null, height };
  }

  /** The batch (its sender, first record, transaction) an index entry names, and for a consent entry the record's position. */
  private async locate(by: XchgPageQuery['by'], it: IndexItem): Promise<{ sender: Uint8Array; first: number; height: number; index: number; position: number | null } | null> {
    if (by === 'consent') {
      const sender = it.value.slice(0, 20);
      const seq = xchg.readU64(it.value, 20);
      const e = await this.batchEntry(sender, seq);
      return e === null ? null : { sender, first: e.first, height: e.height, index: e.index, position: seq - e.first };
    }
    // pair, agency, purpose: the value is the batch's first record (u64) and its sender; the entry sits with the batch's transaction.
    return { sender: it.value.slice(8, 28), first: xchg.readU64(it.value, 0), height: it.height, index: it.index, position: null };
  }

  private rangeOf(q: XchgPageQuery, prefix: string): { prefix: Uint8Array; gte?: Uint8Array; lt?: Uint8Array; keep: (r: xchg.XchgRecord) => boolean } {
    const from = q.from ?? 0;
    const to = q.to ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) throw invalid('from and to are times in ms, from <= to');
    const timed = (p: Uint8Array, keep: (r: xchg.XchgRecord) => boolean) => ({ prefix: p, gte: concatBytes(p, xchg.u64(from)), lt: concatBytes(p, xchg.u64(Math.min(to, Number.MAX_SAFE_INTEGER - 1) + 1)), keep });
    switch (q.by) {
      case 'pair': {
        const s = this.addr(q.sender, prefix);
        const r = this.addr(q.receiver, prefix);
        return timed(concatBytes(Uint8Array.of(I.pair.id), s, r), () => true);
      }
      case 'agency': {
        const a = this.addr(q.agency, prefix);
        const role = q.role ?? 'any';
        const keep = (r: xchg.XchgRecord): boolean =>
          role === 'any' ? true : role === 'sent' ? bytesEq(r.sender, a) : bytesEq(r.receiver, a);
        return timed(concatBytes(Uint8Array.of(I.agency.id), a), keep);
      }
      case 'purpose': {
        if (typeof q.purpose !== 'string' || q.purpose.length === 0 || q.purpose.length > 64) throw invalid('purpose is a code of 1..64 characters');
        return timed(concatBytes(Uint8Array.of(I.purpose.id), sha256Utf8(q.purpose)), (r) => r.purpose === q.purpose);
      }
      case 'consent': {
        let c: Uint8Array;
        try {
          c = fromHex(q.consent, 32);
        } catch {
          throw invalid('consent is a 32-byte 0x-hex reference');
        }
        return { prefix: concatBytes(Uint8Array.of(I.consent.id), c), keep: () => true };
      }
      default:
        throw invalid('by is pair, agency, purpose or consent');
    }
  }

  private addr(a: string | undefined, prefix: string): Uint8Array {
    try {
      return fromBech(a, prefix);
    } catch {
      throw invalid(`${String(a)} is not an address of this chain`);
    }
  }

  /** A document (by id) with its proof when `prove`. */
  async document(id: number, prove: boolean): Promise<{ view: RecordView; proof: XchgDocProof | null }> {
    if (!Number.isSafeInteger(id) || id < 1) throw invalid('a document id is a positive integer');
    const st = await this.status();
    const view = asView(await this.f.record({ kind: 'xchg_doc', id }, undefined, prove));
    if (!prove || view.raw === null) return { view, proof: null };
    const p = view.proof!;
    return { view, proof: { type: DOC_PROOF_TYPE, version: 1, chainId: st.chainId, addressPrefix: st.addressPrefix, id, state: { height: view.height, header: p.header, commit: p.commit, raw: view.raw, proof: p.proof } } };
  }

  /** Document ids registered for a digest, oldest first. */
  async documentsByDigest(digest: string): Promise<number[]> {
    let d: Uint8Array;
    try {
      d = fromHex(digest, 32);
    } catch {
      throw invalid('digest is 32 bytes of 0x-hex');
    }
    const r = await this.f.indexScan({ prefix: concatBytes(Uint8Array.of(I.doc.id), d), limit: 1000 });
    return r.items.map((it) => xchg.readU64(it.value, 0));
  }
}

export type XchgPageQuery = {
  limit?: number;
  order?: 'asc' | 'desc';
  cursor?: string;
  prove?: boolean;
  from?: number;
  to?: number;
  status?: 'acknowledged' | 'pending' | 'overdue';
} & (
  | { by: 'pair'; sender: string; receiver: string }
  | { by: 'agency'; agency: string; role?: 'sent' | 'received' | 'any' }
  | { by: 'purpose'; purpose: string }
  | { by: 'consent'; consent: string }
);

/** A record's JSON, its batch's addresses encoded once. */
function recordJson(b: LoadedBatch, r: xchg.XchgRecord, prefix: string): XchgRecordJson {
  let n = b.names.get(prefix);
  if (n === undefined) {
    const j = recordToJson(r, prefix);
    b.names.set(prefix, (n = { sender: j.sender, receiver: j.receiver }));
  }
  return {
    sender: n.sender, seq: r.seq, receiver: n.receiver, payload: to0x(r.payload), purpose: r.purpose, legalBasis: r.legalBasis,
    consent: r.consent.length === 0 ? '' : to0x(r.consent), time: r.time,
  };
}

/** A record read: the facade serves some head reads as ready-made JSON text. */
const asView = (r: RecordView | SerializedResult<RecordView>): RecordView => (r instanceof SerializedResult ? (JSON.parse(r.text) as RecordView) : r);

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A cursor: the index entry last read and the last position listed in it (null: the entry is finished). */
function cursorOf(entry: IndexItem, position: number | null): string {
  return Buffer.from(JSON.stringify({ k: to0x(entry.key), h: entry.height, i: entry.index, v: to0x(entry.value), p: position })).toString('base64url');
}

function parseCursor(c: string): { entry: IndexItem; position: number | null } {
  try {
    const j = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { k: string; h: number; i: number; v: string; p: number | null };
    if (!Number.isSafeInteger(j.h) || !Number.isSafeInteger(j.i) || (j.p !== null && !Number.isSafeInteger(j.p))) throw new Error('shape');
    return { entry: { key: fromHex(j.k), height: j.h, index: j.i, value: fromHex(j.v) }, position: j.p };
  } catch {
    throw invalid('not a cursor of this query');
  }
}
function fromBech(a: string | undefined, prefix: string): Uint8Array {
  if (typeof a !== 'string') throw new Error('no address');
  return decodeAddress(a, prefix);
}
