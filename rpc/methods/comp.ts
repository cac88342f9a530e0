/**
 * Regulatory OS methods (vm comp): alerts by account (payer or payee), by rule or by the
 * bank of either party, in a time range; held payments, by bank and status; the rules in
 * force. Alerts and holds need an API key with the regulator role; the rules are public
 * ledger data.
 */
import { Type } from '@sinclair/typebox';
import { param, type MethodSpec } from '../registry.js';
import type { NodeFacade } from '../facade.js';
import { RpcCodes, RpcError } from '../errors.js';
import { CompQueries, type CompAlertQuery, type CompHoldQuery } from '../comp-query.js';
import { Address, Hash, type RpcContext } from './chain.js';

const queries = new WeakMap<NodeFacade, CompQueries>();
const queriesOf = (ctx: RpcContext): CompQueries => {
  let q = queries.get(ctx.facade);
  if (q === undefined) queries.set(ctx.facade, (q = new CompQueries(ctx.facade)));
  return q;
};

const REGULATOR = ['regulator'] as const;
const Time = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER - 1, description: 'block time, ms' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Limit = param('limit', Type.Integer({ minimum: 1, maximum: 1000 }), { required: false, description: 'items per page (default 100)' });
const Cursor = param('cursor', Type.String({ maxLength: 1024 }), { required: false, description: "an earlier page's `next`" });
const HoldStatus = Type.Union([Type.Literal('held'), Type.Literal('released'), Type.Literal('refused')]);

const AlertItem = Type.Object({
  rule: Type.String({ description: 'name@version' }), severity: Type.Integer(), from: Address, to: Address, amount: Type.String({ description: 'minor units, decimal' }), currency: Type.String(),
  time: Type.Integer({ description: 'block time, ms' }), height: Type.Integer(),
  tx: Type.Object({ hash: Hash, index: Type.Integer({ description: 'in its block' }), event: Type.Integer({ description: "the alert's position among the transaction's events" }) }),
});
const HoldItem = Type.Object({
  id: Type.Integer(), type: Type.String(), from: Address, to: Address, currency: Type.String(), amount: Type.String({ description: 'minor units, decimal' }), rule: Type.String(),
  fromBank: Nullable(Address), toBank: Nullable(Address), status: HoldStatus, reason: Type.String(), decidedBy: Nullable(Address), height: Type.Integer(), decidedHeight: Type.Integer(),
});
const RuleItem = Type.Object({
  id: Type.String({ description: 'name@version' }), name: Type.String(), version: Type.Integer(), source: Type.String({ description: 'the CEL source' }),
  scope: Type.Object({ currencies: Type.Array(Type.String()), types: Type.Array(Type.String()), institutions: Type.Array(Address) }),
  action: Type.String({ description: 'refuse, flag or hold' }), severity: Type.Integer(), activation: Type.Integer({ description: 'height' }),
  status: Type.String({ description: 'active or shadow' }), cost: Type.Integer(), legalRef: Type.String(), registeredBy: Address, height: Type.Integer(), statusHeight: Type.Integer(),
});

export const compMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'comp_alerts',
    summary: 'A page of compliance alerts (module comp: an active flag rule held for a payment) by account (`by: account`: payer or payee), by rule (`by: rule`, name@version) or by the bank of either party (`by: institution`), in a block-time range (ms, from and to inclusive); each with its transaction hash, height and time. `next` resumes it. Role: regulator.',
    params: [
      param('by', Type.Union([Type.Literal('account'), Type.Literal('rule'), Type.Literal('institution')])),
      param('account', Address, { required: false }),
      param('rule', Type.String({ minLength: 3, maxLength: 60, description: 'name@version' }), { required: false }),
      param('institution', Address, { required: false }),
      param('from', Time, { required: false }), param('to', Time, { required: false }),
      Limit,
      param('order', Type.Union([Type.Literal('asc'), Type.Literal('desc')]), { required: false }),
      Cursor,
    ],
    roles: REGULATOR,
    result: Type.Object({ items: Type.Array(AlertItem), next: Nullable(Type.String()), height: Type.Integer() }),
    handler: (ctx, p) => {
      const by = p.by as CompAlertQuery['by'];
      if (p[by] === undefined) throw new RpcError(RpcCodes.INVALID_PARAMS, `by ${by} needs ${by}`);
      return queriesOf(ctx).alerts(p as unknown as CompAlertQuery);
    },
  },
  {
    name: 'comp_holds',
    summary: 'A page of held payments (module comp): of the customers of one bank (`institution`: the bank of the payer or payee, in block-time order), else all by id; optionally only those held, released or refused (at the latest height). `next` resumes it. Role: regulator.',
    params: [param('institution', Address, { required: false }), param('status', HoldStatus, { required: false }), Limit, Cursor],
    roles: REGULATOR,
    result: Type.Object({ items: Type.Array(HoldItem), next: Nullable(Type.String()), height: Type.Integer() }),
    handler: (ctx, p) => queriesOf(ctx).holds(p as unknown as CompHoldQuery),
  },
  {
    name: 'comp_rules',
    summary: 'The compliance rules in force (module comp: active or shadow), in the order the payment hook runs them: each with its CEL source, scope, action, severity, activation height, status, cost and legal reference.',
    params: [],
    result: Type.Object({ rules: Type.Array(RuleItem), height: Type.Integer() }),
    handler: (ctx) => queriesOf(ctx).rules(),
  },
];
