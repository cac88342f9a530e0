/**
 * Data-exchange methods (vm xchg): a record by its id, pages of records by agency pair and
 * time, by agency (its exchange history, sent and received), by purpose and time, by consent
 * reference; each record with its status (acknowledged, pending, overdue) and, on request,
 * its receipt (rpc/xchg-receipts.ts: verifiable offline with the validator set). Documents
 * signed by several institutions: by id with their proof, and by digest.
 */
import { Type } from '@sinclair/typebox';
import { param, type MethodSpec } from '../registry.js';
import type { NodeFacade } from '../facade.js';
import { RpcCodes, RpcError } from '../errors.js';
import { XchgQueries, type XchgPageQuery } from '../xchg-query.js';
import { Address, CommitView, HeaderView, Hex, type RpcContext } from './chain.js';
import { RecordView } from './query.js';

const queries = new WeakMap<NodeFacade, XchgQueries>();
const queriesOf = (ctx: RpcContext): XchgQueries => {
  let q = queries.get(ctx.facade);
  if (q === undefined) queries.set(ctx.facade, (q = new XchgQueries(ctx.facade, () => ctx.facade.status())));
  return q;
};

const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "the record's number among its sender's records" });
const Time = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'block time, ms' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const CertifiedState = Type.Object({ height: Type.Integer(), header: HeaderView, commit: CommitView, raw: Nullable(Hex), proof: Hex });
const RecordJson = Type.Object({
  sender: Address, seq: Type.Integer(), receiver: Address, payload: Hex, purpose: Type.String(), legalBasis: Type.String(),
  consent: Type.String({ description: '0x-hex of 32 bytes, or "" for none' }), time: Type.Integer({ description: "the sender's time, ms" }),
});
export const XchgReceiptView = Type.Object({
  type: Type.Literal('sov-xchg-receipt'), version: Type.Literal(1), chainId: Type.String(), addressPrefix: Type.String(), record: RecordJson,
  batch: Type.Object({ first: Type.Integer(), count: Type.Integer(), position: Type.Integer(), path: Type.Array(Hex) }), state: CertifiedState,
}, { description: 'a record, its Merkle path in its batch, and the batch\'s state record proven against a certified header (docs/data-exchange.md)' });
const RecordItem = Type.Object({
  id: Type.String({ description: 'sender/seq' }), record: RecordJson,
  batch: Type.Object({ first: Type.Integer(), count: Type.Integer(), height: Type.Integer(), time: Type.Integer(), tx: Type.Object({ height: Type.Integer(), index: Type.Integer() }) }),
  status: Type.Union([Type.Literal('acknowledged'), Type.Literal('pending'), Type.Literal('overdue')]), ackBy: Type.Integer(), receipt: Type.Optional(XchgReceiptView),
});
const DocProofView = Type.Object({ type: Type.Literal('sov-xchg-document-proof'), version: Type.Literal(1), chainId: Type.String(), addressPrefix: Type.String(), id: Type.Integer(), state: CertifiedState });

export const xchgMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'xchg_getRecord',
    summary: 'An exchange record by its id (sender and number): every field, its batch, its status (acknowledged, pending, overdue at the latest height), and with `prove` its receipt, verifiable offline.',
    params: [param('sender', Address), param('seq', Seq), param('prove', Type.Boolean(), { required: false, description: 'include the receipt (default false)' })],
    result: Nullable(RecordItem),
    handler: (ctx, p) => queriesOf(ctx).record(p.sender as string, p.seq as number, p.prove === true),
  },
  {
    name: 'xchg_getReceipt',
    summary: "A record's receipt: the record, its Merkle path, the batch's state record with its state proof, the header and its commit certificate; verifiable with the validator set alone (SDK verifyXchgReceipt, `sov xchg verify`).",
    params: [param('sender', Address), param('seq', Seq)],
    result: XchgReceiptView,
    handler: async (ctx, p) => {
      const r = await queriesOf(ctx).record(p.sender as string, p.seq as number, true);
      if (r === null || r.receipt === undefined) throw new RpcError(RpcCodes.NOT_FOUND, `no record ${p.sender as string}/${p.seq as number}`);
      return r.receipt;
    },
  },
  {
    name: 'xchg_listRecords',
    summary: "A page of exchange records found by agency pair (`by: pair`, sender and receiver), by agency (`by: agency`: its history, role sent, received or any), by purpose, or by consent reference; with pair, agency and purpose a time range (block time, ms, from inclusive, to inclusive); optionally only records of a status; each with its receipt on `prove`. A page holds up to `limit` records; `next` resumes it.",
    params: [
      param('by', Type.Union([Type.Literal('pair'), Type.Literal('agency'), Type.Literal('purpose'), Type.Literal('consent')])),
      param('sender', Address, { required: false }), param('receiver', Address, { required: false }),
      param('agency', Address, { required: false }), param('role', Type.Union([Type.Literal('sent'), Type.Literal('received'), Type.Literal('any')]), { required: false }),
      param('purpose', Type.String({ minLength: 1, maxLength: 64 }), { required: false }),
      param('consent', Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }), { required: false, description: 'a 32-byte consent reference' }),
      param('from', Time, { required: false }), param('to', Time, { required: false }),
      param('status', Type.Union([Type.Literal('acknowledged'), Type.Literal('pending'), Type.Literal('overdue')]), { required: false }),
      param('limit', Type.Integer({ minimum: 1, maximum: 1000 }), { required: false, description: 'records per page (default 100)' }),
      param('order', Type.Union([Type.Literal('asc'), Type.Literal('desc')]), { required: false }),
      param('cursor', Type.String({ maxLength: 1024 }), { required: false, description: "an earlier page's `next`" }),
      param('prove', Type.Boolean(), { required: false, description: "include each record's receipt" }),
    ],
    result: Type.Object({ items: Type.Array(RecordItem), next: Nullable(Type.String()), height: Type.Integer() }),
    handler: (ctx, p) => {
      const need = (...names: string[]): void => {
        for (const n of names) if (p[n] === undefined) throw new RpcError(RpcCodes.INVALID_PARAMS, `by ${p.by as string} needs ${names.join(' and ')}`);
      };
      if (p.by === 'pair') need('sender', 'receiver');
      else if (p.by === 'agency') need('agency');
      else if (p.by === 'purpose') need('purpose');
      else need('consent');
      return queriesOf(ctx).page(p as unknown as XchgPageQuery);
    },
  },
  {
    name: 'xchg_getDocument',
    summary: 'A document registered for signing by several institutions: its digest, signer groups, deadline, status, every signature; with `prove` its proof, verifiable offline (SDK verifyDocProof, `sov doc verify`).',
    params: [param('id', Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })), param('prove', Type.Boolean(), { required: false })],
    result: Type.Object({ record: RecordView, proof: Nullable(DocProofView) }),
    handler: async (ctx, p) => {
      const r = await queriesOf(ctx).document(p.id as number, p.prove === true);
      if (r.view.raw === null) throw new RpcError(RpcCodes.NOT_FOUND, `no document ${p.id as number}`);
      const { proof: _omit, ...record } = r.view;
      return { record, proof: r.proof };
    },
  },
  {
    name: 'xchg_findDocuments',
    summary: 'The ids of the documents registered for signing with this digest, oldest first.',
    params: [param('digest', Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }))],
    result: Type.Object({ ids: Type.Array(Type.Integer()) }),
    handler: async (ctx, p) => ({ ids: await queriesOf(ctx).documentsByDigest(p.digest as string) }),
  },
];
