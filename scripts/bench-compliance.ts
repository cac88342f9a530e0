/**
 * bench:compliance: transfers executed per second on one core with 0, 10 and 50 compliance
 * rules in force (module comp), in the same run, on the same transfers.
 *
 * Three ledgers in memory, each a MemoryState with the same genesis (a central bank, a
 * regulator, a commercial bank, a CBDC) and `--accounts` customer accounts of that bank
 * (default 100,000, loaded as records; the first `--senders` with real keys), take turns:
 * - none: no rule (the comp module is there, as on every chain, with nothing to check);
 * - ten: the ten shipped typologies (vm/modules/comp/typologies.ts) at their defaults:
 *   structuring, velocity, value velocity, pass-through, round amounts, dormant and new
 *   accounts, pair concentration (flag); sanctions (refuse) and high-risk jurisdictions
 *   (hold), over regulator lists of 1,000 and 20 entries;
 * - fifty: those ten and forty variants of them (other thresholds, counts, windows and
 *   scopes), within the module's limits on distinct windows.
 * The rules and lists are registered in each ledger's first block. Then the same `--txs`
 * signed money.transfer transactions (random sender to random account, amounts up to
 * 20,000.00 so that thresholds are crossed now and then) are executed with executeBlock in
 * blocks of `--block` (signatures pre-verified, as the node's mempool has verified them, one
 * block a second of block time), each block's write set applied. The three take turns
 * (`--rounds`, default 2), each turn an untimed warm-up block then its share of the timed
 * blocks, so all see the same machine load. Every transaction executed counts, whatever it
 * decided (a refusal is a receipt too); what the rules decided is reported.
 * `ratio` = tx/s with ten rules / tx/s with none; `tps` = with ten rules.
 * Options: --accounts N, --txs N (default 10,000), --block N (1,000), --senders N (2,000), --rounds N (2).
 */
import { addressFromPublicKey, concatBytes, decode, encode, keyPairFromSecret, sha256, toHex, Tx, txSignBytes, utf8, type KeyPair, type UnsignedTx } from '../core/index.js';
import {
  AccountSchema, applyGenesis, BalanceSchema, comp, CurrencyKind, CurrencySchema, executeBlock, Keys, MemoryState, money, Role, type GenesisDoc, type Receipt, type TierPolicy,
} from '../vm/index.js';
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
const HOUR = 3_600_000n;
const DAY = 24n * HOUR;

let seed = 0x2545f491;
const rnd = (n: number): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const log = (s: string): void => console.log(s);

/** A sender: its key pair and a fast signer (bench-util: node:crypto, byte-identical to core's signing). */
interface Sender {
  readonly publicKey: Uint8Array;
  readonly sign: (msg: Uint8Array) => Uint8Array;
}
function sender(seed: string): Sender {
  const kp = keyPairFromSecret(sha256(utf8(seed)));
  return { publicKey: kp.publicKey, sign: fastSigner(kp) };
}
function fastSignTx(u: UnsignedTx, k: Sender): Tx {
  return Tx.fromData({ ...u, signatures: [{ publicKey: k.publicKey, signature: k.sign(txSignBytes(u)) }] });
}

// ---------------------------------------------------------------- the rules
interface RuleSpec { name: string; source: string; action: number; currencies?: string[] }

const tenRules = (): RuleSpec[] => comp.TYPOLOGIES.map((t) => ({ name: t.name, source: comp.typologySource(t.name), action: t.action }));

/** Forty variants of the ten: other thresholds, counts and windows (at most 8 distinct windows of a kind), some scoped to the currency. */
function fortyVariants(): RuleSpec[] {
  const out: RuleSpec[] = [];
  const windows = [HOUR, 6n * HOUR, DAY, 7n * DAY];
  for (let i = 1; i <= 4; i++) {
    const k = BigInt(i + 1);
    const w = windows[i - 1]!;
    const v = (name: string, params: Record<string, bigint>, action = 1) =>
      out.push({ name: `${name}-v${i}`, source: comp.typologySource(name, params), action, ...(i % 2 === 0 ? { currencies: ['DCASH'] } : {}) });
    v('structuring', { threshold: 1_000_000n * k, margin: 50_000n * k, window: w, count: k + 1n });
    v('velocity', { window: w, count: 10n * k });
    v('value-velocity', { window: w, amount: 5_000_000n * k });
    v('pass-through', { window: w, minIn: 100_000n * k, percent: 80n + k });
    v('round-amount', { unit: 10_000n * k, min: 500_000n * k });
    v('dormant', { idle: 30n * DAY * k, amount: 10_000n * k });
    v('new-account', { age: DAY * k, amount: 50_000n * k });
    v('pair-concentration', { window: w, count: 2n + k });
    v('sanctions', {}, 0);
    v('high-risk-jurisdiction', { amount: 100_000n * k }, 2);
  }
  return out;
}

