/**
 * The account module's methods: a bank opens accounts for people and businesses and manages
 * them (tier, link, category, key recovery, closing); the account rotates its own keys; a
 * regulator or the central bank freezes and unfreezes.
 */
import { equalBytes, addressField, list, optional, publicKeyField, str, struct, toHex, u8 } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { Role } from '../gov/records.js';
import { requireRole } from '../gov/roles.js';
import { BalanceSchema, CurrencyListSchema, MoneyKeys } from '../money/records.js';
import { AccountKeys, AccountKind, AccountSchema, AccountStatus, KeyHistorySchema, MAX_ACCOUNT_KEYS, MAX_KEY_EPOCHS, type Account } from './records.js';
import { addressOfKeys, checkKeys, getAccount } from './accounts.js';

const hex = toHex;
const keysField = list(publicKeyField, MAX_ACCOUNT_KEYS);
const legalRef = str(128);

export const OpenArgs = struct('AccountOpen', {
  keys: keysField,
  threshold: u8,
  kind: u8,
  tier: u8,
  linkedRef: optional(str(64)),
  category: str(32),
});
export const RotateArgs = struct('AccountRotate', { keys: keysField, threshold: u8 });
export const RecoverArgs = struct('AccountRecover', { account: addressField, keys: keysField, threshold: u8 });
export const SetTierArgs = struct('AccountSetTier', { account: addressField, tier: u8 });
export const SetLinkArgs = struct('AccountSetLink', { account: addressField, linkedRef: optional(str(64)) });
export const SetCategoryArgs = struct('AccountSetCategory', { account: addressField, category: str(32) });
export const FreezeArgs = struct('AccountFreeze', { account: addressField, legalRef });
export const CloseArgs = struct('AccountClose', { account: addressField, reason: str(128) });

export const OpenedEvent = struct('AccountOpened', { account: addressField, bank: addressField, kind: u8, tier: u8 });
export const KeysEvent = struct('AccountKeys', { account: addressField, threshold: u8, keyCount: u8, by: addressField });
export const ChangedEvent = struct('AccountChanged', { account: addressField, field: str(16), by: addressField });
export const FreezeEvent = struct('AccountFreeze', { account: addressField, frozen: u8, legalRef, by: addressField });
export const ClosedEvent = struct('AccountClosed', { account: addressField, reason: str(128), by: addressField });

export const AccountEvents = {
  opened: event('account', 'opened', OpenedEvent, 'an account opened by its bank, with its kind and KYC tier'),
  keys_changed: event('account', 'keys_changed', KeysEvent, "an account's keys replaced (rotated by it, or recovered by its bank)"),
  changed: event('account', 'changed', ChangedEvent, 'its bank changed a field (tier, linked_ref or category)'),
  frozen: event('account', 'frozen', FreezeEvent, 'frozen by a regulator or the central bank'),
  unfrozen: event('account', 'unfrozen', FreezeEvent, 'unfrozen'),
  closed: event('account', 'closed', ClosedEvent, 'closed by its bank'),
};
const E = AccountEvents;

export function checkTier(ctx: TxContext, tier: number): void {
  if (tier < 1 || tier > ctx.params.max_tier) fail('UNKNOWN_TIER', `KYC tier must be 1..${ctx.params.max_tier}`, { tier });
}

/** Add the new key set to the account's key history (starting it with the current set, held since it was opened). */
async function recordKeys(ctx: TxContext, addr: Uint8Array, acct: Account, keys: readonly Uint8Array[], threshold: number): Promise<void> {
  const key = AccountKeys.keyHistory(addr);
  const h = await ctx.get(KeyHistorySchema, key);
  const epochs = h ? [...h.epochs] : [{ keys: acct.keys, threshold: acct.threshold, since: 0, height: 0 }];
  epochs.push({ keys, threshold, since: ctx.block.time, height: ctx.block.height });
  ctx.put(KeyHistorySchema, key, { epochs: epochs.slice(-MAX_KEY_EPOCHS) });
}

