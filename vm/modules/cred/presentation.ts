/**
 * Verifying an SD-JWT VC presentation inside a transaction, for modules that grant something
 * to holders of a credential (a benefit, a tax status): the ledger's own check, against its
 * own state, of what the SDK's verifyCredentialPackage checks offline. `verifyPresentation`
 * runs these checks in order and throws the first failure's code:
 *  0. the rule's predicates are well formed (BAD_PREDICATE);
 *  1. the presentation's shape (sd-jwt.ts; PRESENTATION_MALFORMED), its work metered: the
 *     bytes parsed and hashed at cost_tx_byte each, the signature at cost_tx (what a
 *     transaction pays for its own signature check), reads as every read;
 *  2. its place in the ledger: the `ledger` claim names this chain (PRESENTATION_WRONG_CHAIN);
 *     the issuer's anchor at `batch` exists, the index is in it, position = index - batch,
 *     count = the anchor's, and the Merkle path proves SHA-256 of the issuer-signed JWT under
 *     the anchor's root (CREDENTIAL_NOT_ANCHORED). The digest covers the whole issuer-signed
 *     JWT, so a payload changed after issuance fails here;
 *  3. the issuer's signature (core `verify`, the network's rule) with the `iss` did:key
 *     (PRESENTATION_TAMPERED), a key the issuer's account held when the batch was anchored
 *     (CREDENTIAL_KEY_NOT_VALID);
 *  4. the credential is of its anchor's schema (`ledger.schema`, `vct` its type), within the
 *     schema's longest validity (CREDENTIAL_WRONG_SCHEMA); its type is one the rule accepts
 *     (NOT_ELIGIBLE_TYPE), its issuer one the rule lists if it lists any
 *     (NOT_ELIGIBLE_ISSUER); the issuer accredited now for the type by an active accreditor
 *     (ISSUER_ACCREDITATION_INACTIVE);
 *  5. each disclosure's digest is in the payload's top-level `_sd`, once, for a claim the
 *     payload does not show and SD-JWT VC lets be disclosed (DISCLOSURE_MISMATCH); nested and
 *     array-element disclosures are not read (they fail this check);
 *  6. the `cnf.jwk` key is one of the holder account's current keys (HOLDER_MISMATCH). A
 *     KB-JWT at the end is accepted and not checked: a presentation in a transaction is public,
 *     so a KB-JWT would prove nothing a replay could not; possession is proven by the holder
 *     account's own signature on the transaction. Callers pass the transaction's signer as
 *     `holder` (or an account whose signature they require otherwise);
 *  7. block time within nbf / iat and exp (CREDENTIAL_NOT_YET_VALID, CREDENTIAL_EXPIRED), then
 *     the status bits (CREDENTIAL_REVOKED, CREDENTIAL_SUSPENDED);
 *  8. the rule's claim predicates (predicates.ts; UNDISCLOSED_CLAIM, PREDICATE_FAILED).
 * No message carries a claim's value: receipts are public. But a presentation passed in a
 * transaction's args is public too, kept in the block store with every claim it shows: its
 * always-visible claims and the ones disclosed. Holders should disclose only what the rule
 * tests, and schemas meant for this should make personal claims selective. A copy of the
 * presentation is of no use to another account: its cnf key is not that account's.
 */
import { addressField, bytes32, decodeAddress, equalBytes, list, sha256Utf8, str, struct, toHex, u32, utf8, verify, verifyMerkleProof, type Infer } from '../../../core/index.js';
import { fail } from '../../errors.js';
import type { TxContext } from '../../context.js';
import { engineRecords } from '../../engine.js';
import { ChainMetaSchema } from '../../records.js';
import { AccountKeys, AccountSchema, heldKeyAt, KeyHistorySchema } from '../account/records.js';
import { activeAccreditation } from './accreditation.js';
import { checkPredicates, checkPredicateShape, ClaimPredicateSchema, type ClaimValue } from './predicates.js';
import { AccreditationRole, AnchorSchema, CredKeys, CredSchemaSchema, StatusPurpose, typeIdField, type Anchor } from './records.js';
import { checkSize, NEVER_DISCLOSABLE, parseSdJwt, wellFormed, type Json, type ParsedSdJwt } from './sd-jwt.js';
import { statusBit } from './status.js';