// ---------------------------------------------------------------- a ledger
const k = (s: string): KeyPair => keyPairFromSecret(sha256(utf8('bench-comp/' + s)));
const cb = k('cb');
const bank = k('bank');
const regulator = sender('bench-comp/regulator');
const bankAddr = addressFromPublicKey(bank.publicKey);
const regAddr = addressFromPublicKey(regulator.publicKey);
const senders: Sender[] = [];
const addrs: Uint8Array[] = new Array(ACCOUNTS);
const pks: Uint8Array[] = new Array(ACCOUNTS);
for (let i = 0; i < ACCOUNTS; i++) {
  const pk = i < SENDERS ? (senders[i] = sender(`bench-comp/sender-${i}`)).publicKey : sha256(concatBytes(utf8('acct'), Uint8Array.of(i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255)));
  pks[i] = pk;
  addrs[i] = addressFromPublicKey(pk);
}

/**
 * A ledger with rules has kept activity since before the run, as a chain whose compliance
 * has been running would: every account first seen 90 days and last seen 2 days before the
 * first block; one in 500 in a jurisdiction on the high-risk list.
 */
function activityWrites(): { key: Uint8Array; value: Uint8Array }[] {
  const DAY_MS = 86_400_000;
  return addrs.map((a, i) => ({
    key: comp.CompKeys.activity(a),
    value: encode(comp.ActivitySchema, { opened: T0 - 90 * DAY_MS, lastActive: T0 - 2 * DAY_MS, jurisdiction: i % 500 === 7 ? 'AH' : i % 3 === 0 ? 'NO' : '', rings: [], recent: [] }),
  }));
}

