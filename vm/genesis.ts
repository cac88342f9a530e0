/**
 * Genesis: a typed, canonical genesis document turned into the chain's initial writes.
 * The document (GenesisSchema, an array in the declared field order, so it has one byte form
 * and one hash) names the chain and its address prefix, overrides parameters, and lists the
 * validators, institutions with their roles, the council, currencies with tier policies,
 * customer accounts, initial balances, stablecoin reserves and bank limits. Institutions,
 * validators, the council and currencies go through the same executors as governance
 * actions (modules/actions.ts), so genesis passes the checks later changes must. Any problem
 * is a VmError BAD_GENESIS naming the entry. docs/vm.md documents the shape.
 */
import {
  addressField, amount, chainIdField, checkAddressPrefix, Domain, encode, hashOf, isSovError, list, optional, publicKeyField, str, struct, u8,
  u32, uint, type Infer,
} from '../core/index.js';
import { fail, VmError } from './errors.js';
import { Keys } from './keys.js';
import { Overlay, type StateReader, type WriteSet } from './state.js';
import { Meter } from './meter.js';
import { TxContext, type ValidatorUpdate } from './context.js';
import { defaultParams, isParamName, paramProblem, PARAM_NAMES, type Params } from './params.js';
import {
  AccountKind, AccountSchema, AccountStatus, BankLimitSchema, ChainMetaSchema, CurrencyKind, CurrencySchema, currencyCode, MAX_ACCOUNT_KEYS,
  MAX_COUNCIL, MAX_TIERS, ParamValueSchema, Role, TierPolicySchema,
} from './records.js';
import { ACTIONS, ActionKind } from './modules/actions.js';
import { addressOfKeys, checkKeys, hasRole } from './modules/common.js';
import { credit } from './modules/ledger.js';
import { getReserve, putReserve } from './modules/reserve.js';

const keys = list(publicKeyField, MAX_ACCOUNT_KEYS);

export const GenesisSchema = struct('Genesis', {
  chainId: chainIdField,
  addressPrefix: str(16),
  /** Unix ms: the time of the genesis state (block 1's time must be later). */
  genesisTime: uint,
  params: list(struct('GenesisParam', { name: str(64), value: uint }), 64),
  validators: list(struct('GenesisValidator', { publicKey: publicKeyField, power: uint, nodeKey: publicKeyField }), 256),
  institutions: list(struct('GenesisInstitution', { name: str(64), keys, threshold: u8, roles: u32 }), 4096),
  council: struct('GenesisCouncil', { members: list(addressField, MAX_COUNCIL), threshold: u8 }),
  currencies: list(struct('GenesisCurrency', { code: currencyCode, decimals: u8, issuer: addressField, kind: u8, tiers: list(TierPolicySchema, MAX_TIERS) }), 256),
  accounts: list(
    struct('GenesisAccount', { keys, threshold: u8, kind: u8, tier: u8, bank: addressField, linkedRef: optional(str(64)), category: str(32) }),
    1_000_000,
  ),
  balances: list(struct('GenesisBalance', { address: addressField, currency: currencyCode, amount }), 1_000_000),
  reserves: list(struct('GenesisReserve', { currency: currencyCode, attested: amount }), 256),
  bankLimits: list(struct('GenesisBankLimit', { currency: currencyCode, bank: addressField, maxReserve: optional(amount), dailyOut: optional(amount) }), 4096),
});
export type GenesisDoc = Infer<typeof GenesisSchema>;

export interface GenesisResult {
  readonly writes: WriteSet;
  /** The initial validator set. */
  readonly validators: readonly ValidatorUpdate[];
  /** hashOf("genesis", canonical document bytes). */
  readonly genesisHash: Uint8Array;
  readonly params: Params;
}

const GENESIS_SIGNER = new Uint8Array(20);

function bad(where: string, e: unknown): never {
  if (e instanceof VmError && e.code === 'BAD_GENESIS') throw e;
  if (isSovError(e)) fail('BAD_GENESIS', `${where}: ${e.code}: ${e.message}`, { cause: e.code });
  throw e;
}

async function step(where: string, fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
  } catch (e) {
    bad(where, e);
  }
}

