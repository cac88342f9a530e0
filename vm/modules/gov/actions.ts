/**
 * What governance can do, as actions (the gov module's descriptor lists them, each with its
 * literal kind number): change the validator set, register institutions and grant or revoke
 * their roles, register currencies, change parameters and the council. The council executes
 * them when a proposal reaches its threshold (methods.ts), and genesis runs the same
 * executors to build the initial state, so a chain's first institutions, currencies and
 * validators pass the very checks later ones do.
 */
import {
  addressField, addressFromPublicKey, compareBytes, equalBytes, isValidPublicKey, Limits, list, publicKeyField, str, struct, toHex, u8, u32, uint,
} from '../../../core/index.js';
import { fail } from '../../errors.js';
import { action, event } from '../../module.js';
import type { TxContext } from '../../context.js';
import { engineRecords } from '../../engine.js';
import { paramProblem } from '../../params.js';
import { ParamValueSchema } from '../../records.js';
import { AccountKeys, AccountKind, AccountSchema, AccountStatus, MAX_ACCOUNT_KEYS } from '../account/records.js';
import { addressOfKeys, checkKeys } from '../account/accounts.js';
import { CurrencyKind, CurrencyListSchema, CurrencySchema, currencyCode, MAX_CURRENCIES, MAX_DECIMALS, MAX_TIERS, MoneyKeys, TierPolicySchema } from '../money/records.js';
import { RampKeys, ReserveSchema } from '../ramp/records.js';
import { ALL_ROLES, CouncilSchema, GovKeys, InstitutionSchema, MAX_COUNCIL, Role, ValidatorListSchema, ValidatorNodeSchema, type ValidatorEntry } from './records.js';
import { getInstitution, roleNames } from './roles.js';

const hex = toHex;

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

/** The events governance actions emit (filed under the gov module). */
export const ActionEvents = {
  validator_changed: event('gov', 'validator_changed', ValidatorEvent, 'a validator added, re-weighted or removed (power 0)'),
  institution_registered: event('gov', 'institution_registered', InstitutionEvent, 'an institution registered with its roles'),
  role_granted: event('gov', 'role_granted', RoleEvent, 'a role granted to an institution'),
  role_revoked: event('gov', 'role_revoked', RoleEvent, 'a role revoked'),
  currency_registered: event('gov', 'currency_registered', CurrencyEvent, 'a currency registered'),
  param_changed: event('gov', 'param_changed', ParamEvent, 'a parameter changed'),
  council_changed: event('gov', 'council_changed', CouncilEvent, 'the council replaced'),
};
const E = ActionEvents;

async function validators(ctx: TxContext): Promise<ValidatorEntry[]> {
  return [...((await ctx.get(ValidatorListSchema, GovKeys.validators()))?.validators ?? [])];
}

function storeValidators(ctx: TxContext, vs: ValidatorEntry[], changed: ValidatorEntry): void {
  vs.sort((a, b) => compareBytes(a.address, b.address));
  let total = 0;
  for (const v of vs) total += v.power;
  if (vs.length === 0) fail('BAD_VALIDATOR', 'the validator set cannot become empty');
  if (vs.length > Limits.MAX_VALIDATORS) fail('BAD_VALIDATOR', `more than ${Limits.MAX_VALIDATORS} validators`);
  if (total > Limits.MAX_TOTAL_POWER) fail('BAD_VALIDATOR', `total power would exceed ${Limits.MAX_TOTAL_POWER}`);
  ctx.put(ValidatorListSchema, GovKeys.validators(), { validators: vs });
  ctx.validatorUpdate({ publicKey: changed.publicKey, power: changed.power });
  ctx.emit(E.validator_changed, changed);
}

function checkPower(power: number): void {
  if (power < 1 || power > Limits.MAX_TOTAL_POWER) fail('BAD_VALIDATOR', `power must be 1..${Limits.MAX_TOTAL_POWER}`);
}

function checkRole(role: number): void {
  if (role === 0 || (role & ~ALL_ROLES) !== 0) fail('BAD_ROLE', `roles must be a non-empty subset of ${ALL_ROLES}`, { role });
}

