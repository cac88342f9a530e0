/**
 * The RPC against a real one-validator devnet process: every read method over HTTP, a
 * transfer built and signed by the SDK, proven state reads accepted by `verifyRecord` and
 * rejected once value, proof, header or certificate is altered, and WebSocket subscriptions
 * resumed after 50 missed blocks with every block and event delivered once, in order; and
 * the API keys file reloaded on SIGHUP.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAddress, ValidatorSet, fromHex } from '../../core/index.js';
import { hashSecret } from '../index.js';
import { Devnet } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';
import { buildTx, SovClient, SovSocket, verifyRecord, VerifyError, type EventView, type Notification, type RecordView } from '../client/index.js';
import { spawnSync } from 'node:child_process';
import { repoPath } from '../../test/index.js';

const net = Devnet.create({ validators: 1, blockIntervalMs: 50 });
t.teardown(() => net.stop());
const m = net.manifest;
const ADMIN_SECRET = 'sov_devnet-admin-secret';
writeFileSync(join(m.nodes[0]!.home, 'rpc-keys.toml'), `[[key]]\nname = "ops"\nsha256 = "${hashSecret(ADMIN_SECRET)}"\nroles = ["admin"]\n`);
net.setConfig(0, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
net.setConfig(0, 'rpc', 'tx_wait_timeout_ms', '3000');
const client = new SovClient(m.nodes[0]!.rpc_url);
const cur = m.currency.code;

t.before(async () => {
  net.startAll();
  await net.waitHeight(0, 2);
});

const trusted = async (): Promise<ValidatorSet> => {
  const v = await client.getValidators();
  return new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, m.address_prefix), publicKey: fromHex(x.publicKey, 32), power: x.power })));
};

const codeOf = async (p: Promise<unknown>): Promise<number | null> => {
  try {
    await p;
    return null;
  } catch (e) {
    return (e as { rpcCode?: number }).rpcCode ?? null;
  }
};

const accts = () => net.accountKeys().filter((a) => a.name.startsWith('customer'));

t.test('API keys on a real node: admin methods for the admin key only', async (tt) => {
  tt.equal(await codeOf(client.call('admin_mempool')), -32006, 'public: unauthorized');
  const admin = new SovClient(m.nodes[0]!.rpc_url, { apiKey: ADMIN_SECRET });
  tt.match(await admin.call('admin_mempool'), { count: Number, bytes: Number, maxTxs: 50_000 });
  tt.same(await admin.call('admin_peers'), [], 'a lone validator has no peers');
  tt.match(await admin.call('sov_whoami'), { key: 'ops', roles: ['admin'] });
  tt.equal(await codeOf(new SovClient(m.nodes[0]!.rpc_url, { apiKey: 'sov_wrong' }).status()), -32006, 'a wrong key is refused');
});

t.test('read methods and an SDK-built transfer over HTTP', async (tt) => {
  const [from, to] = accts();
  const h = (await client.status()).height;
  const tx = buildTx({ chainId: m.chain_id, keys: [from!.keys], nonce: 0, expiry: h + 100 }, 'money', 'transfer', {
    currency: cur, to: decodeAddress(to!.address, m.address_prefix), amount: 7n, memo: 'sdk', reference: '',
  });
  const sent = await client.sendTransaction(tx, true);
  tt.equal(sent.status, 'committed', 'committed with wait=true');
  // (A transfer to itself: it fails in execution and leaves no event for the paging below.)
  const next = buildTx({ chainId: m.chain_id, keys: [from!.keys], nonce: 1, expiry: h + 100 }, 'money', 'transfer', {
    currency: cur, to: decodeAddress(from!.address, m.address_prefix), amount: 1n, memo: '', reference: '',
  });
  tt.match(await client.sendTransaction(next, false), { status: 'pending', relayedTo: 0 }, 'a pending answer says it reached no peer (a lone validator)');
  const got = await client.getTransaction(sent.hash);
  tt.match(got, { hash: sent.hash, height: sent.height, module: 'money', method: 'transfer', signer: from!.address, nonce: 0, receipt: { status: 'ok', code: 0 } });
  tt.ok(got.receipt.events.some((e) => e.module === 'money' && e.name === 'transfer'), 'receipt carries the transfer event');
  tt.equal(await codeOf(client.getTransaction('0x' + '00'.repeat(32))), -32001, 'unknown hash');
  const commit = await client.getCommit(sent.height!);
  tt.equal(commit.height, sent.height);
  tt.equal(commit.blockHash, (await client.getBlock(sent.height!)).hash, 'the certificate is for the block');
  const vals = await client.getValidators();
  tt.equal(vals.validators.length, 1);
  tt.match(vals.validators[0]!.nodeKey, /^0x[0-9a-f]{64}$/, 'with the node key its libp2p node is admitted by');
  tt.not(vals.validators[0]!.nodeKey, vals.validators[0]!.publicKey, 'a key apart from the validator key');
  const txs = await client.getAccountTransactions(from!.address);
  tt.ok(txs.items.some((i) => i.hash === sent.hash), 'the transfer is in the sender\'s history');
  tt.ok((await client.getAccountTransactions(to!.address, { order: 'desc', limit: 5 })).items.some((i) => i.hash === sent.hash), 'and in the payee\'s');
  tt.ok((await client.getAccountEvents(to!.address, { order: 'desc', limit: 5 })).items.some((e) => e.height === sent.height && e.name === 'transfer'), 'the transfer event is in the payee\'s events');
  const evs = await client.getAccountEvents(from!.address, { limit: 1 });
  tt.equal(evs.items.length, 1);
  tt.match(evs.items[0], { module: 'money', name: 'transfer' });
  tt.equal((await client.getAccountEvents(from!.address, { after: { height: evs.items[0]!.height, index: evs.items[0]!.index, event: evs.items[0]!.event }, limit: 10 })).items.length, 0, 'paged past the only event');
  const bal = await client.getRecord({ kind: 'balance', address: to!.address, currency: cur });
  tt.type(bal.value, 'object');
  // A head read (answered from the node's cache with JSON text made once per stored value)
  // and the same record read from the store at that height give the same view.
  let compared = false;
  for (let i = 0; i < 20 && !compared; i++) {
    const q = { kind: 'balance', address: to!.address, currency: cur };
    const [a, b] = [await client.getRecord(q), await client.getRecord(q)];
    if (a.height !== b.height) continue;
    tt.same(b, a, 'a repeated head read');
    tt.same(await client.getRecord(q, { height: b.height }), b, 'the head read equals the stored record at its height');
    compared = true;
  }
  tt.ok(compared, 'two reads at the same head');
  for (const q of [{ kind: 'currency', currency: cur }, { kind: 'council' }, { kind: 'validators' }, { kind: 'account', address: from!.address }, { kind: 'currency_list' }]) {
    tt.not((await client.getRecord(q)).value, null, `${q.kind} record`);
  }
  tt.equal((await client.getRecord({ kind: 'proposal', id: 999 })).value, null, 'absent proposal');
  tt.equal(await codeOf(client.getRecord({ kind: 'balance', address: to!.address })), -32602, 'missing currency');
  tt.equal(await codeOf(client.getRecord({ kind: 'account', address: from!.address }, { height: 1_000_000 })), -32001, 'height above head');
});

t.test('a wait for a transaction that cannot commit yet ends after the configured timeout, as pending', async (tt) => {
  // The commercial bank sends nothing else in these tests: a nonce 5 ahead of its next is
  // admitted (queued) and never includable.
  const from = net.accountKeys().find((a) => a.name === 'Commercial Bank')!;
  const [to] = accts();
  const h = (await client.status()).height;
  const next = (await client.getAccount(from.address)).nonce;
  const tx = buildTx({ chainId: m.chain_id, keys: [from.keys], nonce: next + 5, expiry: h + 1000 }, 'money', 'transfer', {
    currency: cur, to: decodeAddress(to!.address, m.address_prefix), amount: 1n, memo: '', reference: '',
  });
  const t0 = Date.now();
  const sent = await client.sendTransaction(tx, true);
  tt.equal(sent.status, 'pending');
  tt.equal(sent.height, null);
  tt.ok(Date.now() - t0 >= 2900, 'it waited for the configured timeout (rpc.tx_wait_timeout_ms = 3000)');
});

t.test('proven reads verify against the validator set, and any alteration is rejected', async (tt) => {
  const [, to] = accts();
  const set = await trusted();
  const opts = { chainId: m.chain_id, addressPrefix: m.address_prefix, validators: set };
  const q = { kind: 'balance', address: to!.address, currency: cur };
  const a = await client.getRecord(q, { prove: true });
  const ok = verifyRecord(q, a, opts);
  tt.same(ok.value, a.value, 'the proven value is the served one');
  tt.ok(ok.value !== null);
  const absent = { kind: 'balance', address: to!.address, currency: 'NOPE' };
  tt.equal(verifyRecord(absent, await client.getRecord(absent, { prove: true }), opts).value, null, 'a proven absence');
  const older = await client.getRecord(q, { prove: true, height: 2 });
  tt.equal(verifyRecord(q, older, opts).height, 2, 'a proof at an older height');

  const bad = (name: string, f: (x: RecordView) => void, query = q) => {
    const x = JSON.parse(JSON.stringify(a)) as RecordView;
    f(x);
    tt.throws(() => verifyRecord(query, x, opts), VerifyError, name);
  };
  const flip = (hex: string, at = hex.length - 2) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
  bad('altered value', (x) => (x.raw = flip(x.raw!)));
  bad('value claimed absent', (x) => (x.raw = null));
  bad('altered proof', (x) => (x.proof!.proof = flip(x.proof!.proof, 12)));
  bad('no proof', (x) => delete x.proof);
  bad('altered header state root', (x) => (x.proof!.header.stateRoot = flip(x.proof!.header.stateRoot)));
  bad('altered header time', (x) => (x.proof!.header.time += 1));
  bad('altered certificate signature', (x) => (x.proof!.commit.signatures[0]!.signature = flip(x.proof!.commit.signatures[0]!.signature)));
  bad('certificate without signatures', (x) => (x.proof!.commit.signatures = []));
  bad('certificate of another height', (x) => (x.proof!.commit.height += 1));
  bad('answer for another key', () => undefined, { kind: 'balance', address: accts()[2]!.address, currency: cur });
  bad('height mismatch', (x) => (x.height -= 1));
  const otherSet = ValidatorSet.fromKeys([{ publicKey: accts()[0]!.keys.publicKey, power: 1 }]);
  tt.throws(() => verifyRecord(q, a, { ...opts, validators: otherSet }), VerifyError, 'an untrusted validator set');
  tt.throws(() => verifyRecord(q, a, { ...opts, validators: otherSet, checkValidatorsHash: false }), VerifyError, 'certificate not signed by the trusted set');
});

t.test('a subscriber that misses 50 blocks resumes and gets every block and event once, in order', async (tt) => {
  const url = m.nodes[0]!.rpc_url;
  const [, a, b] = accts();
  const blocks: number[] = [];
  const transfers: string[] = [];
  const onBlock = (n: Notification) => blocks.push((n.result as { header: { height: number } }).header.height);
  const onEvents = (n: Notification) => {
    for (const e of (n.result as { events: { txHash: string }[] }).events) transfers.push(e.txHash);
  };
  let ws = await SovSocket.connect(url);
  const start = (await ws.status()).height;
  await ws.subscribe('newBlocks', { fromHeight: 1 }, onBlock);
  await ws.subscribe('events', { module: 'money', name: 'transfer', fromHeight: 1 }, onEvents);
  await waitFor(() => blocks.length > 0 && blocks[blocks.length - 1]! >= start + 2, 'catch-up and live blocks', 20_000, 20);
  await ws.close();
  const lastSeen = blocks[blocks.length - 1]!;
  // While disconnected: 50 blocks, with transfers in some of them.
  const sentHashes: string[] = [];
  const h = (await client.status()).height;
  for (let i = 0; i < 3; i++) {
    const tx = buildTx({ chainId: m.chain_id, keys: [b!.keys], nonce: i, expiry: h + 500 }, 'money', 'transfer', {
      currency: cur, to: decodeAddress(a!.address, m.address_prefix), amount: 1n, memo: `missed ${i}`, reference: '',
    });
    sentHashes.push((await client.sendTransaction(tx, true)).hash);
  }
  await net.waitHeight(0, lastSeen + 50, 60_000);
  ws = await SovSocket.connect(url);
  await ws.subscribe('newBlocks', { fromHeight: lastSeen + 1 }, onBlock);
  await ws.subscribe('events', { module: 'money', name: 'transfer', fromHeight: lastSeen + 1 }, onEvents);
  const target = (await ws.status()).height + 2;
  await waitFor(() => blocks[blocks.length - 1]! >= target, 'resumed to the head and beyond', 30_000, 20);
  await ws.close();
  const top = blocks[blocks.length - 1]!;
  tt.same(blocks, Array.from({ length: top }, (_, i) => i + 1), `blocks 1..${top} each exactly once, in order`);
  for (const s of sentHashes) tt.equal(transfers.filter((x) => x === s).length, 1, 'a transfer made while disconnected arrives once');
  tt.equal(new Set(transfers).size, transfers.length, 'no event twice');
});

t.test('account subscription sees incoming transfers, their events decoded; so does `sov query events`; subscriptions need a WebSocket', async (tt) => {
  const [, a, , c] = accts();
  const ws = await SovSocket.connect(m.nodes[0]!.rpc_url);
  const seen: string[] = [];
  const events: EventView[] = [];
  const sub = await ws.subscribe('account', { address: c!.address }, (n) => {
    for (const x of (n.result as { txs: { hash: string; events: EventView[] }[] }).txs) {
      seen.push(x.hash);
      events.push(...x.events);
    }
  });
  const h = (await client.status()).height;
  const nonce = (await client.getAccount(a!.address)).nonce;
  const tx = buildTx({ chainId: m.chain_id, keys: [a!.keys], nonce, expiry: h + 100 }, 'money', 'transfer', {
    currency: cur, to: decodeAddress(c!.address, m.address_prefix), amount: 1n, memo: 'to c', reference: 'inv-7',
  });
  const sent = await ws.sendTransaction(tx, true);
  await waitFor(() => seen.includes(sent.hash), 'the incoming transfer notified', 10_000, 20);
  const incoming = { currency: cur, from: a!.address, to: c!.address, amount: '1', memo: 'to c', reference: 'inv-7' };
  tt.strictSame(events.find((e) => e.name === 'transfer')?.fields, incoming, 'the recipient sees the transfer event decoded, with field names');
  const cli = spawnSync(process.execPath, [repoPath('bin/sov.js'), 'query', 'events', c!.address, '--rpc', m.nodes[0]!.rpc_url, '--limit', '5'], { encoding: 'utf8' });
  tt.equal(cli.status, 0, cli.stderr);
  const listed = (JSON.parse(cli.stdout) as { items: EventView[] }).items.find((e) => e.name === 'transfer' && e.fields?.reference === 'inv-7');
  tt.strictSame(listed?.fields, incoming, '`sov query events` shows it decoded too');
  tt.match(listed?.data, /^0x[0-9a-f]+$/, 'with its hex beside');
  tt.ok(await ws.unsubscribe(sub));
  tt.notOk(await ws.unsubscribe(sub), 'twice: gone');
  await ws.close();
  tt.equal(await codeOf(client.call('sov_subscribe', ['newBlocks'])), -32600, 'not over HTTP');
  tt.throws(() => buildTx({ chainId: m.chain_id, keys: [a!.keys], nonce: 0, expiry: 1 }, 'money', 'nope', {}), 'unknown method');
  tt.throws(() => buildTx({ chainId: m.chain_id, keys: [a!.keys], nonce: 0, expiry: 1 }, 'money', 'transfer', { currency: cur }), 'args off the schema');
});

t.test('SIGHUP reloads the API keys file: a removed key is refused and its sessions closed; a bad file changes nothing', async (tt) => {
  const keysFile = join(m.nodes[0]!.home, 'rpc-keys.toml');
  const NEW_SECRET = 'sov_devnet-second-secret';
  const whoami = async (secret: string): Promise<string | null | number> => {
    try {
      return (await new SovClient(m.nodes[0]!.rpc_url, { apiKey: secret }).call<{ key: string | null }>('sov_whoami')).key;
    } catch (e) {
      return (e as { code?: number }).code ?? -1;
    }
  };
  tt.equal(await whoami(ADMIN_SECRET), 'ops', 'the key loaded at start');
  const session = await SovSocket.connect(m.nodes[0]!.rpc_url, { apiKey: ADMIN_SECRET });
  let sessionClosed = false;
  session.ws.on('close', () => (sessionClosed = true));
  tt.equal((await session.call<{ key: string }>('sov_whoami')).key, 'ops');

  writeFileSync(keysFile, `[[key]]\nname = "ops2"\nsha256 = "${hashSecret(NEW_SECRET)}"\nroles = ["admin"]\n`);
  net.signal(0, 'SIGHUP');
  await waitFor(async () => (await whoami(NEW_SECRET)) === 'ops2', 'the new key in force', 20_000);
  tt.not(await whoami(ADMIN_SECRET), 'ops', 'the removed key is refused');
  await waitFor(() => sessionClosed, "the removed key's WebSocket session closed", 10_000);

  writeFileSync(keysFile, '[[key]]\nname = "broken"\n');
  net.signal(0, 'SIGHUP');
  await waitFor(() => readFileSync(net.logPath(0), 'utf8').includes('the API keys file did not load'), 'the bad file logged', 20_000);
  tt.equal(await whoami(NEW_SECRET), 'ops2', 'a file that does not load leaves the keys in force');
  tt.equal((await client.status()).chainId, m.chain_id, 'still serving');
});
