/**
 * The trust chain, as EBSI's Trusted Issuers Registry keeps it: governance (the root)
 * accredits accreditors (governance actions), an accreditor accredits issuers for credential
 * types and a jurisdiction; either level can be suspended, reinstated and withdrawn, each
 * change with its legal reference. An accreditation keeps every change with its block, so a
 * verifier can tell whether it was valid when a credential was anchored.
 */
import { addressField, equalBytes, list, struct, toHex, u8 } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { action, event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { getAccount } from '../account/accounts.js';
import {
  AccreditationRole, AccreditationSchema, AccreditationStatus, CredKeys, jurisdictionField, legalRefField, MAX_ACCREDITATION_CHANGES, MAX_TYPES, typeIdField,
  type Accreditation,
} from './records.js';

const hex = toHex;
const ROOT = new Uint8Array(20);

export const AccreditArgs = struct('CredAccredit', { account: addressField, jurisdiction: jurisdictionField, types: list(typeIdField, MAX_TYPES), legalRef: legalRefField });
export const AccreditationStatusArgs = struct('CredAccreditationStatus', { account: addressField, status: u8, legalRef: legalRefField });

export const AccreditedEvent = struct('CredAccredited', { account: addressField, role: u8, by: addressField, jurisdiction: jurisdictionField, legalRef: legalRefField });
export const AccreditationChangedEvent = struct('CredAccreditationChanged', { account: addressField, status: u8, by: addressField, legalRef: legalRefField });

export const AccreditationEvents = {
  accredited: event('cred', 'accredited', AccreditedEvent, 'an accreditor accredited by governance (by: 20 zero bytes), or an issuer by an accreditor'),
  accreditation_changed: event('cred', 'accreditation_changed', AccreditationChangedEvent, 'an accreditation suspended (1), reinstated (0) or withdrawn (2)'),
};
const E = AccreditationEvents;

/** The accreditation of `addr` if it holds `role` and is active, else null. */
export async function activeAccreditation(ctx: TxContext, addr: Uint8Array, role: number): Promise<Accreditation | null> {
  const a = await ctx.get(AccreditationSchema, CredKeys.accreditation(addr));
  return a !== undefined && a.role === role && a.status === AccreditationStatus.ACTIVE ? a : null;
}

function withChange(a: Accreditation | undefined, ctx: TxContext, status: number, legalRef: string): Accreditation['changes'] {
  const changes = [...(a?.changes ?? []), { status, time: ctx.block.time, height: ctx.block.height, legalRef, by: ctx.signer }];
  return changes.slice(-MAX_ACCREDITATION_CHANGES);
}

/** Accredit `a.account` in `role`, by `by` (the root or an accreditor); a withdrawn accreditation may be granted again. */
async function accredit(ctx: TxContext, role: number, by: Uint8Array, a: { account: Uint8Array; jurisdiction: string; types: readonly string[]; legalRef: string }): Promise<void> {
  await getAccount(ctx, a.account);
  const key = CredKeys.accreditation(a.account);
  const prev = await ctx.get(AccreditationSchema, key);
  if (prev !== undefined && prev.status !== AccreditationStatus.WITHDRAWN) fail('ACCREDITATION_EXISTS', `${hex(a.account)} is accredited already (status ${prev.status})`);
  ctx.put(AccreditationSchema, key, {
    role, accreditedBy: by, jurisdiction: a.jurisdiction, types: a.types, status: AccreditationStatus.ACTIVE, changes: withChange(prev, ctx, AccreditationStatus.ACTIVE, a.legalRef),
  });
  ctx.emit(E.accredited, { account: a.account, role, by, jurisdiction: a.jurisdiction, legalRef: a.legalRef });
}

/** Change the status of an accreditation of `role`: active <-> suspended, anything -> withdrawn (final). */
async function changeStatus(ctx: TxContext, role: number, a: { account: Uint8Array; status: number; legalRef: string }, mayChange: (acc: Accreditation) => Promise<void>): Promise<void> {
  if (a.status !== AccreditationStatus.ACTIVE && a.status !== AccreditationStatus.SUSPENDED && a.status !== AccreditationStatus.WITHDRAWN) {
    fail('BAD_ACCREDITATION_STATUS', `status must be 0 (active), 1 (suspended) or 2 (withdrawn), got ${a.status}`);
  }
  const key = CredKeys.accreditation(a.account);
  const acc = await ctx.get(AccreditationSchema, key);
  if (acc === undefined || acc.role !== role) fail('ACCREDITATION_NOT_FOUND', `${hex(a.account)} has no accreditation as ${role === AccreditationRole.ACCREDITOR ? 'an accreditor' : 'an issuer'}`);
  await mayChange(acc);
  if (acc.status === AccreditationStatus.WITHDRAWN) fail('BAD_ACCREDITATION_STATUS', `the accreditation of ${hex(a.account)} is withdrawn: accredit it again instead`);
  if (acc.status === a.status) fail('BAD_ACCREDITATION_STATUS', `the accreditation of ${hex(a.account)} has status ${a.status} already`);
  ctx.put(AccreditationSchema, key, { ...acc, status: a.status, changes: withChange(acc, ctx, a.status, a.legalRef) });
  ctx.emit(E.accreditation_changed, { account: a.account, status: a.status, by: ctx.signer, legalRef: a.legalRef });
}

/** A jurisdiction and its subdivisions (`IS` covers `IS` and `IS-RE`). */
const covers = (outer: string, inner: string): boolean => inner === outer || inner.startsWith(`${outer}-`);

export const accreditationActions = {
  accredit_accreditor: action(20, AccreditArgs, 'accredit an accreditor (a ministry, a regulator) for credential types (none: any) and a jurisdiction', async (ctx, a) => {
    await accredit(ctx, AccreditationRole.ACCREDITOR, ROOT, a);
  }, ['ACCOUNT_NOT_FOUND', 'ACCREDITATION_EXISTS']),
  set_accreditor_status: action(21, AccreditationStatusArgs, "suspend (1), reinstate (0) or withdraw (2) an accreditor's accreditation", async (ctx, a) => {
    await changeStatus(ctx, AccreditationRole.ACCREDITOR, a, async () => undefined);
  }, ['ACCREDITATION_NOT_FOUND', 'BAD_ACCREDITATION_STATUS']),
};

export const accreditationMethods = {
  accredit_issuer: method(AccreditArgs, 'an active accreditor accredits an issuer for credential types within its own and a jurisdiction within its own', async (ctx, a) => {
    const acc = await activeAccreditation(ctx, ctx.signer, AccreditationRole.ACCREDITOR);
    if (acc === null) fail('NOT_ACCREDITOR', `${hex(ctx.signer)} is not an active accreditor`);
    if (a.types.length === 0) fail('TYPE_NOT_ACCREDITED', 'an issuer is accredited for at least one credential type');
    for (const t of a.types) if (acc.types.length > 0 && !acc.types.includes(t)) fail('TYPE_NOT_ACCREDITED', `credential type "${t}" is outside the accreditor's types`);
    if (!covers(acc.jurisdiction, a.jurisdiction)) fail('JURISDICTION_NOT_ACCREDITED', `jurisdiction ${a.jurisdiction} is outside the accreditor's ${acc.jurisdiction}`);
    await accredit(ctx, AccreditationRole.ISSUER, ctx.signer, a);
  }, { fails: ['NOT_ACCREDITOR', 'TYPE_NOT_ACCREDITED', 'JURISDICTION_NOT_ACCREDITED', 'ACCOUNT_NOT_FOUND', 'ACCREDITATION_EXISTS'] }),
  set_issuer_status: method(AccreditationStatusArgs, "the issuer's accreditor suspends (1), reinstates (0, itself active) or withdraws (2) its accreditation", async (ctx, a) => {
    await changeStatus(ctx, AccreditationRole.ISSUER, a, async (acc) => {
      if (!equalBytes(acc.accreditedBy, ctx.signer)) fail('NOT_THE_ACCREDITOR', `${hex(a.account)} was accredited by ${hex(acc.accreditedBy)}`);
      if (a.status === AccreditationStatus.ACTIVE && (await activeAccreditation(ctx, ctx.signer, AccreditationRole.ACCREDITOR)) === null) {
        fail('NOT_ACCREDITOR', `${hex(ctx.signer)} is not an active accreditor`);
      }
    });
  }, { fails: ['ACCREDITATION_NOT_FOUND', 'NOT_THE_ACCREDITOR', 'NOT_ACCREDITOR', 'BAD_ACCREDITATION_STATUS'] }),
};
