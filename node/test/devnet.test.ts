/**
 * Four validator processes from `sov testnet` on 127.0.0.1: they commit blocks with
 * transactions, every node has the same block hash and state root at every height, each
 * transaction is committed exactly once wherever it was sent; forged transactions (unknown
 * signer, a key the account does not hold, below its threshold, expiry past the window) are
 * refused at submission and never relayed; a killed validator is not
 * missed and, restarted, catches up and votes again; with two of four killed nothing is
 * committed, and the chain resumes when one returns.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { Devnet } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';
import { addressFromPublicKey, decodeAddress, encode, encodeAddress, generateKeyPair, merkleRoot, signTx, to0x, type KeyPair, type Tx } from '../../core/index.js';
import { account as accountModule, money } from '../../vm/index.js';

const net = Devnet.create({ validators: 4, blockIntervalMs: 200 });
t.teardown(() => net.stop());

interface BlockRes { hash: string; header: { stateRoot: string; height: number }; commit: { signatures: { validator: string }[] } }
const block = async (i: number, h: number) => (await net.rpc(i, 'sov_getBlock', [h])) as BlockRes;
const account = async (i: number, addr: string) => (await net.rpc(i, 'sov_getAccount', [addr])) as { nonce: number; balances: Record<string, string> };
const minHeight = async (idx: number[]) => Math.min(...(await Promise.all(idx.map((i) => net.height(i)))));

t.test('four validators commit, agree at every height, and commit each transaction exactly once', async (tt) => {
  net.startAll();
  for (let i = 0; i < 4; i++) await net.waitHeight(i, 3);
  // The probes: every node live and, peered and synced, ready; the stock process metrics under their own names.
  for (let i = 0; i < 4; i++) {
    const base = net.manifest.nodes[i]!.rpc_url.replace(/\/?$/, '/');
    tt.equal((await fetch(`${base}health`)).status, 200, `node ${i}: /health`);
    await waitFor(async () => (await fetch(`${base}ready`)).status === 200, `node ${i}: /ready`, 30_000, 100);
  }
  const metrics = await (await fetch((net.manifest.nodes[0] as unknown as { metrics_url: string }).metrics_url)).text();
  tt.match(metrics, /^process_cpu_user_seconds_total[{ ]/m, 'stock process metrics');
  tt.notMatch(metrics, /sov_process_/, 'no doubled prefix');
  const accts = net.accountKeys().filter((a) => a.name.startsWith('customer'));
  tt.ok(accts.length >= 4, 'funded customer accounts');
  const payee = accts[0]!.address;
  const cur = net.manifest.currency.code;
  const before = BigInt((await account(0, payee)).balances[cur] ?? '0');
  const senders = accts.slice(1, 4);
  const h0 = await net.height(0);
  let sent = 0;
  for (const [s, a] of senders.entries()) {
    for (let nonce = 0; nonce < 5; nonce++) {
      const tx = net.transfer(a.keys, nonce, payee, 100n + BigInt(nonce), h0 + 500, `tx ${s}/${nonce}`);
      const hex = to0x(tx.bytes);
      await net.rpc((s + nonce) % 4, 'sov_sendTransaction', [hex]);
      // The same transaction again, to another node: still committed once.
      await net.rpc((s + nonce + 1) % 4, 'sov_sendTransaction', [hex]).catch(() => undefined);
      sent++;
    }
  }
  for (const a of senders) {
    await waitFor(async () => (await account(0, a.address)).nonce === 5, `${a.name}'s five transfers committed`, 60_000, 100);
  }
  const after = BigInt((await account(0, payee)).balances[cur] ?? '0');
  tt.equal(after - before, BigInt(senders.length) * (100n + 101n + 102n + 103n + 104n), `${sent} transfers credited exactly once`);
  const top = await minHeight([0, 1, 2, 3]);
  for (let h = 1; h <= top; h++) {
    const bs = await Promise.all([0, 1, 2, 3].map((i) => block(i, h)));
    if (bs.some((b) => b.hash !== bs[0]!.hash || b.header.stateRoot !== bs[0]!.header.stateRoot || b.header.height !== h)) {
      tt.fail(`nodes disagree at height ${h}`);
      return;
    }
  }
  tt.pass(`all four nodes agree on blocks and state roots at heights 1..${top}`);
  // The newest block is answered from the node's memory: the same as every node's answer later.
  const st = (await net.rpc(0, 'sov_status')) as { height: number; blockHash: string; stateRoot: string };
  const head = await block(0, st.height);
  tt.equal(head.header.height, st.height, 'sov_status and sov_getBlock of the head agree on the height');
  tt.equal(head.hash, st.blockHash, 'and on the block hash');
  await waitFor(async () => (await minHeight([0, 1, 2, 3])) >= st.height, `every node at height ${st.height}`, 60_000, 100);
  for (let i = 1; i < 4; i++) tt.equal((await block(i, st.height)).hash, st.blockHash, `node ${i} has the same block at ${st.height}`);
  for (let i = 1; i < 4; i++) {
    const a = await account(i, payee);
    tt.equal(a.balances[cur], after.toString(), `node ${i} reports the same balance`);
  }
});

t.test("forged transactions are refused at submission with their own codes and never relayed; the account's own goes through right after each", async (tt) => {
  const accts = net.accountKeys().filter((a) => a.name.startsWith('customer'));
  const [payee, victim, multi] = [accts[0]!, accts[1]!, accts[2]!];
  const cur = net.manifest.currency.code;
  const nonceOf = async (a: { address: string }) => (await account(0, a.address)).nonce;
  const send = (i: number, tx: Tx, wait = false) => net.rpc(i, 'sov_sendTransaction', [to0x(tx.bytes), wait], 30_000) as Promise<{ status: string; hash: string }>;
  const refusal = async (tx: Tx): Promise<string> => {
    try {
      await send(0, tx);
      return 'accepted';
    } catch (e) {
      const err = (e as { rpcError?: { code: number; data?: { code?: string } } }).rpcError;
      return err?.code === -32002 ? String(err.data?.code) : `rpc error ${err?.code}`;
    }
  };
  const signed = (keys: KeyPair[], signer: string, nonce: number, expiry: number, module: string, method: string, args: Uint8Array): Tx =>
    signTx({ chainId: net.manifest.chain_id, signer: decodeAddress(signer, net.manifest.address_prefix), nonce, expiry, body: { module, method, args } }, keys.map((k) => k.secretKey));
  const pay = (keys: KeyPair[], from: string, nonce: number, expiry: number, memo: string): Tx =>
    signed(keys, from, nonce, expiry, 'money', 'transfer', encode(money.TransferArgs, { currency: cur, to: decodeAddress(payee.address, net.manifest.address_prefix), amount: 1n, memo, reference: '' }));

  // A 2-of-2 account: `multi` rotates to two keys, and needs both from now on.
  const second = generateKeyPair();
  let h = await net.height(0);
  const rotate = signed([multi.keys], multi.address, await nonceOf(multi), h + 100, 'account', 'rotate_keys', encode(accountModule.RotateArgs, { keys: [multi.keys.publicKey, second.publicKey], threshold: 2 }));
  tt.match(await send(0, rotate, true), { status: 'committed' }, 'multi is now 2-of-2');

  const stranger = generateKeyPair();
  h = await net.height(0);
  const cases: { code: string; forge: () => Promise<Tx>; own: () => Promise<Tx>; forged?: Tx }[] = [
    { code: 'TX_UNKNOWN_SIGNER', forge: async () => pay([stranger], encodeAddress(net.manifest.address_prefix, addressFromPublicKey(stranger.publicKey)), 0, h + 100, 'unknown'), own: async () => pay([victim.keys], victim.address, await nonceOf(victim), h + 100, 'own 1') },
    { code: 'TX_KEY_NOT_AUTHORIZED', forge: async () => pay([stranger], victim.address, await nonceOf(victim), h + 100, 'forged'), own: async () => pay([victim.keys], victim.address, await nonceOf(victim), h + 100, 'own 2') },
    { code: 'TX_THRESHOLD_NOT_MET', forge: async () => pay([multi.keys], multi.address, await nonceOf(multi), h + 100, 'one of two'), own: async () => pay([multi.keys, second], multi.address, await nonceOf(multi), h + 100, 'two of two') },
    { code: 'TX_EXPIRY_TOO_FAR', forge: async () => pay([victim.keys], victim.address, await nonceOf(victim), Number.MAX_SAFE_INTEGER, 'forever'), own: async () => pay([victim.keys], victim.address, await nonceOf(victim), h + 100, 'own 3') },
  ];
  for (const c of cases) {
    c.forged = await c.forge();
    tt.equal(await refusal(c.forged), c.code, `${c.code}: refused at submission`);
    const own = await c.own();
    tt.match(await send(0, own, true), { status: 'committed' }, `${c.code}: the account's own transaction right after is committed`);
  }
  // Never relayed: no other node saw any of them (a node that had would count its refusal, or hold it), none committed.
  const rejectedCodes = async (i: number): Promise<string> => {
    const text = await (await fetch((net.manifest.nodes[i] as unknown as { metrics_url: string }).metrics_url)).text();
    return text.split('\n').filter((l) => l.startsWith('sov_mempool_rejected_total{')).join('\n');
  };
  const seen0 = await rejectedCodes(0);
  for (const c of cases) tt.match(seen0, new RegExp(`code="${c.code}"[^\n]* 1$`, 'm'), `node 0 counted its refusal of ${c.code}`);
  for (let i = 1; i < 4; i++) {
    const seen = await rejectedCodes(i);
    tt.notOk(cases.some((c) => seen.includes(`code="${c.code}"`)), `node ${i} never received one (${seen || 'no refusals'})`);
    for (const c of cases) tt.equal(await net.rpc(i, 'sov_getTransaction', [to0x(c.forged!.hash)]).then(() => 'found', () => 'not found'), 'not found');
  }
});

t.test('a killed validator is not missed; restarted, it catches up and votes again', async (tt) => {
  await net.kill(3);
  const at = await minHeight([0, 1, 2]);
  for (const i of [0, 1, 2]) await net.waitHeight(i, at + 5, 60_000);
  tt.pass('three of four keep committing');
  net.start(3);
  const target = await minHeight([0, 1, 2]);
  await net.waitHeight(3, target, 120_000);
  tt.pass('the restarted validator caught up');
  const me = to0x(decodeAddress((net.manifest.nodes[3] as unknown as { validator_address: string }).validator_address, net.manifest.address_prefix));
  await waitFor(async () => {
    const h = await net.height(0);
    const b = await block(0, h);
    return b.commit.signatures.some((s) => s.validator === me);
  }, 'the restarted validator signing commits again', 60_000, 200);
  tt.pass('it votes again');
  // The others logged the link going and coming back, naming the peer.
  const peer3 = (net.manifest.nodes[3] as unknown as { peer_id: string }).peer_id;
  const logged = readFileSync(net.logPath(0), 'utf8').split('\n').filter((l) => l.includes(peer3));
  tt.ok(logged.some((l) => l.includes('"msg":"peer disconnected"')), 'node 0 logged the peer disconnecting');
  tt.ok(logged.some((l) => l.includes('"msg":"peer connected"')), 'node 0 logged the peer connecting');
  // A validator that signed two votes for one step would be caught by its peers, and the
  // evidence would be in a block: no block carries any.
  const empty = to0x(merkleRoot([]));
  const top = await net.height(0);
  for (let h = 1; h <= top; h++) {
    const b = (await net.rpc(0, 'sov_getBlock', [h])) as { header: { evidenceHash: string } };
    if (b.header.evidenceHash !== empty) {
      tt.fail(`block ${h} carries double-sign evidence`);
      return;
    }
  }
  tt.pass(`no double-sign evidence in blocks 1..${top}`);
});

t.test('with two of four down nothing is committed; the chain resumes when one returns', async (tt) => {
  await net.kill(2);
  await net.kill(3);
  const stuck = Math.max(await net.height(0), await net.height(1));
  // Watch for a while: a block already decided may still land (+1), nothing beyond.
  const deadline = Date.now() + 6000;
  while (Date.now() < deadline) {
    const h = Math.max(await net.height(0), await net.height(1));
    if (h > stuck + 1) {
      tt.fail(`height moved from ${stuck} to ${h} with half the power down`);
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  tt.pass('no progress without a quorum');
  net.start(2);
  await net.waitHeight(0, stuck + 4, 120_000);
  await net.waitHeight(2, stuck + 4, 120_000);
  tt.pass('resumed with three of four');
});
