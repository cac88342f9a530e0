/**
 * Institutions and their roles, as every module checks them: load an institution, require
 * the signer (or another address) to hold one of a set of roles, name roles in messages.
 */
import { toHex } from '../../../core/index.js';
import { fail } from '../../errors.js';
import type { TxContext } from '../../context.js';
import { GovKeys, InstitutionSchema, ROLE_NAMES, type Institution } from './records.js';

export async function getInstitution(ctx: TxContext, addr: Uint8Array): Promise<Institution> {
  const i = await ctx.get(InstitutionSchema, GovKeys.institution(addr));
  if (i === undefined) fail('INSTITUTION_NOT_FOUND', `no institution ${toHex(addr)}`);
  return i;
}

/** The names of the role bits in `roles`, joined with "|" (e.g. REGULATOR|CENTRAL_BANK), in bit order. */
export const roleNames = (roles: number): string =>
  ROLE_NAMES.filter(([, bit]) => (roles & bit) !== 0)
    .map(([n]) => n.toUpperCase())
    .join('|');

/** The signer (or `addr`) must be an institution holding one of the roles in `mask`. */
export async function requireRole(ctx: TxContext, mask: number, addr: Uint8Array = ctx.signer): Promise<Institution> {
  const i = await ctx.get(InstitutionSchema, GovKeys.institution(addr));
  if (i === undefined || (i.roles & mask) === 0) fail('NOT_AUTHORIZED', `${toHex(addr)} lacks the role ${roleNames(mask)}`, { required: mask });
  return i;
}

export async function hasRole(ctx: TxContext, addr: Uint8Array, mask: number): Promise<boolean> {
  const i = await ctx.get(InstitutionSchema, GovKeys.institution(addr));
  return i !== undefined && (i.roles & mask) !== 0;
}
