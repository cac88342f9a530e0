/**
 * bench:tax: transfers executed per second on one core with a 15% VAT rule active (module
 * tax) and without, in the same run, on the same transfers.
 *
 * Two ledgers in memory, each a MemoryState with the same genesis (a central bank, a tax
 * office holding tax_authority, a commercial bank, a CBDC) and `--accounts` customer accounts
 * of that bank (default 100,000, loaded as records; the first `--senders` with real keys; one
 * account in four a business of category `merchant`), take turns:
 * - plain: no tax rule (the tax module is there, as on every chain, with nothing to levy);
 * - vat: one rule in force, registered in the ledger's first block: 15% (1,500 bps) of every
 *   payment to a `merchant` account, paid by the payer on top, credited to the tax office,
 *   with `charity` as an exempt credential type (so every taxed payment also looks up the
 *   payer's exemptions, as a real VAT with exemptions does; nobody holds one here).
 * Then the same `--txs` signed money.transfer transactions (random sender; the payee a
 * random merchant half the time, else a random account; amounts up to 2,000.00) are executed
 * with executeBlock in blocks of `--block` (signatures pre-verified, as the node's mempool
 * has verified them, one block a second of block time), each block's write set applied. The
 * two take turns (`--rounds`, default 2), each turn an untimed warm-up block then its share
 * of the timed blocks, so both see the same machine load. Each taxed transfer writes one
 * more balance (the treasury's) and the payer's monthly total, and emits `tax.withheld`.
 * The last line is JSON: `ratio` = tx/s with VAT / tx/s without; `tps` = with VAT.
 * Options: --accounts N, --txs N (default 10,000), --block N (1,000), --senders N (2,000), --rounds N (2).
 */
import { addressFromPublicKey, concatBytes, decode, encode, keyPairFromSecret, sha256, Tx, txSignBytes, utf8, type UnsignedTx } from '../core/index.js';
import { AccountSchema, applyGenesis, BalanceSchema, CurrencyKind, CurrencySchema, executeBlock, Keys, MemoryState, money, Role, tax, type GenesisDoc, type TierPolicy } from '../vm/index.js';
import { fastSigner } from './bench-util.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
}

const ACCOUNTS = arg('accounts', 100_000);
const TXS = arg('txs', 10_000);
const BLOCK = arg('block', 1_000);
const SENDERS = Math.min(arg('senders', 2_000), ACCOUNTS);
const ROUNDS = arg('rounds', 2);
const TIMED_BLOCKS = Math.ceil(TXS / BLOCK);
if (TIMED_BLOCKS % ROUNDS !== 0) throw new Error('--txs / --block must be a multiple of --rounds');
const CHAIN = 'sov-bench';
const T0 = 1_767_225_600_000;

let seed = 0x1b873593;
const rnd = (n: number): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const log = (s: string): void => console.log(s);

interface Sender {
  readonly publicKey: Uint8Array;
  readonly sign: (msg: Uint8Array) => Uint8Array;
}
function sender(s: string): Sender {
  const kp = keyPairFromSecret(sha256(utf8(s)));
  return { publicKey: kp.publicKey, sign: fastSigner(kp) };
}
function fastSignTx(u: UnsignedTx, k: Sender): Tx {
  return Tx.fromData({ ...u, signatures: [{ publicKey: k.publicKey, signature: k.sign(txSignBytes(u)) }] });
}

// ---------------------------------------------------------------- a ledger
const cb = sender('bench-tax/cb');
const taxOffice = sender('bench-tax/tax-office');
const bank = sender('bench-tax/bank');
const bankAddr = addressFromPublicKey(bank.publicKey);
const taxAddr = addressFromPublicKey(taxOffice.publicKey);
const senders: Sender[] = [];
const addrs: Uint8Array[] = new Array(ACCOUNTS);
const pks: Uint8Array[] = new Array(ACCOUNTS);
for (let i = 0; i < ACCOUNTS; i++) {
  const pk = i < SENDERS ? (senders[i] = sender(`bench-tax/sender-${i}`)).publicKey : sha256(concatBytes(utf8('acct'), Uint8Array.of(i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255)));
  pks[i] = pk;
  addrs[i] = addressFromPublicKey(pk);
}
/** One account in four is a merchant (accounts 3, 7, 11, ...; merchants among the senders pay too). */
const isMerchant = (i: number): boolean => i % 4 === 3;
const MERCHANTS = Array.from({ length: ACCOUNTS }, (_, i) => i).filter(isMerchant);