export const govActions = {
  add_validator: action(1, AddValidatorArgs, "add a validator with its power and its libp2p node's key (recorded at 0x41: the p2p allowlist)", async (ctx, a) => {
    if (!isValidPublicKey(a.publicKey)) fail('BAD_VALIDATOR', 'not a valid Ed25519 public key');
    checkPower(a.power);
    const address = addressFromPublicKey(a.publicKey);
    const vs = await validators(ctx);
    if (vs.some((v) => equalBytes(v.address, address))) fail('VALIDATOR_EXISTS', `validator ${hex(address)} exists`);
    if (!isValidPublicKey(a.nodeKey)) fail('BAD_VALIDATOR', 'node key: not a valid Ed25519 public key');
    for (const v of vs) {
      const node = await ctx.get(ValidatorNodeSchema, GovKeys.validatorNode(v.address));
      if (node && equalBytes(node.nodeKey, a.nodeKey)) fail('BAD_VALIDATOR', `node key already used by validator ${hex(v.address)}`);
    }
    const entry = { address, publicKey: a.publicKey, power: a.power };
    vs.push(entry);
    storeValidators(ctx, vs, entry);
    ctx.put(ValidatorNodeSchema, GovKeys.validatorNode(address), { nodeKey: a.nodeKey });
  }, ['BAD_VALIDATOR', 'VALIDATOR_EXISTS']),
  remove_validator: action(2, RemoveValidatorArgs, 'remove a validator (its node key goes from the allowlist too)', async (ctx, a) => {
    const vs = await validators(ctx);
    const i = vs.findIndex((v) => equalBytes(v.address, a.address));
    if (i < 0) fail('VALIDATOR_NOT_FOUND', `no validator ${hex(a.address)}`);
    const [gone] = vs.splice(i, 1);
    storeValidators(ctx, vs, { ...gone!, power: 0 });
    ctx.delete(GovKeys.validatorNode(a.address));
  }, ['VALIDATOR_NOT_FOUND', 'BAD_VALIDATOR']),
  set_validator_power: action(3, SetValidatorPowerArgs, "change a validator's voting power", async (ctx, a) => {
    checkPower(a.power);
    const vs = await validators(ctx);
    const i = vs.findIndex((v) => equalBytes(v.address, a.address));
    if (i < 0) fail('VALIDATOR_NOT_FOUND', `no validator ${hex(a.address)}`);
    vs[i] = { ...vs[i]!, power: a.power };
    storeValidators(ctx, vs, vs[i]!);
  }, ['VALIDATOR_NOT_FOUND', 'BAD_VALIDATOR']),
  register_institution: action(4, RegisterInstitutionArgs, 'register an institution (its account, at the address of its first key) with roles', async (ctx, a) => {
    checkKeys(a.keys, a.threshold);
    checkRole(a.roles);
    const addr = addressOfKeys(a.keys);
    if ((await ctx.get(InstitutionSchema, GovKeys.institution(addr))) !== undefined) fail('INSTITUTION_EXISTS', `institution ${hex(addr)} exists`);
    if ((await ctx.get(AccountSchema, AccountKeys.account(addr))) !== undefined) fail('ACCOUNT_EXISTS', `account ${hex(addr)} exists`);
    ctx.put(AccountSchema, AccountKeys.account(addr), {
      keys: a.keys, threshold: a.threshold, nonce: 0, kind: AccountKind.INSTITUTION, status: AccountStatus.ACTIVE, tier: 0, bank: null,
      linkedRef: null, category: '',
    });
    ctx.put(InstitutionSchema, GovKeys.institution(addr), { name: a.name, roles: a.roles });
    ctx.emit(E.institution_registered, { institution: addr, name: a.name, roles: a.roles });
  }, ['BAD_KEYS', 'BAD_THRESHOLD', 'BAD_ROLE', 'INSTITUTION_EXISTS', 'ACCOUNT_EXISTS']),
  grant_role: action(5, RoleArgs, 'grant roles to an institution', async (ctx, a) => {
    checkRole(a.role);
    const inst = await getInstitution(ctx, a.institution);
    if ((inst.roles & a.role) === a.role) fail('ROLE_ALREADY_HELD', `${hex(a.institution)} already holds ${roleNames(a.role)}`);
    ctx.put(InstitutionSchema, GovKeys.institution(a.institution), { ...inst, roles: inst.roles | a.role });
    ctx.emit(E.role_granted, { institution: a.institution, role: a.role, granted: 1 });
  }, ['BAD_ROLE', 'INSTITUTION_NOT_FOUND', 'ROLE_ALREADY_HELD']),
  revoke_role: action(6, RoleArgs, 'revoke roles from an institution', async (ctx, a) => {
    checkRole(a.role);
    const inst = await getInstitution(ctx, a.institution);
    if ((inst.roles & a.role) !== a.role) fail('ROLE_NOT_HELD', `${hex(a.institution)} does not hold ${roleNames(a.role)}`);
    ctx.put(InstitutionSchema, GovKeys.institution(a.institution), { ...inst, roles: inst.roles & ~a.role });
    ctx.emit(E.role_revoked, { institution: a.institution, role: a.role, granted: 0 });
  }, ['BAD_ROLE', 'INSTITUTION_NOT_FOUND', 'ROLE_NOT_HELD']),
  register_currency: action(7, RegisterCurrencyArgs, 'register a currency (at most 256): its issuer must hold central_bank for a CBDC, issuer for a stablecoin', async (ctx, a) => {
    if (a.decimals > MAX_DECIMALS) fail('BAD_CURRENCY', `decimals must be 0..${MAX_DECIMALS}`);
    if (a.kind !== CurrencyKind.CBDC && a.kind !== CurrencyKind.STABLECOIN) fail('BAD_CURRENCY', 'kind must be 1 (CBDC) or 2 (stablecoin)');
    if (a.tiers.length > ctx.params.max_tier) fail('BAD_CURRENCY', `at most ${ctx.params.max_tier} tier policies`);
    const inst = await getInstitution(ctx, a.issuer);
    const need = a.kind === CurrencyKind.CBDC ? Role.CENTRAL_BANK : Role.ISSUER;
    if ((inst.roles & need) === 0) fail('NOT_ISSUER', `${hex(a.issuer)} lacks the role ${roleNames(need)} for this currency kind`);
    if ((await ctx.get(CurrencySchema, MoneyKeys.currency(a.code))) !== undefined) fail('CURRENCY_EXISTS', `currency ${a.code} exists`);
    const codes = (await ctx.get(CurrencyListSchema, MoneyKeys.currencyList()))?.codes ?? [];
    if (codes.length >= MAX_CURRENCIES) fail('BAD_CURRENCY', `at most ${MAX_CURRENCIES} currencies`);
    ctx.put(CurrencyListSchema, MoneyKeys.currencyList(), { codes: [...codes, a.code] });
    ctx.put(CurrencySchema, MoneyKeys.currency(a.code), { code: a.code, decimals: a.decimals, issuer: a.issuer, kind: a.kind, paused: false, supply: 0n, tiers: a.tiers });
    if (a.kind === CurrencyKind.STABLECOIN) {
      ctx.put(ReserveSchema, RampKeys.reserve(a.code), { attested: 0n, depositsInFlight: 0n, payoutsInFlight: 0n, attestedAt: ctx.block.time });
    }
    ctx.emit(E.currency_registered, { code: a.code, issuer: a.issuer, kind: a.kind, decimals: a.decimals });
  }, ['BAD_CURRENCY', 'INSTITUTION_NOT_FOUND', 'NOT_ISSUER', 'CURRENCY_EXISTS']),
  set_param: action(8, SetParamArgs, 'change a governable parameter, within its bounds', async (ctx, a) => {
    const spec = ctx.registry.params[a.name];
    if (spec === undefined || !Object.hasOwn(ctx.registry.params, a.name)) fail('UNKNOWN_PARAM', `unknown parameter "${a.name}"`);
    if (!spec.governable) fail('BAD_PARAM_VALUE', `${a.name} is fixed at genesis`);
    const problem = paramProblem(a.name, a.value, ctx.registry);
    if (problem !== null) fail('BAD_PARAM_VALUE', problem);
    ctx.put(ParamValueSchema, engineRecords.param.keyOf(a.name), { value: a.value });
    ctx.emit(E.param_changed, a);
  }, ['UNKNOWN_PARAM', 'BAD_PARAM_VALUE']),
  set_council: action(9, SetCouncilArgs, 'replace the council (members must have accounts)', async (ctx, a) => {
    if (a.members.length === 0) fail('BAD_COUNCIL', 'the council needs a member');
    for (let i = 0; i < a.members.length; i++) {
      for (let j = 0; j < i; j++) if (equalBytes(a.members[i]!, a.members[j]!)) fail('BAD_COUNCIL', `member ${i} repeats member ${j}`);
      if ((await ctx.get(AccountSchema, AccountKeys.account(a.members[i]!))) === undefined) fail('BAD_COUNCIL', `member ${hex(a.members[i]!)} has no account`);
    }
    if (a.threshold < 1 || a.threshold > a.members.length) fail('BAD_COUNCIL', `threshold must be 1..${a.members.length}`);
    ctx.put(CouncilSchema, GovKeys.council(), a);
    ctx.emit(E.council_changed, a);
  }, ['BAD_COUNCIL']),
};
