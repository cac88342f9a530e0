/**
 * Test harness: a small chain over MemoryState with deterministic keys, a standard genesis
 * (central bank, regulator, two banks, a stablecoin issuer, an agency, a council, four
 * validators, a CBDC with tier policies and a reserve-backed stablecoin, some customers),
 * and helpers to sign, run blocks and check receipts.
 */
import {
  addressFromPublicKey, encode, keyPairFromSecret, sha256, signTx, utf8, type DuplicateVoteEvidence, type KeyPair, type Schema, type Tx,
} from '../../core/index.js';
import {
  AccountSchema, applyGenesis, BalanceSchema, CurrencyKind, CurrencySchema, executeBlock, Keys, MemoryState, Prefix, Role, VmCodes,
  type BlockResult, type ExecuteOptions, type GenesisDoc, type Receipt, type Registry, type TierPolicy, type VmCode,
} from '../index.js';
import { decode, toHex } from '../../core/index.js';

export const CHAIN = 'sov-vm-test';
export const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const key = (seed: string): KeyPair => keyPairFromSecret(sha256(utf8('vm-test/' + seed)));
export const addr = (k: KeyPair): Uint8Array => addressFromPublicKey(k.publicKey);

export const K = {
  cb: key('central-bank'),
  reg: key('regulator'),
  bankA: key('bank-a'),
  bankB: key('bank-b'),
  issuer: key('issuer'),
  agency: key('agency'),
  ministry: key('ministry'),
  alice: key('alice'),
  bob: key('bob'),
  carol: key('carol'),
  shop: key('shop'),
  dave: key('dave'),
  multi1: key('multi-1'),
  multi2: key('multi-2'),
  multi3: key('multi-3'),
  vals: [0, 1, 2, 3].map((i) => key(`validator-${i}`)),
};

export const UNIT = 100n; // 2 decimals
export const TIER1: TierPolicy = { holdingLimit: 1_000n * UNIT, perTxLimit: 500n * UNIT, dailyLimit: 800n * UNIT, annualLimit: 5_000n * UNIT };
export const TIER2: TierPolicy = { holdingLimit: 10_000n * UNIT, perTxLimit: 5_000n * UNIT, dailyLimit: 20_000n * UNIT, annualLimit: null };
export const TIER3: TierPolicy = { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null };

export function genesisDoc(over: Partial<GenesisDoc> = {}): GenesisDoc {
  const inst = (name: string, k: KeyPair, roles: number) => ({ name, keys: [k.publicKey], threshold: 1, roles });
  const customer = (k: KeyPair | KeyPair[], tier: number, bank: KeyPair, linkedRef: string | null, category = '', threshold = 1) => ({
    keys: (Array.isArray(k) ? k : [k]).map((x) => x.publicKey), threshold, kind: category === '' ? 2 : 3, tier, bank: addr(bank), linkedRef, category,
  });
  return {
    chainId: CHAIN,
    addressPrefix: 'sovt',
    genesisTime: T0,
    params: [],
    validators: K.vals.map((v, i) => ({ publicKey: v.publicKey, power: 10 + i, nodeKey: v.publicKey })),
    institutions: [
      inst('Central Bank', K.cb, Role.CENTRAL_BANK | Role.VALIDATOR_OPERATOR),
      inst('Financial Regulator', K.reg, Role.REGULATOR),
      inst('Bank A', K.bankA, Role.COMMERCIAL_BANK),
      inst('Bank B', K.bankB, Role.COMMERCIAL_BANK),
      inst('Stable Issuer', K.issuer, Role.ISSUER),
      inst('Welfare Agency', K.agency, Role.AGENCY),
      inst('Ministry of Finance', K.ministry, Role.AGENCY),
    ],
    council: { members: [addr(K.cb), addr(K.reg), addr(K.ministry)], threshold: 2 },
    currencies: [
      { code: 'DCASH', decimals: 2, issuer: addr(K.cb), kind: CurrencyKind.CBDC, tiers: [TIER1, TIER2, TIER3] },
      { code: 'USDX', decimals: 2, issuer: addr(K.issuer), kind: CurrencyKind.STABLECOIN, tiers: [TIER1, TIER2, TIER3] },
    ],
    accounts: [
      customer(K.alice, 1, K.bankA, 'A-IBAN-0001'),
      customer(K.bob, 2, K.bankA, null),
      customer(K.carol, 1, K.bankB, null),
      customer(K.shop, 3, K.bankB, 'B-IBAN-SHOP', 'food'),
      customer(K.dave, 3, K.bankB, null),
      customer([K.multi1, K.multi2, K.multi3], 3, K.bankA, null, '', 2),
    ],
    balances: [
      { address: addr(K.bankA), currency: 'DCASH', amount: 1_000_000n * UNIT },
      { address: addr(K.bankB), currency: 'DCASH', amount: 1_000_000n * UNIT },
      { address: addr(K.alice), currency: 'DCASH', amount: 500n * UNIT },
      { address: addr(K.bob), currency: 'DCASH', amount: 5_000n * UNIT },
      { address: addr(K.dave), currency: 'DCASH', amount: 50_000n * UNIT },
      { address: addr(K.multi1), currency: 'DCASH', amount: 1_000n * UNIT },
      { address: addr(K.bankA), currency: 'USDX', amount: 10_000n * UNIT },
    ],
    reserves: [{ currency: 'USDX', attested: 20_000n * UNIT }],
    bankLimits: [],
    ...over,
  };
}

export interface SendOpts {
  nonce?: number;
  expiry?: number;
  signers?: KeyPair[];
  signer?: Uint8Array;
  chainId?: string;
}