async function ledger(): Promise<MemoryState> {
  const tier2: TierPolicy = { holdingLimit: 10n ** 12n, perTxLimit: 10n ** 9n, dailyLimit: 10n ** 11n, annualLimit: 10n ** 12n };
  const doc: GenesisDoc = {
    chainId: CHAIN, addressPrefix: 'sovb', genesisTime: T0, params: [],
    validators: [{ publicKey: keyPairFromSecret(sha256(utf8('bench-tax/val'))).publicKey, power: 10, nodeKey: keyPairFromSecret(sha256(utf8('bench-tax/val-node'))).publicKey }],
    institutions: [
      { name: 'Central Bank', keys: [cb.publicKey], threshold: 1, roles: Role.CENTRAL_BANK },
      { name: 'Tax Office', keys: [taxOffice.publicKey], threshold: 1, roles: Role.AGENCY | Role.TAX_AUTHORITY },
      { name: 'Bank', keys: [bank.publicKey], threshold: 1, roles: Role.COMMERCIAL_BANK },
    ],
    council: { members: [addressFromPublicKey(cb.publicKey)], threshold: 1 },
    currencies: [{ code: 'DCASH', decimals: 2, issuer: addressFromPublicKey(cb.publicKey), kind: CurrencyKind.CBDC, tiers: [tier2, tier2] }],
    accounts: [], balances: [], reserves: [], bankLimits: [],
  };
  const state = new MemoryState();
  state.apply((await applyGenesis(state, doc)).writes);
  const perSender = 10n ** 9n;
  const writes: { key: Uint8Array; value: Uint8Array }[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const merchant = isMerchant(i);
    writes.push({
      key: Keys.account(addrs[i]!),
      value: encode(AccountSchema, { keys: [pks[i]!], threshold: 1, nonce: 0, kind: merchant ? 3 : 2, status: 0, tier: 2, bank: bankAddr, linkedRef: null, category: merchant ? 'merchant' : '' }),
    });
    writes.push({ key: Keys.balance(addrs[i]!, 'DCASH'), value: encode(BalanceSchema, { amount: i < SENDERS ? perSender : 1_000n }) });
    if (writes.length >= 100_000) state.apply(writes.splice(0));
  }
  state.apply(writes.splice(0));
  const c = decode(CurrencySchema, state.get(Keys.currency('DCASH'))!);
  state.apply([{ key: Keys.currency('DCASH'), value: encode(CurrencySchema, { ...c, supply: perSender * BigInt(SENDERS) + 1_000n * BigInt(ACCOUNTS - SENDERS) }) }]);
  return state;
}

/** The VAT ledger's first block: the rule, in force from height 2. */
function vatTxs(): Tx[] {
  const args = encode(tax.RegisterRuleArgs, {
    name: 'VAT', currency: 'DCASH', rateBps: 1500, base: tax.TaxBase.PAYMENT, payer: tax.TaxPayer.PAYER, appliesTo: { types: [], payeeCategory: 'merchant', payerCategory: '' },
    treasury: taxAddr, exemptTypes: ['charity'], activationHeight: 2, legalRef: 'VAT Act 2026 s.1',
  });
  return [fastSignTx({ chainId: CHAIN, signer: taxAddr, nonce: 0, expiry: 50_000, body: { module: 'tax', method: 'register_rule', args } }, taxOffice)];
}

class Side {
  height = 0;
  ms = 0;
  taxed = 0;
  taxSum = 0n;
  failures = 0;
  constructor(readonly name: string, readonly state: MemoryState) {}

