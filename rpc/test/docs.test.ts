/**
 * docs/rpc.md is the rendering of the method declarations, and names every method of the
 * OpenRPC document. Regenerate with `SOV_WRITE_DOCS=1` set when running this test.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { buildRegistry, openRpcDocument } from '../index.js';
import { renderRpcDoc } from '../docs.js';
import { repoPath } from '../../test/paths.js';

t.test('docs/rpc.md matches the method declarations', async (tt) => {
  const reg = buildRegistry('0');
  const doc = readFileSync(repoPath('docs/rpc.md'), 'utf8');
  const want = renderRpcDoc(reg);
  if (process.env.SOV_WRITE_DOCS) (await import('node:fs')).writeFileSync(repoPath('docs/rpc.md'), want);
  tt.equal(doc, want, 'docs/rpc.md is up to date (regenerate with SOV_WRITE_DOCS=1)');
  for (const m of (openRpcDocument(reg.list(), { title: '', version: '' }).methods as { name: string }[])) tt.ok(doc.includes(`### ${m.name}\n`), `${m.name} documented`);
});
