/**
 * A block's double-sign evidence, verified and recorded (the vm's evidence hook), and the
 * validator-set history the verification reads.
 *
 * A piece of evidence (core DuplicateVoteEvidence) is recorded when, cheapest check first:
 * 1. it encodes as the schema says (anything else is garbage: EVIDENCE_MALFORMED);
 * 2. its two votes are of one type (prevote or precommit), height, round and validator, for
 *    two different block ids in canonical order (nil first, then by bytes) (EVIDENCE_MALFORMED);
 * 3. its height is at most the block's and at most `evidence_max_age` below it (EVIDENCE_HEIGHT);
 * 4. nothing is recorded yet for that validator, height, round and type (EVIDENCE_DUPLICATE);
 * 5. the validator was in the set in effect at that height, by its history (EVIDENCE_NOT_VALIDATOR);
 * 6. both signatures verify under its key for this chain (EVIDENCE_BAD_SIGNATURE).
 * Then the equivocation is recorded with both votes, listed, and announced (event
 * `equivocation`); with `equivocation_suspend` 1, a validator still in the set and not
 * suspended already is suspended: governance's own remove_validator takes it out (its
 * validator update, power 0, takes effect at the block's height + 2, as every set change
 * does), and a suspension record keeps its power and node key for the council's decision.
 * A set that would be left empty keeps it (recorded, not suspended).
 *
 * The set in effect at a height: consensus applies the changes of block h from h + 2, so each
 * validator's history records, for every block that changed it, (h + 2, its new power);
 * genesis records (1, its power) for the first validators. A validator was in the set at
 * height H when its latest change from at most H left it a positive power.
 */
import {
  addressField, addressFromPublicKey, bytes32, compareBytes, DuplicateVoteEvidenceSchema, encode, equalBytes, evidenceHash, optional, struct, toHex, u8, u32, uint, verify,
  voteSignBytes, VoteType, type DuplicateVoteEvidence,
} from '../../../core/index.js';
import { fail, VmError } from '../../errors.js';
import { event, type GenesisStepContext } from '../../module.js';
import type { TxContext, ValidatorUpdate } from '../../context.js';
import { runAction } from '../../actions.js';
import { GovKeys, ValidatorListSchema, ValidatorNodeSchema, type ValidatorEntry } from '../gov/records.js';
import {
  Decision, EquivocationListSchema, EquivocationSchema, EvidKeys, MAX_HISTORY, MAX_LISTED, SuspensionSchema, ValidatorHistorySchema,
} from './records.js';

export const EquivocationEvent = struct('EquivocationRecorded', {
  validator: addressField, height: uint, round: u32, voteType: u8, blockA: optional(bytes32), blockB: optional(bytes32), suspendedFrom: uint,
});
export const equivocationEvent = event('evid', 'equivocation', EquivocationEvent,
  'double-sign evidence recorded from the block (a block event, in no receipt): the validator, the step, the two block ids (null: nil), and the height its suspension takes effect from (0: not suspended)');

const NIL = new Uint8Array(0);

/** The validator list as governance keeps it (the set of the next height but one). */
export async function currentValidators(ctx: TxContext): Promise<readonly ValidatorEntry[]> {
  return (await ctx.get(ValidatorListSchema, GovKeys.validators()))?.validators ?? [];
}

/** The validator's key and power in the set in effect at `height`, or null when it was not in it. */
export async function memberAt(ctx: TxContext, validator: Uint8Array, height: number): Promise<{ publicKey: Uint8Array; power: number } | null> {
  const h = await ctx.get(ValidatorHistorySchema, EvidKeys.validatorHistory(validator));
  if (h === undefined) return null;
  let power = 0;
  for (const c of h.changes) if (c.from <= height) power = c.power;
  return power > 0 ? { publicKey: h.publicKey, power } : null;
}

/** Record the block's validator-set changes in each validator's history: in effect from the block's height + 2. */
export async function recordSetChanges(ctx: TxContext, updates: readonly ValidatorUpdate[]): Promise<void> {
  const from = ctx.block.height + 2;
  for (const u of updates) await addChange(ctx, u.publicKey, from, u.power);
}

async function addChange(ctx: TxContext, publicKey: Uint8Array, from: number, power: number): Promise<void> {
  const key = EvidKeys.validatorHistory(addressFromPublicKey(publicKey));
  const changes = [...((await ctx.get(ValidatorHistorySchema, key))?.changes ?? [])];
  if (changes.length > 0 && changes[changes.length - 1]!.from === from) changes.pop();
  changes.push({ from, power });
  while (changes.length > MAX_HISTORY) changes.shift();
  ctx.put(ValidatorHistorySchema, key, { publicKey, changes });
}

