/**
 * comp_backtest: what a candidate compliance rule would have decided over committed history
 * (node/chain/backtest.ts replays the blocks with it as a shadow rule). Role: regulator.
 * Bounded: at most MAX_BLOCKS blocks a call (a longer range is several calls, each starting
 * where the last ended, its candidate's windows starting empty again), findings capped.
 */
import { Type } from '@sinclair/typebox';
import { param, type MethodSpec } from '../registry.js';
import { isPrunedError, prunedError, RpcCodes, RpcError } from '../errors.js';
import type { BacktestResult } from '../facade.js';
import { Address, Hash, type RpcContext } from './chain.js';

/** Most blocks one comp_backtest call replays. */
export const MAX_BACKTEST_BLOCKS = 10_000;
const ACTIONS = { refuse: 0, flag: 1, hold: 2, travel_rule: 3 } as const;
const Height = Type.Integer({ minimum: 2, maximum: Number.MAX_SAFE_INTEGER - 1 });

const Finding = Type.Object({
  height: Type.Integer(), index: Type.Integer({ description: 'the transaction in its block' }), event: Type.Integer({ description: "the decision's event position in the replayed receipt" }),
  tx: Hash, decision: Type.String({ description: 'refuse, flag, hold, error or travel' }), from: Address, to: Address, amount: Type.String({ description: 'minor units, decimal' }), currency: Type.String(),
});

interface BacktestErrorLike {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
}
const refusal = (e: unknown): RpcError | null => {
  const x = e as BacktestErrorLike;
  if (x?.name === 'BacktestError') return new RpcError(RpcCodes.INVALID_PARAMS, `${x.code}: ${x.message}`, { code: x.code });
  if (x?.name === 'BacktestRangeError') return new RpcError(RpcCodes.INVALID_PARAMS, x.message);
  if (isPrunedError(e)) return prunedError(e);
  return null;
};

export const compBacktestMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'comp_backtest',
    summary: `Replay committed blocks from..to (at most ${MAX_BACKTEST_BLOCKS.toLocaleString('en-US')}) with a candidate compliance rule in force as a shadow rule from \`from\`, registered as register_rule would (compiled within max_rule_cost; its windows start empty at \`from\`), and report what it would have refused, flagged or held: the decisions by kind, each finding (payment, transaction, decision) and any transaction whose replay differed from its committed receipt. Nothing is written. Role: regulator.`,
    params: [
      param('source', Type.String({ minLength: 1, maxLength: 4096 }), { description: 'the rule, in the rule language' }),
      param('action', Type.Union([Type.Literal('refuse'), Type.Literal('flag'), Type.Literal('hold'), Type.Literal('travel_rule')]), { description: 'travel_rule: a finding is refuse (no fitting envelope) or travel (one)' }),
      param('from', Height), param('to', Height),
      param('name', Type.String({ minLength: 1, maxLength: 48 }), { required: false, description: 'the candidate id\'s name (default "candidate"): not a rule registered already' }),
      param('version', Type.Integer({ minimum: 0, maximum: 0xffffffff }), { required: false, description: 'default 1' }),
      param('severity', Type.Integer({ minimum: 0, maximum: 255 }), { required: false }),
      param('scope', Type.Object({
        currencies: Type.Optional(Type.Array(Type.String({ maxLength: 16 }), { maxItems: 32 })), types: Type.Optional(Type.Array(Type.String({ maxLength: 16 }), { maxItems: 8 })),
        institutions: Type.Optional(Type.Array(Address, { maxItems: 32 })),
      }, { additionalProperties: false }), { required: false, description: 'as register_rule (empty: all)' }),
      param('maxFindings', Type.Integer({ minimum: 0, maximum: 100_000 }), { required: false, description: 'findings listed (default 10,000; the counts cover all)' }),
    ],
    roles: ['regulator'],
    result: Type.Object({
      rule: Type.String(), cost: Type.Integer(), from: Type.Integer(), to: Type.Integer(), blocks: Type.Integer(), transactions: Type.Integer(), payments: Type.Integer(),
      decisions: Type.Object({ pass: Type.Integer(), refuse: Type.Integer(), flag: Type.Integer(), hold: Type.Integer(), error: Type.Integer(), travel: Type.Integer() }),
      findings: Type.Array(Finding), truncated: Type.Boolean(),
      diverged: Type.Array(Type.Object({ height: Type.Integer(), index: Type.Integer(), tx: Hash, committed: Type.Integer(), replayed: Type.Union([Type.Integer(), Type.String()]) })),
    }),
    handler: async (ctx, p): Promise<BacktestResult> => {
      const from = p.from as number;
      const to = p.to as number;
      if (to < from) throw new RpcError(RpcCodes.INVALID_PARAMS, `from ${from} is above to ${to}`);
      if (to - from + 1 > MAX_BACKTEST_BLOCKS) throw new RpcError(RpcCodes.INVALID_PARAMS, `at most ${MAX_BACKTEST_BLOCKS} blocks a call; split ${from}..${to}`);
      if (to > ctx.facade.head()) throw new RpcError(RpcCodes.NOT_FOUND, `to ${to} is above the head ${ctx.facade.head()}`);
      if (!ctx.facade.backtest) throw new RpcError(RpcCodes.UNAVAILABLE, 'this node cannot replay history');
      const scope = (p.scope ?? {}) as { currencies?: string[]; types?: string[]; institutions?: string[] };
      try {
        return await ctx.facade.backtest({
          name: (p.name as string | undefined) ?? 'candidate', version: (p.version as number | undefined) ?? 1, source: p.source as string, action: ACTIONS[p.action as keyof typeof ACTIONS],
          severity: (p.severity as number | undefined) ?? 1, scope: { currencies: scope.currencies ?? [], types: scope.types ?? [], institutions: scope.institutions ?? [] }, from, to,
          maxFindings: (p.maxFindings as number | undefined) ?? 10_000,
        });
      } catch (e) {
        throw refusal(e) ?? e;
      }
    },
  },
];
