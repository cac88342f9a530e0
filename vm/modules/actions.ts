/**
 * What governance can do, as actions: each kind has an args schema and an executor over a
 * TxContext. The council executes them when a proposal reaches its threshold
 * (modules/gov.ts), and genesis runs the same executors to build the initial state, so a
 * chain's first institutions, currencies and validators pass the very checks later ones do.
 */
import {
  addressField, addressFromPublicKey, compareBytes, decode, encode, equalBytes, isValidPublicKey, Limits, list, publicKeyField, str, struct, u8, u32, uint,
  type Schema,
} from '../../core/index.js';
import { fail, VmError } from '../errors.js';
import { Keys } from '../keys.js';
import {
  AccountKind, AccountSchema, AccountStatus, ALL_ROLES, CouncilSchema, CurrencyKind, CurrencyListSchema, CurrencySchema, currencyCode, InstitutionSchema,
  MAX_CURRENCIES,
  MAX_ACCOUNT_KEYS, MAX_COUNCIL, MAX_DECIMALS, MAX_TIERS, ParamValueSchema, ReserveSchema, Role, TierPolicySchema, ValidatorListSchema, ValidatorNodeSchema,
  type ProposalAction, type ValidatorEntry,
} from '../records.js';
import { isParamName, PARAM_SPECS, paramProblem } from '../params.js';
import type { TxContext } from '../context.js';
import { addressOfKeys, checkKeys, getInstitution, hex, roleNames } from './common.js';

export const ActionKind = {
  ADD_VALIDATOR: 1,
  REMOVE_VALIDATOR: 2,
  SET_VALIDATOR_POWER: 3,
  REGISTER_INSTITUTION: 4,
  GRANT_ROLE: 5,
  REVOKE_ROLE: 6,
  REGISTER_CURRENCY: 7,
  SET_PARAM: 8,
  SET_COUNCIL: 9,
} as const;

export const AddValidatorArgs = struct('AddValidator', { publicKey: publicKeyField, power: uint, nodeKey: publicKeyField });
export const RemoveValidatorArgs = struct('RemoveValidator', { address: addressField });
export const SetValidatorPowerArgs = struct('SetValidatorPower', { address: addressField, power: uint });
export const RegisterInstitutionArgs = struct('RegisterInstitution', {
  name: str(64), keys: list(publicKeyField, MAX_ACCOUNT_KEYS), threshold: u8, roles: u32,
});
export const RoleArgs = struct('RoleChange', { institution: addressField, role: u32 });
export const RegisterCurrencyArgs = struct('RegisterCurrency', {
  code: currencyCode, decimals: u8, issuer: addressField, kind: u8, tiers: list(TierPolicySchema, MAX_TIERS),
});
export const SetParamArgs = struct('SetParam', { name: str(64), value: uint });
export const SetCouncilArgs = struct('SetCouncil', { members: list(addressField, MAX_COUNCIL), threshold: u8 });

export const InstitutionEvent = struct('InstitutionRegistered', { institution: addressField, name: str(64), roles: u32 });
export const RoleEvent = struct('RoleChanged', { institution: addressField, role: u32, granted: u8 });
export const CurrencyEvent = struct('CurrencyRegistered', { code: currencyCode, issuer: addressField, kind: u8, decimals: u8 });
export const ParamEvent = struct('ParamChanged', { name: str(64), value: uint });
export const ValidatorEvent = struct('ValidatorChanged', { address: addressField, publicKey: publicKeyField, power: uint });
export const CouncilEvent = struct('CouncilChanged', { members: list(addressField, MAX_COUNCIL), threshold: u8 });

interface ActionDef<A> {
  readonly name: string;
  readonly args: Schema<A>;
  readonly run: (ctx: TxContext, a: A) => Promise<void>;
}
const def = <A>(name: string, args: Schema<A>, run: (ctx: TxContext, a: A) => Promise<void>): ActionDef<A> => ({ name, args, run });

async function validators(ctx: TxContext): Promise<ValidatorEntry[]> {
  return [...((await ctx.get(ValidatorListSchema, Keys.validators()))?.validators ?? [])];
}

function storeValidators(ctx: TxContext, vs: ValidatorEntry[], changed: ValidatorEntry): void {
  vs.sort((a, b) => compareBytes(a.address, b.address));
  let total = 0;
  for (const v of vs) total += v.power;
  if (vs.length === 0) fail('BAD_VALIDATOR', 'the validator set cannot become empty');
  if (vs.length > Limits.MAX_VALIDATORS) fail('BAD_VALIDATOR', `more than ${Limits.MAX_VALIDATORS} validators`);
  if (total > Limits.MAX_TOTAL_POWER) fail('BAD_VALIDATOR', `total power would exceed ${Limits.MAX_TOTAL_POWER}`);
  ctx.put(ValidatorListSchema, Keys.validators(), { validators: vs });
  ctx.validatorUpdate({ publicKey: changed.publicKey, power: changed.power });
  ctx.emit('gov', 'validator_changed', ValidatorEvent, changed);
}

