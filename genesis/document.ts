/**
 * The jurisdiction genesis document: everything a node starts from. It holds the vm's
 * state-machine genesis (GenesisDoc: parameters, institutions, council, currencies,
 * accounts, balances, reserves, bank limits) and what only the node needs: the jurisdiction
 * code, the consensus parameters, and per validator the body running it, its node key (the
 * libp2p identity) and p2p address, and the signatures of the ceremony contributions.
 *
 * It has one canonical byte form, `encode(JurisdictionGenesisSchema, doc)` (an array in the
 * declared field order), and its hash is `hashOf("genesis-document", those bytes)`. The vm
 * document is a pure projection of it (`toVmDoc`). `canonicalize` puts every list whose
 * order carries no meaning in a defined order, so the order contributions arrived in or
 * tables were written in never changes the hash.
 */
import {
  addressField, amount, chainIdField, compareBytes, encode, hashOf, list, optional, publicKeyField, signatureField, str, struct, u8, u32, uint,
  type Infer,
} from '../core/index.js';
import { MAX_ACCOUNT_KEYS, MAX_COUNCIL, MAX_TIERS, ROLE_NAMES, TierPolicySchema, currencyCode, type GenesisDoc } from '../vm/index.js';
import { ConsensusParamsSchema } from './consensus.js';

/** Version of the genesis document format. */
export const GENESIS_FORMAT = 1;
/** Hash domain of the whole document (the vm's own genesis hash uses "genesis"). */
export const GENESIS_DOCUMENT_DOMAIN = 'genesis-document';
/** ISO 3166-1 alpha-2 or alpha-3 code, upper case. */
export const JURISDICTION_RE = /^[A-Z]{2,3}$/;

const keys = list(publicKeyField, MAX_ACCOUNT_KEYS);
const name = str(64);

export const GenesisValidatorEntrySchema = struct('GenesisValidatorEntry', {
  body: name,
  publicKey: publicKeyField,
  power: uint,
  nodeKey: publicKeyField,
  p2pAddress: str(256),
  /** The body's signed contribution (by publicKey), or null when built unsigned. */
  signature: optional(signatureField),
});
export const GenesisInstitutionEntrySchema = struct('GenesisInstitutionEntry', {
  name,
  keys,
  threshold: u8,
  roles: u32,
  /** The institution's signed contribution (by keys[0]), or null when built unsigned. */
  signature: optional(signatureField),
});
export const GenesisCurrencyEntrySchema = struct('GenesisCurrencyEntry', {
  code: currencyCode, decimals: u8, issuer: addressField, kind: u8, tiers: list(TierPolicySchema, MAX_TIERS),
});
export const GenesisAccountEntrySchema = struct('GenesisAccountEntry', {
  name, keys, threshold: u8, kind: u8, tier: u8, bank: addressField, linkedRef: optional(str(64)), category: str(32),
});
export const GenesisBalanceEntrySchema = struct('GenesisBalanceEntry', { address: addressField, currency: currencyCode, amount });
export const GenesisReserveEntrySchema = struct('GenesisReserveEntry', { currency: currencyCode, attested: amount });
export const GenesisBankLimitEntrySchema = struct('GenesisBankLimitEntry', {
  currency: currencyCode, bank: addressField, maxReserve: optional(amount), dailyOut: optional(amount),
});

export const JurisdictionGenesisSchema = struct('JurisdictionGenesis', {
  format: u8,
  chainId: chainIdField,
  jurisdiction: str(3, JURISDICTION_RE),
  addressPrefix: str(16),
  /** Unix ms. */
  genesisTime: uint,
  consensus: ConsensusParamsSchema,
  validators: list(GenesisValidatorEntrySchema, 256),
  institutions: list(GenesisInstitutionEntrySchema, 4096),
  council: struct('GenesisCouncilEntry', { members: list(addressField, MAX_COUNCIL), threshold: u8 }),
  currencies: list(GenesisCurrencyEntrySchema, 256),
  accounts: list(GenesisAccountEntrySchema, 1_000_000),
  balances: list(GenesisBalanceEntrySchema, 1_000_000),
  reserves: list(GenesisReserveEntrySchema, 256),
  bankLimits: list(GenesisBankLimitEntrySchema, 4096),
  params: list(struct('GenesisParamEntry', { name: str(64), value: uint }), 64),
});
export type JurisdictionGenesis = Infer<typeof JurisdictionGenesisSchema>;
export type GenesisValidatorEntry = Infer<typeof GenesisValidatorEntrySchema>;
export type GenesisInstitutionEntry = Infer<typeof GenesisInstitutionEntrySchema>;
export type GenesisAccountEntry = Infer<typeof GenesisAccountEntrySchema>;

