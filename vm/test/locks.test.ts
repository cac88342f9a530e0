/**
 * Conditional payments (claim, escrow, HTLC, refund at expiry) and purpose-bound, expiring
 * grants; each refusal with its code. Supply stays the sum of balances (escrow addresses
 * included).
 */
import t from 'tap';
import { decode, sha256, utf8 } from '../../core/index.js';
import { escrowAddress, grant, lock, LockKind, money } from '../index.js';
import { addr, Chain, DAY, failsWith, K, key, ok, T0, UNIT } from './harness.js';

const create = (c: Chain, over: Partial<Parameters<typeof lock.CreateLockArgs.toWire>[0]> = {}, by = K.dave) =>
  c.tx(by, 'lock', 'create', lock.CreateLockArgs, {
    kind: LockKind.CLAIM, currency: 'DCASH', payee: addr(K.bob), amount: 100n * UNIT, arbiter: null, hashlock: null, expiresAt: c.time + DAY, ...over,
  });

t.test('claim lock: the payee claims; nobody else; not after expiry', async (t) => {
  const c = await Chain.create();
  const d0 = await c.balance(K.dave);
  const r = await c.run(create(c));
  ok(t, r);
  const { id } = decode(lock.LockIdResult, r.result);
  t.equal(await c.balance(K.dave), d0 - 100n * UNIT);
  t.equal(await c.balance(escrowAddress('lock', id)), 100n * UNIT, 'held at the escrow address');
  failsWith(t, await c.run(c.tx(K.carol, 'lock', 'claim', lock.ClaimArgs, { id, preimage: new Uint8Array(0) })), 'NOT_LOCK_PARTY');
  failsWith(t, await c.run(c.tx(K.carol, 'lock', 'refund', lock.LockIdArgs, { id })), 'LOCK_NOT_EXPIRED');
  const b0 = await c.balance(K.bob);
  ok(t, await c.run(c.tx(K.bob, 'lock', 'claim', lock.ClaimArgs, { id, preimage: new Uint8Array(0) })));
  t.equal(await c.balance(K.bob), b0 + 100n * UNIT);
  failsWith(t, await c.run(c.tx(K.bob, 'lock', 'claim', lock.ClaimArgs, { id, preimage: new Uint8Array(0) })), 'LOCK_SETTLED');
  failsWith(t, await c.run(c.tx(K.bob, 'lock', 'claim', lock.ClaimArgs, { id: 42, preimage: new Uint8Array(0) })), 'LOCK_NOT_FOUND');
  // Expiry: returned to the payer by anyone.
  const r2 = await c.run(create(c));
  const id2 = decode(lock.LockIdResult, r2.result).id;
  failsWith(t, await c.run(c.tx(K.bob, 'lock', 'claim', lock.ClaimArgs, { id: id2, preimage: new Uint8Array(0) }), 2 * DAY), 'LOCK_EXPIRED');
  ok(t, await c.run(c.tx(K.carol, 'lock', 'refund', lock.LockIdArgs, { id: id2 })));
  t.equal(await c.balance(K.dave), d0 - 100n * UNIT, 'the second lock came back');
  t.equal(c.sumBalances('DCASH'), await c.supply('DCASH'));
});

t.test('lock creation refusals', async (t) => {
  const c = await Chain.create();
  failsWith(t, await c.run(create(c, { amount: 0n })), 'ZERO_AMOUNT');
  failsWith(t, await c.run(create(c, { payee: addr(K.dave) })), 'SELF_TRANSFER');
  failsWith(t, await c.run(create(c, { payee: addr(key('ghost')) })), 'ACCOUNT_NOT_FOUND');
  failsWith(t, await c.run(create(c, { kind: LockKind.ESCROW })), 'BAD_LOCK', 'escrow without arbiter');
  failsWith(t, await c.run(create(c, { kind: LockKind.HTLC })), 'BAD_LOCK', 'htlc without hash');
  failsWith(t, await c.run(create(c, { kind: 9 })), 'BAD_LOCK');
  failsWith(t, await c.run(create(c, { kind: LockKind.ESCROW, arbiter: addr(K.bob) })), 'BAD_LOCK', 'the payee as arbiter');
  failsWith(t, await c.run(create(c, { expiresAt: T0 })), 'BAD_LOCK', 'expiry in the past');
  failsWith(t, await c.run(create(c, { expiresAt: c.time + 4000 * DAY })), 'BAD_LOCK', 'expiry too far');
  failsWith(t, await c.run(create(c, { amount: 10n ** 12n })), 'INSUFFICIENT_FUNDS');
  failsWith(t, await c.run(create(c, { currency: 'NOPE' })), 'UNKNOWN_CURRENCY');
  failsWith(t, await c.run(create(c, { amount: 501n * UNIT }, K.carol)), 'INSUFFICIENT_FUNDS', 'carol has nothing');
});