export class Chain {
  height = 0;
  time = T0;
  private readonly nonces = new Map<string, number>();
  /** Options for every block (e.g. signaturesVerified). */
  opts: ExecuteOptions = {};

  constructor(readonly state: MemoryState = new MemoryState()) {}

  /** A chain over an existing state (a restart), at `height` and `time`. */
  static at(state: MemoryState, height: number, time: number): Chain {
    const c = new Chain(state);
    c.height = height;
    c.time = time;
    return c;
  }

  static async create(doc: GenesisDoc = genesisDoc(), modules?: Registry): Promise<Chain> {
    const c = new Chain();
    if (modules) c.opts = { ...c.opts, modules };
    const g = await applyGenesis(c.state, doc, modules);
    c.state.apply(g.writes);
    return c;
  }

  /** A signed tx from `k` (nonce tracked per signer unless given). */
  tx<A>(k: KeyPair, module: string, methodName: string, schema: Schema<A>, args: A, o: SendOpts = {}): Tx {
    const signer = o.signer ?? addr(k);
    const id = toHex(signer);
    const nonce = o.nonce ?? this.nonces.get(id) ?? 0;
    if (o.nonce === undefined) this.nonces.set(id, nonce + 1);
    return signTx(
      { chainId: o.chainId ?? CHAIN, signer, nonce, expiry: o.expiry ?? this.height + 100, body: { module, method: methodName, args: encode(schema, args) } },
      (o.signers ?? [k]).map((s) => s.secretKey),
    );
  }

  /** A tx with raw args bytes. */
  rawTx(k: KeyPair, module: string, methodName: string, args: Uint8Array, o: SendOpts = {}): Tx {
    const signer = o.signer ?? addr(k);
    const id = toHex(signer);
    const nonce = o.nonce ?? this.nonces.get(id) ?? 0;
    if (o.nonce === undefined) this.nonces.set(id, nonce + 1);
    return signTx({ chainId: o.chainId ?? CHAIN, signer, nonce, expiry: o.expiry ?? this.height + 100, body: { module, method: methodName, args } }, (o.signers ?? [k]).map((s) => s.secretKey));
  }

  /** Forget a tracked nonce (after a rejected tx that did not consume it). */
  unuse(k: KeyPair | Uint8Array): void {
    const id = toHex(k instanceof Uint8Array ? k : addr(k));
    this.nonces.set(id, (this.nonces.get(id) ?? 1) - 1);
  }

  /** Execute and apply the next block, carrying `evidence` (double-sign evidence) if given. */
  async block(txs: (Tx | Uint8Array)[], dt = 5_000, evidence?: readonly DuplicateVoteEvidence[]): Promise<BlockResult> {
    this.height += 1;
    this.time += dt;
    const ctx = { chainId: CHAIN, height: this.height, time: this.time, proposer: addr(K.vals[0]!), ...(evidence ? { evidence } : {}) };
    const r = await executeBlock(this.state, ctx, txs, this.opts);
    this.state.apply(r.writes);
    return r;
  }

  /** Run one tx in its own block; return its receipt (throws if it was rejected). */
  async run(tx: Tx, dt = 5_000): Promise<Receipt> {
    const r = await this.block([tx], dt);
    if (r.rejected.length > 0) throw new Error(`rejected: ${r.rejected[0]!.code}: ${r.rejected[0]!.message}`);
    return r.receipts[0]!;
  }

  async balance(a: Uint8Array | KeyPair, code = 'DCASH'): Promise<bigint> {
    const raw = await this.state.get(Keys.balance(a instanceof Uint8Array ? a : addr(a), code));
    return raw === undefined ? 0n : decode(BalanceSchema, raw).amount;
  }

  async supply(code = 'DCASH'): Promise<bigint> {
    return decode(CurrencySchema, (await this.state.get(Keys.currency(code)))!).supply;
  }

  async account(a: Uint8Array | KeyPair) {
    const raw = await this.state.get(Keys.account(a instanceof Uint8Array ? a : addr(a)));
    return raw === undefined ? undefined : decode(AccountSchema, raw);
  }

  /** Sum of every balance of `code` in state (the supply invariant's right side). */
  sumBalances(code: string): bigint {
    let s = 0n;
    const suffix = toHex(utf8(code));
    for (const [k, v] of this.state.entries()) {
      if (k[0] !== Prefix.BALANCE || k.length !== 21 + code.length || !toHex(k.subarray(21)).startsWith(suffix)) continue;
      const amount = decode(BalanceSchema, v).amount;
      if (amount <= 0n) throw new Error('non-positive stored balance');
      s += amount;
    }
    return s;
  }
}

/** The part of tap's Test the helpers use. */
export interface Asserts {
  equal(found: unknown, wanted: unknown, ...rest: any[]): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Assert helpers in tap's style. */
export function ok(t: Asserts, r: Receipt, what = 'succeeds'): void {
  t.equal(r.status, 0, `${what}${r.status !== 0 ? ` (failed ${r.code}: ${r.message})` : ''}`);
}

export function failsWith(t: Asserts, r: Receipt, code: VmCode, what = `fails with ${code}`): void {
  t.equal(r.code, VmCodes[code], `${what}${r.code !== VmCodes[code] ? ` (got ${r.code}: ${r.message})` : ''}`);
  t.equal(r.status, 1, `${what}: failure status`);
}

export function rejectedWith(t: Asserts, r: BlockResult, code: VmCode, what = `rejected with ${code}`): void {
  t.equal(r.rejected[0]?.code, code, `${what}${r.rejected[0]?.code !== code ? ` (got ${r.rejected[0]?.code ?? 'included'}: ${r.rejected[0]?.message ?? r.receipts[0]?.message})` : ''}`);
  t.equal(r.included.length, 0, `${what}: not included`);
}
