/**
 * Module `cred`: the national verifiable-credential registry. Agencies and banks issue
 * signed statements about people and businesses off chain (W3C Verifiable Credentials with
 * eddsa-jcs-2022 proofs, or SD-JWT VCs for selective disclosure: rpc/client/cred/); the
 * ledger keeps what lets anyone verify them without a central data silo, and no personal
 * data:
 * - the trust chain (accreditation.ts): governance accredits accreditors, accreditors
 *   accredit issuers for credential types and a jurisdiction, each change with its legal
 *   reference and block;
 * - schemas: type and version, the JSON Schema of the claims, which claims are selectively
 *   disclosable, who may issue, the longest validity;
 * - anchors: each batch of up to max_anchor_batch credentials as one Merkle root of their
 *   digests, taking a contiguous run of the issuer's status indexes;
 * - status: two bitstring lists per issuer (revocation, final; suspension, which reinstate
 *   clears), each change an event with its reason code; exported as W3C
 *   BitstringStatusListCredentials by the SDK;
 * - KYC: a bank binds a customer's KYC credential, and from then on its tier (the lowest
 *   once it is expired, suspended or revoked) is the tier the money module applies (the tier
 *   hook), at execution time, on every node;
 * - presentations (presentation.ts): other modules verify, inside a transaction, that its
 *   signer holds a valid SD-JWT VC of given types from accredited issuers, with predicates
 *   on its disclosed claims (`verifyPresentation`, `requireStanding`).
 * Issuers sign with their account keys; the account module keeps every account's key
 * history, so a credential verifies against the key that was valid when it was anchored.
 */
import { decode } from '../../../core/index.js';
import { code, defineModule } from '../../module.js';
import type { Event } from '../../receipts.js';
import { credRecords, MAX_ANCHOR_BATCH } from './records.js';
import { AccreditationChangedEvent, accreditationActions, AccreditationEvents, accreditationMethods, AccreditedEvent } from './accreditation.js';
import { IssuanceEvents, issuanceMethods, KycEvent, StatusEvent } from './issuance.js';
import { kycTier } from './status.js';

const NOBODY = new Uint8Array(20);

