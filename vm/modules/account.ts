/**
 * Module `account`: accounts of people and businesses, opened by a commercial bank that
 * attaches the KYC tier, an optional linked bank account reference (for the waterfall) and a
 * category; key rotation by the account itself, key recovery by its bank; closing by its
 * bank once it holds nothing (a closed account never signs or receives again); freeze and
 * unfreeze by a regulator or the central bank, each with a legal reference.
 */
import { equalBytes, addressField, list, optional, publicKeyField, str, struct, u8 } from '../../core/index.js';
import { fail } from '../errors.js';
import { Keys } from '../keys.js';
import { method, type ModuleDef } from '../module.js';
import { AccountKind, AccountSchema, AccountStatus, BalanceSchema, CurrencyListSchema, MAX_ACCOUNT_KEYS, Role, type Account } from '../records.js';
import type { TxContext } from '../context.js';
import { addressOfKeys, checkKeys, getAccount, hex, requireRole } from './common.js';

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

function checkTier(ctx: TxContext, tier: number): void {
  if (tier < 1 || tier > ctx.params.max_tier) fail('UNKNOWN_TIER', `KYC tier must be 1..${ctx.params.max_tier}`, { tier });
}

/** The account, which must have been opened by the signing bank. */
async function ownCustomer(ctx: TxContext, addr: Uint8Array): Promise<Account> {
  await requireRole(ctx, Role.COMMERCIAL_BANK);
  const a = await getAccount(ctx, addr);
  if (a.bank === null || !equalBytes(a.bank, ctx.signer)) fail('NOT_ACCOUNT_BANK', `${hex(addr)} is not a customer of ${hex(ctx.signer)}`);
  return a;
}

