/**
 * A block handed to the app whole (a compact proposal completed from the mempool) is checked
 * without decoding it again, and with every check still made.
 */
import t from 'tap';
import { addressFromPublicKey, Block, generateKeyPair, ValidatorSet, type KeyPair } from '../../../core/index.js';
import { commitFor } from '../../../test/index.js';
import { Role, type GenesisDoc } from '../../../vm/index.js';
import { testApp } from './test-app.js';

const validator = generateKeyPair();
const council = generateKeyPair();
const addr = (k: KeyPair): Uint8Array => addressFromPublicKey(k.publicKey);
const genesis: GenesisDoc = {
  chainId: 'adopt-test', addressPrefix: 'sovt', genesisTime: 1_000, params: [],
  validators: [{ publicKey: validator.publicKey, power: 10, nodeKey: validator.publicKey }],
  institutions: [{ name: 'Council', keys: [council.publicKey], threshold: 1, roles: Role.CENTRAL_BANK }],
  council: { members: [addr(council)], threshold: 1 },
  currencies: [], accounts: [], balances: [], reserves: [], bankLimits: [],
};
const set = new ValidatorSet([{ address: addr(validator), publicKey: validator.publicKey, power: 10 }]);
const epochs = { validators: set, next: set, previous: set };

/** Run `f`, counting the calls of Block.decode meanwhile. */
async function countingDecodes<T>(f: () => Promise<T>): Promise<{ result: T; count: number }> {
  const original = Block.decode.bind(Block);
  let count = 0;
  Block.decode = (...args: Parameters<typeof Block.decode>) => {
    count++;
    return original(...args);
  };
  try {
    return { result: await f(), count };
  } finally {
    Block.decode = original;
  }
}

t.test('an adopted block is checked in its decoded form, with every check made', async (tt) => {
  const { app: proposer } = await testApp(tt, { genesis });
  const { app: checker } = await testApp(tt, { genesis });
  const built = await proposer.buildBlock(1, addr(validator), null, { ...epochs, previous: null }, []);
  // A copy, as the compact assembler makes: other bytes objects, the same block.
  const copy = Block.decode(built.slice());
  tt.equal(checker.decodedBlock(copy.bytes), undefined, 'nothing known before');
  checker.adoptDecoded(copy);
  tt.equal(checker.decodedBlock(copy.bytes), copy, 'the adopted block is known by its bytes');
  const decodes = await countingDecodes(() => checker.checkBlock(copy.bytes, { ...epochs, previous: null }));
  tt.ok(decodes.result, 'and checked valid');
  tt.equal(decodes.count, 0, 'without decoding the block again');

  // The control: the same block's bytes not adopted are decoded to be checked.
  const { app: control } = await testApp(tt, { genesis });
  const plain = await countingDecodes(() => control.checkBlock(built.slice(), { ...epochs, previous: null }));
  tt.ok(plain.result, 'a block not adopted is checked valid too');
  tt.ok(plain.count >= 1, 'after decoding it');

  // One the checker is not ready for (height 2 while its head is 0) is refused though adopted.
  const b1 = Block.decode(built);
  await proposer.commitBlock(built, commitFor(b1), { ...epochs, previous: null });
  const next = Block.decode((await proposer.buildBlock(2, addr(validator), commitFor(b1), epochs, [])).slice());
  checker.adoptDecoded(next);
  tt.notOk(await checker.checkBlock(next.bytes, epochs), 'a block for the wrong height is refused, adopted or not');
});
