/**
 * The credentials module's records: the trust chain (accreditations of accreditors and
 * issuers, each with its history of changes), credential schemas, each issuer's next status
 * index, anchors (a batch's Merkle root of credential digests), the status lists (bitstrings
 * in chunks: revocation and suspension), and KYC bindings (the credential that sets a
 * customer's tier). Nothing personal: claims never reach the ledger, only digests and the
 * tier a KYC credential grants.
 */
import { addressField, bytes, bytes32, list, str, struct, u8, u32, uint, type Infer } from '../../../core/index.js';
import { record } from '../../keys.js';
import { field } from '../../module.js';

/** A credential type id (`kyc`, `national-id`, `driving-licence`, ...). */
export const TYPE_ID_RE = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
/** A schema id: its type id and version, `kyc@1`. */
export const SCHEMA_ID_RE = /^[A-Za-z][A-Za-z0-9._-]{0,63}@[0-9]{1,9}$/;
export const typeIdField = str(64, TYPE_ID_RE);
export const schemaIdField = str(74, SCHEMA_ID_RE);
export const legalRefField = str(128);
export const jurisdictionField = str(16, /^[A-Z]{2,3}(-[A-Z0-9]{1,8})?$/);

export const AccreditationRole = { ACCREDITOR: 1, ISSUER: 2 } as const;
export const AccreditationStatus = { ACTIVE: 0, SUSPENDED: 1, WITHDRAWN: 2 } as const;
/** Changes an accreditation keeps (the oldest go first). */
export const MAX_ACCREDITATION_CHANGES = 128;
export const MAX_TYPES = 64;

export const AccreditationChangeSchema = struct('AccreditationChange', { status: u8, time: uint, height: uint, legalRef: legalRefField, by: addressField });
export type AccreditationChange = Infer<typeof AccreditationChangeSchema>;
export const AccreditationSchema = struct('Accreditation', {
  role: u8,
  /** Who accredited it: an accreditor, or 20 zero bytes for governance (the root). */
  accreditedBy: addressField,
  jurisdiction: jurisdictionField,
  /** The credential types it may issue (an issuer), or accredit issuers for (an accreditor; empty: any). */
  types: list(typeIdField, MAX_TYPES),
  status: u8,
  /** Every change, oldest first: the first is the accreditation itself. */
  changes: list(AccreditationChangeSchema, MAX_ACCREDITATION_CHANGES),
});
export type Accreditation = Infer<typeof AccreditationSchema>;

export const MAX_SCHEMA_BYTES = 16 * 1024;
export const CredSchemaSchema = struct('CredSchema', {
  typeId: typeIdField,
  version: u32,
  /** The JSON Schema of the subject's claims (JSON text). */
  jsonSchema: str(MAX_SCHEMA_BYTES),
  /** The claims a holder may disclose selectively (SD-JWT VC); the others are always disclosed. */
  selective: list(str(64), 64),
  /** Issuers that may issue it (empty: any issuer accredited for its type). */
  issuers: list(addressField, 256),
  maxValidityMs: uint,
  registeredBy: addressField,
  time: uint,
});
export type CredSchema = Infer<typeof CredSchemaSchema>;

export const IssuerStateSchema = struct('CredIssuer', { nextIndex: uint, anchors: uint });

export const MAX_ANCHOR_BATCH = 10_000;
export const AnchorSchema = struct('CredAnchor', { schema: schemaIdField, count: u32, root: bytes32, time: uint, height: uint });
export type Anchor = Infer<typeof AnchorSchema>;

/** Status purposes: a credential's bit in each of its issuer's two lists. */
export const StatusPurpose = { REVOCATION: 0, SUSPENSION: 1 } as const;
export const STATUS_PURPOSES = ['revocation', 'suspension'] as const;
/** Bytes of one status chunk: 16,384 credentials of one purpose. */
export const STATUS_CHUNK_BYTES = 2048;
export const STATUS_CHUNK_BITS = STATUS_CHUNK_BYTES * 8;
export const StatusChunkSchema = struct('CredStatusChunk', { bits: bytes({ max: STATUS_CHUNK_BYTES }) });