function checkPower(power: number): void {
  if (power < 1 || power > Limits.MAX_TOTAL_POWER) fail('BAD_VALIDATOR', `power must be 1..${Limits.MAX_TOTAL_POWER}`);
}

function checkRole(role: number): void {
  if (role === 0 || (role & ~ALL_ROLES) !== 0) fail('BAD_ROLE', `roles must be a non-empty subset of ${ALL_ROLES}`, { role });
}

export const ACTIONS: Readonly<Record<number, ActionDef<any>>> = { // eslint-disable-line @typescript-eslint/no-explicit-any
  [ActionKind.ADD_VALIDATOR]: def('add_validator', AddValidatorArgs, async (ctx, a) => {
    if (!isValidPublicKey(a.publicKey)) fail('BAD_VALIDATOR', 'not a valid Ed25519 public key');
    checkPower(a.power);
    const address = addressFromPublicKey(a.publicKey);
    const vs = await validators(ctx);
    if (vs.some((v) => equalBytes(v.address, address))) fail('VALIDATOR_EXISTS', `validator ${hex(address)} exists`);
    if (!isValidPublicKey(a.nodeKey)) fail('BAD_VALIDATOR', 'node key: not a valid Ed25519 public key');
    for (const v of vs) {
      const node = await ctx.get(ValidatorNodeSchema, Keys.validatorNode(v.address));
      if (node && equalBytes(node.nodeKey, a.nodeKey)) fail('BAD_VALIDATOR', `node key already used by validator ${hex(v.address)}`);
    }
    const entry = { address, publicKey: a.publicKey, power: a.power };
    vs.push(entry);
    storeValidators(ctx, vs, entry);
    ctx.put(ValidatorNodeSchema, Keys.validatorNode(address), { nodeKey: a.nodeKey });
  }),
  [ActionKind.REMOVE_VALIDATOR]: def('remove_validator', RemoveValidatorArgs, async (ctx, a) => {
    const vs = await validators(ctx);
    const i = vs.findIndex((v) => equalBytes(v.address, a.address));
    if (i < 0) fail('VALIDATOR_NOT_FOUND', `no validator ${hex(a.address)}`);
    const [gone] = vs.splice(i, 1);
    storeValidators(ctx, vs, { ...gone!, power: 0 });
    ctx.delete(Keys.validatorNode(a.address));
  }),
  [ActionKind.SET_VALIDATOR_POWER]: def('set_validator_power', SetValidatorPowerArgs, async (ctx, a) => {
    checkPower(a.power);
    const vs = await validators(ctx);
    const i = vs.findIndex((v) => equalBytes(v.address, a.address));
    if (i < 0) fail('VALIDATOR_NOT_FOUND', `no validator ${hex(a.address)}`);
    vs[i] = { ...vs[i]!, power: a.power };
    storeValidators(ctx, vs, vs[i]!);
  }),
  [ActionKind.REGISTER_INSTITUTION]: def('register_institution', RegisterInstitutionArgs, async (ctx, a) => {
    checkKeys(a.keys, a.threshold);
    checkRole(a.roles);
    const addr = addressOfKeys(a.keys);
    if ((await ctx.get(InstitutionSchema, Keys.institution(addr))) !== undefined) fail('INSTITUTION_EXISTS', `institution ${hex(addr)} exists`);
    if ((await ctx.get(AccountSchema, Keys.account(addr))) !== undefined) fail('ACCOUNT_EXISTS', `account ${hex(addr)} exists`);
    ctx.put(AccountSchema, Keys.account(addr), {
      keys: a.keys, threshold: a.threshold, nonce: 0, kind: AccountKind.INSTITUTION, status: AccountStatus.ACTIVE, tier: 0, bank: null,
      linkedRef: null, category: '',
    });
    ctx.put(InstitutionSchema, Keys.institution(addr), { name: a.name, roles: a.roles });
    ctx.emit('gov', 'institution_registered', InstitutionEvent, { institution: addr, name: a.name, roles: a.roles });
  }),
  [ActionKind.GRANT_ROLE]: def('grant_role', RoleArgs, async (ctx, a) => {
    checkRole(a.role);
    const inst = await getInstitution(ctx, a.institution);
    if ((inst.roles & a.role) === a.role) fail('ROLE_ALREADY_HELD', `${hex(a.institution)} already holds ${roleNames(a.role)}`);
    ctx.put(InstitutionSchema, Keys.institution(a.institution), { ...inst, roles: inst.roles | a.role });
    ctx.emit('gov', 'role_granted', RoleEvent, { institution: a.institution, role: a.role, granted: 1 });
  }),
  [ActionKind.REVOKE_ROLE]: def('revoke_role', RoleArgs, async (ctx, a) => {
    checkRole(a.role);
    const inst = await getInstitution(ctx, a.institution);
    if ((inst.roles & a.role) !== a.role) fail('ROLE_NOT_HELD', `${hex(a.institution)} does not hold ${roleNames(a.role)}`);
    ctx.put(InstitutionSchema, Keys.institution(a.institution), { ...inst, roles: inst.roles & ~a.role });
    ctx.emit('gov', 'role_revoked', RoleEvent, { institution: a.institution, role: a.role, granted: 0 });
  }),
  [ActionKind.REGISTER_CURRENCY]: def('register_currency', RegisterCurrencyArgs, async (ctx, a) => {
    if (a.decimals > MAX_DECIMALS) fail('BAD_CURRENCY', `decimals must be 0..${MAX_DECIMALS}`);
    if (a.kind !== CurrencyKind.CBDC && a.kind !== CurrencyKind.STABLECOIN) fail('BAD_CURRENCY', 'kind must be 1 (CBDC) or 2 (stablecoin)');
    if (a.tiers.length > ctx.params.max_tier) fail('BAD_CURRENCY', `at most ${ctx.params.max_tier} tier policies`);
    const inst = await getInstitution(ctx, a.issuer);
    const need = a.kind === CurrencyKind.CBDC ? Role.CENTRAL_BANK : Role.ISSUER;
    if ((inst.roles & need) === 0) fail('NOT_ISSUER', `${hex(a.issuer)} lacks the role ${roleNames(need)} for this currency kind`);
    if ((await ctx.get(CurrencySchema, Keys.currency(a.code))) !== undefined) fail('CURRENCY_EXISTS', `currency ${a.code} exists`);
    const codes = (await ctx.get(CurrencyListSchema, Keys.currencyList()))?.codes ?? [];
    if (codes.length >= MAX_CURRENCIES) fail('BAD_CURRENCY', `at most ${MAX_CURRENCIES} currencies`);
    ctx.put(CurrencyListSchema, Keys.currencyList(), { codes: [...codes, a.code] });
    ctx.put(CurrencySchema, Keys.currency(a.code), { code: a.code, decimals: a.decimals, issuer: a.issuer, kind: a.kind, paused: false, supply: 0n, tiers: a.tiers });
    if (a.kind === CurrencyKind.STABLECOIN) {
      ctx.put(ReserveSchema, Keys.reserve(a.code), { attested: 0n, depositsInFlight: 0n, payoutsInFlight: 0n, attestedAt: ctx.block.time });
    }
    ctx.emit('gov', 'currency_registered', CurrencyEvent, { code: a.code, issuer: a.issuer, kind: a.kind, decimals: a.decimals });
  }),
  [ActionKind.SET_PARAM]: def('set_param', SetParamArgs, async (ctx, a) => {
    if (!isParamName(a.name)) fail('UNKNOWN_PARAM', `unknown parameter "${a.name}"`);
    if (!PARAM_SPECS[a.name].governable) fail('BAD_PARAM_VALUE', `${a.name} is fixed at genesis`);
    const problem = paramProblem(a.name, a.value);
    if (problem !== null) fail('BAD_PARAM_VALUE', problem);
    ctx.put(ParamValueSchema, Keys.param(a.name), { value: a.value });
    ctx.emit('gov', 'param_changed', ParamEvent, a);
  }),
  [ActionKind.SET_COUNCIL]: def('set_council', SetCouncilArgs, async (ctx, a) => {
    if (a.members.length === 0) fail('BAD_COUNCIL', 'the council needs a member');
    for (let i = 0; i < a.members.length; i++) {
      for (let j = 0; j < i; j++) if (equalBytes(a.members[i]!, a.members[j]!)) fail('BAD_COUNCIL', `member ${i} repeats member ${j}`);
      if ((await ctx.get(AccountSchema, Keys.account(a.members[i]!))) === undefined) fail('BAD_COUNCIL', `member ${hex(a.members[i]!)} has no account`);
    }
    if (a.threshold < 1 || a.threshold > a.members.length) fail('BAD_COUNCIL', `threshold must be 1..${a.members.length}`);
    ctx.put(CouncilSchema, Keys.council(), a);
    ctx.emit('gov', 'council_changed', CouncilEvent, a);
  }),
};

/** Decode an action's args, or fail with BAD_PROPOSAL_ACTION. */
export function decodeAction(action: ProposalAction): { def: ActionDef<unknown>; args: unknown } {
  const d = ACTIONS[action.kind];
  if (d === undefined) fail('BAD_PROPOSAL_ACTION', `unknown action kind ${action.kind}`);
  try {
    return { def: d, args: decode(d.args, action.data) };
  } catch (e) {
    if (e instanceof VmError) throw e;
    fail('BAD_PROPOSAL_ACTION', `${d.name}: ${(e as Error).message}`);
  }
}

/** Build an action (for clients, tests and genesis). */
export function makeAction<A>(kind: number, args: A): ProposalAction {
  const d = ACTIONS[kind];
  if (d === undefined) throw new RangeError(`unknown action kind ${kind}`);
  return { kind, data: encode(d.args as Schema<A>, args) };
}