/** Role names as written in templates and genesis.json, in bit order (the vm's gov module's table). */
export { ROLE_NAMES };

export function roleBit(roleName: string): number | undefined {
  return ROLE_NAMES.find(([n]) => n === roleName)?.[1];
}

export function roleNamesOf(roles: number): string[] {
  return ROLE_NAMES.filter(([, bit]) => (roles & bit) !== 0).map(([n]) => n);
}

export const CURRENCY_KINDS: Readonly<Record<string, number>> = { cbdc: 1, stablecoin: 2 };
export const ACCOUNT_KINDS: Readonly<Record<string, number>> = { person: 2, business: 3 };
export const kindName = (table: Readonly<Record<string, number>>, v: number): string =>
  Object.entries(table).find(([, x]) => x === v)?.[0] ?? String(v);

/** The canonical bytes of the document (throws a CodecError if a field is out of its type). */
export function genesisDocumentBytes(doc: JurisdictionGenesis): Uint8Array {
  return encode(JurisdictionGenesisSchema, doc);
}

export function genesisDocumentHash(doc: JurisdictionGenesis): Uint8Array {
  return hashOf(GENESIS_DOCUMENT_DOMAIN, genesisDocumentBytes(doc));
}

/** The state-machine part, as vm.applyGenesis takes it. */
export function toVmDoc(doc: JurisdictionGenesis): GenesisDoc {
  return {
    chainId: doc.chainId,
    addressPrefix: doc.addressPrefix,
    genesisTime: doc.genesisTime,
    params: doc.params,
    validators: doc.validators.map((v) => ({ publicKey: v.publicKey, power: v.power, nodeKey: v.nodeKey })),
    institutions: doc.institutions.map((i) => ({ name: i.name, keys: i.keys, threshold: i.threshold, roles: i.roles })),
    council: doc.council,
    currencies: doc.currencies,
    accounts: doc.accounts.map((a) => ({
      keys: a.keys, threshold: a.threshold, kind: a.kind, tier: a.tier, bank: a.bank, linkedRef: a.linkedRef, category: a.category,
    })),
    balances: doc.balances,
    reserves: doc.reserves,
    bankLimits: doc.bankLimits,
  };
}

const byStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The document with every order-free list sorted: validators by public key, institutions
 * and accounts by name, currencies, reserves and params by code/name, balances by (address,
 * currency), bank limits by (currency, bank), council members by address.
 */
export function canonicalize(doc: JurisdictionGenesis): JurisdictionGenesis {
  return {
    ...doc,
    validators: [...doc.validators].sort((a, b) => compareBytes(a.publicKey, b.publicKey)),
    institutions: [...doc.institutions].sort((a, b) => byStr(a.name, b.name)),
    council: { members: [...doc.council.members].sort(compareBytes), threshold: doc.council.threshold },
    currencies: [...doc.currencies].sort((a, b) => byStr(a.code, b.code)),
    accounts: [...doc.accounts].sort((a, b) => byStr(a.name, b.name)),
    balances: [...doc.balances].sort((a, b) => compareBytes(a.address, b.address) || byStr(a.currency, b.currency)),
    reserves: [...doc.reserves].sort((a, b) => byStr(a.currency, b.currency)),
    bankLimits: [...doc.bankLimits].sort((a, b) => byStr(a.currency, b.currency) || compareBytes(a.bank, b.bank)),
    params: [...doc.params].sort((a, b) => byStr(a.name, b.name)),
  };
}
