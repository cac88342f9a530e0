/**
 * rpc/client/cred/: the SDK's off-chain credential library, pure and offline: did:key for
 * Ed25519 (did.ts), W3C VC 2.0 with eddsa-jcs-2022 Data Integrity proofs (vc.ts), SD-JWT VC
 * selective disclosure with holder key binding (sd-jwt.ts, sd-jwt-verify.ts), Merkle batches
 * of credential digests for anchoring (batch.ts), bitstring status lists (status-list.ts) and
 * claims checked against JSON Schemas (claims.ts). The ledger anchors only digests and keeps
 * status bits; everything personal stays here, off chain. Every signature is checked with
 * core `verify` (docs/crypto.md); bad input is a CredError with a code of CRED_ERRORS.
 * docs/credentials.md describes the library.
 */
export { CRED_ERRORS, CredError, CredErrorCodes, type CredErrorCode } from './errors.js';
export { MAX_JSON_DEPTH, type JsonObject, type JsonValue } from './json.js';
export {
  DID_KEY_PREFIX, ED25519_PUB_MULTICODEC, assertKeyPair, didKeyOf, isDidKey, multibaseOfPublicKey, parseVerificationMethod, publicKeyOfDidKey, publicKeyOfMultibase, verificationMethodOf,
  type VerificationMethodRef,
} from './did.js';
export {
  CRYPTOSUITE, PROOF_PURPOSE, PROOF_TYPE, VC_V2_CONTEXT, addDataIntegrityProof, credentialDigest, issuerOf, signCredential, signCredentials, verifyCredentialProof, verifyCredentialProofAndDigest, verifyDataIntegrityProof,
  type DataIntegrityProof, type ProofCheck, type ProofOptions, type SignedCredential, type VerifyCredentialOptions,
} from './vc.js';
export { JWS_ALG, jwkOfPublicKey, publicKeyOfJwk, type Ed25519Jwk } from './jws.js';
export {
  KB_JWT_TYP, MAX_DISCLOSURES, MAX_SD_JWT_LENGTH, NEVER_DISCLOSABLE, SD_ALG, SD_JWT_VC_TYP, decodeDisclosure, sdDigest, sdJwtIssuerJwt, sdJwtIssuerJwtDigest, splitSdJwt,
  type Disclosure, type SdJwtParts,
} from './sd-jwt-format.js';
export { issueSdJwtVc, presentSdJwtVc, type IssueSdJwtVcParams, type KeyBindingParams } from './sd-jwt.js';
export { verifySdJwtVcPresentation, type KeyBindingClaims, type SdJwtVcVerified, type VerifySdJwtOptions } from './sd-jwt-verify.js';
export { MAX_BATCH_ITEMS, buildAnchorBatch, verifyAnchorPath, type AnchorBatch } from './batch.js';
export {
  MAX_STATUS_LIST_BYTES, MIN_STATUS_LIST_BYTES, STATUS_PURPOSES, createStatusList, credentialStatusEntries, decodeStatusList, encodeStatusList, getBit, readStatusListCredential,
  setBit, statusListCredential, statusListUrl,
  type BitstringStatusListEntry, type StatusListCredential, type StatusListCredentialParams, type StatusListRead, type StatusPurpose,
} from './status-list.js';
export { MAX_CLAIM_ERRORS, SCHEMA_CACHE_LIMIT, checkSchema, claimsValidator, clearSchemaCache, validateClaims } from './claims.js';
