/**
 * Exemptions by credential: a taxpayer proves, in a transaction it signs, that it holds a
 * valid credential of a type a rule exempts (a charity, a small business): an SD-JWT VC
 * presentation with its Merkle path in its anchor, checked by the credentials module's
 * verifyPresentation against the rule's exempt types, the holder being the signer. The
 * exemption is recorded per credential type (issuer, status index, end of validity; a claim
 * of a type held already replaces it) and applies to every rule exempting that type, but
 * only while the credential stays in good standing: the payment hook checks requireStanding
 * (validity, revocation, suspension, the issuer's accreditation) each time, so a revoked
 * credential stops exempting at once, with no transaction.
 */
import { struct, toHex, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { method } from '../../module.js';
import { PresentationSchema, requireStanding, verifyPresentation } from '../cred/presentation.js';
import { ExemptionsSchema, MAX_EXEMPTIONS, TaxKeys } from './records.js';
import { TaxEvents as E } from './events.js';
import { getRule } from './rules.js';

export const ClaimExemptionArgs = struct('TaxClaimExemption', { rule: uint, presentation: PresentationSchema });

/** The codes a presentation fails with (module cred's), for the docs. */
const PRESENTATION_FAILS = [
  'PRESENTATION_MALFORMED', 'PRESENTATION_WRONG_CHAIN', 'CREDENTIAL_NOT_ANCHORED', 'PRESENTATION_TAMPERED', 'CREDENTIAL_KEY_NOT_VALID', 'CREDENTIAL_WRONG_SCHEMA', 'NOT_ELIGIBLE_TYPE',
  'ISSUER_ACCREDITATION_INACTIVE', 'DISCLOSURE_MISMATCH', 'HOLDER_MISMATCH', 'CREDENTIAL_NOT_YET_VALID', 'CREDENTIAL_EXPIRED', 'CREDENTIAL_REVOKED', 'CREDENTIAL_SUSPENDED',
];

export const exemptionMethods = {
  claim_exemption: method(ClaimExemptionArgs, "a taxpayer proves it holds a credential of a type the rule exempts (its SD-JWT presentation and Merkle path; the credential's holder key one of the signer's keys): recorded per type, it exempts the signer from every rule exempting that type while the credential stays in good standing", async (ctx, a) => {
    const rule = await getRule(ctx, a.rule);
    if (rule.exemptTypes.length === 0) fail('TAX_NOT_EXEMPT', `tax rule ${a.rule} exempts no credential type`);
    const vc = await verifyPresentation(ctx, a.presentation, { types: rule.exemptTypes, issuers: [], predicates: [] }, ctx.signer);
    await requireStanding(ctx, vc);
    const key = TaxKeys.exemption(ctx.signer);
    const items = ((await ctx.get(ExemptionsSchema, key))?.items ?? []).filter((e) => e.typeId !== vc.typeId);
    if (items.length >= MAX_EXEMPTIONS) fail('TAX_EXEMPTIONS_FULL', `${toHex(ctx.signer)} holds ${MAX_EXEMPTIONS} exemptions already`);
    items.push({ typeId: vc.typeId, issuer: vc.issuer, index: vc.index, validUntil: vc.validUntil, height: ctx.block.height });
    ctx.put(ExemptionsSchema, key, { items });
    ctx.emit(E.exemption_claimed, { account: ctx.signer, typeId: vc.typeId, issuer: vc.issuer, index: vc.index, validUntil: vc.validUntil });
  }, { fails: ['TAX_RULE_NOT_FOUND', 'TAX_NOT_EXEMPT', 'TAX_EXEMPTIONS_FULL', ...PRESENTATION_FAILS] }),
};