export const accountModule = {
  name: 'account',
  methods: {
    open: method(OpenArgs, 'a commercial bank opens an account for a person (kind 2) or business (kind 3)', async (ctx, a) => {
      await requireRole(ctx, Role.COMMERCIAL_BANK);
      checkKeys(a.keys, a.threshold);
      if (a.kind !== AccountKind.PERSON && a.kind !== AccountKind.BUSINESS) fail('BAD_ACCOUNT_KIND', 'kind must be 2 (person) or 3 (business)');
      checkTier(ctx, a.tier);
      const addr = addressOfKeys(a.keys);
      if ((await ctx.get(AccountSchema, Keys.account(addr))) !== undefined) fail('ACCOUNT_EXISTS', `account ${hex(addr)} exists`);
      ctx.put(AccountSchema, Keys.account(addr), {
        keys: a.keys, threshold: a.threshold, nonce: 0, kind: a.kind, status: AccountStatus.ACTIVE, tier: a.tier, bank: ctx.signer,
        linkedRef: a.linkedRef, category: a.category,
      });
      ctx.emit('account', 'opened', OpenedEvent, { account: addr, bank: ctx.signer, kind: a.kind, tier: a.tier });
      return addr;
    }),
    rotate_keys: method(RotateArgs, 'the account itself (meeting its current threshold) replaces its keys', async (ctx, a) => {
      checkKeys(a.keys, a.threshold);
      const acct = await getAccount(ctx, ctx.signer);
      ctx.put(AccountSchema, Keys.account(ctx.signer), { ...acct, keys: a.keys, threshold: a.threshold });
      ctx.emit('account', 'keys_changed', KeysEvent, { account: ctx.signer, threshold: a.threshold, keyCount: a.keys.length, by: ctx.signer });
    }),
    recover_keys: method(RecoverArgs, "the account's bank replaces the keys of a customer who lost them", async (ctx, a) => {
      checkKeys(a.keys, a.threshold);
      const acct = await ownCustomer(ctx, a.account);
      ctx.put(AccountSchema, Keys.account(a.account), { ...acct, keys: a.keys, threshold: a.threshold });
      ctx.emit('account', 'keys_changed', KeysEvent, { account: a.account, threshold: a.threshold, keyCount: a.keys.length, by: ctx.signer });
    }),
    set_tier: method(SetTierArgs, "the account's bank changes its KYC tier", async (ctx, a) => {
      checkTier(ctx, a.tier);
      const acct = await ownCustomer(ctx, a.account);
      ctx.put(AccountSchema, Keys.account(a.account), { ...acct, tier: a.tier });
      ctx.emit('account', 'changed', ChangedEvent, { account: a.account, field: 'tier', by: ctx.signer });
    }),
    set_link: method(SetLinkArgs, "the account's bank sets or clears the linked bank account reference", async (ctx, a) => {
      const acct = await ownCustomer(ctx, a.account);
      ctx.put(AccountSchema, Keys.account(a.account), { ...acct, linkedRef: a.linkedRef });
      ctx.emit('account', 'changed', ChangedEvent, { account: a.account, field: 'linked_ref', by: ctx.signer });
    }),
    set_category: method(SetCategoryArgs, "the account's bank sets its category", async (ctx, a) => {
      const acct = await ownCustomer(ctx, a.account);
      ctx.put(AccountSchema, Keys.account(a.account), { ...acct, category: a.category });
      ctx.emit('account', 'changed', ChangedEvent, { account: a.account, field: 'category', by: ctx.signer });
    }),
    close: method(CloseArgs, "the account's bank closes it once it holds nothing in any currency", async (ctx, a) => {
      const acct = await ownCustomer(ctx, a.account);
      if (acct.status === AccountStatus.CLOSED) fail('ACCOUNT_CLOSED', `account ${hex(a.account)} is already closed`);
      if (acct.status === AccountStatus.FROZEN) fail('ACCOUNT_FROZEN', `account ${hex(a.account)} is frozen`);
      const codes = (await ctx.get(CurrencyListSchema, Keys.currencyList()))?.codes ?? [];
      for (const code of codes) {
        if ((await ctx.get(BalanceSchema, Keys.balance(a.account, code))) !== undefined) fail('ACCOUNT_NOT_EMPTY', `account ${hex(a.account)} still holds ${code}`);
      }
      ctx.put(AccountSchema, Keys.account(a.account), { ...acct, status: AccountStatus.CLOSED });
      ctx.emit('account', 'closed', ClosedEvent, { account: a.account, reason: a.reason, by: ctx.signer });
    }),
    freeze: method(FreezeArgs, 'a regulator or the central bank freezes an account (no debit, no credit)', async (ctx, a) => {
      await requireRole(ctx, Role.REGULATOR | Role.CENTRAL_BANK);
      const acct = await getAccount(ctx, a.account);
      if (acct.status === AccountStatus.CLOSED) fail('ACCOUNT_CLOSED', `account ${hex(a.account)} is closed`);
      if (acct.status === AccountStatus.FROZEN) fail('ACCOUNT_FROZEN', `account ${hex(a.account)} is already frozen`);
      ctx.put(AccountSchema, Keys.account(a.account), { ...acct, status: AccountStatus.FROZEN });
      ctx.emit('account', 'frozen', FreezeEvent, { account: a.account, frozen: 1, legalRef: a.legalRef, by: ctx.signer });
    }),
    unfreeze: method(FreezeArgs, 'a regulator or the central bank unfreezes an account', async (ctx, a) => {
      await requireRole(ctx, Role.REGULATOR | Role.CENTRAL_BANK);
      const acct = await getAccount(ctx, a.account);
      if (acct.status !== AccountStatus.FROZEN) fail('NOT_FROZEN', `account ${hex(a.account)} is not frozen`);
      ctx.put(AccountSchema, Keys.account(a.account), { ...acct, status: AccountStatus.ACTIVE });
      ctx.emit('account', 'unfrozen', FreezeEvent, { account: a.account, frozen: 0, legalRef: a.legalRef, by: ctx.signer });
    }),
  },
} satisfies ModuleDef;
