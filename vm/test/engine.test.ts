/**
 * The engine: authentication rejections (each with its code), failure receipts with writes
 * reverted and nonce consumed, metering per transaction and per block, pre-verified
 * signatures, checkTx, receipts and queries.
 */
import t from 'tap';
import { encode, signTx, str, struct, toHex, Tx, TxSchema, uint } from '../../core/index.js';
import {
  checkTx, executeBlock, Keys, money, readRecord, receiptBytes, receiptHash, receiptHashOfBytes, ReceiptSchema, resultsRootOf, VmCodes, AccountSchema, MemoryState,
  type Receipt,
} from '../index.js';
import { decode, merkleRoot } from '../../core/index.js';
import { addr, Chain, CHAIN, failsWith, genesisDoc, K, ok, rejectedWith, UNIT, key } from './harness.js';
import { Rng } from '../../test/index.js';

const pay = (c: Chain, from = K.bob, to = K.carol, amount = 10n * UNIT, o = {}) =>
  c.tx(from, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(to), amount, memo: 'm', reference: 'r' }, o);

t.test('a valid transfer is included with a success receipt', async (t) => {
  const c = await Chain.create();
  const r = await c.block([pay(c)]);
  t.equal(r.included.length, 1);
  ok(t, r.receipts[0]!);
  t.equal(await c.balance(K.carol), 10n * UNIT);
  t.equal((await c.account(K.bob))!.nonce, 1, 'nonce advanced');
  t.equal(r.receipts[0]!.events.length, 1, 'one transfer event');
  t.same(r.resultsRoot, resultsRootOf(r.receipts.map(receiptHash)));
  t.same(r.receiptBytes, r.receipts.map((x) => receiptBytes(x)), 'the receipts\' bytes, encoded once');
  t.same(r.accounts, [[addr(K.bob), addr(K.carol)]], 'indexed under the signer and the payee');
  t.same(decode(ReceiptSchema, encode(ReceiptSchema, r.receipts[0]!)), r.receipts[0], 'receipt round-trips canonically');
});

t.test('the receipt hash taken from the receipt\'s bytes equals the one encoded from its fields', (t) => {
  const rng = new Rng(11);
  const codes = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 4_294_967_295];
  const texts = ['', 'x', 'a'.repeat(31), 'b'.repeat(32), 'c'.repeat(255), 'é'.repeat(128), '€ fails'.repeat(20)];
  const sizes = [0, 1, 255, 256, 65_535, 65_536];
  for (let i = 0; i < 300; i++) {
    const text = texts[rng.int(texts.length)]!;
    const r: Receipt = {
      txHash: rng.bytes(32),
      status: rng.int(2),
      code: codes[rng.int(codes.length)]!,
      message: Buffer.byteLength(text) > 256 ? text.slice(0, 60) : text,
      work: rng.bool() ? rng.int(1000) : rng.int(2 ** 31) * 1000,
      events: Array.from({ length: rng.int(4) }, () => ({ module: 'money', name: 'transfer', data: rng.bytes(sizes[rng.int(3)]!) })),
      result: rng.bytes(sizes[rng.int(sizes.length)]!),
    };
    const b = receiptBytes(r);
    t.same(receiptHashOfBytes(b), receiptHash(r), `receipt ${i} (code ${r.code}, message of ${Buffer.byteLength(r.message)} bytes)`);
  }
  t.end();
});

t.test('authentication rejections, each with its own code', async (t) => {
  const c = await Chain.create();
  rejectedWith(t, await c.block([pay(c, K.bob, K.carol, 1n, { chainId: 'other-chain' })]), 'TX_WRONG_CHAIN');
  c.unuse(K.bob);
  const good = pay(c);
  const forged = Tx.fromData({ ...good.data, body: { ...good.body, args: encode(money.TransferArgs, { currency: 'DCASH', to: addr(K.alice), amount: 1n, memo: '', reference: '' }) } });
  rejectedWith(t, await c.block([forged]), 'TX_BAD_SIGNATURE');
  t.equal((await c.account(K.bob))!.nonce, 0, 'a rejected tx does not consume the nonce');
  rejectedWith(t, await c.block([pay(c, K.bob, K.carol, 1n, { nonce: 5 })]), 'TX_NONCE_GAP');
  ok(t, (await c.block([good])).receipts[0]!);
  rejectedWith(t, await c.block([good]), 'TX_NONCE_REPLAYED', 'a replay');
  rejectedWith(t, await c.block([pay(c, K.bob, K.carol, 1n, { expiry: 1 })]), 'TX_EXPIRED');
  c.unuse(K.bob);
  rejectedWith(t, await c.block([pay(c, K.bob, K.carol, 1n, { expiry: 10_000_000 })]), 'TX_EXPIRY_TOO_FAR');
  c.unuse(K.bob);
  rejectedWith(t, await c.block([pay(c, key('stranger'), K.carol, 1n)]), 'TX_UNKNOWN_SIGNER');
  rejectedWith(t, await c.block([pay(c, K.carol, K.bob, 1n, { signer: addr(K.bob), nonce: 1 })]), 'TX_KEY_NOT_AUTHORIZED');
  rejectedWith(t, await c.block([new Uint8Array([0x93, 1, 2, 3])]), 'TX_MALFORMED');
  const dup = pay(c);
  const r = await c.block([dup, dup]);
  t.equal(r.included.length, 1);
  t.equal(r.rejected[0]?.code, 'TX_DUPLICATE');
});

