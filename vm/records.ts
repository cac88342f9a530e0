/**
 * The schemas of every record the vm keeps in state (the values of the keys in keys.ts),
 * and the small enums they use. Records are immutable values: a handler reads one, builds a
 * changed copy and writes it back.
 */
import {
  addressField, amount, bool, bytes, bytes32, chainIdField, list, optional, publicKeyField, str, struct, u8, u32, uint, type Infer,
} from '../core/index.js';

export const MAX_ACCOUNT_KEYS = 8;
export const CURRENCY_CODE_RE = /^[A-Z][A-Z0-9]{1,11}$/;
export const currencyCode = str(12, CURRENCY_CODE_RE);
export const MAX_TIERS = 8;
export const MAX_COUNCIL = 64;
export const MAX_DECIMALS = 18;

export const AccountKind = { INSTITUTION: 1, PERSON: 2, BUSINESS: 3 } as const;
export const AccountStatus = { ACTIVE: 0, FROZEN: 1, CLOSED: 2 } as const;

/** Institution roles, a bit each. */
export const Role = {
  CENTRAL_BANK: 1,
  ISSUER: 2,
  COMMERCIAL_BANK: 4,
  AGENCY: 8,
  REGULATOR: 16,
  VALIDATOR_OPERATOR: 32,
} as const;
export const ALL_ROLES = 63;

export const CurrencyKind = { CBDC: 1, STABLECOIN: 2 } as const;

export const ParamValueSchema = struct('ParamValue', { value: uint });

export const ChainMetaSchema = struct('ChainMeta', { chainId: chainIdField, addressPrefix: str(16), genesisTime: uint });
export type ChainMeta = Infer<typeof ChainMetaSchema>;

export const AccountSchema = struct('Account', {
  keys: list(publicKeyField, MAX_ACCOUNT_KEYS),
  threshold: u8,
  nonce: uint,
  kind: u8,
  status: u8,
  /** KYC tier (1..), 0 for institutions. */
  tier: u8,
  /** The bank that opened the account (null for institutions). */
  bank: optional(addressField),
  /** The linked bank account reference the waterfall credits (null: no link). */
  linkedRef: optional(str(64)),
  /** The account's category (merchant category for purpose-bound funds), or "". */
  category: str(32),
});
export type Account = Infer<typeof AccountSchema>;

export const InstitutionSchema = struct('Institution', { name: str(64), roles: u32 });
export type Institution = Infer<typeof InstitutionSchema>;

/** Limits of one KYC tier for one currency; null is "no limit". */
export const TierPolicySchema = struct('TierPolicy', {
  holdingLimit: optional(amount),
  perTxLimit: optional(amount),
  dailyLimit: optional(amount),
  annualLimit: optional(amount),
});
export type TierPolicy = Infer<typeof TierPolicySchema>;

export const CurrencySchema = struct('Currency', {
  code: currencyCode,
  decimals: u8,
  issuer: addressField,
  kind: u8,
  paused: bool,
  supply: amount,
  /** tiers[i] is the policy of KYC tier i + 1. */
  tiers: list(TierPolicySchema, MAX_TIERS),
});
export type Currency = Infer<typeof CurrencySchema>;

export const BalanceSchema = struct('Balance', { amount });

export const MAX_CURRENCIES = 256;
export const CurrencyListSchema = struct('CurrencyList', { codes: list(currencyCode, MAX_CURRENCIES) });

const bucket = struct('UsageBucket', { index: uint, amount });
export const UsageSchema = struct('Usage', { daily: list(bucket, 1024), annual: list(bucket, 1024) });
export type Usage = Infer<typeof UsageSchema>;
export type UsageBucket = Infer<typeof bucket>;

export const BankLimitSchema = struct('BankLimit', { maxReserve: optional(amount), dailyOut: optional(amount) });
export type BankLimit = Infer<typeof BankLimitSchema>;

export const CouncilSchema = struct('Council', { members: list(addressField, MAX_COUNCIL), threshold: u8 });
export type Council = Infer<typeof CouncilSchema>;

export const CounterSchema = struct('Counter', { next: uint });

export const ValidatorEntrySchema = struct('ValidatorEntry', { address: addressField, publicKey: publicKeyField, power: uint });
export const ValidatorListSchema = struct('ValidatorList', { validators: list(ValidatorEntrySchema, 256) });
export type ValidatorEntry = Infer<typeof ValidatorEntrySchema>;
/**
 * The node key a validator's libp2p node proves at connection time: every node admits the
 * current validators' node keys (and its configured observers), so the allowlist follows
 * governance. Kept beside ValidatorList, not in it: consensus's validator sets don't carry it.
 */
export const ValidatorNodeSchema = struct('ValidatorNode', { nodeKey: publicKeyField });

export const ProposalStatus = { OPEN: 0, EXECUTED: 1, FAILED: 2, CANCELLED: 3 } as const;
export const ApprovalSchema = struct('Approval', { member: addressField, reason: str(256), height: uint });
/** A governance action: its kind (governance.ts, ActionKind) and the encoding of that kind's args. */
export const ProposalActionSchema = struct('ProposalAction', { kind: u8, data: bytes({ max: 64 * 1024 }) });
export type ProposalAction = Infer<typeof ProposalActionSchema>;
export const ProposalSchema = struct('Proposal', {
  id: uint,
  proposer: addressField,
  action: ProposalActionSchema,
  reason: str(256),
  createdAt: uint,
  expiresAt: uint,
  approvals: list(ApprovalSchema, MAX_COUNCIL),
  status: u8,
  /** The failure code of a FAILED execution, else 0. */
  resultCode: u32,
  resultMessage: str(256),
});
export type Proposal = Infer<typeof ProposalSchema>;

export const UsedReferenceSchema = struct('UsedReference', { height: uint, txHash: bytes32 });

export const ReserveSchema = struct('Reserve', { attested: amount, depositsInFlight: amount, payoutsInFlight: amount, attestedAt: uint });
export type Reserve = Infer<typeof ReserveSchema>;

export const PayoutStatus = { PENDING: 0, PAID: 1, FAILED: 2 } as const;
export const PayoutSchema = struct('Payout', {
  id: uint,
  currency: currencyCode,
  holder: addressField,
  bank: addressField,
  bankAccountId: str(64),
  amount,
  status: u8,
});
export type Payout = Infer<typeof PayoutSchema>;

export const VirtualAccountSchema = struct('VirtualAccount', { bankAccountId: str(64), account: addressField });
export type VirtualAccount = Infer<typeof VirtualAccountSchema>;

export const LockKind = { CLAIM: 0, ESCROW: 1, HTLC: 2 } as const;
export const LockStatus = { OPEN: 0, RELEASED: 1, REFUNDED: 2 } as const;
export const LockSchema = struct('Lock', {
  id: uint,
  kind: u8,
  currency: currencyCode,
  payer: addressField,
  payee: addressField,
  amount,
  arbiter: optional(addressField),
  hashlock: optional(bytes32),
  expiresAt: uint,
  status: u8,
});
export type Lock = Infer<typeof LockSchema>;

export const GrantSchema = struct('Grant', {
  id: uint,
  currency: currencyCode,
  grantor: addressField,
  holder: addressField,
  category: str(32),
  expiresAt: uint,
  /** Still spendable (also the balance of the grant's escrow address). */
  remaining: amount,
});
export type Grant = Infer<typeof GrantSchema>;
