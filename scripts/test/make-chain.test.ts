/**
 * The chain fabricator (scripts/make-chain.ts) at a tiny scale: what it writes is a chain a
 * node accepts (every block's certificate verifies against the validator set and carries all
 * four validators; every height's state root recomputes from its leaves and matches its block;
 * the new accounts exist with their balances; every home holds the epochs for
 * the next height, and no WAL), and it is deterministic: the same seed gives the same blocks,
 * another seed others. Multi-process behaviour (nodes continuing the chain, block and state
 * sync on it) is node/test/state-sync-join.long.test.ts.
 */
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, fromHex, Tx, ValidatorSet, verifyCommit } from '../../core/index.js';
import { LedgerStore } from '../../state/index.js';
import { AccountSchema, BalanceSchema, Keys, money } from '../../vm/index.js';
import { makeChain, type FabricatedChain } from '../make-chain.js';

const dir = mkdtempSync(join(tmpdir(), 'sov-make-chain-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const make = (name: string, seed: string): Promise<FabricatedChain> => makeChain({ out: join(dir, name), blocks: 6, accounts: 45, seed, customers: 4, basePort: 39_500 });

t.test('a fabricated chain is one a node accepts', async (tt) => {
  const info = await make('a', 'one');
  tt.equal(info.blocks, 6);
  tt.equal(info.accounts, 45, '45 new accounts (8 in the first three blocks, 7 after)');
  tt.equal(info.txs, 90, 'an opening and a payment for each');
  const m = JSON.parse(readFileSync(info.manifest, 'utf8')) as { nodes: { home: string; validator_public_key: string }[] };
  const set = ValidatorSet.fromKeys(m.nodes.map((n) => ({ publicKey: fromHex(n.validator_public_key), power: 10 })));
  const ledger = await LedgerStore.open({ path: join(m.nodes[0]!.home, 'data', 'ledger') });
  try {
    tt.equal(ledger.height, 6);
    let txs = 0;
    for (let h = 1; h <= 6; h++) {
      const b = await ledger.blocks.getBlock(h);
      const c = await ledger.blocks.getCommit(h);
      tt.equal(verifyCommit(info.chainId, c, set, { height: h, blockHash: b.hash }), 40, `block ${h}: a certificate of all four validators`);
      if (h > 1) verifyCommit(info.chainId, b.data.lastCommit!, set, { height: h - 1 });
      await ledger.verifyHeight(h);
      txs += b.data.txs.length;
      if (h === 6) tt.equal(`0x${Buffer.from(b.hash).toString('hex')}`, info.headHash, 'the head is the one chain.json names');
    }
    tt.equal(txs, 90);
    // The last block's payments went to accounts opened in it: each exists and holds what it was paid.
    const last = await ledger.blocks.getBlock(6);
    const tx = Tx.decode(last.data.txs[last.data.txs.length - 1]!);
    const args = decode(money.TransferArgs, tx.data.body.args);
    tt.ok(await ledger.get(Keys.account(args.to)), 'the payee account exists');
    tt.equal(decode(BalanceSchema, (await ledger.get(Keys.balance(args.to, 'DEV')))!).amount, args.amount, 'and holds the amount paid');
    tt.equal(decode(AccountSchema, (await ledger.get(Keys.account(args.to)))!).tier, 1);
  } finally {
    await ledger.close();
  }
  for (const n of m.nodes) {
    tt.ok(existsSync(join(n.home, 'data', 'consensus_epochs.bin')), `${n.home}: the epochs for height 7`);
    tt.notOk(existsSync(join(n.home, 'data', 'wal')), `${n.home}: no WAL (no validator signed anything it must remember)`);
  }
});

t.test('deterministic: the same seed gives the same chain, another seed another', async (tt) => {
  const [a, b, c] = [JSON.parse(readFileSync(join(dir, 'a', 'chain.json'), 'utf8')) as FabricatedChain, await make('b', 'one'), await make('c', 'two')];
  tt.equal(b.headHash, a.headHash, 'same head block');
  tt.equal(b.stateRoot, a.stateRoot, 'same state root');
  tt.not(c.headHash, a.headHash, 'another seed: another chain');
});
