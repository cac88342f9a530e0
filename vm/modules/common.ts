/**
 * Helpers every module shares: loading accounts, institutions and currencies with their
 * typed failures, role checks, key-list validation, id counters and escrow addresses.
 */
import { addressFromPublicKey, concatBytes, equalBytes, hashOf, isValidPublicKey, toHex, utf8 } from '../../core/index.js';
import { fail } from '../errors.js';
import { Keys, u64be } from '../keys.js';
import {
  AccountSchema, AccountStatus, CounterSchema, CurrencySchema, InstitutionSchema, MAX_ACCOUNT_KEYS, Role, type Account, type Currency,
  type Institution,
} from '../records.js';
import type { TxContext } from '../context.js';
import { mapMaybe, type MaybePromise } from '../state.js';

export const hex = toHex;

export function getAccount(ctx: TxContext, addr: Uint8Array): MaybePromise<Account> {
  return mapMaybe(ctx.get(AccountSchema, Keys.account(addr)), (a) => {
    if (a === undefined) fail('ACCOUNT_NOT_FOUND', `no account ${hex(addr)}`);
    return a;
  });
}

export async function getInstitution(ctx: TxContext, addr: Uint8Array): Promise<Institution> {
  const i = await ctx.get(InstitutionSchema, Keys.institution(addr));
  if (i === undefined) fail('INSTITUTION_NOT_FOUND', `no institution ${hex(addr)}`);
  return i;
}

export const roleNames = (roles: number): string =>
  (Object.entries(Role) as [string, number][])
    .filter(([, bit]) => (roles & bit) !== 0)
    .map(([n]) => n)
    .join('|');

/** The signer must be an institution holding one of the roles in `mask`. */
export async function requireRole(ctx: TxContext, mask: number, addr: Uint8Array = ctx.signer): Promise<Institution> {
  const i = await ctx.get(InstitutionSchema, Keys.institution(addr));
  if (i === undefined || (i.roles & mask) === 0) fail('NOT_AUTHORIZED', `${hex(addr)} lacks the role ${roleNames(mask)}`, { required: mask });
  return i;
}

export async function hasRole(ctx: TxContext, addr: Uint8Array, mask: number): Promise<boolean> {
  const i = await ctx.get(InstitutionSchema, Keys.institution(addr));
  return i !== undefined && (i.roles & mask) !== 0;
}

export function getCurrency(ctx: TxContext, code: string): MaybePromise<Currency> {
  return mapMaybe(ctx.get(CurrencySchema, Keys.currency(code)), (c) => {
    if (c === undefined) fail('UNKNOWN_CURRENCY', `no currency ${code}`);
    return c;
  });
}

/** A currency that is not paused. */
export function liveCurrency(ctx: TxContext, code: string): MaybePromise<Currency> {
  return mapMaybe(getCurrency(ctx, code), (c) => {
    if (c.paused) fail('CURRENCY_PAUSED', `${code} is paused`);
    return c;
  });
}

export function requireActive(a: Account, addr: Uint8Array): void {
  if (a.status === AccountStatus.FROZEN) fail('ACCOUNT_FROZEN', `account ${hex(addr)} is frozen`);
  if (a.status === AccountStatus.CLOSED) fail('ACCOUNT_CLOSED', `account ${hex(addr)} is closed`);
}

/** Check a key list and threshold for an account. */
export function checkKeys(keys: readonly Uint8Array[], threshold: number): void {
  if (keys.length === 0 || keys.length > MAX_ACCOUNT_KEYS) fail('BAD_KEYS', `an account holds 1..${MAX_ACCOUNT_KEYS} keys`);
  for (let i = 0; i < keys.length; i++) {
    if (!isValidPublicKey(keys[i]!)) fail('BAD_KEYS', `key ${i} is not a valid Ed25519 public key`, { index: i });
    for (let j = 0; j < i; j++) if (equalBytes(keys[i]!, keys[j]!)) fail('BAD_KEYS', `key ${i} repeats key ${j}`, { index: i });
  }
  if (threshold < 1 || threshold > keys.length) fail('BAD_THRESHOLD', `threshold must be 1..${keys.length}`);
}

/** The address of a new account: that of its first key. */
export function addressOfKeys(keys: readonly Uint8Array[]): Uint8Array {
  return addressFromPublicKey(keys[0]!);
}

/** Take the next id of a counter. */
export async function nextId(ctx: TxContext, key: Uint8Array): Promise<number> {
  const c = await ctx.get(CounterSchema, key);
  const id = c?.next ?? 1;
  ctx.put(CounterSchema, key, { next: id + 1 });
  return id;
}

/** The address holding a lock's or grant's funds: no keys, no account, only a balance. */
export function escrowAddress(kind: 'lock' | 'grant', id: number): Uint8Array {
  return hashOf('vm-escrow', concatBytes(utf8(kind), u64be(id))).subarray(0, 20);
}
