/**
 * A module is one folder: the toy module (test/toy/, one folder) and one line in a module
 * table run on a real node (in this process: LevelDB, libp2p, JSON-RPC on 127.0.0.1). Its
 * method is called through the SDK; its record is read over RPC with a proof the SDK verifies
 * against the validator set; its event comes back decoded, over HTTP and over a WebSocket
 * subscription; its codes and parameters are in docs/vm.md rendered under that table. No
 * other file knows the toy.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { decodeAddress, fromHex, ValidatorSet } from '../../core/index.js';
import { createRegistry, MODULE_DEFS, renderVmDoc, vmCodeName, type ModuleDescriptor } from '../../vm/index.js';

import { buildTx, SovClient, SovSocket, verifyRecord, type Notification } from '../../rpc/index.js';
import { Devnet } from '../../test/devnet.js';
import { repoPath, toyModule, waitFor } from '../../test/index.js';
import { loadHome, SovNode } from '../node.js';
import { silentLogger } from '../ops/log.js';

// The one line: the built-in modules and the toy.
const modules = createRegistry([...(Object.values(MODULE_DEFS) as ModuleDescriptor[]), toyModule]);

const net = Devnet.create({ validators: 1, blockIntervalMs: 50 });
const m = net.manifest;
let node: SovNode;
t.before(async () => {
  const parts = await loadHome(m.nodes[0]!.home, silentLogger());
  node = new SovNode({ ...parts, modules });
  await node.start();
});
t.teardown(async () => {
  await node?.stop();
  await net.stop();
});

t.test('the toy module: called through the SDK, its record proven over RPC, its event decoded, its codes and parameters documented', async (tt) => {
  const client = new SovClient(m.nodes[0]!.rpc_url);
  await waitFor(async () => (await client.status()).height >= 1, 'a first block', 30_000);
  const [me, other] = net.accountKeys().filter((a) => a.name.startsWith('customer'));
  const about = decodeAddress(other!.address, m.address_prefix);
  const h = (await client.status()).height;
  const sent = await client.sendTransaction(buildTx({ chainId: m.chain_id, keys: [me!.keys], nonce: 0, expiry: h + 100 }, 'toy', 'note', { text: 'hello from a toy', about }, modules), true);
  tt.equal(sent.status, 'committed', 'toy.note committed');

  const tx = await client.getTransaction(sent.hash);
  tt.same(tx.args, { text: 'hello from a toy', about: other!.address }, 'its args decoded, addresses as bech32m');
  const ev = tx.receipt.events[0]!;
  tt.same([ev.module, ev.name], ['toy', 'noted']);
  tt.strictSame(ev.fields, { account: me!.address, text: 'hello from a toy', count: 1, about: other!.address }, 'its event decoded with field names');
  tt.match(ev.data, /^0x[0-9a-f]+$/, 'with the hex beside');

  const v = await client.getValidators();
  const trusted = new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, m.address_prefix), publicKey: fromHex(x.publicKey, 32), power: x.power })));
  const query = { kind: 'toy_note', address: me!.address };
  const answer = await client.getRecord(query, { prove: true });
  const proven = verifyRecord(query, answer, { chainId: m.chain_id, addressPrefix: m.address_prefix, validators: trusted, modules });
  tt.strictSame(proven.value, { text: 'hello from a toy', count: 1 }, 'its record read over RPC and proven against the validator set');
  tt.throws(() => verifyRecord(query, { ...answer, raw: answer.raw!.replace(/..$/, '00') }, { chainId: m.chain_id, addressPrefix: m.address_prefix, validators: trusted, modules }), /state proof/);
  const counted = await client.getRecord({ kind: 'toy_blocks' });
  tt.ok(Number((counted.value as { value: string | number }).value) >= 1, 'its end-of-block step runs on the node');

  // Its hook and code: a transfer of 13 minor units fails with TOY_UNLUCKY.
  const t13 = await client.sendTransaction(buildTx({ chainId: m.chain_id, keys: [me!.keys], nonce: 1, expiry: h + 100 }, 'money', 'transfer', {
    currency: m.currency.code, to: about, amount: 13n, memo: '', reference: '',
  }), true);
  tt.equal(t13.status, 'failed');
  tt.equal(vmCodeName(t13.code!), 'TOY_UNLUCKY', "its credit hook refused a built-in module's transfer");

  // Its event over a WebSocket subscription, decoded.
  const ws = await SovSocket.connect(m.nodes[0]!.rpc_url);
  tt.teardown(() => ws.close());
  const seen: Notification[] = [];
  await ws.subscribe('account', { address: other!.address }, (n) => seen.push(n));
  const h2 = (await client.status()).height;
  await client.sendTransaction(buildTx({ chainId: m.chain_id, keys: [me!.keys], nonce: 2, expiry: h2 + 100 }, 'toy', 'note', { text: 'again', about }, modules), true);
  await waitFor(() => seen.some((n) => JSON.stringify(n).includes('"again"')), 'the noted event over the subscription', 20_000);
  const got = JSON.stringify(seen);
  tt.match(got, /"name":"noted"/);
  tt.match(got, /"fields":\{"account":"[a-z0-9]+","text":"again","count":2,"about":"[a-z0-9]+"\}/, 'decoded in the subscription too');

  const docs = renderVmDoc(readFileSync(repoPath('docs/vm.md'), 'utf8'), modules);
  for (const s of ['| 9000 | TOY_TOO_MANY_NOTES | toy |', '| 9001 | TOY_UNLUCKY | toy |', '| toy_max_notes | toy | 3 |']) tt.ok(docs.includes(s), `docs/vm.md under the table: ${s}`);
});