t.test('escrow: the arbiter releases or refunds', async (t) => {
  const c = await Chain.create();
  const r = await c.run(create(c, { kind: LockKind.ESCROW, arbiter: addr(K.reg) }));
  const { id } = decode(lock.LockIdResult, r.result);
  failsWith(t, await c.run(c.tx(K.bob, 'lock', 'claim', lock.ClaimArgs, { id, preimage: new Uint8Array(0) })), 'NOT_LOCK_PARTY', 'the payee cannot claim an escrow');
  failsWith(t, await c.run(c.tx(K.bob, 'lock', 'release', lock.LockIdArgs, { id })), 'NOT_LOCK_PARTY');
  const b0 = await c.balance(K.bob);
  ok(t, await c.run(c.tx(K.reg, 'lock', 'release', lock.LockIdArgs, { id })));
  t.equal(await c.balance(K.bob), b0 + 100n * UNIT);
  const r2 = await c.run(create(c, { kind: LockKind.ESCROW, arbiter: addr(K.reg) }));
  const id2 = decode(lock.LockIdResult, r2.result).id;
  const d0 = await c.balance(K.dave);
  ok(t, await c.run(c.tx(K.reg, 'lock', 'refund', lock.LockIdArgs, { id: id2 })), 'the arbiter refunds before expiry');
  t.equal(await c.balance(K.dave), d0 + 100n * UNIT);
});

t.test('HTLC: the preimage releases, across currencies atomically', async (t) => {
  const c = await Chain.create();
  const secret = utf8('swap secret 7');
  const hashlock = sha256(secret);
  ok(t, await c.run(c.tx(K.bankA, 'money', 'transfer', money.TransferArgs, { currency: 'USDX', to: addr(K.bob), amount: 200n * UNIT, memo: '', reference: '' })));
  // dave locks DCASH for bob; bob locks USDX for dave under the same hash.
  const a = decode(lock.LockIdResult, (await c.run(create(c, { kind: LockKind.HTLC, hashlock }))).result).id;
  const b = decode(lock.LockIdResult, (await c.run(create(c, { kind: LockKind.HTLC, hashlock, currency: 'USDX', payee: addr(K.dave), amount: 150n * UNIT, expiresAt: c.time + DAY / 2 }, K.bob))).result).id;
  failsWith(t, await c.run(c.tx(K.dave, 'lock', 'claim', lock.ClaimArgs, { id: b, preimage: utf8('wrong') })), 'BAD_PREIMAGE');
  ok(t, await c.run(c.tx(K.dave, 'lock', 'claim', lock.ClaimArgs, { id: b, preimage: secret })), 'dave reveals the secret to take USDX');
  ok(t, await c.run(c.tx(K.carol, 'lock', 'claim', lock.ClaimArgs, { id: a, preimage: secret })), 'anyone may now release DCASH to bob');
  t.equal(await c.balance(K.dave, 'USDX'), 150n * UNIT);
  t.equal(c.sumBalances('USDX'), await c.supply('USDX'));
});

t.test('purpose-bound, expiring grants', async (t) => {
  const c = await Chain.create();
  ok(t, await c.run(c.tx(K.bankA, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.agency), amount: 10_000n * UNIT, memo: '', reference: '' })));
  const issue = (over = {}, by = K.agency) =>
    c.tx(by, 'grant', 'issue', grant.IssueGrantArgs, { currency: 'DCASH', holder: addr(K.alice), amount: 300n * UNIT, category: 'food', expiresAt: c.time + 30 * DAY, ...over });
  failsWith(t, await c.run(issue({}, K.bankA)), 'NOT_AUTHORIZED');
  failsWith(t, await c.run(issue({ category: '' })), 'CATEGORY_MISMATCH');
  failsWith(t, await c.run(issue({ amount: 0n })), 'ZERO_AMOUNT');
  failsWith(t, await c.run(issue({ expiresAt: T0 })), 'BAD_LOCK');
  failsWith(t, await c.run(issue({ amount: 10n ** 15n })), 'INSUFFICIENT_FUNDS');
  const r = await c.run(issue());
  ok(t, r);
  const { id } = decode(grant.GrantIdResult, r.result);
  const spend = (to: Uint8Array, amount: bigint, by = K.alice) => c.tx(by, 'grant', 'spend', grant.SpendGrantArgs, { id, to, amount, memo: 'groceries' });
  failsWith(t, await c.run(spend(addr(K.bob), UNIT)), 'CATEGORY_MISMATCH', 'only at food shops');
  failsWith(t, await c.run(spend(addr(K.shop), UNIT, K.bob)), 'NOT_GRANT_HOLDER');
  failsWith(t, await c.run(spend(addr(K.shop), 301n * UNIT)), 'INSUFFICIENT_FUNDS');
  const a0 = await c.balance(K.alice);
  ok(t, await c.run(spend(addr(K.shop), 120n * UNIT)));
  t.equal(await c.balance(K.shop), 120n * UNIT);
  t.equal(await c.balance(K.alice), a0, 'the grant is not part of her own balance');
  failsWith(t, await c.run(c.tx(K.bob, 'grant', 'reclaim', grant.GrantIdArgs, { id })), 'GRANT_NOT_EXPIRED');
  failsWith(t, await c.run(spend(addr(K.shop), UNIT), 31 * DAY), 'GRANT_EXPIRED');
  const g0 = await c.balance(K.agency);
  ok(t, await c.run(c.tx(K.bob, 'grant', 'reclaim', grant.GrantIdArgs, { id })));
  t.equal(await c.balance(K.agency), g0 + 180n * UNIT, 'the rest returns to the grantor');
  failsWith(t, await c.run(c.tx(K.bob, 'grant', 'reclaim', grant.GrantIdArgs, { id })), 'ZERO_AMOUNT');
  failsWith(t, await c.run(c.tx(K.bob, 'grant', 'reclaim', grant.GrantIdArgs, { id: 9 })), 'GRANT_NOT_FOUND');
  t.equal(c.sumBalances('DCASH'), await c.supply('DCASH'));
});
