/**
 * Governance actions by kind: modules declare them (their descriptors' `actions`, each
 * with a literal kind number), the gov module's proposals carry one as [kind, data], and the
 * council executes it when a proposal reaches its threshold; genesis runs the same
 * executors, so a chain's first institutions, currencies and validators pass the very
 * checks later ones do.
 */
import { decode, encode, type Schema } from '../core/index.js';
import { fail, VmError } from './errors.js';
import type { TxContext } from './context.js';
import type { ActionDef } from './module.js';
import type { Registry } from './registry.js';

/** A proposal's action: [kind, the encoding of that kind's args]. */
export interface ProposalActionValue {
  readonly kind: number;
  readonly data: Uint8Array;
}

/** Decode an action's args, or fail with BAD_PROPOSAL_ACTION. */
export function decodeAction(reg: Registry, action: ProposalActionValue): { name: string; def: ActionDef<unknown>; args: unknown } {
  const e = reg.actions.get(action.kind);
  if (e === undefined) fail('BAD_PROPOSAL_ACTION', `unknown action kind ${action.kind}`);
  try {
    return { name: e.name, def: e.def, args: decode(e.def.args, action.data) };
  } catch (err) {
    if (err instanceof VmError) throw err;
    fail('BAD_PROPOSAL_ACTION', `${e.name}: ${(err as Error).message}`);
  }
}

/** Build an action of `kind` from its args (for clients, tests and genesis). */
export function makeActionIn<A>(reg: Registry, kind: number, args: A): ProposalActionValue {
  const e = reg.actions.get(kind);
  if (e === undefined) throw new RangeError(`unknown action kind ${kind}`);
  return { kind, data: encode(e.def.args as Schema<A>, args) };
}

/** Run the action named `name` of the context's registry (genesis does, with the same checks governance makes). */
export function runAction(ctx: TxContext, name: string, args: unknown): Promise<void> {
  const e = ctx.registry.actionsByName.get(name);
  if (e === undefined) throw new Error(`no action "${name}" in this registry`);
  return e.def.run(ctx, args);
}