/** The account, which must have been opened by the signing bank. */
async function ownCustomer(ctx: TxContext, addr: Uint8Array): Promise<Account> {
  await requireRole(ctx, Role.COMMERCIAL_BANK);
  const a = await getAccount(ctx, addr);
  if (a.bank === null || !equalBytes(a.bank, ctx.signer)) fail('NOT_ACCOUNT_BANK', `${hex(addr)} is not a customer of ${hex(ctx.signer)}`);
  return a;
}

export const accountMethods = {
  open: method(OpenArgs, 'a commercial bank opens an account for a person (kind 2) or business (kind 3); result: the new address (20 bytes)', async (ctx, a) => {
    await requireRole(ctx, Role.COMMERCIAL_BANK);
    checkKeys(a.keys, a.threshold);
    if (a.kind !== AccountKind.PERSON && a.kind !== AccountKind.BUSINESS) fail('BAD_ACCOUNT_KIND', 'kind must be 2 (person) or 3 (business)');
    checkTier(ctx, a.tier);
    const addr = addressOfKeys(a.keys);
    if ((await ctx.get(AccountSchema, AccountKeys.account(addr))) !== undefined) fail('ACCOUNT_EXISTS', `account ${hex(addr)} exists`);
    ctx.put(AccountSchema, AccountKeys.account(addr), {
      keys: a.keys, threshold: a.threshold, nonce: 0, kind: a.kind, status: AccountStatus.ACTIVE, tier: a.tier, bank: ctx.signer,
      linkedRef: a.linkedRef, category: a.category,
    });
    ctx.emit(E.opened, { account: addr, bank: ctx.signer, kind: a.kind, tier: a.tier });
    return addr;
  }, { roles: Role.COMMERCIAL_BANK, fails: ['NOT_AUTHORIZED', 'BAD_KEYS', 'BAD_THRESHOLD', 'BAD_ACCOUNT_KIND', 'UNKNOWN_TIER', 'ACCOUNT_EXISTS'] }),
  rotate_keys: method(RotateArgs, 'the account itself (meeting its current threshold) replaces its keys (the old set stays in its key history)', async (ctx, a) => {
    checkKeys(a.keys, a.threshold);
    const acct = await getAccount(ctx, ctx.signer);
    await recordKeys(ctx, ctx.signer, acct, a.keys, a.threshold);
    ctx.put(AccountSchema, AccountKeys.account(ctx.signer), { ...acct, keys: a.keys, threshold: a.threshold });
    ctx.emit(E.keys_changed, { account: ctx.signer, threshold: a.threshold, keyCount: a.keys.length, by: ctx.signer });
  }, { fails: ['BAD_KEYS', 'BAD_THRESHOLD'] }),
  recover_keys: method(RecoverArgs, "the account's bank replaces the keys of a customer who lost them", async (ctx, a) => {
    checkKeys(a.keys, a.threshold);
    const acct = await ownCustomer(ctx, a.account);
    await recordKeys(ctx, a.account, acct, a.keys, a.threshold);
    ctx.put(AccountSchema, AccountKeys.account(a.account), { ...acct, keys: a.keys, threshold: a.threshold });
    ctx.emit(E.keys_changed, { account: a.account, threshold: a.threshold, keyCount: a.keys.length, by: ctx.signer });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['NOT_AUTHORIZED', 'NOT_ACCOUNT_BANK', 'ACCOUNT_NOT_FOUND', 'BAD_KEYS', 'BAD_THRESHOLD'] }),
  set_tier: method(SetTierArgs, "the account's bank changes its KYC tier", async (ctx, a) => {
    checkTier(ctx, a.tier);
    const acct = await ownCustomer(ctx, a.account);
    ctx.put(AccountSchema, AccountKeys.account(a.account), { ...acct, tier: a.tier });
    ctx.emit(E.changed, { account: a.account, field: 'tier', by: ctx.signer });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['UNKNOWN_TIER', 'NOT_AUTHORIZED', 'NOT_ACCOUNT_BANK', 'ACCOUNT_NOT_FOUND'] }),
  set_link: method(SetLinkArgs, "the account's bank sets or clears the linked bank account reference", async (ctx, a) => {
    const acct = await ownCustomer(ctx, a.account);
    ctx.put(AccountSchema, AccountKeys.account(a.account), { ...acct, linkedRef: a.linkedRef });
    ctx.emit(E.changed, { account: a.account, field: 'linked_ref', by: ctx.signer });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['NOT_AUTHORIZED', 'NOT_ACCOUNT_BANK', 'ACCOUNT_NOT_FOUND'] }),
  set_category: method(SetCategoryArgs, "the account's bank sets its category", async (ctx, a) => {
    const acct = await ownCustomer(ctx, a.account);
    ctx.put(AccountSchema, AccountKeys.account(a.account), { ...acct, category: a.category });
    ctx.emit(E.changed, { account: a.account, field: 'category', by: ctx.signer });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['NOT_AUTHORIZED', 'NOT_ACCOUNT_BANK', 'ACCOUNT_NOT_FOUND'] }),
  close: method(CloseArgs, "the account's bank closes it once it holds nothing in any currency", async (ctx, a) => {
    const acct = await ownCustomer(ctx, a.account);
    if (acct.status === AccountStatus.CLOSED) fail('ACCOUNT_CLOSED', `account ${hex(a.account)} is already closed`);
    if (acct.status === AccountStatus.FROZEN) fail('ACCOUNT_FROZEN', `account ${hex(a.account)} is frozen`);
    const codes = (await ctx.get(CurrencyListSchema, MoneyKeys.currencyList()))?.codes ?? [];
    for (const code of codes) {
      if ((await ctx.get(BalanceSchema, MoneyKeys.balance(a.account, code))) !== undefined) fail('ACCOUNT_NOT_EMPTY', `account ${hex(a.account)} still holds ${code}`);
    }
    ctx.put(AccountSchema, AccountKeys.account(a.account), { ...acct, status: AccountStatus.CLOSED });
    ctx.emit(E.closed, { account: a.account, reason: a.reason, by: ctx.signer });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['NOT_AUTHORIZED', 'NOT_ACCOUNT_BANK', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_CLOSED', 'ACCOUNT_FROZEN', 'ACCOUNT_NOT_EMPTY'] }),
  freeze: method(FreezeArgs, 'a regulator or the central bank freezes an account (no debit, no credit)', async (ctx, a) => {
    await requireRole(ctx, Role.REGULATOR | Role.CENTRAL_BANK);
    const acct = await getAccount(ctx, a.account);
    if (acct.status === AccountStatus.CLOSED) fail('ACCOUNT_CLOSED', `account ${hex(a.account)} is closed`);
    if (acct.status === AccountStatus.FROZEN) fail('ACCOUNT_FROZEN', `account ${hex(a.account)} is already frozen`);
    ctx.put(AccountSchema, AccountKeys.account(a.account), { ...acct, status: AccountStatus.FROZEN });
    ctx.emit(E.frozen, { account: a.account, frozen: 1, legalRef: a.legalRef, by: ctx.signer });
  }, { roles: Role.REGULATOR | Role.CENTRAL_BANK, fails: ['NOT_AUTHORIZED', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_FROZEN', 'ACCOUNT_CLOSED'] }),
  unfreeze: method(FreezeArgs, 'a regulator or the central bank unfreezes an account', async (ctx, a) => {
    await requireRole(ctx, Role.REGULATOR | Role.CENTRAL_BANK);
    const acct = await getAccount(ctx, a.account);
    if (acct.status !== AccountStatus.FROZEN) fail('NOT_FROZEN', `account ${hex(a.account)} is not frozen`);
    ctx.put(AccountSchema, AccountKeys.account(a.account), { ...acct, status: AccountStatus.ACTIVE });
    ctx.emit(E.unfrozen, { account: a.account, frozen: 0, legalRef: a.legalRef, by: ctx.signer });
  }, { roles: Role.REGULATOR | Role.CENTRAL_BANK, fails: ['NOT_AUTHORIZED', 'ACCOUNT_NOT_FOUND', 'NOT_FROZEN'] }),
};
