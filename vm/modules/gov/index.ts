/**
 * Module `gov`: the governance council, its proposals, and the actions they execute: the
 * validator set, institutions and their roles, currencies, parameters and the council
 * itself. Genesis creates the first validators, institutions and council through the same
 * actions (steps 10, 20 and 30 of genesis).
 */
import { addressField, list, publicKeyField, struct, u8, u32, uint, str, decode, type Infer } from '../../../core/index.js';
import { code, defineModule, type GenesisStepContext } from '../../module.js';
import { runAction } from '../../actions.js';
import { fail } from '../../errors.js';
import type { Event } from '../../receipts.js';
import { MAX_ACCOUNT_KEYS } from '../account/records.js';
import { govRecords, MAX_COUNCIL } from './records.js';
import { ActionEvents, govActions, InstitutionEvent } from './actions.js';
import { ProposalEvents, proposalMethods } from './proposals.js';

const DAY_MS = 86_400_000;
const keys = list(publicKeyField, MAX_ACCOUNT_KEYS);

export const GenesisValidatorSchema = struct('GenesisValidator', { publicKey: publicKeyField, power: uint, nodeKey: publicKeyField });
export const GenesisInstitutionSchema = struct('GenesisInstitution', { name: str(64), keys, threshold: u8, roles: u32 });
export const GenesisCouncilSchema = struct('GenesisCouncil', { members: list(addressField, MAX_COUNCIL), threshold: u8 });

const each = <T>(field: string, action: string) => async (g: GenesisStepContext): Promise<void> => {
  for (const [i, v] of (g.doc[field] as T[]).entries()) await g.step(`${field}[${i}]`, () => runAction(g.ctx, action, v));
};

export const govModule = defineModule({
  name: 'gov',
  doc: 'The governance council: members propose and approve actions (validator set, institutions and roles, currencies, parameters, the council itself). '
    + "The approval that brings the approvals of current members to the council's threshold executes the action in a nested checkpoint: if it fails, the proposal is stored as FAILED (2) with the action's code and message and the approval succeeds; otherwise EXECUTED (1). "
    + 'Proposals keep every approval [member, reason, height]; status 0 open, 1 executed, 2 failed, 3 cancelled; `makeAction(kind, args)` builds an action. '
    + 'Validator changes are returned in `validatorUpdates` of the block that executes them (consensus decides the height they take effect); total power stays within core `Limits.MAX_TOTAL_POWER`, at most 256 validators, never none.',
  records: govRecords,
  codeRange: [300, 499],
  codes: {
    NOT_AUTHORIZED: code(300, 'the signer lacks the required role'),
    INSTITUTION_EXISTS: code(301, 'an institution is already at that address'),
    INSTITUTION_NOT_FOUND: code(302, 'no institution at that address'),
    BAD_ROLE: code(303, 'role bits empty or unknown'),
    ROLE_ALREADY_HELD: code(304, 'granting a role held already'),
    ROLE_NOT_HELD: code(305, 'revoking a role not held'),
    NOT_COUNCIL_MEMBER: code(400, 'the signer is not on the council'),
    PROPOSAL_NOT_FOUND: code(401, 'no such proposal'),
    PROPOSAL_CLOSED: code(402, 'the proposal is executed, failed or cancelled'),
    PROPOSAL_EXPIRED: code(403, 'the proposal is past its expiry'),
    ALREADY_APPROVED: code(404, 'the member approved already'),
    BAD_PROPOSAL_ACTION: code(405, 'unknown action kind or malformed action data'),
    VALIDATOR_EXISTS: code(406, 'the validator is in the set'),
    VALIDATOR_NOT_FOUND: code(407, 'the validator is not in the set'),
    BAD_VALIDATOR: code(408, 'invalid key or power, or the set would be empty, too big or too heavy'),
    UNKNOWN_PARAM: code(409, 'no parameter of that name'),
    BAD_PARAM_VALUE: code(410, 'value out of bounds, or the parameter is fixed at genesis'),
    BAD_COUNCIL: code(411, 'council empty, repeated, without accounts, or a bad threshold'),
    NOT_PROPOSER: code(412, 'only the proposer may cancel'),
  },
  params: {
    proposal_ttl_ms: { value: 14 * DAY_MS, min: 60_000, max: 365 * DAY_MS, governable: true, doc: 'block time a proposal stays open' },
  },
  events: { ...ProposalEvents, ...ActionEvents },
  methods: proposalMethods,
  actions: govActions,
  genesis: {
    fields: {
      validators: { position: 4, schema: list(GenesisValidatorSchema, 256), doc: 'at least one; each node key is recorded at 0x41 (the p2p allowlist)' },
      institutions: { position: 5, schema: list(GenesisInstitutionSchema, 4096), doc: 'institutions with their roles; address = that of the first key' },
      council: { position: 6, schema: GenesisCouncilSchema, doc: 'members (institutions listed above) and threshold' },
    },
    steps: [
      {
        order: 10, name: 'validators',
        run: async (g: GenesisStepContext) => {
          if ((g.doc.validators as unknown[]).length === 0) fail('BAD_GENESIS', 'validators: at least one');
          await each<Infer<typeof GenesisValidatorSchema>>('validators', 'add_validator')(g);
        },
      },
      { order: 20, name: 'institutions', run: each<Infer<typeof GenesisInstitutionSchema>>('institutions', 'register_institution') },
      { order: 30, name: 'council', run: (g: GenesisStepContext) => g.step('council', () => runAction(g.ctx, 'set_council', g.doc.council)) },
    ],
  },
  /** A registered institution. */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) if (e.module === 'gov' && e.name === 'institution_registered') out.push(decode(InstitutionEvent, e.data).institution);
    return out;
  },
});

export * from './records.js';
export { getInstitution, hasRole, requireRole, roleNames } from './roles.js';
export {
  AddValidatorArgs, RemoveValidatorArgs, SetValidatorPowerArgs, RegisterInstitutionArgs, RoleArgs, RegisterCurrencyArgs, SetParamArgs, SetCouncilArgs,
  InstitutionEvent, RoleEvent, CurrencyEvent, ParamEvent, ValidatorEvent, CouncilEvent, ActionEvents,
} from './actions.js';
export { ProposeArgs, ApproveArgs, CancelArgs, IdResult, ProposalEvent, ExecutedEvent, ProposalEvents } from './proposals.js';