export const credModule = defineModule({
  name: 'cred',
  doc: 'The verifiable-credential registry: the trust chain (governance -> accreditors -> issuers, EBSI-style), credential schemas, anchors of credential batches (Merkle roots of digests), revocation and suspension status lists, and KYC credentials that set a customer\'s tier. No claim ever reaches the ledger. docs/credentials.md describes the whole flow.',
  records: credRecords,
  codeRange: [1000, 1099],
  codes: {
    NOT_ACCREDITOR: code(1000, 'the signer is not an active accreditor'),
    ACCREDITATION_EXISTS: code(1001, 'the account is accredited already (and not withdrawn)'),
    ACCREDITATION_NOT_FOUND: code(1002, 'no accreditation of that role for the account'),
    NOT_THE_ACCREDITOR: code(1003, 'the signer did not accredit this issuer'),
    BAD_ACCREDITATION_STATUS: code(1004, 'status must be 0 active, 1 suspended or 2 withdrawn, and change; a withdrawn accreditation is final'),
    TYPE_NOT_ACCREDITED: code(1005, 'a credential type outside the accreditation'),
    JURISDICTION_NOT_ACCREDITED: code(1006, "a jurisdiction outside the accreditor's"),
    SCHEMA_EXISTS: code(1007, 'the schema (type@version) is registered already'),
    SCHEMA_NOT_FOUND: code(1008, 'no such schema'),
    BAD_SCHEMA: code(1009, 'a JSON Schema that is not a JSON object, a selective claim it does not define, or no validity'),
    NOT_ACCREDITED_ISSUER: code(1010, "the signer is not an active issuer accredited for the type (or its accreditor is not active)"),
    NOT_SCHEMA_ISSUER: code(1011, 'the schema names its issuers, and the signer is not one'),
    BAD_ANCHOR: code(1012, 'a batch of no credential, or more than max_anchor_batch'),
    ANCHOR_INDEX_MISMATCH: code(1013, "the batch's first status index is not the issuer's next one"),
    STATUS_INDEX_UNKNOWN: code(1014, 'a status index the issuer has not anchored'),
    REVOCATION_FINAL: code(1015, 'clearing a revocation: revocation is final'),
    BAD_STATUS_CHANGE: code(1016, 'no change, or a purpose other than 0 (revocation) and 1 (suspension)'),
    BAD_KYC: code(1017, 'a KYC credential whose validity has ended'),
    // Presentations verified inside a transaction (presentation.ts), in the order checked.
    PRESENTATION_MALFORMED: code(1018, 'not a compact SD-JWT VC the ledger reads (base64url JSON, alg EdDSA, typ dc+sd-jwt, _sd_alg sha-256, a did:key iss, a ledger claim), or over 16,384 characters or 64 disclosures'),
    PRESENTATION_WRONG_CHAIN: code(1019, "the credential's ledger claim names another chain"),
    CREDENTIAL_NOT_ANCHORED: code(1020, "no anchor at the credential's issuer and batch, an index outside it, a wrong position or count, or a Merkle path that does not prove the digest of the issuer-signed JWT (changed since issuance)"),
    PRESENTATION_TAMPERED: code(1021, "the issuer's signature does not verify with the iss did:key"),
    CREDENTIAL_KEY_NOT_VALID: code(1022, "the signing key is not one the issuer's account held when the batch was anchored"),
    CREDENTIAL_WRONG_SCHEMA: code(1023, "the credential's schema or vct is not its anchor's, or its validity exceeds the schema's longest"),
    NOT_ELIGIBLE_TYPE: code(1024, "the credential's type is not one the rule accepts"),
    NOT_ELIGIBLE_ISSUER: code(1025, "the credential's issuer is not one the rule lists"),
    ISSUER_ACCREDITATION_INACTIVE: code(1026, "the credential's issuer is not accredited now for its type, or it or its accreditor is suspended or withdrawn"),
    DISCLOSURE_MISMATCH: code(1027, "a disclosure no top-level _sd digest refers to (changed, nested or an array element), sent twice, or of a claim the payload shows or that is never disclosed"),
    HOLDER_MISMATCH: code(1028, "the credential binds no holder key (cnf.jwk), or not one of the holder account's current keys"),
    CREDENTIAL_NOT_YET_VALID: code(1029, 'block time is before the credential\'s nbf or iat'),
    CREDENTIAL_EXPIRED: code(1030, "block time is at or after the credential's exp"),
    CREDENTIAL_REVOKED: code(1031, 'the credential is revoked (its status bit)'),
    CREDENTIAL_SUSPENDED: code(1032, 'the credential is suspended (its status bit)'),
    UNDISCLOSED_CLAIM: code(1033, 'a claim the rule tests is not disclosed'),
    PREDICATE_FAILED: code(1034, "a disclosed claim does not satisfy the rule's predicate, or is not a string, safe integer or boolean"),
    BAD_PREDICATE: code(1035, 'a predicate with an unknown operator, or a number of values its operator does not take'),
  },
  params: {
    max_anchor_batch: { value: MAX_ANCHOR_BATCH, min: 1, max: MAX_ANCHOR_BATCH, governable: true, doc: 'most credentials one anchor may hold' },
  },
  events: { ...AccreditationEvents, ...IssuanceEvents },
  methods: { ...accreditationMethods, ...issuanceMethods },
  actions: accreditationActions,
  /** The accredited account; the customer a KYC credential is bound to, or whose KYC credential's status changed. */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) {
      if (e.module !== 'cred') continue;
      if (e.name === 'accredited') out.push(decode(AccreditedEvent, e.data).account);
      else if (e.name === 'accreditation_changed') out.push(decode(AccreditationChangedEvent, e.data).account);
      else if (e.name === 'kyc_bound') out.push(decode(KycEvent, e.data).account);
      else if (e.name === 'status_changed') {
        const account = decode(StatusEvent, e.data).account;
        if (!account.every((b, i) => b === NOBODY[i])) out.push(account);
      }
    }
    return out;
  },
  hooks: { tier: kycTier },
});

export * from './records.js';
export {
  AccreditArgs, AccreditationStatusArgs, AccreditedEvent, AccreditationChangedEvent, AccreditationEvents, activeAccreditation,
} from './accreditation.js';
export {
  RegisterSchemaArgs, AnchorArgs, StatusChange, SetStatusArgs, BindKycArgs, AnchorResult, SchemaEvent, AnchoredEvent, StatusEvent, KycEvent, IssuanceEvents, KYC_TYPE,
} from './issuance.js';
export { LOWEST_TIER } from './status.js';
export {
  checkPredicates, ClaimPredicateSchema, EligibilitySchema, PredicateOp, PresentationSchema, requireStanding, verifyPresentation,
  type ClaimPredicate, type ClaimValue, type Eligibility, type Presentation, type VerifiedCredential,
} from './presentation.js';