/** Build the initial writes of `doc` over an empty `state`. */
export async function applyGenesis(state: StateReader, doc: GenesisDoc): Promise<GenesisResult> {
  let bytes: Uint8Array;
  try {
    bytes = encode(GenesisSchema, doc);
    checkAddressPrefix(doc.addressPrefix);
  } catch (e) {
    bad('document', e);
  }
  if ((await state.get(Keys.chain())) !== undefined) fail('BAD_GENESIS', 'state already has a chain');
  const params: Record<string, number> = { ...defaultParams() };
  for (const p of doc.params) {
    const problem = paramProblem(p.name, p.value);
    if (problem !== null) fail('BAD_GENESIS', `params: ${problem}`);
    if (isParamName(p.name)) params[p.name] = p.value;
  }
  const frozen = Object.freeze(params) as Params;
  const overlay = new Overlay(state);
  const meter = new Meter(Number.MAX_SAFE_INTEGER, frozen);
  const block = { chainId: doc.chainId, height: 0, time: doc.genesisTime, proposer: GENESIS_SIGNER };
  const ctx = new TxContext(block, frozen, GENESIS_SIGNER, new Uint8Array(32), meter, overlay);
  const run = <A>(kind: number, args: A): Promise<void> => ACTIONS[kind]!.run(ctx, args);

  ctx.put(ChainMetaSchema, Keys.chain(), { chainId: doc.chainId, addressPrefix: doc.addressPrefix, genesisTime: doc.genesisTime });
  for (const n of PARAM_NAMES) ctx.put(ParamValueSchema, Keys.param(n), { value: frozen[n] });
  if (doc.validators.length === 0) fail('BAD_GENESIS', 'validators: at least one');
  for (const [i, v] of doc.validators.entries()) await step(`validators[${i}]`, () => run(ActionKind.ADD_VALIDATOR, v));
  for (const [i, inst] of doc.institutions.entries()) await step(`institutions[${i}]`, () => run(ActionKind.REGISTER_INSTITUTION, inst));
  await step('council', () => run(ActionKind.SET_COUNCIL, doc.council));
  for (const [i, c] of doc.currencies.entries()) await step(`currencies[${i}]`, () => run(ActionKind.REGISTER_CURRENCY, c));
  for (const [i, a] of doc.accounts.entries()) {
    await step(`accounts[${i}]`, async () => {
      checkKeys(a.keys, a.threshold);
      if (a.kind !== AccountKind.PERSON && a.kind !== AccountKind.BUSINESS) fail('BAD_ACCOUNT_KIND', 'kind must be 2 or 3');
      if (a.tier < 1 || a.tier > frozen.max_tier) fail('UNKNOWN_TIER', `tier must be 1..${frozen.max_tier}`);
      if (!(await hasRole(ctx, a.bank, Role.COMMERCIAL_BANK))) fail('NOT_A_BANK', 'bank is not a commercial bank');
      const addr = addressOfKeys(a.keys);
      if ((await ctx.get(AccountSchema, Keys.account(addr))) !== undefined) fail('ACCOUNT_EXISTS', 'account exists');
      ctx.put(AccountSchema, Keys.account(addr), {
        keys: a.keys, threshold: a.threshold, nonce: 0, kind: a.kind, status: AccountStatus.ACTIVE, tier: a.tier, bank: a.bank, linkedRef: a.linkedRef,
        category: a.category,
      });
    });
  }
  for (const [i, r] of doc.reserves.entries()) {
    await step(`reserves[${i}]`, async () => {
      const cur = await ctx.get(CurrencySchema, Keys.currency(r.currency));
      if (cur === undefined || cur.kind !== CurrencyKind.STABLECOIN) fail('WRONG_CURRENCY_KIND', `${r.currency} is not a stablecoin`);
      putReserve(ctx, r.currency, { ...(await getReserve(ctx, r.currency)), attested: r.attested });
    });
  }
  for (const [i, l] of doc.bankLimits.entries()) {
    await step(`bankLimits[${i}]`, async () => {
      if ((await ctx.get(CurrencySchema, Keys.currency(l.currency))) === undefined) fail('UNKNOWN_CURRENCY', l.currency);
      if (!(await hasRole(ctx, l.bank, Role.COMMERCIAL_BANK))) fail('NOT_A_BANK', 'not a commercial bank');
      ctx.put(BankLimitSchema, Keys.bankLimit(l.bank, l.currency), { maxReserve: l.maxReserve, dailyOut: l.dailyOut });
    });
  }
  for (const [i, b] of doc.balances.entries()) {
    await step(`balances[${i}]`, async () => {
      const cur = await ctx.get(CurrencySchema, Keys.currency(b.currency));
      if (cur === undefined) fail('UNKNOWN_CURRENCY', b.currency);
      const acct = await ctx.get(AccountSchema, Keys.account(b.address));
      if (acct === undefined) fail('ACCOUNT_NOT_FOUND', 'no such account');
      // Initial balances respect holding limits and bank limits like any credit.
      await credit(ctx, cur, b.address, acct, b.amount, { limits: true, waterfall: false });
      ctx.put(CurrencySchema, Keys.currency(b.currency), { ...cur, supply: cur.supply + b.amount });
    });
  }
  for (const c of doc.currencies) {
    if (c.kind !== CurrencyKind.STABLECOIN) continue;
    const cur = (await ctx.get(CurrencySchema, Keys.currency(c.code)))!;
    const r = await getReserve(ctx, c.code);
    if (cur.supply > r.attested) fail('BAD_GENESIS', `${c.code}: initial supply ${cur.supply} exceeds attested reserves ${r.attested}`);
  }
  return { writes: overlay.writeSet(), validators: ctx.validatorUpdates, genesisHash: hashOf(Domain.GENESIS, bytes!), params: frozen };
}
