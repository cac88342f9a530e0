/**
 * The SDK's typed builders and JSON args: every module method has a builder whose
 * transaction is the one `buildTx` makes; JSON args convert by the method's schema (amounts,
 * addresses, bytes, optional fields, lists, governance actions by name) and every mistake is
 * an ArgsError naming its path.
 */
import t from 'tap';
import { addressFromPublicKey, encodeAddress, fromHex, generateKeyPair, Tx, to0x, type KeyPair } from '../../core/index.js';
import { ActionKind, makeAction, MODULES } from '../../vm/index.js';
import { argsFromJson, ArgsError, buildTx, describeArgs, methodArgsFromJson, RpcCallError, txBuilders, TypedMethods, Wallet, type ArgsOf } from '../client/index.js';

const key: KeyPair = generateKeyPair();
const other = addressFromPublicKey(generateKeyPair().publicKey);
const transferDef = MODULES.byName.get('money')!.methods.transfer!;

t.test('a typed builder for every method, equal to buildTx', (tt) => {
  const b = txBuilders({ chainId: 'c', keys: [key] });
  for (const [mod, def] of MODULES.byName) {
    for (const name of Object.keys(def.methods)) {
      tt.type((b as unknown as Record<string, Record<string, unknown>>)[mod]![name], 'function', `${mod}.${name}`);
    }
  }
  const args: ArgsOf<'money', 'transfer'> = { currency: 'NGN', to: other, amount: 5n, memo: '', reference: '' };
  const tx = b.money.transfer(args, { nonce: 3, expiry: 10 });
  const same = buildTx({ chainId: 'c', keys: [key], nonce: 3, expiry: 10 }, 'money', 'transfer', args);
  tt.same(tx.bytes, same.bytes, 'same bytes');
  tt.equal(Tx.decode(tx.bytes).data.nonce, 3);
  // @ts-expect-error a wrong field is a compile error
  tt.throws(() => b.money.transfer({ currency: 'NGN', to: other, amount: 5, memo: '', reference: '' }, { nonce: 0, expiry: 1 }));
  tt.end();
});

t.test('JSON args by the schema', (tt) => {
  const j = { currency: 'NGN', to: encodeAddress('gov', other), amount: '340282366920938463463374607431768211455', memo: 'm', reference: '' };
  const a = argsFromJson(transferDef.args, j, 'gov') as ArgsOf<'money', 'transfer'>;
  tt.equal(a.amount, (1n << 128n) - 1n, 'amounts up to 2^128-1 as decimal strings');
  tt.same(a.to, other, 'bech32m address');
  tt.same((argsFromJson(transferDef.args, { ...j, to: to0x(other) }, 'gov') as { to: Uint8Array }).to, other, 'or 0x-hex');
  const bad: [unknown, RegExp][] = [
    [{ ...j, amount: '1.5' }, /args\.amount: expected a decimal string/],
    [{ ...j, amount: '01' }, /args\.amount/],
    [{ ...j, amount: -1 }, /args\.amount/],
    [{ ...j, to: encodeAddress('sov', other) }, /args\.to/],
    [{ ...j, to: '0x1234' }, /args\.to/],
    [{ ...j, memo: 5 }, /args\.memo: expected a string/],
    [{ ...j, extra: 1 }, /unknown field "extra"/],
    [{ currency: 'NGN' }, /args\.to: missing/],
    [[1, 2], /expected an object/],
    [null, /expected an object/],
  ];
  for (const [v, re] of bad) {
    const e = (() => { try { argsFromJson(transferDef.args, v, 'gov'); return null; } catch (x) { return x; } })();
    tt.ok(e instanceof ArgsError, `ArgsError for ${JSON.stringify(v)}`);
    tt.match((e as Error).message, re);
  }
  tt.end();
});

t.test('optional fields, lists, and describeArgs for every method', (tt) => {
  const limit = MODULES.byName.get('money')!.methods.set_bank_limit!;
  const v = argsFromJson(limit.args, { currency: 'NGN', bank: to0x(other), maxReserve: '10' }, 'gov') as { maxReserve: bigint | null; dailyOut: bigint | null };
  tt.equal(v.maxReserve, 10n);
  tt.equal(v.dailyOut, null, 'a left-out optional field is null');
  const payout = MODULES.byName.get('money')!.methods.payout!;
  tt.throws(() => argsFromJson(payout.args, { currency: 'NGN', items: 'x', memo: '', reference: '' }, 'gov'), /args\.items: expected an array/);
  for (const [, def] of MODULES.byName) for (const m of Object.values(def.methods)) tt.ok(describeArgs(m.args));
  tt.end();
});

t.test('a governance action by name encodes as makeAction does', (tt) => {
  const a = methodArgsFromJson('gov', 'propose', { action: { set_param: { name: 'cost_event', value: 11 } }, reason: 'r' }, 'gov') as { action: unknown; reason: string };
  tt.same(a.action, makeAction(ActionKind.SET_PARAM, { name: 'cost_event', value: 11 }));
  tt.equal(a.reason, 'r');
  tt.throws(() => methodArgsFromJson('gov', 'propose', { action: { no_such: {} }, reason: '' }, 'gov'), ArgsError);
  tt.throws(() => methodArgsFromJson('gov', 'propose', { action: { set_param: { name: 'x' } }, reason: '' }, 'gov'), /args\.action\.set_param\.value: missing/);
  tt.throws(() => methodArgsFromJson('money', 'nope', {}, 'gov'), ArgsError);
  tt.end();
});

t.test('Wallet: chain id and nonce from the node, then tracked; a refused submission makes it ask again', async (tt) => {
  const sent: Tx[] = [];
  let accountCalls = 0;
  let refuse = false;
  class FakeNode extends TypedMethods {
    async call<T>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
      const p = params as unknown[];
      switch (method) {
        case 'sov_status': return { chainId: 'fake-chain', addressPrefix: 'gov', height: 40 } as T;
        case 'sov_getAccount': accountCalls++; return { address: p[0], nonce: 4 + sent.length } as T;
        case 'sov_sendTransaction': {
          if (refuse) throw new RpcCallError(method, -32002, 'refused');
          const tx = Tx.decode(fromHex(p[0] as string));
          sent.push(tx);
          return { hash: to0x(tx.hash), status: 'pending', height: null, code: null, message: null } as T;
        }
        default: throw new Error(method);
      }
    }
  }
  const w = new Wallet(new FakeNode(), [key]);
  const args = { currency: 'NGN', to: other, amount: 1n, memo: '', reference: '' };
  await w.tx.money.transfer(args);
  await w.tx.money.transfer(args);
  await w.send('money', 'transfer', args);
  tt.same(sent.map((x) => x.nonce), [4, 5, 6], 'nonces from the node, then counted locally');
  tt.equal(accountCalls, 1, 'the account was asked once');
  tt.equal(sent[0]!.data.chainId, 'fake-chain');
  tt.equal(sent[0]!.data.expiry, 140, 'expiry: head + 100');
  refuse = true;
  await tt.rejects(w.tx.money.transfer(args), RpcCallError);
  refuse = false;
  await w.tx.money.transfer(args);
  tt.equal(accountCalls, 2, 'after a refusal the nonce is asked again');
  tt.equal(sent.at(-1)!.nonce, 7);
  tt.equal(w.address('gov'), encodeAddress('gov', addressFromPublicKey(key.publicKey)));
});