export { checkPredicates, ClaimPredicateSchema, PredicateOp, type ClaimPredicate, type ClaimValue } from './predicates.js';

export const EligibilitySchema = struct('CredEligibility', { types: list(typeIdField, 16), issuers: list(addressField, 64), predicates: list(ClaimPredicateSchema, 16) });
export type Eligibility = Infer<typeof EligibilitySchema>;
/** Where the credential sits: its SD-JWT presentation and its Merkle path in its anchor. */
export const PresentationSchema = struct('CredPresentation', { sdJwt: str(16384), position: u32, count: u32, path: list(bytes32, 32) });
export type Presentation = Infer<typeof PresentationSchema>;

export interface VerifiedCredential {
  /** The issuer's account address. */
  issuer: Uint8Array;
  /** Its status index. */
  index: number;
  /** Its anchor's first index. */
  batch: number;
  /** Its schema, e.g. 'national-id@1'. */
  schema: string;
  typeId: string;
  /** Block time (ms) when its validity ends (exp * 1000), or Number.MAX_SAFE_INTEGER without exp. */
  validUntil: number;
  /** SHA-256 of the issuer-signed JWT: what the anchor commits to. */
  digest: Uint8Array;
  /** The disclosed and always-visible top-level claims with scalar values (numbers: safe integers). */
  claims: ReadonlyMap<string, ClaimValue>;
}

const hex = toHex;
const typeOf = (schema: string): string => schema.slice(0, schema.lastIndexOf('@'));
const isScalar = (v: Json): v is ClaimValue => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isSafeInteger(v));

/** Step 2: the issuer account the ledger claim names, and the credential in its anchor. */
async function anchored(ctx: TxContext, c: ParsedSdJwt, p: Presentation, digest: Uint8Array): Promise<{ issuer: Uint8Array; anchor: Anchor }> {
  const ref = c.ledger;
  if (ref.chainId !== ctx.block.chainId) fail('PRESENTATION_WRONG_CHAIN', `the credential is of chain ${JSON.stringify(ref.chainId.slice(0, 64))}, not ${ctx.block.chainId}`);
  const meta = await ctx.get(ChainMetaSchema, engineRecords.chain.keyOf());
  let issuer: Uint8Array;
  try {
    issuer = decodeAddress(ref.issuer, meta!.addressPrefix);
  } catch {
    return fail('PRESENTATION_MALFORMED', `the ledger claim's issuer is not an account of this chain (${meta!.addressPrefix}1...)`);
  }
  const anchor = await ctx.get(AnchorSchema, CredKeys.anchor(issuer, ref.batch));
  if (anchor === undefined) fail('CREDENTIAL_NOT_ANCHORED', `${hex(issuer)} anchored no batch at ${ref.batch}`);
  if (ref.index >= ref.batch + anchor.count || p.position !== ref.index - ref.batch || p.count !== anchor.count) {
    fail('CREDENTIAL_NOT_ANCHORED', `position ${p.position} of ${p.count} is not index ${ref.index} of the batch of ${anchor.count} at ${ref.batch}`);
  }
  if (!verifyMerkleProof(anchor.root, digest, p.position, p.count, p.path)) fail('CREDENTIAL_NOT_ANCHORED', "the Merkle path does not prove the credential's digest under its anchor's root");
  return { issuer, anchor };
}