export const KycBindingSchema = struct('KycBinding', {
  issuer: addressField,
  index: uint,
  tier: u8,
  assurance: u8,
  validUntil: uint,
  /** The credential's digest (what its anchor commits to). */
  digest: bytes32,
});
export type KycBinding = Infer<typeof KycBindingSchema>;
export const KycIndexSchema = struct('KycIndex', { account: addressField });

const schemaKey = field.text('schema', SCHEMA_ID_RE);
export const credRecords = {
  accreditation: record(0xa0, [field.address('address')], AccreditationSchema, 'Accreditation [role (1 accreditor, 2 issuer), accreditedBy, jurisdiction, types, status (0 active, 1 suspended, 2 withdrawn), changes [[status, time, height, legalRef, by]]]'),
  cred_schema: record(0xa1, [schemaKey], CredSchemaSchema, 'CredSchema [typeId, version, jsonSchema, selective, issuers, maxValidityMs, registeredBy, time]'),
  cred_issuer: record(0xa2, [field.address('issuer')], IssuerStateSchema, 'CredIssuer [nextIndex, anchors]: the next status index the issuer anchors'),
  cred_anchor: record(0xa3, [field.address('issuer'), field.id('index')], AnchorSchema, 'CredAnchor [schema, count, root, time, height]: a batch whose first status index is `index`'),
  cred_status: record(0xa4, [field.address('issuer'), field.id('chunk')], StatusChunkSchema, 'CredStatusChunk [bits]: status bits of indexes chunk/2 * 16384 onwards, purpose chunk % 2 (0 revocation, 1 suspension), most significant bit first; absent: all clear'),
  cred_kyc: record(0xa5, [field.address('address')], KycBindingSchema, "KycBinding [issuer, index, tier, assurance, validUntil, digest]: the KYC credential that sets the account's tier"),
  cred_kyc_index: record(0xa6, [field.address('issuer'), field.id('index')], KycIndexSchema, 'KycIndex [account]: the account a KYC credential is bound to'),
};
export const CredKeys = {
  accreditation: credRecords.accreditation.keyOf,
  schema: credRecords.cred_schema.keyOf,
  issuer: credRecords.cred_issuer.keyOf,
  anchor: credRecords.cred_anchor.keyOf,
  status: credRecords.cred_status.keyOf,
  kyc: credRecords.cred_kyc.keyOf,
  kycIndex: credRecords.cred_kyc_index.keyOf,
};

/** Where status index `index` of purpose `purpose` lives: its chunk id and its bit in the chunk (most significant first). */
export function statusSlot(index: number, purpose: number): { chunk: number; bit: number } {
  const c = Math.floor(index / STATUS_CHUNK_BITS);
  return { chunk: c * 2 + purpose, bit: index - c * STATUS_CHUNK_BITS };
}

/** Bit `bit` of a chunk's bytes (missing bytes are clear). */
export function chunkBit(bits: Uint8Array | undefined, bit: number): boolean {
  if (bits === undefined) return false;
  const byte = bits[bit >> 3];
  return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
}

/**
 * Whether an accreditation was active for a credential anchored at `height`: its status
 * after the changes of earlier blocks was active, or a change in that very block made it
 * active. (The ledger refuses an anchor from an issuer that is not active when it executes,
 * so a change of the same block that was not active came after the anchor.)
 */
export function accreditationValidAt(a: Accreditation, height: number): boolean {
  let before: number | null = null;
  let sameBlockActive = false;
  for (const c of a.changes) {
    if (c.height < height) before = c.status;
    else if (c.height === height && c.status === AccreditationStatus.ACTIVE) sameBlockActive = true;
  }
  return before === AccreditationStatus.ACTIVE || sameBlockActive;
}
