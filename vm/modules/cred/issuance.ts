/**
 * Issuing, in the ledger's part of it: an accreditor registers credential schemas; an
 * accredited issuer anchors a batch of up to max_anchor_batch credentials as one Merkle root
 * of their digests (the credentials themselves stay off chain), which takes the next
 * contiguous run of its status indexes; the issuer suspends, reinstates and revokes by
 * index; and a bank binds a customer's KYC credential, which from then on decides the
 * customer's tier (status.ts).
 */
import { addressField, bool, bytes32, encode, equalBytes, list, str, struct, toHex, u8, u16, u32, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { getAccount } from '../account/accounts.js';
import { Role } from '../gov/records.js';
import { requireRole } from '../gov/roles.js';
import {
  AccreditationRole, AnchorSchema, CredKeys, CredSchemaSchema, IssuerStateSchema, KycBindingSchema, KycIndexSchema, schemaIdField,
  StatusPurpose, typeIdField, MAX_SCHEMA_BYTES,
} from './records.js';
import { activeAccreditation } from './accreditation.js';
import { StatusBits } from './status.js';

const hex = toHex;
/** The credential type whose credentials decide a customer's KYC tier. */
export const KYC_TYPE = 'kyc';

export const RegisterSchemaArgs = struct('CredRegisterSchema', {
  typeId: typeIdField, version: u32, jsonSchema: str(MAX_SCHEMA_BYTES), selective: list(str(64), 64), issuers: list(addressField, 256), maxValidityMs: uint,
});
export const AnchorArgs = struct('CredAnchorArgs', { schema: schemaIdField, first: uint, count: u32, root: bytes32 });
export const StatusChange = struct('CredStatusChange', { index: uint, purpose: u8, set: bool, reason: u16 });
export const SetStatusArgs = struct('CredSetStatus', { changes: list(StatusChange, 1000) });
export const BindKycArgs = struct('CredBindKyc', { account: addressField, index: uint, tier: u8, assurance: u8, validUntil: uint, digest: bytes32 });
export const AnchorResult = struct('CredAnchorResult', { first: uint, count: u32 });

export const SchemaEvent = struct('CredSchemaRegistered', { schema: schemaIdField, by: addressField });
export const AnchoredEvent = struct('CredAnchored', { issuer: addressField, schema: schemaIdField, first: uint, count: u32, root: bytes32 });
export const StatusEvent = struct('CredStatusChanged', { issuer: addressField, index: uint, purpose: u8, value: bool, reason: u16, account: addressField });
export const KycEvent = struct('CredKycBound', { account: addressField, issuer: addressField, index: uint, tier: u8, assurance: u8, validUntil: uint });

export const IssuanceEvents = {
  schema_registered: event('cred', 'schema_registered', SchemaEvent, 'a credential schema registered'),
  anchored: event('cred', 'anchored', AnchoredEvent, "a batch of credentials anchored: its root, and its run of the issuer's status indexes"),
  status_changed: event('cred', 'status_changed', StatusEvent, 'a status bit set or cleared (purpose 0 revocation, 1 suspension), with its reason code; account: the account a KYC credential is bound to, or 20 zero bytes'),
  kyc_bound: event('cred', 'kyc_bound', KycEvent, "a customer's KYC credential bound: its tier now decides the customer's limits"),
};
const E = IssuanceEvents;
const NOBODY = new Uint8Array(20);

function schemaId(typeId: string, version: number): string {
  return `${typeId}@${version}`;
}

/** A JSON Schema text that parses to an object whose `properties` name every selective claim. */
function checkJsonSchema(text: string, selective: readonly string[]): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('BAD_SCHEMA', 'jsonSchema is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('BAD_SCHEMA', 'jsonSchema must be a JSON object');
  const props = (parsed as { properties?: unknown }).properties;
  for (const name of selective) {
    if (typeof props !== 'object' || props === null || !Object.prototype.hasOwnProperty.call(props, name)) fail('BAD_SCHEMA', `selective claim "${name}" is not among the schema's properties`);
  }
}

/** The signer as an active issuer accredited for `typeId` by an active accreditor. */
async function activeIssuerFor(ctx: TxContext, typeId: string): Promise<void> {
  const acc = await activeAccreditation(ctx, ctx.signer, AccreditationRole.ISSUER);
  if (acc === null || !acc.types.includes(typeId)) fail('NOT_ACCREDITED_ISSUER', `${hex(ctx.signer)} is not an active issuer accredited for "${typeId}"`);
  if ((await activeAccreditation(ctx, acc.accreditedBy, AccreditationRole.ACCREDITOR)) === null) {
    fail('NOT_ACCREDITED_ISSUER', `the accreditor of ${hex(ctx.signer)}, ${hex(acc.accreditedBy)}, is not active`);
  }
}

export const issuanceMethods = {
  register_schema: method(RegisterSchemaArgs, 'an active accreditor registers a credential schema of a type it may accredit (typeId@version, once)', async (ctx, a) => {
    const acc = await activeAccreditation(ctx, ctx.signer, AccreditationRole.ACCREDITOR);
    if (acc === null) fail('NOT_ACCREDITOR', `${hex(ctx.signer)} is not an active accreditor`);
    if (acc.types.length > 0 && !acc.types.includes(a.typeId)) fail('TYPE_NOT_ACCREDITED', `credential type "${a.typeId}" is outside the accreditor's types`);
    if (a.maxValidityMs < 1) fail('BAD_SCHEMA', 'maxValidityMs must be positive');
    checkJsonSchema(a.jsonSchema, a.selective);
    const id = schemaId(a.typeId, a.version);
    const key = CredKeys.schema(id);
    if ((await ctx.get(CredSchemaSchema, key)) !== undefined) fail('SCHEMA_EXISTS', `schema ${id} exists`);
    ctx.put(CredSchemaSchema, key, { ...a, registeredBy: ctx.signer, time: ctx.block.time });
    ctx.emit(E.schema_registered, { schema: id, by: ctx.signer });
  }, { fails: ['NOT_ACCREDITOR', 'TYPE_NOT_ACCREDITED', 'BAD_SCHEMA', 'SCHEMA_EXISTS'] }),

  anchor: method(AnchorArgs, "an accredited issuer anchors a batch: the Merkle root of its credentials' digests, taking status indexes first..first+count-1 (first: the issuer's next index)", async (ctx, a) => {
    const schema = await ctx.get(CredSchemaSchema, CredKeys.schema(a.schema));
    if (schema === undefined) fail('SCHEMA_NOT_FOUND', `no schema ${a.schema}`);
    await activeIssuerFor(ctx, schema.typeId);
    if (schema.issuers.length > 0 && !schema.issuers.some((i) => equalBytes(i, ctx.signer))) fail('NOT_SCHEMA_ISSUER', `schema ${a.schema} names its issuers; ${hex(ctx.signer)} is not one`);
    const max = ctx.param('max_anchor_batch');
    if (a.count < 1 || a.count > max) fail('BAD_ANCHOR', `a batch holds 1..${max} credentials`);
    const issuerKey = CredKeys.issuer(ctx.signer);
    const st = (await ctx.get(IssuerStateSchema, issuerKey)) ?? { nextIndex: 0, anchors: 0 };
    if (a.first !== st.nextIndex) fail('ANCHOR_INDEX_MISMATCH', `the issuer's next status index is ${st.nextIndex}, not ${a.first}`, { next: st.nextIndex });
    ctx.put(IssuerStateSchema, issuerKey, { nextIndex: st.nextIndex + a.count, anchors: st.anchors + 1 });
    ctx.put(AnchorSchema, CredKeys.anchor(ctx.signer, a.first), { schema: a.schema, count: a.count, root: a.root, time: ctx.block.time, height: ctx.block.height });
    ctx.emit(E.anchored, { issuer: ctx.signer, schema: a.schema, first: a.first, count: a.count, root: a.root });
    return encode(AnchorResult, { first: a.first, count: a.count });
  }, { fails: ['SCHEMA_NOT_FOUND', 'NOT_ACCREDITED_ISSUER', 'NOT_SCHEMA_ISSUER', 'BAD_ANCHOR', 'ANCHOR_INDEX_MISMATCH'], result: AnchorResult }),

  set_status: method(SetStatusArgs, 'an issuer suspends (purpose 1, set), reinstates (purpose 1, clear) or revokes (purpose 0, set; final) its credentials by status index, each with a reason code', async (ctx, a) => {
    if (a.changes.length === 0) fail('BAD_STATUS_CHANGE', 'no change');
    const st = await ctx.get(IssuerStateSchema, CredKeys.issuer(ctx.signer));
    const status = new StatusBits(ctx, ctx.signer);
    for (const c of a.changes) {
      if (st === undefined || c.index >= st.nextIndex) fail('STATUS_INDEX_UNKNOWN', `${hex(ctx.signer)} has anchored no credential of status index ${c.index}`);
      if (c.purpose !== StatusPurpose.REVOCATION && c.purpose !== StatusPurpose.SUSPENSION) fail('BAD_STATUS_CHANGE', `purpose must be 0 (revocation) or 1 (suspension), got ${c.purpose}`);
      if (c.purpose === StatusPurpose.REVOCATION && !c.set && (await status.get(c.index, c.purpose))) fail('REVOCATION_FINAL', `credential ${c.index} is revoked: that is final`);
      await status.set(c.index, c.purpose, c.set);
      const bound = await ctx.get(KycIndexSchema, CredKeys.kycIndex(ctx.signer, c.index));
      ctx.emit(E.status_changed, { issuer: ctx.signer, index: c.index, purpose: c.purpose, value: c.set, reason: c.reason, account: bound?.account ?? NOBODY });
    }
    status.flush();
  }, { fails: ['BAD_STATUS_CHANGE', 'STATUS_INDEX_UNKNOWN', 'REVOCATION_FINAL'] }),

  bind_kyc: method(BindKycArgs, "a commercial bank, accredited to issue kyc credentials, binds a customer's anchored KYC credential: its tier decides the customer's limits while it is valid", async (ctx, a) => {
    await requireRole(ctx, Role.COMMERCIAL_BANK);
    await activeIssuerFor(ctx, KYC_TYPE);
    const acct = await getAccount(ctx, a.account);
    if (acct.bank === null || !equalBytes(acct.bank, ctx.signer)) fail('NOT_ACCOUNT_BANK', `${hex(a.account)} is not a customer of ${hex(ctx.signer)}`);
    const st = await ctx.get(IssuerStateSchema, CredKeys.issuer(ctx.signer));
    if (st === undefined || a.index >= st.nextIndex) fail('STATUS_INDEX_UNKNOWN', `${hex(ctx.signer)} has anchored no credential of status index ${a.index}`);
    if (a.tier < 1 || a.tier > ctx.params.max_tier) fail('UNKNOWN_TIER', `KYC tier must be 1..${ctx.params.max_tier}`, { tier: a.tier });
    if (a.validUntil <= ctx.block.time) fail('BAD_KYC', `the credential's validity ends at ${a.validUntil}, before this block (${ctx.block.time})`);
    const key = CredKeys.kyc(a.account);
    const prev = await ctx.get(KycBindingSchema, key);
    if (prev !== undefined) ctx.delete(CredKeys.kycIndex(prev.issuer, prev.index));
    ctx.put(KycBindingSchema, key, { issuer: ctx.signer, index: a.index, tier: a.tier, assurance: a.assurance, validUntil: a.validUntil, digest: a.digest });
    ctx.put(KycIndexSchema, CredKeys.kycIndex(ctx.signer, a.index), { account: a.account });
    ctx.emit(E.kyc_bound, { account: a.account, issuer: ctx.signer, index: a.index, tier: a.tier, assurance: a.assurance, validUntil: a.validUntil });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['NOT_AUTHORIZED', 'NOT_ACCREDITED_ISSUER', 'ACCOUNT_NOT_FOUND', 'NOT_ACCOUNT_BANK', 'STATUS_INDEX_UNKNOWN', 'UNKNOWN_TIER', 'BAD_KYC'] }),
};
