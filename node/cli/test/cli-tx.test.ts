/**
 * `sov tx` and `sov query` against a real one-validator devnet: a transfer and a governance
 * proposal (its action named in JSON) signed from keystores and committed, the balance read
 * back with its proof checked against the genesis validator set, every query subcommand, an
 * offline-signed transaction, and bad args refused before anything is signed or sent.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { decodeAddress, Tx, fromHex } from '../../../core/index.js';
import { MODULES } from '../../../vm/index.js';
import { Devnet } from '../../../test/devnet.js';
import { repoPath } from '../../../test/index.js';

const net = Devnet.create({ validators: 1, blockIntervalMs: 50 });
t.teardown(() => net.stop());
const m = net.manifest;
const rpc = m.nodes[0]!.rpc_url;
const acct = (name: string) => m.accounts.find((a) => a.name === name)!;
const customers = m.accounts.filter((a) => a.role === 'customer');
const centralBank = m.accounts.find((a) => a.role === 'central_bank')!;
const genesisFile = `${m.nodes[0]!.home}/genesis.json`;

interface Run { code: number; out: string; err: string }
const sov = (...args: string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [repoPath('bin/sov.js'), ...args], { encoding: 'utf8', timeout: 120_000 }, (e, out, err) => {
    resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
  });
});
const json = (r: Run): any => { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (r.code !== 0) throw new Error(`sov exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out);
};
const keyArgs = (name: string) => ['--key', acct(name).keystore, '--password-file', m.accounts_password_file, '--rpc', rpc];

t.before(async () => {
  net.startAll();
  await net.waitHeight(0, 2);
});

t.test('sov tx lists every method of every module, and describes one', async (tt) => {
  const r = await sov('tx');
  tt.equal(r.code, 0, r.err);
  for (const [mod, def] of MODULES.byName) for (const name of Object.keys(def.methods)) tt.match(r.out, `${mod} ${name}\t`, `${mod}.${name}`);
  const d = json(await sov('tx', 'money', 'transfer', '--describe'));
  tt.same(Object.keys(d.args), ['currency', 'to', 'amount', 'memo', 'reference']);
  tt.equal(d.args.amount, 'decimal string');
  tt.equal((await sov('tx', 'nomodule')).code, 2, 'unknown module');
  tt.equal((await sov('tx', 'money', 'nomethod')).code, 2, 'unknown method');
});

t.test('a transfer from the shell, committed, then read back proven', async (tt) => {
  const [from, to] = customers;
  const before = json(await sov('query', 'balance', to!.address, m.currency.code, '--rpc', rpc));
  const args = JSON.stringify({ currency: m.currency.code, to: to!.address, amount: '25', memo: 'cli', reference: 'inv-1' });
  const sent = json(await sov('tx', 'money', 'transfer', '--args', args, ...keyArgs(from!.name), '--wait'));
  tt.equal(sent.status, 'committed', 'committed');
  tt.equal(sent.receipt.status, 'ok');
  tt.strictSame(sent.args, { currency: m.currency.code, to: to!.address, amount: '25', memo: 'cli', reference: 'inv-1' }, '--wait shows the args decoded');
  tt.strictSame(sent.receipt.events[0].fields, { currency: m.currency.code, from: from!.address, to: to!.address, amount: '25', memo: 'cli', reference: 'inv-1' }, 'and the event decoded, with field names');
  tt.match(sent.receipt.events[0].data, /^0x[0-9a-f]+$/, 'beside its hex');
  // A transaction that fails: --wait prints its receipt and the command exits 1.
  const tooMuch = JSON.stringify({ currency: m.currency.code, to: to!.address, amount: '99999999999999', memo: '', reference: '' });
  const failed = await sov('tx', 'money', 'transfer', '--args', tooMuch, ...keyArgs(from!.name), '--wait');
  tt.equal(failed.code, 1, '--wait: a failed transaction exits 1');
  tt.match(JSON.parse(failed.out), { status: 'failed', receipt: { status: 'failed' } }, 'and says failed');
  const after = json(await sov('query', 'balance', to!.address, m.currency.code, '--rpc', rpc, '--verify', genesisFile));
  tt.equal(after.verified, true, 'proof checked against the genesis validator set');
  tt.equal(BigInt(after.value.amount) - BigInt(before.value.amount), 25n, 'the balance moved by the amount');

  // Every record kind of every module is readable, its key fields as options (derived from the registry).
  const vaddr = (m.nodes[0] as unknown as { validator_address: string; node_public_key: string });
  const vnode = json(await sov('query', 'record', 'validator_node', '--address', vaddr.validator_address, '--rpc', rpc, '--verify', genesisFile));
  tt.equal(vnode.value.nodeKey, '0x' + vaddr.node_public_key, 'validator_node (which had no query schema before) is read and proven');
  const virt = json(await sov('query', 'record', 'virtual_account', '--bank', customers[0]!.address, '--bank-account-id', 'IBAN-1', '--rpc', rpc));
  tt.equal(virt.value, null, 'virtual_account (not readable over RPC before): absent here');
  tt.equal((await sov('query', 'record', 'balance', '--address', to!.address, '--currency', 'dev', '--rpc', rpc)).code, 2, 'a malformed currency code is refused');

  const got = json(await sov('query', 'tx', sent.hash, '--rpc', rpc));
  tt.match(got, { hash: sent.hash, module: 'money', method: 'transfer', signer: from!.address });
  const txs = json(await sov('query', 'txs', from!.address, '--rpc', rpc, '--limit', '5'));
  tt.ok(txs.items.some((i: { hash: string }) => i.hash === sent.hash), 'in the sender\'s history');
  const evs = json(await sov('query', 'events', to!.address, '--rpc', rpc, '--order', 'asc'));
  tt.ok(Array.isArray(evs.items));
  const block = json(await sov('query', 'block', String(sent.height), '--rpc', rpc));
  tt.ok(block.txs.length >= 1);
  const commit = json(await sov('query', 'commit', String(sent.height), '--rpc', rpc));
  tt.equal(commit.blockHash, block.hash);
  tt.equal(json(await sov('query', 'validators', '--rpc', rpc)).validators.length, 1);
  tt.equal(json(await sov('query', 'account', from!.address, '--rpc', rpc)).nonce, 2, 'the nonce advanced (the failed transfer took one too)');
  tt.equal(json(await sov('query', 'status', '--rpc', rpc)).addressPrefix, m.address_prefix);
  const cur = json(await sov('query', 'record', 'currency', '--currency', m.currency.code, '--rpc', rpc, '--prove'));
  tt.ok(cur.proof && cur.value, 'a record with its proof');
});

t.test('a governance action named in JSON executes', async (tt) => {
  const args = JSON.stringify({ action: { set_param: { name: 'cost_event', value: 11 } }, reason: 'cli test' });
  const sent = json(await sov('tx', 'gov', 'propose', '--args', args, ...keyArgs(centralBank.name), '--wait'));
  tt.equal(sent.status, 'committed', JSON.stringify(sent));
  const p = json(await sov('query', 'record', 'param', '--name', 'cost_event', '--rpc', rpc));
  tt.equal(Number(p.value.value ?? p.value), 11, 'the council (threshold 1) executed the action');
});

t.test('offline signing prints a transaction that decodes', async (tt) => {
  const [from, to] = customers;
  const args = JSON.stringify({ currency: m.currency.code, to: to!.address, amount: '1', memo: '', reference: '' });
  const r = json(await sov('tx', 'money', 'transfer', '--args', args, '--key', from!.keystore, '--password-file', m.accounts_password_file,
    '--offline', '--chain-id', m.chain_id, '--prefix', m.address_prefix, '--nonce', '7', '--expiry', '1000'));
  const tx = Tx.decode(fromHex(r.tx));
  tt.equal(tx.data.nonce, 7);
  tt.same(tx.data.signer, decodeAddress(from!.address, m.address_prefix));
  tt.equal(tx.data.body.method, 'transfer');
});

t.test('bad args are refused before anything is signed or sent', async (tt) => {
  const [from, to] = customers;
  const bad = [
    { currency: m.currency.code, to: to!.address, amount: '-1', memo: '', reference: '' },
    { currency: m.currency.code, to: 'sov1notanaddress', amount: '1', memo: '', reference: '' },
    { currency: m.currency.code, to: to!.address, amount: '1', memo: '', reference: '', extra: 1 },
    { currency: m.currency.code, to: to!.address, memo: '', reference: '' },
  ];
  for (const b of bad) {
    const r = await sov('tx', 'money', 'transfer', '--args', JSON.stringify(b), ...keyArgs(from!.name));
    tt.equal(r.code, 2, JSON.stringify(b));
    tt.match(r.err, /ARGS_INVALID: args/);
    tt.notMatch(r.err, /\n\s+at /, 'no stack trace');
  }
  tt.equal((await sov('tx', 'money', 'transfer', '--args', '{', ...keyArgs(from!.name))).code, 2, 'not JSON');
  const nonce = json(await sov('query', 'account', from!.address, '--rpc', rpc)).nonce;
  tt.equal(nonce, 2, 'nothing was submitted (the two earlier transfers, one failed, took 0 and 1)');
});
