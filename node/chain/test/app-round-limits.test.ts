/**
 * A proposer's later rounds offer smaller blocks (app.ts proposalLimits): the limits halve each
 * round, down to LATER_ROUND_MIN_TXS transactions and one largest transaction's bytes, so a
 * height whose large block failed its round is decided with a smaller one.
 */
import t from 'tap';
import { addressFromPublicKey, Block, generateKeyPair, signTx, ValidatorSet, type KeyPair } from '../../../core/index.js';
import { Role, type GenesisDoc } from '../../../vm/index.js';
import { LATER_ROUND_MIN_TXS, nextRoundZeroTxs, proposalLimits } from '../app.js';
import { testApp } from './test-app.js';

t.test('proposalLimits: the chain limits in round 0, halved each later round, with floors', async (tt) => {
  tt.same(proposalLimits(10_000, 16 << 20, 1 << 20, 0), { txs: 10_000, bytes: 16 << 20 });
  tt.same(proposalLimits(10_000, 16 << 20, 1 << 20, 1), { txs: 5_000, bytes: 8 << 20 });
  tt.same(proposalLimits(10_000, 16 << 20, 1 << 20, 3), { txs: 1_250, bytes: 2 << 20 });
  tt.same(proposalLimits(10_000, 16 << 20, 1 << 20, 9), { txs: LATER_ROUND_MIN_TXS, bytes: 1 << 20 }, 'never below the floors');
  tt.same(proposalLimits(10_000, 16 << 20, 1 << 20, 5000), { txs: LATER_ROUND_MIN_TXS, bytes: 1 << 20 }, 'a huge round number is no overflow');
  tt.same(proposalLimits(50, 1 << 20, 1 << 20, 4), { txs: 50, bytes: 1 << 20 }, 'never above the chain limits');
});

t.test('nextRoundZeroTxs: down to the size decided after round 0, up by a quarter after a full round-0 block', async (tt) => {
  tt.equal(nextRoundZeroTxs(10_000, 10_000, 2, 2_500), 2_500, 'decided in round 2 with 2,500: the next round 0 offers 2,500');
  tt.equal(nextRoundZeroTxs(10_000, 10_000, 1, 0), LATER_ROUND_MIN_TXS, 'an empty block decided late: the floor');
  tt.equal(nextRoundZeroTxs(2_500, 10_000, 0, 2_400), 3_125, 'a near-full block in round 0: a quarter more');
  tt.equal(nextRoundZeroTxs(9_000, 10_000, 0, 9_000), 10_000, 'never above the chain limit');
  tt.equal(nextRoundZeroTxs(2_500, 10_000, 0, 300), 2_500, 'a small block in round 0 (a light load): unchanged');
});

t.test('a block built for a later round holds fewer transactions', async (tt) => {
  const CHAIN = 'rounds-test';
  const validator = generateKeyPair();
  const bank = generateKeyPair();
  const keys: KeyPair[] = Array.from({ length: 260 }, () => generateKeyPair());
  const addr = (k: KeyPair): Uint8Array => addressFromPublicKey(k.publicKey);
  const genesis: GenesisDoc = {
    chainId: CHAIN, addressPrefix: 'sovt', genesisTime: 1_000, params: [],
    validators: [{ publicKey: validator.publicKey, power: 10, nodeKey: validator.publicKey }],
    institutions: [{ name: 'Bank', keys: [bank.publicKey], threshold: 1, roles: Role.COMMERCIAL_BANK }],
    council: { members: [addr(bank)], threshold: 1 },
    currencies: [],
    accounts: keys.map((k) => ({ keys: [k.publicKey], threshold: 1, kind: 2, tier: 1, bank: addr(bank), linkedRef: null, category: '' })),
    balances: [], reserves: [], bankLimits: [],
  };
  const { app, mempool } = await testApp(tt, { genesis, maxBlockTxs: 240 });
  const txs = keys.map((k) => signTx({ chainId: CHAIN, signer: addr(k), nonce: 0, expiry: 50, body: { module: 'account', method: 'set_link', args: new Uint8Array([0x90]) } }, [k.secretKey]));
  const added = await mempool.add(txs.map((x) => x.bytes));
  tt.equal(added.filter((r) => r.status === 'added').length, 260, 'all 260 admitted');
  const set = new ValidatorSet([{ address: addr(validator), publicKey: validator.publicKey, power: 10 }]);
  const epochs = { validators: set, next: set, previous: null };
  const count = async (round: number): Promise<number> => Block.decode(await app.buildBlock(1, addr(validator), null, epochs, [], round)).header.txCount;
  tt.equal(await count(0), 240, 'round 0: the chain limit');
  tt.equal(await count(1), 120, 'round 1: half');
  tt.equal(await count(2), LATER_ROUND_MIN_TXS, 'round 2: the floor');
  tt.equal(await count(6), LATER_ROUND_MIN_TXS, 'round 6: still the floor');
  tt.equal(await count(0), 240, 'no state kept between builds');

  // Height 1 decided in round 1 with the 120-transaction block: round 0 of height 2 offers 120.
  const b1 = Block.decode(await app.buildBlock(1, addr(validator), null, epochs, [], 1));
  await app.commitBlock(b1.bytes, { height: 1, round: 1, blockHash: b1.hash, signatures: [] }, epochs);
  tt.equal(mempool.size, 140, '140 left after the 120 committed');
  const b2 = Block.decode(await app.buildBlock(2, addr(validator), null, epochs, [], 0));
  tt.equal(b2.header.txCount, 120, 'after a height decided late, round 0 offers the size that was decided');
});