  async run(txs: readonly Tx[], count: boolean): Promise<void> {
    this.height++;
    const t0 = now();
    const r = await executeBlock(this.state, { chainId: CHAIN, height: this.height, time: T0 + this.height * 1000, proposer: bankAddr }, txs, { signaturesVerified: true });
    this.state.apply(r.writes);
    const ms = now() - t0;
    if (r.rejected.length > 0) throw new Error(`${this.name}: rejected: ${r.rejected[0]!.code} ${r.rejected[0]!.message}`);
    const bad = r.receipts.find((x) => x.status !== 0);
    if (!count && bad) throw new Error(`${this.name}: ${bad.code} ${bad.message}`);
    if (!count) return;
    this.ms += ms;
    for (const rc of r.receipts) {
      if (rc.status !== 0) this.failures++;
      for (const e of rc.events) {
        if (e.module !== 'tax' || e.name !== 'withheld') continue;
        this.taxed++;
        this.taxSum += decode(tax.WithheldEvent, e.data).tax;
      }
    }
  }
}

async function side(name: string, setup: Tx[]): Promise<Side> {
  const s = new Side(name, await ledger());
  await s.run(setup, false);
  return s;
}

// ---------------------------------------------------------------- the run
let t = now();
const sides = [await side('plain', []), await side('vat', vatTxs())];
log(`two ledgers of ${ACCOUNTS.toLocaleString('en-US')} accounts (${MERCHANTS.length.toLocaleString('en-US')} merchants), without and with a 15% VAT rule, set up in ${Math.round(now() - t)} ms`);

t = now();
const nonces = new Array<number>(SENDERS).fill(0);
const perRound = TIMED_BLOCKS / ROUNDS;
const blocks: Tx[][] = [];
for (let b = 0; b < ROUNDS * (perRound + 1); b++) {
  const txs: Tx[] = [];
  for (let i = 0; i < BLOCK; i++) {
    const s = rnd(SENDERS);
    let to = rnd(2) === 0 ? MERCHANTS[rnd(MERCHANTS.length)]! : rnd(ACCOUNTS);
    if (to === s) to = (to + 4) % ACCOUNTS;
    const amount = BigInt(1 + rnd(200_000));
    const args = encode(money.TransferArgs, { currency: 'DCASH', to: addrs[to]!, amount, memo: 'invoice', reference: `r${b}-${i}` });
    txs.push(fastSignTx({ chainId: CHAIN, signer: addrs[s]!, nonce: nonces[s]!++, expiry: 50_000, body: { module: 'money', method: 'transfer', args } }, senders[s]!));
  }
  blocks.push(txs);
}
log(`${(blocks.length * BLOCK).toLocaleString('en-US')} transfers signed in ${Math.round(now() - t)} ms (not timed)`);

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
for (let r = 0; r < ROUNDS; r++) {
  const first = r * (perRound + 1);
  for (const s of sides) {
    gc();
    await s.run(blocks[first]!, false);
    for (let b = first + 1; b <= first + perRound; b++) await s.run(blocks[b]!, true);
  }
}
const timedTxs = perRound * ROUNDS * BLOCK;
const tpsOf = (s: Side): number => Math.round((timedTxs / s.ms) * 1000);
for (const s of sides) {
  log(`${s.name}: ${timedTxs.toLocaleString('en-US')} transfers in ${Math.round(s.ms)} ms: ${tpsOf(s).toLocaleString('en-US')} tx/s; taxed ${s.taxed}, tax ${s.taxSum} minor units, failures ${s.failures}`);
}
const [plain, vat] = sides as [Side, Side];
if (plain.failures + vat.failures > 0) throw new Error('a timed transfer failed: the two sides did not run the same work');
const ratio = Math.round((tpsOf(vat) / tpsOf(plain)) * 1000) / 1000;
console.log(JSON.stringify({ accounts: ACCOUNTS, txs: timedTxs, block: BLOCK, tpsPlain: tpsOf(plain), tpsVat: tpsOf(vat), taxed: vat.taxed, tps: tpsOf(vat), ratio }));
