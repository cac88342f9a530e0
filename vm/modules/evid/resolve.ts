/**
 * The council's decision on a recorded equivocation (governance action
 * `resolve_equivocation`): it cites the evidence by validator, height, round and vote type
 * (refused if none is recorded, or it is decided already) and applies one of:
 * - remove (1): the validator leaves the set for good (governance's remove_validator if it
 *   is in the set; a suspended one is out already and its suspension ends);
 * - reweight (2) with a power: it stays with that power (set_validator_power), or a
 *   suspended one comes back with it (add_validator, with the node key kept at suspension);
 * - reinstate (3): a suspended one comes back with the power it had; one never suspended
 *   (the parameter off) stays as it is.
 * Every change goes through governance's own validator actions (so its checks, its
 * `validator_changed` event and its validator update, taking effect at the block's
 * height + 2), and the decision is recorded on the equivocation with its legal reference.
 */
import { addressField, equalBytes, str, struct, toHex, u8, u32, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { action, event } from '../../module.js';
import type { TxContext } from '../../context.js';
import { runAction } from '../../actions.js';
import { Decision, EquivocationSchema, EvidKeys, SuspensionSchema, type Suspension } from './records.js';
import { currentValidators } from './evidence.js';

export const ResolveEquivocationArgs = struct('ResolveEquivocation', {
  validator: addressField,
  height: uint,
  round: u32,
  voteType: u8,
  /** 1 remove, 2 reweight, 3 reinstate. */
  decision: u8,
  /** The new power for reweight (1..); 0 otherwise. */
  power: uint,
  legalRef: str(128),
});

export const ResolvedEvent = struct('EquivocationResolved', {
  validator: addressField, height: uint, round: u32, voteType: u8, decision: u8, power: uint, legalRef: str(128),
});
export const resolvedEvent = event('evid', 'equivocation_resolved', ResolvedEvent,
  "the council decided on a recorded equivocation: decision 1 removed, 2 re-weighted, 3 reinstated, and the validator's power after it (0: out of the set)");

async function comeBack(ctx: TxContext, validator: Uint8Array, s: Suspension, power: number): Promise<void> {
  if (s.nodeKey === null) fail('BAD_DECISION', `no node key was recorded for ${toHex(validator)}: add it anew with add_validator`);
  await runAction(ctx, 'add_validator', { publicKey: s.publicKey, power, nodeKey: s.nodeKey });
  ctx.delete(EvidKeys.suspension(validator));
}

export const evidActions = {
  resolve_equivocation: action(40, ResolveEquivocationArgs,
    'decide on a recorded equivocation (cited by validator, height, round, voteType): decision 1 remove, 2 reweight to `power`, 3 reinstate (a suspended validator gets its power back); `power` is 0 but for reweight; legalRef required',
    async (ctx, a) => {
      const key = EvidKeys.equivocation(a.validator, a.height, a.round, a.voteType);
      const rec = await ctx.get(EquivocationSchema, key);
      if (rec === undefined) fail('EQUIVOCATION_NOT_FOUND', `no equivocation of ${toHex(a.validator)} recorded at ${a.height}/${a.round}/${a.voteType}`);
      if (rec.decision !== Decision.PENDING) fail('EQUIVOCATION_RESOLVED', `the equivocation of ${toHex(a.validator)} at ${a.height}/${a.round}/${a.voteType} is decided already`);
      if (a.legalRef.length === 0) fail('BAD_DECISION', 'a legal reference is required');
      if (a.decision !== Decision.REWEIGHT && a.power !== 0) fail('BAD_DECISION', 'power is given only to reweight');
      const suspension = await ctx.get(SuspensionSchema, EvidKeys.suspension(a.validator));
      const entry = (await currentValidators(ctx)).find((v) => equalBytes(v.address, a.validator));
      let power: number;
      switch (a.decision) {
        case Decision.REMOVE:
          if (entry !== undefined) await runAction(ctx, 'remove_validator', { address: a.validator });
          if (suspension !== undefined) ctx.delete(EvidKeys.suspension(a.validator));
          power = 0;
          break;
        case Decision.REWEIGHT:
          if (a.power < 1) fail('BAD_DECISION', 'reweight needs a power of at least 1');
          if (entry !== undefined) await runAction(ctx, 'set_validator_power', { address: a.validator, power: a.power });
          else if (suspension !== undefined) await comeBack(ctx, a.validator, suspension, a.power);
          else fail('VALIDATOR_NOT_FOUND', `${toHex(a.validator)} is neither in the set nor suspended`);
          power = a.power;
          break;
        case Decision.REINSTATE:
          if (suspension !== undefined) {
            await comeBack(ctx, a.validator, suspension, suspension.power);
            power = suspension.power;
          } else if (entry !== undefined) power = entry.power;
          else fail('VALIDATOR_NOT_FOUND', `${toHex(a.validator)} is neither in the set nor suspended`);
          break;
        default:
          fail('BAD_DECISION', `decision ${a.decision} is none of 1 remove, 2 reweight, 3 reinstate`);
      }
      ctx.put(EquivocationSchema, key, { ...rec, decision: a.decision, decidedPower: power, legalRef: a.legalRef, decidedHeight: ctx.block.height });
      ctx.emit(resolvedEvent, { validator: a.validator, height: a.height, round: a.round, voteType: a.voteType, decision: a.decision, power, legalRef: a.legalRef });
    },
    ['EQUIVOCATION_NOT_FOUND', 'EQUIVOCATION_RESOLVED', 'BAD_DECISION', 'VALIDATOR_NOT_FOUND', 'VALIDATOR_EXISTS', 'BAD_VALIDATOR']),
};