/** Step 5: the disclosed claims beside the always-visible ones; `shown` gets every visible name, scalar or not. */
function disclosedClaims(c: ParsedSdJwt, shown: Set<string>): Map<string, ClaimValue> {
  const claims = new Map<string, ClaimValue>();
  for (const name of Object.keys(c.payload)) {
    if (name === '_sd' || name === '_sd_alg') continue;
    shown.add(name);
    const v = c.payload[name]!;
    if (isScalar(v) && (typeof v !== 'string' || wellFormed(v))) claims.set(name, v);
  }
  const used = new Set<string>();
  for (const d of c.disclosures) {
    if (!c.sd.has(d.digest)) fail('DISCLOSURE_MISMATCH', `a disclosure${d.name === undefined ? ' of an array element' : ''} that no top-level _sd digest refers to (a changed value or salt, or a nested disclosure)`);
    if (used.has(d.digest)) fail('DISCLOSURE_MISMATCH', 'a disclosure sent twice');
    used.add(d.digest);
    if (d.name === undefined) fail('DISCLOSURE_MISMATCH', 'an array-element disclosure in the top-level _sd');
    if (NEVER_DISCLOSABLE.includes(d.name) || shown.has(d.name)) fail('DISCLOSURE_MISMATCH', `a disclosure of ${JSON.stringify(d.name.slice(0, 64))}, a claim the payload shows or that is never disclosed selectively`);
    shown.add(d.name);
    if (isScalar(d.value) && (typeof d.value !== 'string' || wellFormed(d.value))) claims.set(d.name, d.value);
  }
  return claims;
}

/** Whether the issuer is accredited now for `typeId` (when given) by an active accreditor. */
async function requireAccredited(ctx: TxContext, issuer: Uint8Array, typeId: string | undefined): Promise<void> {
  const acc = await activeAccreditation(ctx, issuer, AccreditationRole.ISSUER);
  if (acc === null || (typeId !== undefined && !acc.types.includes(typeId))) fail('ISSUER_ACCREDITATION_INACTIVE', `${hex(issuer)} is not an active issuer accredited for ${typeId === undefined ? 'credentials' : `"${typeId}"`}`);
  if ((await activeAccreditation(ctx, acc.accreditedBy, AccreditationRole.ACCREDITOR)) === null) {
    fail('ISSUER_ACCREDITATION_INACTIVE', `the accreditor of ${hex(issuer)}, ${hex(acc.accreditedBy)}, is not active`);
  }
}

/** Step 7's status bits. */
async function requireStatusClear(ctx: TxContext, issuer: Uint8Array, index: number): Promise<void> {
  if (await statusBit(ctx, issuer, index, StatusPurpose.REVOCATION)) fail('CREDENTIAL_REVOKED', `credential ${index} of ${hex(issuer)} is revoked`);
  if (await statusBit(ctx, issuer, index, StatusPurpose.SUSPENSION)) fail('CREDENTIAL_SUSPENDED', `credential ${index} of ${hex(issuer)} is suspended`);
}

