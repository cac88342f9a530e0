/**
 * A transaction the proposer's own execution rejects leaves the mempool at once: here the
 * account's bank replaces its keys earlier in the same block, so the account's pending
 * transaction, signed by the old key, fails authentication as the block is built. It is
 * left out of the block and evicted, and its nonce is free for a transaction signed by the
 * new key.
 */
import t from 'tap';
import { addressFromPublicKey, Block, encode, generateKeyPair, signTx, ValidatorSet, type KeyPair, type Tx } from '../../../core/index.js';
import { commitFor } from '../../../test/index.js';
import { account, Role, type GenesisDoc } from '../../../vm/index.js';
import { silentLogger } from '../../ops/log.js';
import { testApp } from './test-app.js';

const CHAIN = 'evict-test';
const validator = generateKeyPair();
const bank = generateKeyPair();
const [oldKey, newKey] = [generateKeyPair(), generateKeyPair()];
const addr = (k: KeyPair) => addressFromPublicKey(k.publicKey);
const genesis: GenesisDoc = {
  chainId: CHAIN, addressPrefix: 'sovt', genesisTime: 1_000, params: [],
  validators: [{ publicKey: validator.publicKey, power: 10, nodeKey: validator.publicKey }],
  institutions: [{ name: 'Bank', keys: [bank.publicKey], threshold: 1, roles: Role.COMMERCIAL_BANK }],
  council: { members: [addr(bank)], threshold: 1 },
  currencies: [],
  accounts: [{ keys: [oldKey.publicKey], threshold: 1, kind: 2, tier: 1, bank: addr(bank), linkedRef: null, category: '' }],
  balances: [], reserves: [], bankLimits: [],
};
const sign = (keys: KeyPair[], signer: Uint8Array, nonce: number, method: string, args: Uint8Array): Tx =>
  signTx({ chainId: CHAIN, signer, nonce, expiry: 50, body: { module: 'account', method, args } }, keys.map((k) => k.secretKey));

t.test("what the proposer's execution rejects is evicted at once", async (tt) => {
  const { app, mempool } = await testApp(tt, { genesis });
  const recover = sign([bank], addr(bank), 0, 'recover_keys', encode(account.RecoverArgs, { account: addr(oldKey), keys: [newKey.publicKey], threshold: 1 }));
  const stale = sign([oldKey], addr(oldKey), 0, 'set_link', new Uint8Array([0x90]));
  tt.same((await mempool.add([recover.bytes, stale.bytes])).map((r) => r.status), ['added', 'added'], 'both valid on the committed state');
  const set = new ValidatorSet([{ address: addr(validator), publicKey: validator.publicKey, power: 10 }]);
  const bytes = await app.buildBlock(1, addr(validator), null, { validators: set, next: set, previous: null }, []);
  tt.ok(bytes.length > 0);
  tt.ok(mempool.has(recover.hashHex), 'the included one waits for its commit');
  tt.notOk(mempool.has(stale.hashHex), 'the rejected one is gone before any commit');
  tt.equal(mempool.size, 1);
  const fresh = sign([newKey], addr(oldKey), 0, 'set_link', new Uint8Array([0x90, 0x01]));
  tt.same((await mempool.add([fresh.bytes])).map((r) => (r.status === 'rejected' ? r.code : r.status)), ['TX_KEY_NOT_AUTHORIZED'], 'the new key is not the account\'s until the block commits');
});

t.test('a proposal for a height committed here already is stale (debug), not a warning; a bad one is a warning', async (tt) => {
  const warned: string[] = [];
  const debugged: string[] = [];
  const log = { ...silentLogger(), warn: (_o: unknown, m: string) => void warned.push(m), debug: (_o: unknown, m: string) => void debugged.push(m), info: () => undefined, error: () => undefined, child: () => log };
  const { app } = await testApp(tt, { genesis, log: log as never });
  const set = new ValidatorSet([{ address: addr(validator), publicKey: validator.publicKey, power: 10 }]);
  const epochs = { validators: set, next: set, previous: null };
  const bytes = await app.buildBlock(1, addr(validator), null, epochs, []);
  const block = Block.decode(bytes);
  await app.commitBlock(bytes, commitFor(block), epochs);
  tt.notOk(await app.checkBlock(bytes, epochs), 'the committed height proposed again: refused');
  tt.same(warned, [], 'without a warning');
  tt.ok(debugged.some((m) => m.includes('stale proposal')), 'logged at debug as stale');
  tt.notOk(await app.checkBlock(new Uint8Array([1, 2, 3]), epochs), 'garbage: refused');
  tt.same(warned, ['refused a proposed block'], 'with a warning');
});
