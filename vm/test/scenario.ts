/**
 * A random workload for the property and determinism tests: from a seed, blocks of valid
 * and invalid operations of every module (transfers of any size, payouts, mints and burns,
 * deposits and redemptions, payout results, locks, grants, freezes, seizures, malformed
 * args, bad nonces, foreign chains). Nonces come from the chain's state, so some
 * transactions are rejected on purpose.
 */
import { toHex, type Tx } from '../../core/index.js';
import { Rng } from '../../test/index.js';
import { account, grant, lock, LockKind, money, ramp } from '../index.js';
import { addr, Chain, K, key, UNIT } from './harness.js';
import type { KeyPair } from '../../core/index.js';

const PEOPLE = [K.alice, K.bob, K.carol, K.dave, K.shop];
const BANKS = [K.bankA, K.bankB];
const CURRENCIES = ['DCASH', 'DCASH', 'DCASH', 'USDX', 'NOPE'];

export class Workload {
  readonly rng: Rng;
  private nonces = new Map<string, number>();
  private n = 0;

  constructor(seed: number, private readonly c: Chain) {
    this.rng = new Rng(seed);
  }

  private amount(): bigint {
    const r = this.rng;
    const pick = r.int(10);
    if (pick === 0) return 0n;
    if (pick === 1) return BigInt(r.u32()) * BigInt(r.u32()) * 1_000n; // usually too much
    if (pick < 5) return BigInt(1 + r.int(100));
    return BigInt(1 + r.int(pick === 9 ? 2_000 : 200)) * UNIT;
  }

  private async nonce(k: KeyPair): Promise<number> {
    const id = toHex(addr(k));
    let n = this.nonces.get(id);
    if (n === undefined) n = (await this.c.account(k))?.nonce ?? 0;
    const r = this.rng.int(40);
    const use = r === 0 ? n + 2 : r === 1 ? Math.max(0, n - 1) : n; // gaps and replays now and then
    if (use === n) this.nonces.set(id, n + 1);
    return use;
  }

  private async tx<A>(k: KeyPair, module: string, m: string, schema: Parameters<Chain['tx']>[3], args: A): Promise<Tx> {
    const nonce = await this.nonce(k);
    return this.c.tx(k, module, m, schema as never, args as never, { nonce, chainId: this.rng.int(60) === 0 ? 'other-chain' : undefined });
  }

  async block(size: number): Promise<Tx[]> {
    this.nonces = new Map();
    const out: Tx[] = [];
    for (let i = 0; i < size; i++) out.push(await this.op());
    return out;
  }

  private async op(): Promise<Tx> {
    const r = this.rng;
    const who = r.pick([...PEOPLE, ...BANKS]);
    const cur = r.pick(CURRENCIES);
    const to = addr(r.pick([...PEOPLE, ...BANKS, key('ghost')]));
    this.n++;
    switch (r.int(16)) {
      case 0:
      case 1:
      case 2:
        return this.tx(who, 'money', 'transfer', money.TransferArgs, { currency: cur, to, amount: this.amount(), memo: `m${this.n}`, reference: '' });
      case 3: {
        const items = Array.from({ length: 1 + r.int(6) }, () => ({ to: addr(r.pick([...PEOPLE, key('ghost')])), amount: this.amount() }));
        return this.tx(who, 'money', 'payout', money.PayoutArgs, { currency: cur, items, memo: '', reference: '' });
      }
      case 4:
        return this.tx(r.pick([K.cb, K.issuer, K.bankA]), 'money', 'mint', money.MintArgs, { currency: cur, to: addr(r.pick(BANKS)), amount: this.amount(), reference: '' });
      case 5:
        return this.tx(r.pick(BANKS), 'money', 'burn', money.BurnArgs, { currency: cur, amount: this.amount(), reference: '' });
      case 6:
        return this.tx(r.pick(BANKS), 'ramp', 'deposit', ramp.DepositArgs, { currency: cur, amount: this.amount(), bankRef: `ref-${r.int(30)}`, to, bankAccountId: '' });
      case 7:
        return this.tx(who, 'ramp', 'redeem', ramp.RedeemArgs, { currency: cur, amount: this.amount(), bank: addr(r.pick(BANKS)), bankAccountId: 'X' });
      case 8:
        return this.tx(r.pick(BANKS), 'ramp', 'payout_result', ramp.PayoutResultArgs, { id: 1 + r.int(8), ok: r.bool(), reason: '' });
      case 9:
        return this.tx(r.pick([K.reg, K.bankA]), 'ramp', 'attest_reserves', ramp.AttestArgs, { currency: 'USDX', amount: this.amount() * 10n, reference: '' });
      case 10: {
        const kind = r.int(3);
        return this.tx(who, 'lock', 'create', lock.CreateLockArgs, {
          kind, currency: cur, payee: to, amount: this.amount(), arbiter: kind === LockKind.ESCROW ? addr(K.reg) : null,
          hashlock: kind === LockKind.HTLC ? new Uint8Array(32).fill(1) : null, expiresAt: this.c.time + (1 + r.int(4)) * 20_000,
        });
      }
      case 11: {
        const m = r.pick(['claim', 'refund', 'release']);
        const k = r.pick([...PEOPLE, K.reg]);
        return m === 'claim'
          ? this.tx(k, 'lock', 'claim', lock.ClaimArgs, { id: 1 + r.int(10), preimage: new Uint8Array(r.int(2)) })
          : this.tx(k, 'lock', m, lock.LockIdArgs, { id: 1 + r.int(10) });
      }
      case 12:
        return this.tx(r.pick([K.agency, K.bankA]), 'grant', 'issue', grant.IssueGrantArgs, {
          currency: cur, holder: addr(r.pick(PEOPLE)), amount: this.amount(), category: 'food', expiresAt: this.c.time + (1 + r.int(4)) * 20_000,
        });
      case 13: {
        const m = r.pick(['spend', 'reclaim']);
        const k = r.pick(PEOPLE);
        return m === 'spend'
          ? this.tx(k, 'grant', 'spend', grant.SpendGrantArgs, { id: 1 + r.int(6), to: addr(r.pick([K.shop, K.bob])), amount: this.amount(), memo: '' })
          : this.tx(k, 'grant', 'reclaim', grant.GrantIdArgs, { id: 1 + r.int(6) });
      }
      case 14: {
        const m = r.pick(['freeze', 'unfreeze']);
        return this.tx(r.pick([K.reg, K.bankB]), 'account', m, account.FreezeArgs, { account: addr(r.pick(PEOPLE)), legalRef: 'x' });
      }
      default: {
        if (r.bool()) {
          return this.tx(K.reg, 'money', 'seize', money.SeizeArgs, { currency: cur, from: addr(r.pick(PEOPLE)), to: addr(K.ministry), amount: this.amount(), legalRef: 'y' });
        }
        const nonce = await this.nonce(who);
        return this.c.rawTx(who, r.pick(['money', 'lock', 'zzz']), r.pick(['transfer', 'create', 'nope']), r.bytes(r.int(12)), { nonce });
      }
    }
  }
}
