/**
 * The recorded equivocations (vm evid), answered with the state proofs of the records they
 * were read from at one height, in the credential bundle's form (rpc/cred-proofs.ts): the
 * list of equivocations (so the answer is complete: every listed one that matches the query
 * is in it, up to `limit`) and each equivocation's record with both votes and the council's
 * decision. `verifyEquivocations` checks an answer with nothing but a trusted validator set.
 */
import { decode, encodeAddress, fromHex, to0x, type ValidatorSet, type Vote } from '../core/index.js';
import { BUILTIN, evid, Keys, type Registry } from '../vm/index.js';
import { BundleError, openCredProofBundle, type CredProofBundle } from './cred-proofs.js';
import type { NodeFacade, RecordQuery, RecordView } from './facade.js';
import { addr, asView } from './comp-query.js';
import { RpcCodes, RpcError } from './errors.js';

const invalid = (m: string): RpcError => new RpcError(RpcCodes.INVALID_PARAMS, m);

/** Most equivocations one answer carries (each a proven record). */
export const MAX_EQUIVOCATIONS = 256;

export interface EquivocationsQuery {
  /** One validator's (an address), or every validator's. */
  validator?: string;
  /** Evidence heights from and to (inclusive). */
  from?: number;
  to?: number;
  /** Most items (1..256, default 100). */
  limit?: number;
}

export interface VoteView {
  type: 'prevote' | 'precommit' | number;
  height: number;
  round: number;
  /** The block id voted for, null: nil. */
  blockHash: string | null;
  validator: string;
  signature: string;
}

export interface EquivocationView {
  validator: string;
  publicKey: string;
  height: number;
  round: number;
  voteType: 'prevote' | 'precommit' | number;
  voteA: VoteView;
  voteB: VoteView;
  evidenceHash: string;
  /** Its power in the set in effect at `height`. */
  power: number;
  recordedHeight: number;
  recordedTime: number;
  /** The height its automatic suspension took effect from; null: this evidence suspended nothing. */
  suspendedFrom: number | null;
  decision: (typeof evid.DECISION_NAMES)[number];
  /** The power the decision left it with (0: removed); null while pending. */
  decidedPower: number | null;
  legalRef: string;
  decidedHeight: number | null;
}

export interface EquivocationsView {
  height: number;
  items: EquivocationView[];
  /** More matched than `limit`: ask again with a narrower range. */
  truncated: boolean;
  proofs: CredProofBundle;
}

const typeName = (t: number): 'prevote' | 'precommit' | number => (t === 1 ? 'prevote' : t === 2 ? 'precommit' : t);

function voteView(v: Vote, pfx: string): VoteView {
  return { type: typeName(v.type), height: v.height, round: v.round, blockHash: v.blockHash === null ? null : to0x(v.blockHash), validator: encodeAddress(pfx, v.validator), signature: to0x(v.signature) };
}

export function equivocationView(e: evid.Equivocation, pfx: string): EquivocationView {
  const pending = e.decision === evid.Decision.PENDING;
  return {
    validator: encodeAddress(pfx, e.validator), publicKey: to0x(e.publicKey), height: e.height, round: e.round, voteType: typeName(e.voteType),
    voteA: voteView(e.voteA, pfx), voteB: voteView(e.voteB, pfx), evidenceHash: to0x(e.evidenceHash), power: e.power,
    recordedHeight: e.recordedHeight, recordedTime: e.recordedTime, suspendedFrom: e.suspendedFrom === 0 ? null : e.suspendedFrom,
    decision: evid.DECISION_NAMES[e.decision] ?? 'pending', decidedPower: pending ? null : e.decidedPower, legalRef: e.legalRef, decidedHeight: pending ? null : e.decidedHeight,
  };
}

/** The listed equivocations a query selects, in list order (of the evidence's validator and height). */
function selected(items: readonly evid.Listed[], q: EquivocationsQuery, validator: Uint8Array | null): evid.Listed[] {
  return items.filter((x) => (validator === null || Buffer.compare(x.validator, validator) === 0) && (q.from === undefined || x.height >= q.from) && (q.to === undefined || x.height <= q.to));
}

function checkQuery(q: EquivocationsQuery): number {
  const limit = q.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EQUIVOCATIONS) throw invalid(`limit is 1..${MAX_EQUIVOCATIONS}`);
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) throw invalid('from is above to');
  return limit;
}

