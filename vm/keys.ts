/**
 * Every state key the vm writes, in one table (style.md item 7). A key is one prefix byte
 * followed by fixed-width fields (addresses are 20 bytes, ids 8-byte big-endian, digests 32
 * bytes) and at most one variable-length field, always last, so no two records can share a
 * key. The value of each key is the canonical encoding of the schema named in the comment
 * (records.ts). docs/vm.md has the same table.
 */
import { utf8, sha256 } from '../core/index.js';

export const Prefix = {
  /** 0x01 | name (utf8) -> ParamValue: one consensus parameter. */
  PARAM: 0x01,
  /** 0x02 -> ChainMeta: chain id, address prefix. */
  CHAIN: 0x02,
  /** 0x10 | address -> Account: keys, threshold, nonce, kind, status, tier, bank, link, category. */
  ACCOUNT: 0x10,
  /** 0x11 | address -> Institution: name and roles. */
  INSTITUTION: 0x11,
  /** 0x20 | code (utf8) -> Currency: issuer, decimals, kind, paused, supply, tier policies. */
  CURRENCY: 0x20,
  /** 0x21 | address | code (utf8) -> Balance. */
  BALANCE: 0x21,
  /** 0x22 | address | code (utf8) -> Usage: rolling-window spend buckets. */
  USAGE: 0x22,
  /** 0x23 | bank address | code (utf8) -> BankLimit. */
  BANK_LIMIT: 0x23,
  /** 0x24 -> CurrencyList: every registered currency code, in registration order. */
  CURRENCY_LIST: 0x24,
  /** 0x30 -> Council: members and threshold. */
  COUNCIL: 0x30,
  /** 0x31 | id (u64 BE) -> Proposal. */
  PROPOSAL: 0x31,
  /** 0x32 -> Counter: the next proposal id. */
  PROPOSAL_SEQ: 0x32,
  /** 0x40 -> ValidatorList: the current validator set, sorted by address. */
  VALIDATORS: 0x40,
  /** 0x41 | validator address -> ValidatorNode: the Ed25519 key of the validator's libp2p node. */
  VALIDATOR_NODE: 0x41,
  /** 0x50 | bank address | sha256(reference) -> UsedReference: a bank reference already used. */
  BANK_REF: 0x50,
  /** 0x51 | code (utf8) -> Reserve: attested reserves and deposits / payouts in flight. */
  RESERVE: 0x51,
  /** 0x52 | id (u64 BE) -> Payout: an off-ramp payout awaiting its bank's result. */
  PAYOUT: 0x52,
  /** 0x53 -> Counter: the next payout id. */
  PAYOUT_SEQ: 0x53,
  /** 0x54 | bank address | sha256(bank account id) -> VirtualAccount. */
  VIRTUAL: 0x54,
  /** 0x60 | id (u64 BE) -> Lock: a conditional payment. */
  LOCK: 0x60,
  /** 0x61 -> Counter: the next lock id. */
  LOCK_SEQ: 0x61,
  /** 0x70 | id (u64 BE) -> Grant: purpose-bound, expiring funds. */
  GRANT: 0x70,
  /** 0x71 -> Counter: the next grant id. */
  GRANT_SEQ: 0x71,
} as const;
export type Prefix = (typeof Prefix)[keyof typeof Prefix];

/** prefix | parts..., in one allocation. */
function key(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  let n = 1;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  out[0] = prefix;
  let o = 1;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const textCache = new Map<string, Uint8Array>();
/** utf8 of a key's text field; currency codes repeat, so their bytes are kept (bounded). */
const text = (s: string): Uint8Array => {
  let b = textCache.get(s);
  if (b === undefined) {
    b = utf8(s);
    if (textCache.size < 4096) textCache.set(s, b);
  }
  return b;
};

export function u64be(n: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

export const Keys = {
  param: (name: string): Uint8Array => key(Prefix.PARAM, text(name)),
  chain: (): Uint8Array => key(Prefix.CHAIN),
  account: (addr: Uint8Array): Uint8Array => key(Prefix.ACCOUNT, addr),
  institution: (addr: Uint8Array): Uint8Array => key(Prefix.INSTITUTION, addr),
  currency: (code: string): Uint8Array => key(Prefix.CURRENCY, text(code)),
  balance: (addr: Uint8Array, code: string): Uint8Array => key(Prefix.BALANCE, addr, text(code)),
  usage: (addr: Uint8Array, code: string): Uint8Array => key(Prefix.USAGE, addr, text(code)),
  bankLimit: (bank: Uint8Array, code: string): Uint8Array => key(Prefix.BANK_LIMIT, bank, text(code)),
  currencyList: (): Uint8Array => key(Prefix.CURRENCY_LIST),
  council: (): Uint8Array => key(Prefix.COUNCIL),
  proposal: (id: number): Uint8Array => key(Prefix.PROPOSAL, u64be(id)),
  proposalSeq: (): Uint8Array => key(Prefix.PROPOSAL_SEQ),
  validators: (): Uint8Array => key(Prefix.VALIDATORS),
  validatorNode: (validator: Uint8Array): Uint8Array => key(Prefix.VALIDATOR_NODE, validator),
  bankRef: (bank: Uint8Array, reference: string): Uint8Array => key(Prefix.BANK_REF, bank, sha256(utf8(reference))),
  reserve: (code: string): Uint8Array => key(Prefix.RESERVE, text(code)),
  payout: (id: number): Uint8Array => key(Prefix.PAYOUT, u64be(id)),
  payoutSeq: (): Uint8Array => key(Prefix.PAYOUT_SEQ),
  virtual: (bank: Uint8Array, bankAccountId: string): Uint8Array => key(Prefix.VIRTUAL, bank, sha256(utf8(bankAccountId))),
  lock: (id: number): Uint8Array => key(Prefix.LOCK, u64be(id)),
  lockSeq: (): Uint8Array => key(Prefix.LOCK_SEQ),
  grant: (id: number): Uint8Array => key(Prefix.GRANT, u64be(id)),
  grantSeq: (): Uint8Array => key(Prefix.GRANT_SEQ),
};