async function ledger(withActivity: boolean): Promise<MemoryState> {
  const tier2: TierPolicy = { holdingLimit: 10n ** 12n, perTxLimit: 10n ** 9n, dailyLimit: 10n ** 11n, annualLimit: 10n ** 12n };
  const doc: GenesisDoc = {
    chainId: CHAIN, addressPrefix: 'sovb', genesisTime: T0, params: [],
    validators: [{ publicKey: k('val').publicKey, power: 10, nodeKey: k('val-node').publicKey }],
    institutions: [
      { name: 'Central Bank', keys: [cb.publicKey], threshold: 1, roles: Role.CENTRAL_BANK },
      { name: 'Regulator', keys: [regulator.publicKey], threshold: 1, roles: Role.REGULATOR },
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
    writes.push({ key: Keys.account(addrs[i]!), value: encode(AccountSchema, { keys: [pks[i]!], threshold: 1, nonce: 0, kind: 2, status: 0, tier: 2, bank: bankAddr, linkedRef: null, category: '' }) });
    writes.push({ key: Keys.balance(addrs[i]!, 'DCASH'), value: encode(BalanceSchema, { amount: i < SENDERS ? perSender : 1_000n }) });
    if (writes.length >= 100_000) state.apply(writes.splice(0));
  }
  state.apply(writes.splice(0));
  if (withActivity) state.apply(activityWrites());
  const c = decode(CurrencySchema, state.get(Keys.currency('DCASH'))!);
  state.apply([{ key: Keys.currency('DCASH'), value: encode(CurrencySchema, { ...c, supply: perSender * BigInt(SENDERS) + 1_000n * BigInt(ACCOUNTS - SENDERS) }) }]);
  return state;
}

/** The first block's transactions: the lists, then the rules. */
function setupTxs(rules: readonly RuleSpec[]): Tx[] {
  if (rules.length === 0) return [];
  let nonce = 0;
  const tx = (method: string, args: Uint8Array) => fastSignTx({ chainId: CHAIN, signer: regAddr, nonce: nonce++, expiry: 50_000, body: { module: 'comp', method, args } }, regulator);
  const out: Tx[] = [];
  // 1,000 sanctioned accounts, 10 of them in the traffic (one in 10,000), and 20 high-risk jurisdiction codes ('AH' among them).
  for (let b = 0; b < 4; b++) {
    const add = Array.from({ length: 250 }, (_, i) => (b === 0 && i < 10 ? toHex(addrs[(i * 10_000 + 3) % ACCOUNTS]!) : toHex(sha256(utf8(`sanctioned-${b * 250 + i}`)).subarray(0, 20))));
    out.push(tx('update_list', encode(comp.UpdateListArgs, { list: 'sanctions', add, remove: [], legalRef: 'Sanctions Act' })));
  }
  const codes = ['AH', ...Array.from({ length: 19 }, (_, i) => String.fromCharCode(66 + i, 90 - i))];
  out.push(tx('update_list', encode(comp.UpdateListArgs, { list: 'high-risk-jurisdictions', add: codes, remove: [], legalRef: 'FATF list' })));
  for (const r of rules) {
    out.push(tx('register_rule', encode(comp.RegisterRuleArgs, {
      name: r.name, version: 1, source: r.source, scope: { currencies: r.currencies ?? [], types: [], institutions: [] }, action: r.action, severity: 2, activation: 1, shadow: false, legalRef: 'AML Act',
    })));
  }
  return out;
}

interface Tally { alerts: number; holds: number; refused: number; otherFailures: number }

class Side {
  height = 0;
  ms = 0;
  readonly tally: Tally = { alerts: 0, holds: 0, refused: 0, otherFailures: 0 };
  constructor(readonly name: string, readonly state: MemoryState) {}

  readonly byRule = new Map<string, number>();

  async run(txs: readonly Tx[], count: boolean): Promise<readonly Receipt[]> {
    this.height++;
    const t0 = now();
    const r = await executeBlock(this.state, { chainId: CHAIN, height: this.height, time: T0 + this.height * 1000, proposer: bankAddr }, txs, { signaturesVerified: true });
    this.state.apply(r.writes);
    const ms = now() - t0;
    if (r.rejected.length > 0) throw new Error(`${this.name}: rejected: ${r.rejected[0]!.code} ${r.rejected[0]!.message}`);
    if (count) {
      this.ms += ms;
      for (const rc of r.receipts) {
        for (const e of rc.events) {
          if (e.module !== 'comp') continue;
          if (e.name === 'alert') {
            this.tally.alerts++;
            const rule = decode(comp.AlertEvent, e.data).rule;
            this.byRule.set(rule, (this.byRule.get(rule) ?? 0) + 1);
          }
          else if (e.name === 'held') this.tally.holds++;
        }
        if (rc.status !== 0) {
          if (rc.code === 1208) this.tally.refused++;
          else this.tally.otherFailures++;
        }
      }
    }
    return r.receipts;
  }
}

async function side(name: string, rules: readonly RuleSpec[]): Promise<Side> {
  const s = new Side(name, await ledger(rules.length > 0));
  const setup = setupTxs(rules);
  if (setup.length > 0) {
    const rs = await s.run(setup, false);
    const bad = rs.find((r) => r.status !== 0);
    if (bad) throw new Error(`${name}: setup failed: ${bad.code} ${bad.message}`);
  } else await s.run([], false);
  return s;
}

// ---------------------------------------------------------------- the run
const ten = tenRules();
const fifty = [...ten, ...fortyVariants()];
let t = now();
/** --only NAME: run one side alone (for a profile); no ratio then. */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const sides = [await side('none', []), await side('ten', ten), await side('fifty', fifty)].filter((s) => only === undefined || s.name === only);
log(`three ledgers of ${ACCOUNTS.toLocaleString('en-US')} accounts, with 0, ${ten.length} and ${fifty.length} rules, set up in ${Math.round(now() - t)} ms`);

t = now();
const nonces = new Array<number>(SENDERS).fill(0);
const perRound = TIMED_BLOCKS / ROUNDS;
const blocks: Tx[][] = [];
for (let b = 0; b < ROUNDS * (perRound + 1); b++) {
  const txs: Tx[] = [];
  for (let i = 0; i < BLOCK; i++) {
    const s = rnd(SENDERS);
    let to = rnd(ACCOUNTS);
    if (to === s) to = (to + 1) % ACCOUNTS;
    // Mostly everyday amounts, now and then a large or round one.
    const amount = rnd(10) === 0 ? BigInt(100_000 * (1 + rnd(20))) : BigInt(1 + rnd(200_000));
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
  log(`${s.name}: ${timedTxs.toLocaleString('en-US')} transfers in ${Math.round(s.ms)} ms: ${tpsOf(s).toLocaleString('en-US')} tx/s; alerts ${s.tally.alerts}, holds ${s.tally.holds}, refused ${s.tally.refused}, other failures ${s.tally.otherFailures}`);
}
if (only !== undefined) process.exit(0);
log(`alerts by rule (ten): ${[...sides[1]!.byRule].map(([r, n]) => `${r} ${n}`).join(', ')}`);
const [none, tenSide, fiftySide] = sides as [Side, Side, Side];
const ratio = Math.round((tpsOf(tenSide) / tpsOf(none)) * 1000) / 1000;
console.log(JSON.stringify({
  accounts: ACCOUNTS, txs: timedTxs, block: BLOCK, tps0: tpsOf(none), tps10: tpsOf(tenSide), tps50: tpsOf(fiftySide), ratio50: Math.round((tpsOf(fiftySide) / tpsOf(none)) * 1000) / 1000,
  alerts10: tenSide.tally.alerts, holds10: tenSide.tally.holds, refused10: tenSide.tally.refused, alerts50: fiftySide.tally.alerts, tps: tpsOf(tenSide), ratio,
}));
