/**
 * The chain's bytes do not change: a chain recorded before the module-folder reshape, run
 * under the modules it was recorded with
 * (vm/test/vectors/recorded-chain.json: the genesis document's bytes and 40 blocks of every
 * module's transactions, governance included) is replayed from its bytes alone, and every
 * block gives the recorded state root (the state layer's sparse Merkle tree), results root,
 * receipt bytes, rejections and validator updates.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { concatBytes, decode, fromHex, sha256, toHex } from '../../core/index.js';
import { MemoryKV, StateTree } from '../../state/index.js';
import { applyGenesis, createRegistry, executeBlock, genesisSchemaOf, MemoryState, MODULE_DEFS, type ModuleDescriptor } from '../index.js';
import { repoPath } from '../../test/index.js';
import type { RecordedChain } from './record-chain.js';

const rec = JSON.parse(readFileSync(repoPath('vm/test/vectors/recorded-chain.json'), 'utf8')) as RecordedChain;

t.test('a recorded chain replays to the same roots, receipts and validator updates', async (tt) => {
  // The chain's registry: the modules it was recorded with (a module added since is not part of it).
  const defs = MODULE_DEFS as Record<string, ModuleDescriptor>;
  const modules = createRegistry(rec.modules.map((n) => defs[n]!));
  const doc = decode(genesisSchemaOf(modules), fromHex(rec.genesis));
  const state = new MemoryState();
  const g = await applyGenesis(state, doc, modules);
  state.apply(g.writes);
  const tree = await StateTree.open(new MemoryKV());
  tt.equal(toHex(await tree.commit(g.writes.map((w) => ({ key: w.key, value: w.value })))), rec.genesisStateRoot, 'genesis state root');
  let txs = 0;
  for (const b of rec.blocks) {
    const r = await executeBlock(state, { chainId: doc.chainId, height: b.height, time: b.time, proposer: fromHex(b.proposer) }, b.txs.map((x) => fromHex(x)), { modules });
    state.apply(r.writes);
    const got = {
      stateRoot: toHex(await tree.commit(r.writes.map((w) => ({ key: w.key, value: w.value })))),
      resultsRoot: toHex(r.resultsRoot),
      receipts: toHex(sha256(concatBytes(...r.receiptBytes))),
      rejected: r.rejected.map((x) => `${x.index}:${x.code}`),
      validatorUpdates: r.validatorUpdates.map((u) => `${toHex(u.publicKey)}:${u.power}`),
    };
    if (JSON.stringify(got) !== JSON.stringify(b.expect)) {
      tt.same(got, b.expect, `block ${b.height}`);
      return;
    }
    txs += b.txs.length;
  }
  tt.pass(`${rec.blocks.length} blocks and ${txs} transactions replayed byte for byte`);
  const updates = rec.blocks.flatMap((b) => b.expect.validatorUpdates);
  tt.ok(updates.length >= 2, 'the recording changes the validator set');
  tt.ok(rec.blocks.some((b) => b.expect.rejected.length > 0), 'and has rejections');
});
