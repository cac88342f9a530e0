/**
 * The initial state root build prints is the root the state layer gets when the vm applies
 * the genesis document: checked independently here (vm.applyGenesis into a MemoryState, the
 * writes committed as version 1 of a StateTree, and computeRoot over every entry). Also:
 * the hash does not depend on the order entries were written in, genesis.json reads back to
 * the same document, and the examples are exactly what example-keys.ts makes and build.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { equalBytes, toHex } from '../../core/index.js';
import { applyGenesis, MemoryState } from '../../vm/index.js';
import { computeRoot, MemoryKV, StateTree } from '../../state/index.js';
import { repoPath } from '../../test/index.js';
import { buildFromTemplate, genesisDocumentHash, parseGenesisJson, renderTemplate, toVmDoc } from '../index.js';
import { EXAMPLES, exampleText, fullExample, smallExample } from './example-keys.js';

t.test('genesis state root == vm + state applying the document', async (tt) => {
  for (const make of [smallExample, fullExample]) {
    const built = await buildFromTemplate(renderTemplate(make()));
    const mem = new MemoryState();
    const res = await applyGenesis(mem, toVmDoc(built.doc));
    mem.apply(res.writes);
    const tree = await StateTree.open(new MemoryKV());
    await tree.commit(res.writes.map((w) => ({ key: w.key, value: w.value })));
    tt.equal(tree.height, 1);
    tt.equal(toHex(tree.rootHash), toHex(built.state.stateRoot), 'committed tree root');
    tt.equal(toHex(computeRoot(mem.entries())), toHex(built.state.stateRoot), 'root rebuilt from every entry');
    tt.equal(toHex(res.genesisHash), toHex(built.state.vmGenesisHash));
    tt.ok(res.writes.length > 10);
    await tree.close();
  }
});

t.test('the hash is the canonical bytes, independent of entry order', async (tt) => {
  const a = await buildFromTemplate(renderTemplate(fullExample()));
  const shuffled = fullExample();
  shuffled.validators.reverse();
  shuffled.institutions.reverse();
  shuffled.balances.reverse();
  shuffled.bankLimits.reverse();
  shuffled.council.members.reverse();
  const b = await buildFromTemplate(renderTemplate(shuffled));
  tt.equal(toHex(a.hash), toHex(b.hash));
  tt.equal(a.json, b.json, 'byte-identical genesis.json');
  tt.ok(equalBytes(genesisDocumentHash(a.doc), a.hash));
  const back = await parseGenesisJson(a.json);
  tt.equal(toHex(back.hash), toHex(a.hash), 'genesis.json reads back to the same hash');
  tt.equal(back.json, a.json);
  tt.equal(toHex(back.state.stateRoot), toHex(a.state.stateRoot));
  const c = await buildFromTemplate(renderTemplate(fullExample()).replace('meridia-1', 'meridia-2'), { allowUnsigned: true }).catch((e: Error) => e);
  tt.ok(c instanceof Error, 'a signed template cannot be moved to another chain id');
});

t.test('examples are reproducible and build', async (tt) => {
  for (const f of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]) {
    const text = readFileSync(repoPath(f), 'utf8');
    tt.equal(text, exampleText(f), `${f} is what example-keys.ts makes`);
    const g = await buildFromTemplate(text);
    tt.ok(g.doc.validators.length >= 4, `${f} builds`);
  }
  const full = await buildFromTemplate(readFileSync(repoPath('examples/full.toml'), 'utf8'));
  const roles = full.doc.institutions.map((i) => i.roles);
  tt.equal(roles.filter((r) => (r & 4) !== 0).length, 3, 'three commercial banks');
  tt.equal(full.doc.currencies.filter((c) => c.kind === 2).length, 1, 'a stablecoin');
});
