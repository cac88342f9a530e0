/**
 * Accounts opened by banks with KYC tiers, key rotation and recovery, tier/link/category
 * changes, freeze and unfreeze; each rejection with its code.
 */
import t from 'tap';
import { addressFromPublicKey } from '../../core/index.js';
import { account, AccountStatus, money } from '../index.js';
import { addr, Chain, failsWith, K, key, ok, rejectedWith, UNIT } from './harness.js';

const openArgs = (k = key('erin'), over = {}) => ({ keys: [k.publicKey], threshold: 1, kind: 2, tier: 1, linkedRef: null, category: '', ...over });

t.test('a commercial bank opens accounts; the rest may not', async (t) => {
  const c = await Chain.create();
  const erin = key('erin');
  const r = await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(erin, { linkedRef: 'A-IBAN-9' })));
  ok(t, r);
  t.same(r.result, addressFromPublicKey(erin.publicKey), 'the result is the new address');
  const a = await c.account(erin);
  t.match(a, { tier: 1, kind: 2, status: AccountStatus.ACTIVE, nonce: 0, linkedRef: 'A-IBAN-9' });
  t.same(a!.bank, addr(K.bankA));
  t.equal(r.events[0]?.name, 'opened');
  failsWith(t, await c.run(c.tx(K.alice, 'account', 'open', account.OpenArgs, openArgs(key('x')))), 'NOT_AUTHORIZED', 'a person cannot open accounts');
  failsWith(t, await c.run(c.tx(K.cb, 'account', 'open', account.OpenArgs, openArgs(key('x')))), 'NOT_AUTHORIZED', 'nor the central bank');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(erin))), 'ACCOUNT_EXISTS');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(key('y'), { keys: [new Uint8Array(32)] }))), 'BAD_KEYS', 'small-order key');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(key('y'), { keys: [] }))), 'BAD_KEYS', 'no key');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(key('y'), { keys: [key('y').publicKey, key('y').publicKey] }))), 'BAD_KEYS', 'repeated key');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(key('y'), { threshold: 2 }))), 'BAD_THRESHOLD');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(key('y'), { threshold: 0 }))), 'BAD_THRESHOLD');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(key('y'), { tier: 9 }))), 'UNKNOWN_TIER');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(key('y'), { tier: 0 }))), 'UNKNOWN_TIER');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'open', account.OpenArgs, openArgs(key('y'), { kind: 1 }))), 'BAD_ACCOUNT_KIND', 'institutions come from governance');
  ok(t, await c.run(c.tx(erin, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.bob), amount: 0n, memo: '', reference: '' })).then(() => c.run(c.tx(K.bob, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(erin), amount: UNIT, memo: '', reference: '' }))), 'the new account can receive');
});

t.test('key rotation by the account, recovery by its bank', async (t) => {
  const c = await Chain.create();
  const k2 = key('alice-2');
  const k3 = key('alice-3');
  ok(t, await c.run(c.tx(K.alice, 'account', 'rotate_keys', account.RotateArgs, { keys: [k2.publicKey, k3.publicKey], threshold: 2 })));
  const who = addr(K.alice);
  rejectedWith(t, await c.block([c.tx(K.alice, 'account', 'rotate_keys', account.RotateArgs, { keys: [K.alice.publicKey], threshold: 1 })]), 'TX_KEY_NOT_AUTHORIZED', 'the old key no longer signs');
  c.unuse(K.alice);
  rejectedWith(t, await c.block([c.tx(k2, 'account', 'rotate_keys', account.RotateArgs, { keys: [k2.publicKey], threshold: 1 }, { signer: who, nonce: 1 })]), 'TX_THRESHOLD_NOT_MET');
  failsWith(t, await c.run(c.tx(k2, 'account', 'rotate_keys', account.RotateArgs, { keys: [k2.publicKey], threshold: 3 }, { signer: who, nonce: 1, signers: [k2, k3] })), 'BAD_THRESHOLD');
  ok(t, await c.run(c.tx(k2, 'account', 'rotate_keys', account.RotateArgs, { keys: [k2.publicKey], threshold: 1 }, { signer: who, nonce: 2, signers: [k2, k3] })));
  t.equal((await c.account(who))!.keys.length, 1);
  // Recovery: only the account's own bank.
  const k4 = key('alice-4');
  failsWith(t, await c.run(c.tx(K.bankB, 'account', 'recover_keys', account.RecoverArgs, { account: who, keys: [k4.publicKey], threshold: 1 })), 'NOT_ACCOUNT_BANK');
  failsWith(t, await c.run(c.tx(K.reg, 'account', 'recover_keys', account.RecoverArgs, { account: who, keys: [k4.publicKey], threshold: 1 })), 'NOT_AUTHORIZED');
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'recover_keys', account.RecoverArgs, { account: addr(key('ghost')), keys: [k4.publicKey], threshold: 1 })), 'ACCOUNT_NOT_FOUND');
  ok(t, await c.run(c.tx(K.bankA, 'account', 'recover_keys', account.RecoverArgs, { account: who, keys: [k4.publicKey], threshold: 1 })));
  ok(t, await c.run(c.tx(k4, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.bob), amount: UNIT, memo: '', reference: '' }, { signer: who, nonce: 3 })), 'the recovered key signs');
});

