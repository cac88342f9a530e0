/**
 * The vm's error codes. Every rejection (a transaction that is not included) and every
 * execution failure (included, with a failure receipt) has one stable name and one stable
 * number; receipts carry the number, logs and RPC the name. Numbers are grouped by area:
 * 1-99 authentication (rejections), 100-199 engine, 200-299 accounts, 300-399 institutions
 * and roles, 400-499 governance, 500-599 money, 600-699 bank ramps, 700-799 locks and
 * grants. A number is never reused or renumbered; docs/vm.md lists them all.
 */
import { SovError } from '../core/index.js';

export const VmCodes = {
  OK: 0,
  // authentication: the transaction is rejected, never included
  TX_WRONG_CHAIN: 1,
  TX_BAD_SIGNATURE: 2,
  TX_NONCE_REPLAYED: 3,
  TX_NONCE_GAP: 4,
  TX_EXPIRED: 5,
  TX_EXPIRY_TOO_FAR: 6,
  TX_UNKNOWN_SIGNER: 7,
  TX_SIGNER_CLOSED: 8,
  TX_KEY_NOT_AUTHORIZED: 9,
  TX_THRESHOLD_NOT_MET: 10,
  TX_MALFORMED: 11,
  TX_BLOCK_FULL: 12,
  TX_DUPLICATE: 13,
  // engine: included with a failure receipt
  UNKNOWN_MODULE: 100,
  UNKNOWN_METHOD: 101,
  MALFORMED_ARGS: 102,
  OUT_OF_WORK: 103,
  // accounts
  ACCOUNT_EXISTS: 200,
  ACCOUNT_NOT_FOUND: 201,
  BAD_KEYS: 202,
  BAD_THRESHOLD: 203,
  UNKNOWN_TIER: 204,
  ACCOUNT_FROZEN: 205,
  ACCOUNT_CLOSED: 206,
  NOT_ACCOUNT_BANK: 207,
  NOT_FROZEN: 208,
  BAD_ACCOUNT_KIND: 209,
  ACCOUNT_NOT_EMPTY: 210,
  // institutions and roles
  NOT_AUTHORIZED: 300,
  INSTITUTION_EXISTS: 301,
  INSTITUTION_NOT_FOUND: 302,
  BAD_ROLE: 303,
  ROLE_ALREADY_HELD: 304,
  ROLE_NOT_HELD: 305,
  // governance
  NOT_COUNCIL_MEMBER: 400,
  PROPOSAL_NOT_FOUND: 401,
  PROPOSAL_CLOSED: 402,
  PROPOSAL_EXPIRED: 403,
  ALREADY_APPROVED: 404,
  BAD_PROPOSAL_ACTION: 405,
  VALIDATOR_EXISTS: 406,
  VALIDATOR_NOT_FOUND: 407,
  BAD_VALIDATOR: 408,
  UNKNOWN_PARAM: 409,
  BAD_PARAM_VALUE: 410,
  BAD_COUNCIL: 411,
  NOT_PROPOSER: 412,
  // money
  UNKNOWN_CURRENCY: 500,
  CURRENCY_EXISTS: 501,
  CURRENCY_PAUSED: 502,
  INSUFFICIENT_FUNDS: 503,
  HOLDING_LIMIT: 504,
  PER_TX_LIMIT: 505,
  DAILY_LIMIT: 506,
  ANNUAL_LIMIT: 507,
  BANK_LIMIT: 508,
  AMOUNT_OVERFLOW: 509,
  ZERO_AMOUNT: 510,
  SELF_TRANSFER: 511,
  TIER_NOT_ALLOWED: 512,
  NOT_ISSUER: 513,
  NOT_A_BANK: 514,
  BAD_CURRENCY: 515,
  WRONG_CURRENCY_KIND: 516,
  TOO_MANY_RECIPIENTS: 517,
  RESERVE_EXCEEDED: 518,
  // bank ramps and virtual accounts
  REFERENCE_USED: 600,
  VIRTUAL_ACCOUNT_EXISTS: 601,
  VIRTUAL_ACCOUNT_NOT_FOUND: 602,
  PAYOUT_NOT_FOUND: 603,
  PAYOUT_SETTLED: 604,
  NOT_PAYOUT_BANK: 605,
  // locks and purpose-bound funds
  LOCK_NOT_FOUND: 700,
  LOCK_SETTLED: 701,
  LOCK_EXPIRED: 702,
  LOCK_NOT_EXPIRED: 703,
  BAD_PREIMAGE: 704,
  NOT_LOCK_PARTY: 705,
  BAD_LOCK: 706,
  GRANT_NOT_FOUND: 707,
  GRANT_EXPIRED: 708,
  GRANT_NOT_EXPIRED: 709,
  CATEGORY_MISMATCH: 710,
  NOT_GRANT_HOLDER: 711,
  // genesis documents (thrown by applyGenesis, never in a receipt)
  BAD_GENESIS: 900,
} as const;

export type VmCode = keyof typeof VmCodes;

const NAMES = new Map<number, VmCode>(Object.entries(VmCodes).map(([k, v]) => [v, k as VmCode]));

/** The name of a numeric code (for receipts read back), or undefined. */
export function vmCodeName(num: number): VmCode | undefined {
  return NAMES.get(num);
}

/** A typed vm error: `code` is the stable name, `num` the stable number receipts carry. */
export class VmError extends SovError {
  readonly num: number;
  constructor(code: VmCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'reject');
    this.num = VmCodes[code];
  }
}

/** Throw a VmError: the one way handlers fail. */
export function fail(code: VmCode, message: string, meta: Record<string, unknown> = {}): never {
  throw new VmError(code, message, meta);
}