/** Genesis: the first validators are in the set from height 1. */
export async function genesisHistory(g: GenesisStepContext): Promise<void> {
  for (const v of await currentValidators(g.ctx)) await g.step(`validators ${toHex(v.address)}`, () => addChange(g.ctx, v.publicKey, 1, v.power));
}

/** The evidence hook: verify `ev` (see the file's docblock), record it, and suspend the validator if the parameter says so. */
export async function recordEvidence(ctx: TxContext, ev: DuplicateVoteEvidence): Promise<void> {
  try {
    encode(DuplicateVoteEvidenceSchema, ev);
  } catch (e) {
    fail('EVIDENCE_MALFORMED', `not duplicate-vote evidence: ${(e as Error).message}`);
  }
  const { voteA: a, voteB: b } = ev;
  if (a.type !== VoteType.PREVOTE && a.type !== VoteType.PRECOMMIT) fail('EVIDENCE_MALFORMED', `vote type ${a.type} is neither prevote (1) nor precommit (2)`);
  if (a.type !== b.type || a.height !== b.height || a.round !== b.round) fail('EVIDENCE_MALFORMED', 'the votes are for different steps');
  if (!equalBytes(a.validator, b.validator)) fail('EVIDENCE_MALFORMED', 'the votes are from different validators');
  if (compareBytes(a.blockHash ?? NIL, b.blockHash ?? NIL) >= 0) fail('EVIDENCE_MALFORMED', 'the votes are for one block id, or not in canonical order (nil first, then by bytes)');
  const { height, round, type: voteType, validator } = a;
  const at = ctx.block.height;
  if (height < 1 || height > at) fail('EVIDENCE_HEIGHT', `evidence of height ${height} in block ${at}`);
  const maxAge = ctx.params.evidence_max_age;
  if (at - height > maxAge) fail('EVIDENCE_HEIGHT', `evidence of height ${height} is more than evidence_max_age (${maxAge}) below block ${at}`);
  const key = EvidKeys.equivocation(validator, height, round, voteType);
  if ((await ctx.get(EquivocationSchema, key)) !== undefined) fail('EVIDENCE_DUPLICATE', `an equivocation of ${toHex(validator)} at ${height}/${round}/${voteType} is recorded already`);
  const member = await memberAt(ctx, validator, height);
  if (member === null) fail('EVIDENCE_NOT_VALIDATOR', `${toHex(validator)} was not in the validator set at height ${height}`);
  for (const v of [a, b]) {
    if (!verify(v.signature, voteSignBytes(ctx.block.chainId, v), member.publicKey)) fail('EVIDENCE_BAD_SIGNATURE', `a vote's signature does not verify under ${toHex(validator)}'s key`);
  }

  const suspendedFrom = ctx.params.equivocation_suspend === 1 ? await suspend(ctx, validator, { height, round, voteType }) : 0;
  ctx.put(EquivocationSchema, key, {
    validator, publicKey: member.publicKey, height, round, voteType, voteA: a, voteB: b, evidenceHash: evidenceHash(ev), power: member.power,
    recordedHeight: at, recordedTime: ctx.block.time, suspendedFrom, decision: Decision.PENDING, decidedPower: 0, legalRef: '', decidedHeight: 0,
  });
  const items = [...((await ctx.get(EquivocationListSchema, EvidKeys.equivocations()))?.items ?? []), { validator, height, round, voteType, recordedHeight: at }];
  while (items.length > MAX_LISTED) items.shift();
  ctx.put(EquivocationListSchema, EvidKeys.equivocations(), { items });
  ctx.emit(equivocationEvent, { validator, height, round, voteType, blockA: a.blockHash, blockB: b.blockHash, suspendedFrom });
}

/**
 * Take the validator out of the set through governance's remove_validator, keeping what a
 * reinstatement needs; the height it takes effect from, or 0 when it is out already,
 * suspended already, or the set cannot lose it.
 */
async function suspend(ctx: TxContext, validator: Uint8Array, cause: { height: number; round: number; voteType: number }): Promise<number> {
  const entry = (await currentValidators(ctx)).find((v) => equalBytes(v.address, validator));
  if (entry === undefined || (await ctx.get(SuspensionSchema, EvidKeys.suspension(validator))) !== undefined) return 0;
  const node = await ctx.get(ValidatorNodeSchema, GovKeys.validatorNode(validator));
  try {
    await ctx.nested(() => runAction(ctx, 'remove_validator', { address: validator }));
  } catch (e) {
    if (e instanceof VmError && e.code !== 'OUT_OF_WORK') return 0;
    throw e;
  }
  const from = ctx.block.height + 2;
  ctx.put(SuspensionSchema, EvidKeys.suspension(validator), { publicKey: entry.publicKey, power: entry.power, nodeKey: node?.nodeKey ?? null, from, ...cause });
  return from;
}