t.test('multi-signature accounts: threshold, repeated keys', async (t) => {
  const c = await Chain.create();
  const multi = addr(K.multi1);
  const send = (signers: typeof K.multi1[], nonce: number) =>
    c.tx(K.multi1, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.bob), amount: UNIT, memo: '', reference: '' }, { signer: multi, signers, nonce });
  rejectedWith(t, await c.block([send([K.multi1], 0)]), 'TX_THRESHOLD_NOT_MET', 'one of two');
  const one = send([K.multi1], 0);
  const twice = Tx.fromData({ ...one.data, signatures: [one.signatures[0]!, one.signatures[0]!] });
  rejectedWith(t, await c.block([twice]), 'TX_BAD_SIGNATURE', 'the same key twice');
  const none = Tx.fromData({ ...one.data, signatures: [] });
  rejectedWith(t, await c.block([none]), 'TX_THRESHOLD_NOT_MET', 'no signature');
  ok(t, await c.run(send([K.multi2, K.multi3], 0)), 'two of three');
  ok(t, await c.run(send([K.multi1, K.multi2, K.multi3], 1)), 'three of three');
});

t.test('pre-verified signatures skip verification but not the key checks', async (t) => {
  const c = await Chain.create();
  const good = pay(c);
  const forged = Tx.fromData({ ...good.data, signatures: [{ ...good.signatures[0]!, signature: new Uint8Array(64).fill(7) }] });
  c.opts = { verifiedTxHashes: new Set([toHex(forged.hash)]) };
  ok(t, (await c.block([forged])).receipts[0]!, 'a tx the caller verified is trusted');
  c.opts = { signaturesVerified: true };
  rejectedWith(t, await c.block([pay(c, K.carol, K.bob, 1n, { signer: addr(K.bob), nonce: 1 })]), 'TX_KEY_NOT_AUTHORIZED');
});

t.test('execution failures: receipt with code, writes reverted, nonce consumed', async (t) => {
  const c = await Chain.create();
  failsWith(t, await c.run(c.rawTx(K.bob, 'nosuch', 'transfer', new Uint8Array([0x90]))), 'UNKNOWN_MODULE');
  failsWith(t, await c.run(c.rawTx(K.bob, 'money', 'nosuch', new Uint8Array([0x90]))), 'UNKNOWN_METHOD');
  failsWith(t, await c.run(c.rawTx(K.bob, 'money', 'transfer', new Uint8Array([0x91, 0x01]))), 'MALFORMED_ARGS');
  const notCanonical = encode(struct('X', { a: uint }), { a: 1 });
  failsWith(t, await c.run(c.rawTx(K.bob, 'money', 'transfer', notCanonical)), 'MALFORMED_ARGS');
  failsWith(t, await c.run(c.tx(K.bob, 'money', 'transfer', struct('T', { currency: str(12), to: str(3), amount: uint, memo: str(3), reference: str(3) }), { currency: 'DCASH', to: 'abc', amount: 1, memo: '', reference: '' })), 'MALFORMED_ARGS');
  t.equal((await c.account(K.bob))!.nonce, 5, 'every failed tx consumed its nonce');
  const before = await c.balance(K.bob);
  const failed = await c.block([pay(c, K.bob, K.carol, 10_000_000n * UNIT)]);
  failsWith(t, failed.receipts[0]!, 'INSUFFICIENT_FUNDS');
  t.same(failed.accounts, [[addr(K.bob)]], 'a failed transfer is indexed under its signer only');
  t.equal(await c.balance(K.bob), before, 'balance unchanged');
  t.equal((await c.account(K.bob))!.nonce, 6);
});