t.test('the bank changes tier, link and category of its own customers', async (t) => {
  const c = await Chain.create();
  ok(t, await c.run(c.tx(K.bankA, 'account', 'set_tier', account.SetTierArgs, { account: addr(K.alice), tier: 2 })));
  t.equal((await c.account(K.alice))!.tier, 2);
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'set_tier', account.SetTierArgs, { account: addr(K.alice), tier: 7 })), 'UNKNOWN_TIER');
  failsWith(t, await c.run(c.tx(K.bankB, 'account', 'set_tier', account.SetTierArgs, { account: addr(K.alice), tier: 3 })), 'NOT_ACCOUNT_BANK');
  ok(t, await c.run(c.tx(K.bankA, 'account', 'set_link', account.SetLinkArgs, { account: addr(K.alice), linkedRef: null })));
  t.equal((await c.account(K.alice))!.linkedRef, null);
  ok(t, await c.run(c.tx(K.bankB, 'account', 'set_category', account.SetCategoryArgs, { account: addr(K.carol), category: 'pharmacy' })));
  t.equal((await c.account(K.carol))!.category, 'pharmacy');
  failsWith(t, await c.run(c.tx(K.alice, 'account', 'set_category', account.SetCategoryArgs, { account: addr(K.alice), category: 'x' })), 'NOT_AUTHORIZED');
});

t.test('freeze and unfreeze with a legal reference; a frozen account neither pays nor is paid', async (t) => {
  const c = await Chain.create();
  const args = { account: addr(K.bob), legalRef: 'court order 2026/17' };
  failsWith(t, await c.run(c.tx(K.bankA, 'account', 'freeze', account.FreezeArgs, args)), 'NOT_AUTHORIZED', 'a bank may not freeze');
  failsWith(t, await c.run(c.tx(K.reg, 'account', 'unfreeze', account.FreezeArgs, args)), 'NOT_FROZEN');
  const r = await c.run(c.tx(K.reg, 'account', 'freeze', account.FreezeArgs, args));
  ok(t, r);
  t.equal(r.events[0]?.name, 'frozen');
  failsWith(t, await c.run(c.tx(K.cb, 'account', 'freeze', account.FreezeArgs, args)), 'ACCOUNT_FROZEN', 'already frozen');
  failsWith(t, await c.run(c.tx(K.bob, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.alice), amount: UNIT, memo: '', reference: '' })), 'ACCOUNT_FROZEN', 'cannot pay');
  failsWith(t, await c.run(c.tx(K.alice, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.bob), amount: UNIT, memo: '', reference: '' })), 'ACCOUNT_FROZEN', 'cannot be paid');
  failsWith(t, await c.run(c.tx(K.reg, 'account', 'freeze', account.FreezeArgs, { account: addr(key('ghost')), legalRef: '' })), 'ACCOUNT_NOT_FOUND');
  ok(t, await c.run(c.tx(K.cb, 'account', 'unfreeze', account.FreezeArgs, args)));
  ok(t, await c.run(c.tx(K.bob, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.alice), amount: UNIT, memo: '', reference: '' })), 'pays again');
});

t.test('closing: by the bank, only when empty; a closed account neither signs nor receives', async (t) => {
  const c = await Chain.create();
  const close = (who: Uint8Array, by = K.bankB) => c.tx(by, 'account', 'close', account.CloseArgs, { account: who, reason: 'customer request' });
  failsWith(t, await c.run(close(addr(K.dave))), 'ACCOUNT_NOT_EMPTY', 'dave still holds DCASH');
  failsWith(t, await c.run(close(addr(K.carol), K.bankA)), 'NOT_ACCOUNT_BANK');
  failsWith(t, await c.run(close(addr(K.carol), K.carol)), 'NOT_AUTHORIZED');
  const r = await c.run(close(addr(K.carol)));
  ok(t, r);
  t.equal(r.events[0]?.name, 'closed');
  t.equal((await c.account(K.carol))!.status, AccountStatus.CLOSED);
  failsWith(t, await c.run(close(addr(K.carol))), 'ACCOUNT_CLOSED', 'already closed');
  failsWith(t, await c.run(c.tx(K.dave, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.carol), amount: UNIT, memo: '', reference: '' })), 'ACCOUNT_CLOSED', 'cannot be paid');
  rejectedWith(t, await c.block([c.tx(K.carol, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.dave), amount: 1n, memo: '', reference: '' })]), 'TX_SIGNER_CLOSED');
  failsWith(t, await c.run(c.tx(K.reg, 'account', 'freeze', account.FreezeArgs, { account: addr(K.carol), legalRef: 'x' })), 'ACCOUNT_CLOSED', 'nothing to freeze');
});