/** Verify `p` for the transaction's signer against `rule`; throws VmError (fail(CODE,...)) on the first failed check. */
export async function verifyPresentation(ctx: TxContext, p: Presentation, rule: Eligibility, holder: Uint8Array): Promise<VerifiedCredential> {
  for (const pr of rule.predicates) checkPredicateShape(pr);
  // 1. Shape: its size refused or charged before any work (every byte is parsed and hashed about once).
  const length = checkSize(p.sdJwt);
  ctx.meter.charge(ctx.params.cost_tx_byte * (length + 32 * p.path.length), 'reading the presentation');
  const c = parseSdJwt(p.sdJwt);
  const digest = sha256Utf8(c.jwt);

  // 2. Its place in the ledger.
  const { issuer, anchor } = await anchored(ctx, c, p, digest);

  // 3. The issuer's signature, by a key its account held when the batch was anchored.
  ctx.meter.charge(ctx.params.cost_tx, 'the issuer signature');
  if (!verify(c.signature, utf8(c.signingInput), c.issuerKey)) fail('PRESENTATION_TAMPERED', "the issuer's signature does not verify with the iss key");
  const account = await ctx.get(AccountSchema, AccountKeys.account(issuer));
  const history = await ctx.get(KeyHistorySchema, AccountKeys.keyHistory(issuer));
  if (account === undefined || !heldKeyAt(account, history, c.issuerKey, anchor.height)) {
    fail('CREDENTIAL_KEY_NOT_VALID', `${hex(issuer)} did not hold the signing key when the batch was anchored (height ${anchor.height})`);
  }

  // 4. Schema and type, the rule's issuers, accreditation now.
  const typeId = typeOf(anchor.schema);
  if (c.ledger.schema !== anchor.schema || c.vct !== typeId) fail('CREDENTIAL_WRONG_SCHEMA', `the credential (${c.ledger.schema}, vct ${JSON.stringify(c.vct.slice(0, 64))}) is not of its anchor's schema ${anchor.schema}`);
  const schema = await ctx.get(CredSchemaSchema, CredKeys.schema(anchor.schema));
  if (schema === undefined) fail('CREDENTIAL_WRONG_SCHEMA', `no schema ${anchor.schema}`);
  const from = c.nbf ?? c.iat;
  if (c.exp !== undefined && from !== undefined && (c.exp - from) * 1000 > schema.maxValidityMs) {
    fail('CREDENTIAL_WRONG_SCHEMA', `a validity of ${(c.exp - from) * 1000} ms exceeds the schema's ${schema.maxValidityMs}`);
  }
  if (!rule.types.includes(typeId)) fail('NOT_ELIGIBLE_TYPE', `a credential of type "${typeId}" is not one of ${rule.types.map((t) => `"${t}"`).join(', ') || 'no type'}`);
  if (rule.issuers.length > 0 && !rule.issuers.some((a) => equalBytes(a, issuer))) fail('NOT_ELIGIBLE_ISSUER', `${hex(issuer)} is not one of the rule's issuers`);
  await requireAccredited(ctx, issuer, typeId);

  // 5. Disclosures.
  const shown = new Set<string>();
  const claims = disclosedClaims(c, shown);

  // 6. Holder binding.
  if (c.holderKey === undefined) fail('HOLDER_MISMATCH', 'the credential binds no holder key (cnf.jwk)');
  const holderAccount = await ctx.get(AccountSchema, AccountKeys.account(holder));
  if (holderAccount === undefined || !holderAccount.keys.some((k) => equalBytes(k, c.holderKey!))) fail('HOLDER_MISMATCH', `the credential's holder key is not one of ${hex(holder)}'s keys`);

  // 7. Validity at block time, then status.
  const now = ctx.block.time;
  if (c.nbf !== undefined && c.nbf * 1000 > now) fail('CREDENTIAL_NOT_YET_VALID', `valid from ${c.nbf * 1000} (block time ${now})`);
  if (c.iat !== undefined && c.iat * 1000 > now) fail('CREDENTIAL_NOT_YET_VALID', `issued at ${c.iat * 1000}, after block time ${now}`);
  const validUntil = c.exp === undefined ? Number.MAX_SAFE_INTEGER : c.exp * 1000;
  if (validUntil <= now) fail('CREDENTIAL_EXPIRED', `expired at ${validUntil} (block time ${now})`);
  await requireStatusClear(ctx, issuer, c.ledger.index);

  // 8. Predicates: a claim shown but not scalar fails its predicate; one not shown is undisclosed.
  for (const pr of rule.predicates) {
    if (shown.has(pr.claim) && !claims.has(pr.claim)) fail('PREDICATE_FAILED', `the claim ${JSON.stringify(pr.claim)} is not a string, a safe integer or a boolean`, { claim: pr.claim });
  }
  checkPredicates(claims, rule.predicates);
  return { issuer, index: c.ledger.index, batch: c.ledger.batch, schema: anchor.schema, typeId, validUntil, digest, claims };
}

/**
 * Whether a credential verified earlier is still in good standing now (block time, status
 * bits, issuer accreditation): throws the same codes as verifyPresentation's status/validity
 * checks (CREDENTIAL_EXPIRED, CREDENTIAL_REVOKED, CREDENTIAL_SUSPENDED), then
 * ISSUER_ACCREDITATION_INACTIVE; with `typeId` (a VerifiedCredential has it), the issuer must
 * still be accredited for that type. Cheap: no signature, only state reads.
 */
export async function requireStanding(ctx: TxContext, c: { issuer: Uint8Array; index: number; validUntil: number; typeId?: string }): Promise<void> {
  if (c.validUntil <= ctx.block.time) fail('CREDENTIAL_EXPIRED', `expired at ${c.validUntil} (block time ${ctx.block.time})`);
  await requireStatusClear(ctx, c.issuer, c.index);
  await requireAccredited(ctx, c.issuer, c.typeId);
}
