/**
 * Module `evid`: equivocation acted on. Double-sign evidence a block carries (core
 * DuplicateVoteEvidence, found by consensus and gossiped) is verified against the validator
 * set in effect at its height and recorded in state with both votes (evidence.ts: the vm's
 * evidence hook, at the start of the block); a parameter decides whether the offender is
 * suspended at once (out of the set from the block's height + 2, as every set change is);
 * the council decides with the governance action `resolve_equivocation` (resolve.ts:
 * remove, re-weight or reinstate, citing the recorded evidence). No staking and no slashing:
 * validators are public bodies, and the remedy is governance's.
 */
import { code, defineModule } from '../../module.js';
import { evidRecords } from './records.js';
import { equivocationEvent, genesisHistory, recordEvidence, recordSetChanges } from './evidence.js';
import { evidActions, resolvedEvent } from './resolve.js';

export const evidModule = defineModule({
  name: 'evid',
  doc: "Equivocation acted on: the double-sign evidence a block carries is verified at the start of the block (two votes of one validator for one height, round and type, for different block ids, both signed under the key it had in the set in effect at that height, at most evidence_max_age heights old, not recorded already) and recorded with both votes (a block carrying evidence that fails is invalid); with equivocation_suspend 1 the validator is suspended at once (governance's remove_validator: out of the set from the block's height + 2, its power and node key kept); the council decides with resolve_equivocation (remove, re-weight, reinstate). Each validator's history in the set (from genesis, every block's set changes) says which set was in effect at a height. No staking, no slashing: validators are public bodies.",
  records: evidRecords,
  codeRange: [1500, 1599],
  codes: {
    EVIDENCE_MALFORMED: code(1500, 'not two votes of one validator for one type, height and round, for different block ids in canonical order'),
    EVIDENCE_HEIGHT: code(1501, "the evidence's height is after the block, or more than evidence_max_age below it"),
    EVIDENCE_NOT_VALIDATOR: code(1502, 'the voter was not in the validator set in effect at that height'),
    EVIDENCE_BAD_SIGNATURE: code(1503, "a vote's signature does not verify under the validator's key"),
    EVIDENCE_DUPLICATE: code(1504, 'an equivocation of that validator, height, round and type is recorded already'),
    EQUIVOCATION_NOT_FOUND: code(1510, 'no equivocation recorded for that validator, height, round and type'),
    EQUIVOCATION_RESOLVED: code(1511, 'the council decided on that equivocation already'),
    BAD_DECISION: code(1512, 'an unknown decision, a power given but to reweight or none to it, no legal reference, or no node key to reinstate with'),
  },
  params: {
    equivocation_suspend: {
      value: 1, min: 0, max: 1, governable: true,
      doc: 'suspend a validator as soon as its equivocation is recorded (1): out of the set from the block\'s height + 2, until the council decides; 0: record only',
    },
    evidence_max_age: { value: 100_000, min: 1, max: 10_000_000, governable: true, doc: 'heights below the block that double-sign evidence may be of' },
  },
  events: { equivocation: equivocationEvent, equivocation_resolved: resolvedEvent },
  methods: {},
  actions: evidActions,
  genesis: {
    fields: {},
    steps: [{ order: 15, name: 'validator history', run: genesisHistory }],
  },
  hooks: { evidence: recordEvidence, validatorUpdates: recordSetChanges },
});

export * from './records.js';
export { EquivocationEvent, equivocationEvent, memberAt } from './evidence.js';
export { ResolveEquivocationArgs, ResolvedEvent, resolvedEvent } from './resolve.js';
