/**
 * Regulatory OS methods (vm comp): alerts by account (payer or payee), by rule or by the
 * bank of either party, in a time range; held payments, by bank and status; an
 * institution's periodic report; the rules in force. Alerts, holds and reports are
 * supervisory data: an API key with the regulator role reads them all, a bank's key bound
 * to its institution (the keys file's `institution`) reads its own institution's only, and
 * anyone else none. The rules are public ledger data.
 */
import { Type } from '@sinclair/typebox';
import { param, type MethodSpec } from '../registry.js';
import { RpcCodes, RpcError } from '../errors.js';
import { compQueriesOf, type CompAlertQuery, type CompHoldQuery } from '../comp-query.js';
import { compReport, MAX_REPORT_DAYS, MAX_REPORT_ENTRIES, type CompReportQuery } from '../comp-report.js';
import { Address, Hash, type RpcContext } from './chain.js';

const queriesOf = (ctx: RpcContext) => compQueriesOf(ctx.facade);

/** The regulator, or a bank's key (bound to its institution: checked in the handler). */
const SUPERVISORS = ['regulator', 'bank'] as const;
const WHO = 'Role: regulator (every institution), or bank with its key bound to its institution (`institution` in the API keys file: that institution only).';
const Time = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER - 1, description: 'block time, ms' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Limit = param('limit', Type.Integer({ minimum: 1, maximum: 1000 }), { required: false, description: 'items per page (default 100)' });
const Cursor = param('cursor', Type.String({ maxLength: 1024 }), { required: false, description: "an earlier page's `next`" });
const Tally = Type.Object({ count: Type.Integer(), value: Type.String({ description: 'minor units, decimal' }) });
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
    summary: `A page of compliance alerts (module comp: an active flag rule held for a payment) by account (\`by: account\`: payer or payee), by rule (\`by: rule\`, name@version) or by the bank of either party (\`by: institution\`), in a block-time range (ms, from and to inclusive); each with its transaction hash, height and time. \`next\` resumes it. ${WHO} A bank's key asks \`by: institution\` for its own.`,
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
    roles: SUPERVISORS,
    result: Type.Object({ items: Type.Array(AlertItem), next: Nullable(Type.String()), height: Type.Integer() }),
    handler: async (ctx, p) => {
      const q = queriesOf(ctx);
      const s = await q.supervision(ctx.caller, 'comp_alerts');
      const by = p.by as CompAlertQuery['by'];
      if (!s.all && by !== 'institution') {
        throw new RpcError(RpcCodes.UNAUTHORIZED, `a bank's key reads alerts by its own institution only: by institution, institution ${s.address}`, { roles: SUPERVISORS, institution: s.address });
      }
      if (p[by] === undefined) throw new RpcError(RpcCodes.INVALID_PARAMS, `by ${by} needs ${by}`);
      await q.ownOnly(s, p.institution as string | undefined, 'alerts');
      return q.alerts(p as unknown as CompAlertQuery);
    },
  },
  {
    name: 'comp_holds',
    summary: `A page of held payments (module comp): of the customers of one bank (\`institution\`: the bank of the payer or payee, in block-time order), else all by id; optionally only those held, released or refused (at the latest height). \`next\` resumes it. ${WHO} A bank's key names its own \`institution\`.`,
    params: [param('institution', Address, { required: false }), param('status', HoldStatus, { required: false }), Limit, Cursor],
    roles: SUPERVISORS,
    result: Type.Object({ items: Type.Array(HoldItem), next: Nullable(Type.String()), height: Type.Integer() }),
    handler: async (ctx, p) => {
      const q = queriesOf(ctx);
      await q.ownOnly(await q.supervision(ctx.caller, 'comp_holds'), p.institution as string | undefined, 'holds');
      return q.holds(p as unknown as CompHoldQuery);
    },
  },
  {
    name: 'comp_report',
    summary: `An institution's periodic compliance report (module comp), one entry per calendar period (\`day\`, \`week\` from Monday, \`month\`; UTC) of a block-time range (ms, from and to inclusive; at most ${MAX_REPORT_DAYS} days): the payments its customers made or received while a rule was live (count; per currency, count and value by side: \`paying\` its customer paid, \`paid\` its customer was paid, \`both\` both parties its customers), the alerts on them (count, by rule, by severity) and the holds opened (count, and how many are released, refused or still held at \`height\`, the height the report is of). Only block times within from..to count; a report that would read more than ${MAX_REPORT_ENTRIES.toLocaleString('en')} index entries is refused (invalid params): ask for a shorter range. ${WHO}`,
    params: [
      param('institution', Address, { description: 'the bank (an institution is its own bank)' }),
      param('from', Time), param('to', Time),
      param('period', Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')])),
    ],
    roles: SUPERVISORS,
    result: Type.Object({
      institution: Address, from: Type.Integer(), to: Type.Integer(), period: Type.String(), height: Type.Integer({ description: 'the height the figures are of' }),
      periods: Type.Array(Type.Object({
        start: Type.Integer({ description: "the period's first ms (UTC)" }), end: Type.Integer({ description: "the next period's first ms" }),
        payments: Type.Object({
          count: Type.Integer(),
          currencies: Type.Array(Type.Object({ currency: Type.String(), paying: Tally, paid: Tally, both: Tally })),
        }),
        alerts: Type.Object({
          count: Type.Integer(),
          byRule: Type.Array(Type.Object({ rule: Type.String({ description: 'name@version' }), count: Type.Integer() })),
          bySeverity: Type.Array(Type.Object({ severity: Type.Integer(), count: Type.Integer() })),
        }),
        holds: Type.Object({ opened: Type.Integer(), released: Type.Integer(), refused: Type.Integer(), held: Type.Integer({ description: 'still held' }) }),
      })),
    }),
    handler: async (ctx, p) => {
      const q = queriesOf(ctx);
      await q.ownOnly(await q.supervision(ctx.caller, 'comp_report'), p.institution as string, 'the report');
      return compReport(ctx.facade, p as unknown as CompReportQuery);
    },
  },
  {
    name: 'comp_rules',
    summary: 'The compliance rules in force (module comp: active or shadow), in the order the payment hook runs them: each with its CEL source, scope, action, severity, activation height, status, cost and legal reference.',
    params: [],
    result: Type.Object({ rules: Type.Array(RuleItem), height: Type.Integer() }),
    handler: (ctx) => queriesOf(ctx).rules(),
  },
];