const refOf = (x: evid.Listed, pfx: string): RecordQuery => ({ kind: 'equivocation', validator: encodeAddress(pfx, x.validator), voteHeight: x.height, voteRound: x.round, voteType: x.voteType });

/** Answer `q` from a node at its latest height, every record proven. */
export async function equivocations(f: NodeFacade, q: EquivocationsQuery): Promise<EquivocationsView> {
  const limit = checkQuery(q);
  const pfx = (await f.status()).addressPrefix;
  const validator = q.validator === undefined ? null : addr(q.validator, pfx, 'validator');
  const height = f.head();
  if (height < 1) throw new RpcError(RpcCodes.INVALID_PARAMS, 'no block is committed yet');
  const views: RecordView[] = [];
  const read = async (rq: RecordQuery): Promise<RecordView> => {
    const v = asView(await f.record(rq, height, true));
    if (!v.proof) throw new RpcError(RpcCodes.INTERNAL_ERROR, 'a proven read came without its proof');
    views.push(v);
    return v;
  };
  const listQuery: RecordQuery = { kind: 'equivocations' };
  const list = await read(listQuery);
  const items = list.raw === null ? [] : decode(evid.EquivocationListSchema, fromHex(list.raw)).items;
  const matched = selected(items, q, validator);
  const refs = matched.slice(0, limit).map((x) => refOf(x, pfx));
  const out: EquivocationView[] = [];
  for (const rq of refs) {
    const v = await read(rq);
    if (v.raw === null) throw new RpcError(RpcCodes.INTERNAL_ERROR, 'a listed equivocation has no record');
    out.push(equivocationView(decode(evid.EquivocationSchema, fromHex(v.raw)), pfx));
  }
  const first = views[0]!.proof!;
  const proofs: CredProofBundle = { height, header: first.header, commit: first.commit, records: views.map((v, i) => ({ query: i === 0 ? listQuery : refs[i - 1]!, raw: v.raw, proof: v.proof!.proof })) };
  return { height, items: out, truncated: matched.length > refs.length, proofs };
}

export interface EquivocationsVerifyContext {
  chainId: string;
  addressPrefix: string;
  /** The validator set trusted for the answer's height. */
  validators: ValidatorSet;
  modules?: Registry;
}

/**
 * Check an `evid_equivocations` answer offline: the certificate against the trusted set,
 * every record's proof against the certified root, the answer complete for the query (the
 * proven list's matching entries, in order, up to the limit) and each item exactly its proven
 * record. Returns the proven records; throws BundleError otherwise.
 */
export function verifyEquivocations(v: EquivocationsView, q: EquivocationsQuery, ctx: EquivocationsVerifyContext): { height: number; records: evid.Equivocation[] } {
  const limit = q.limit ?? 100;
  const opened = openCredProofBundle(v.proofs, { chainId: ctx.chainId, addressPrefix: ctx.addressPrefix, validators: ctx.validators, modules: ctx.modules ?? BUILTIN });
  if (opened.height !== v.height) throw new BundleError(`the answer claims height ${v.height}, its proofs are of ${opened.height}`);
  const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');
  const listKey = hex(Keys.equivocations());
  if (!opened.records.has(listKey)) throw new BundleError('the answer does not prove the list of equivocations');
  const list = opened.records.get(listKey) as evid.EquivocationList | null;
  let validator: Uint8Array | null = null;
  if (q.validator !== undefined) {
    try {
      validator = addr(q.validator, ctx.addressPrefix, 'validator');
    } catch {
      throw new BundleError(`${q.validator} is not an address of this chain`);
    }
  }
  const matched = selected(list?.items ?? [], q, validator);
  const want = matched.slice(0, limit);
  if (v.items.length !== want.length || v.truncated !== matched.length > want.length) throw new BundleError(`the answer has ${v.items.length} equivocations, the proven list ${matched.length} for the query`);
  const records: evid.Equivocation[] = [];
  want.forEach((x, i) => {
    const rec = opened.records.get(hex(Keys.equivocation(x.validator, x.height, x.round, x.voteType))) as evid.Equivocation | null | undefined;
    if (rec === undefined || rec === null) throw new BundleError(`equivocation ${i} is not proven`);
    if (JSON.stringify(equivocationView(rec, ctx.addressPrefix)) !== JSON.stringify(v.items[i])) throw new BundleError(`equivocation ${i} is not what its proof says`);
    records.push(rec);
  });
  return { height: opened.height, records };
}
