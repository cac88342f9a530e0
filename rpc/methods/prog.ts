/**
 * Public-finance methods (vm prog): a program's report (terms, totals by report group, what
 * is left in its escrow) and a beneficiary row's state (what was paid, the step, the
 * credential that made it eligible, whether it is paid in full), each with the records' state
 * proofs at one height, verifiable offline with the validator set (SDK openProofBundle); and
 * the payment trail per beneficiary or per program, each payment with its version, row,
 * schedule step and credential.
 */
import { Type } from '@sinclair/typebox';
import { param, type MethodSpec } from '../registry.js';
import type { NodeFacade } from '../facade.js';
import { RpcCodes, RpcError } from '../errors.js';
import { ProgQueries, type ProgPaymentQuery } from '../prog-query.js';
import { Address, Hash, type RpcContext } from './chain.js';
import { CredProofBundleView } from './cred.js';

const queries = new WeakMap<NodeFacade, ProgQueries>();
const queriesOf = (ctx: RpcContext): ProgQueries => {
  let q = queries.get(ctx.facade);
  if (q === undefined) queries.set(ctx.facade, (q = new ProgQueries(ctx.facade)));
  return q;
};
const Id = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Time = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER - 1, description: 'block time, ms' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const PaymentItem = Type.Object({
  program: Type.Integer(), version: Type.Integer({ description: 'the program version whose eligibility rule applied' }), row: Type.Integer(), beneficiary: Address,
  amount: Type.String({ description: 'minor units, decimal' }), step: Type.Integer({ description: 'the schedule step reached' }), claimed: Type.String({ description: 'what the row has been paid in all' }),
  via: Type.Union([Type.Literal('claim'), Type.Literal('push')]),
  credential: Nullable(Type.Object({ issuer: Address, index: Type.Integer({ description: "the credential's status index" }) })),
  group: Type.String({ description: 'the report group (a disclosed claim, or the payee account category)' }), grant: Type.Integer({ description: 'the grant a purpose-bound payment opened, or 0' }),
  time: Type.Integer({ description: 'block time, ms' }), height: Type.Integer(),
  tx: Type.Object({ hash: Hash, index: Type.Integer(), event: Type.Integer() }),
});

export const progMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'prog_getReport',
    summary: "A program's report at the latest height: its terms (version, status, eligibility, schedules, expiry, legal reference), its totals (budget paid, recovered, returned; payments, beneficiaries, revoked; by report group: a region or a category), and what is left in its escrow; with the three records' proofs, verifiable offline with the validator set.",
    params: [param('program', Id)],
    result: Nullable(Type.Object({ program: Type.Unknown(), totals: Type.Unknown(), escrow: Type.Object({ address: Address, balance: Type.String() }), proofs: CredProofBundleView })),
    handler: (ctx, p) => queriesOf(ctx).report(p.program as number),
  },
  {
    name: 'prog_getRow',
    summary: "A beneficiary row of a program: what it was paid and recovered, its schedule step, the credential that made it eligible (issuer, status index), whether it is revoked or paid in full (the claimed bitmap); with the records' proofs. `row` is null before the row's first payment or revocation.",
    params: [param('program', Id), param('row', Id)],
    result: Type.Object({ row: Type.Unknown(), paidInFull: Type.Boolean(), proofs: CredProofBundleView }),
    handler: (ctx, p) => queriesOf(ctx).row(p.program as number, p.row as number),
  },
  {
    name: 'prog_listPayments',
    summary: "A page of program payments to a beneficiary (`by: beneficiary`) or of a program (`by: program`), in block-time order within a time range; each with its trail: program version, row, schedule step, the credential that made the person eligible, the report group, and the transaction. A page holds up to `limit`; `next` resumes it.",
    params: [
      param('by', Type.Union([Type.Literal('beneficiary'), Type.Literal('program')])),
      param('beneficiary', Address, { required: false }), param('program', Id, { required: false }),
      param('from', Time, { required: false }), param('to', Time, { required: false }),
      param('limit', Type.Integer({ minimum: 1, maximum: 1000 }), { required: false, description: 'payments per page (default 100)' }),
      param('order', Type.Union([Type.Literal('asc'), Type.Literal('desc')]), { required: false }),
      param('cursor', Type.String({ maxLength: 1024 }), { required: false, description: "an earlier page's `next`" }),
    ],
    result: Type.Object({ items: Type.Array(PaymentItem), next: Nullable(Type.String()), height: Type.Integer() }),
    handler: (ctx, p) => {
      if (p.by === 'beneficiary' && p.beneficiary === undefined) throw new RpcError(RpcCodes.INVALID_PARAMS, 'by beneficiary needs beneficiary');
      if (p.by === 'program' && p.program === undefined) throw new RpcError(RpcCodes.INVALID_PARAMS, 'by program needs program');
      return queriesOf(ctx).payments(p as unknown as ProgPaymentQuery);
    },
  },
];