t.test('metering: out of work per tx, block full', async (t) => {
  const c = await Chain.create(genesisDoc({ params: [{ name: 'tx_max_work', value: 1_000 }, { name: 'block_max_work', value: 10_000 }, { name: 'cost_read', value: 120 }] }));
  const r = await c.run(pay(c));
  failsWith(t, r, 'OUT_OF_WORK');
  t.equal(r.work, 1_000, 'charged its whole budget');
  t.equal(await c.balance(K.carol), 0n, 'reverted');
  const items = Array.from({ length: 200 }, () => ({ to: addr(K.carol), amount: 1n }));
  failsWith(t, await c.run(c.tx(K.bob, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items, memo: '', reference: '' })), 'OUT_OF_WORK', 'a long payout runs out');
  const txs = Array.from({ length: 20 }, () => c.tx(K.dave, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.carol), amount: 1n, memo: '', reference: '' }));
  const b = await c.block(txs);
  t.ok(b.rejected.length > 0 && b.rejected.every((x) => x.code === 'TX_BLOCK_FULL'), 'the rest of the block is refused');
  t.ok(b.workUsed >= 10_000 && b.workUsed < 11_000, `block work bounded (${b.workUsed})`);
  t.equal(b.included.length + b.rejected.length, 20);
});

t.test('checkTx for the mempool', async (t) => {
  const c = await Chain.create();
  const at = { chainId: CHAIN, height: 1 };
  const good = pay(c);
  t.match(await checkTx(c.state, at, good.bytes), { ok: true, queued: false });
  t.match(await checkTx(c.state, at, pay(c)), { ok: false, code: 'TX_NONCE_GAP' });
  t.match(await checkTx(c.state, at, pay(c, K.bob, K.carol, 1n, { nonce: 3 }), { allowFutureNonce: true }), { ok: true, queued: true });
  t.match(await checkTx(c.state, at, new Uint8Array([1])), { ok: false, code: 'TX_MALFORMED', num: VmCodes.TX_MALFORMED });
  t.match(await checkTx(c.state, at, c.rawTx(K.carol, 'money', 'transfer', new Uint8Array([0x90])), { checkArgs: true }), { ok: false, code: 'MALFORMED_ARGS' });
  t.match(await checkTx(c.state, at, c.rawTx(K.alice, 'money', 'zzz', new Uint8Array([0x90])), { checkArgs: true }), { ok: false, code: 'UNKNOWN_METHOD' });
  const bad = Tx.fromData({ ...good.data, nonce: 0, signatures: [{ ...good.signatures[0]!, signature: new Uint8Array(64) }] });
  t.match(await checkTx(c.state, at, bad), { ok: false, code: 'TX_BAD_SIGNATURE' });
  t.equal(Tx.decode(encode(TxSchema, good.data)).nonce, 0);
});

t.test('queries: any record by key', async (t) => {
  const c = await Chain.create();
  const a = await readRecord(c.state, Keys.account(addr(K.alice)));
  t.equal(a?.kind, 'account');
  t.equal((a?.value as { tier: number }).tier, 1);
  t.match(await readRecord(c.state, Keys.balance(addr(K.alice), 'DCASH')), { kind: 'balance', value: { amount: 500n * UNIT } });
  t.match(await readRecord(c.state, Keys.currency('DCASH')), { kind: 'currency', value: { code: 'DCASH' } });
  t.equal(await readRecord(c.state, Keys.account(addr(key('nobody')))), undefined);
  await t.rejects(readRecord(c.state, new Uint8Array([0xee])));
  t.ok(decode(AccountSchema, (await c.state.get(Keys.account(addr(K.bob))))!));
});

t.test('executeBlock refuses state of another chain and uninitialised state', async (t) => {
  const c = await Chain.create();
  await t.rejects(executeBlock(c.state, { chainId: 'other', height: 1, time: 0, proposer: new Uint8Array(20) }, []));
  await t.rejects(executeBlock(new MemoryState(), { chainId: CHAIN, height: 1, time: 0, proposer: new Uint8Array(20) }, []));
  const empty = await c.block([]);
  t.same(empty.resultsRoot, merkleRoot([]));
  t.equal(empty.writes.length, 0);
  t.ok(signTx);
});

t.test('the receipt hash commits to everything but the message', async (t) => {
  const c = await Chain.create();
  const r = (await c.run(pay(c, K.bob, K.carol, 10_000_000n * UNIT)));
  const h = receiptHash(r);
  t.same(receiptHash({ ...r, message: 'reworded' }), h, 'the message is not committed');
  t.notSame(receiptHash({ ...r, code: r.code + 1 }), h, 'the code is');
  t.notSame(receiptHash({ ...r, work: r.work + 1 }), h, 'the work is');
  t.notSame(receiptHash({ ...r, events: [{ module: 'money', name: 'x', data: new Uint8Array(0) }] }), h, 'the events are');
});
