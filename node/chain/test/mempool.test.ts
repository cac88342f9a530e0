/**
 * Mempool admission runs the vm's own authentication: the vm's table of rejections (every
 * TX_* code it gives at execution) is given at admission too, with the same code. Also the
 * caps, reaping with contiguous nonces, the re-authentication after a commit (expired,
 * stale, keys rotated, account closed, a parameter lowered) and eviction of what a proposer's
 * execution rejected, and the nonce-holding rule: only a fully authenticated transaction
 * holds a nonce.
 */
import t from 'tap';
import { Mempool, type AddStatus } from '../mempool.js';
import { VerifyPool } from '../verify-pool.js';
import { addressFromPublicKey, encode, generateKeyPair, signTx, toHex, Tx, type KeyPair } from '../../../core/index.js';
import {
  AccountSchema, AccountStatus, ChainMetaSchema, executeBlock, Keys, MemoryState, ParamValueSchema, VmCodes, type Account, type Write,
} from '../../../vm/index.js';

const CHAIN = 'test-chain';
const TTL = 1000;
const pool = new VerifyPool(1);
t.teardown(() => pool.close());

const addr = (kp: KeyPair): Uint8Array => addressFromPublicKey(kp.publicKey);

/** Committed state with accounts, read as promises or (`atOnce`) as plain values, as the node's head cache answers. */
function setup(limits = {}, atOnce = false) {
  const state = new MemoryState();
  let height = 10;
  const put = (writes: Write[]): void => state.apply(writes);
  put([
    { key: Keys.chain(), value: encode(ChainMetaSchema, { chainId: CHAIN, addressPrefix: 'sovt', genesisTime: 0 }) },
    { key: Keys.param('max_tx_ttl_blocks'), value: encode(ParamValueSchema, { value: TTL }) },
  ]);
  const reads: string[] = [];
  const reader = {
    get: (k: Uint8Array) => {
      reads.push(toHex(k));
      const v = state.get(k);
      return atOnce ? v : Promise.resolve(v);
    },
  };
  const mp = new Mempool({ chainId: CHAIN, pool, reader: () => reader, height: () => height }, { nonceWindow: 50, ...limits });
  /** Open (or rewrite) an account; returns the account-record write. */
  const open = (keys: KeyPair[], over: Partial<Account> = {}): Write => {
    const w = {
      key: Keys.account(addr(keys[0]!)),
      value: encode(AccountSchema, { keys: keys.map((k) => k.publicKey), threshold: 1, nonce: 0, kind: 2, status: AccountStatus.ACTIVE, tier: 1, bank: null, linkedRef: null, category: '', ...over }),
    };
    put([w]);
    return w;
  };
  return { mp, state, reads, open, put, height: () => height, setHeight: (h: number) => (height = h) };
}

const tx = (kp: KeyPair | KeyPair[], nonce: number, over: { chainId?: string; expiry?: number; memo?: number; signer?: Uint8Array } = {}): Tx => {
  const keys = Array.isArray(kp) ? kp : [kp];
  return signTx({
    chainId: over.chainId ?? CHAIN, signer: over.signer ?? addr(keys[0]!), nonce, expiry: over.expiry ?? 100,
    body: { module: 'bank', method: 'transfer', args: new Uint8Array([over.memo ?? 0]) },
  }, keys.map((k) => k.secretKey));
};
const codes = (res: AddStatus[]): string[] => res.map((r) => (r.status === 'rejected' ? r.code : r.status));

t.test("the vm's authentication table: every rejection the vm gives in a block, admission gives with the same code", async (tt) => {
  const s = setup();
  const a = generateKeyPair();
  const [m1, m2, m3] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const closed = generateKeyPair();
  const stranger = generateKeyPair();
  s.open([a], { nonce: 3 });
  s.open([m1, m2, m3], { threshold: 2 });
  s.open([closed], { status: AccountStatus.CLOSED });
  const h = s.height() + 1; // the height of the next block
  const forged = Uint8Array.from(tx(a, 3, { memo: 7 }).bytes);
  forged[forged.length - 2]! ^= 1;
  const twice = Tx.fromData({ ...tx(a, 3, { memo: 8 }).data, signatures: [tx(a, 3, { memo: 8 }).data.signatures[0]!, tx(a, 3, { memo: 8 }).data.signatures[0]!] });
  /** Each rejection code of vm/auth.ts (and the engine's), with a transaction that provokes it. */
  const table: Record<string, Uint8Array | null> = {
    TX_WRONG_CHAIN: tx(a, 3, { chainId: 'other-chain' }).bytes,
    TX_BAD_SIGNATURE: forged,
    TX_NONCE_REPLAYED: tx(a, 2).bytes,
    // In a block any nonce ahead is a gap; the mempool queues up to its window, and refuses past it with the vm's code.
    TX_NONCE_GAP: tx(a, 3 + 50).bytes,
    TX_EXPIRED: tx(a, 3, { expiry: h - 1 }).bytes,
    TX_EXPIRY_TOO_FAR: tx(a, 3, { expiry: h + TTL + 1 }).bytes,
    TX_UNKNOWN_SIGNER: tx(stranger, 0).bytes,
    TX_SIGNER_CLOSED: tx(closed, 0).bytes,
    TX_KEY_NOT_AUTHORIZED: tx(stranger, 3, { signer: addr(a) }).bytes,
    TX_THRESHOLD_NOT_MET: tx(m1, 0).bytes,
    TX_MALFORMED: new Uint8Array([0x93, 1, 2, 3]),
    // Not properties of a transaction on its own: a repeat inside one block (admission
    // answers a repeat "duplicate"), and a block that is already full.
    TX_DUPLICATE: null,
    TX_BLOCK_FULL: null,
  };
  const rejections = Object.keys(VmCodes).filter((c) => VmCodes[c as keyof typeof VmCodes] > 0 && VmCodes[c as keyof typeof VmCodes] < 100);
  tt.same(Object.keys(table).sort(), rejections.sort(), 'the table covers every rejection code of the vm');
  for (const [code, bytes] of Object.entries(table)) {
    if (bytes === null) continue;
    const inBlock = await executeBlock(s.state, { chainId: CHAIN, height: h, time: 1, proposer: new Uint8Array(20) }, [bytes]);
    tt.equal(inBlock.rejected[0]?.code ?? 'included', code, `${code}: the vm rejects it in a block`);
    const [res] = await s.mp.add([bytes]);
    tt.equal(res!.status === 'rejected' && res!.code, code, `${code}: admission refuses it with the same code`);
  }
  tt.same(codes(await s.mp.add([twice.bytes])), ['TX_BAD_SIGNATURE'], 'a key that signs twice');
  tt.equal(s.mp.size, 0, 'nothing the vm would reject is held');
  // And what the vm would include is admitted: the account's own, at its next nonce, with enough keys.
  tt.same(codes(await s.mp.add([tx(a, 3).bytes, tx([m1, m3], 0, { signer: addr(m1) }).bytes, tx(a, 4).bytes])), ['added', 'added', 'added']);
});

t.test('a forged transaction cannot hold the nonce of the account it names', async (tt) => {
  const s = setup();
  const b = generateKeyPair();
  const mallory = generateKeyPair();
  s.open([b]);
  s.open([mallory]);
  const forged = [
    tx(mallory, 0, { signer: addr(b) }), // another account's key
    tx(generateKeyPair(), 0, { signer: addr(b) }), // a key no account holds
    tx(b, 0, { expiry: Number.MAX_SAFE_INTEGER }), // b's own key, expiry far past the window
  ];
  tt.same(codes(await s.mp.add(forged.map((f) => f.bytes))), ['TX_KEY_NOT_AUTHORIZED', 'TX_KEY_NOT_AUTHORIZED', 'TX_EXPIRY_TOO_FAR']);
  tt.same(codes(await s.mp.add([tx(b, 0).bytes])), ['added'], "b's own transaction right after is admitted");
  tt.same(codes(await s.mp.add([tx(b, 0, { memo: 3 }).bytes])), ['MEMPOOL_NONCE_TAKEN'], 'a second of b\'s own for the same nonce waits for the first to leave');
});

for (const atOnce of [false, true]) {
  const how = atOnce ? ' (state read at once)' : '';
  t.test(`admission: each refusal has its code${how}`, async (tt) => {
    const s = setup({}, atOnce);
    const a = generateKeyPair();
    s.open([a], { nonce: 5 });
    const good = tx(a, 5);
    const badSig = Uint8Array.from(tx(a, 6).bytes);
    badSig[badSig.length - 2]! ^= 1;
    const res = await s.mp.add([good.bytes, good.bytes, tx(a, 4).bytes, tx(a, 60).bytes, tx(a, 7, { chainId: 'other' }).bytes, tx(a, 8, { expiry: 10 }).bytes, badSig, new Uint8Array([1, 2, 3]), tx(a, 5, { memo: 1 }).bytes]);
    tt.same(codes(res), ['added', 'duplicate', 'TX_NONCE_REPLAYED', 'TX_NONCE_GAP', 'TX_WRONG_CHAIN', 'TX_EXPIRED', 'TX_BAD_SIGNATURE', 'TX_MALFORMED', 'MEMPOOL_NONCE_TAKEN']);
    tt.equal(s.mp.size, 1);
    tt.ok(s.mp.wasVerified(toHex(good.hash)));
    tt.same((await s.mp.add([good.bytes]))[0]!.status, 'duplicate', 'a later duplicate too');
  });

  t.test(`caps: total and per signer${how}`, async (tt) => {
    const s = setup({ maxTxs: 5, maxPerAccount: 3 }, atOnce);
    const a = generateKeyPair();
    const b = generateKeyPair();
    s.open([a]);
    s.open([b]);
    tt.same(codes(await s.mp.add([0, 1, 2, 3].map((n) => tx(a, n).bytes))), ['added', 'added', 'added', 'MEMPOOL_ACCOUNT_FULL']);
    tt.same(codes(await s.mp.add([0, 1, 2].map((n) => tx(b, n).bytes))), ['added', 'added', 'MEMPOOL_FULL']);
    tt.equal(s.mp.size, 5);
  });

  t.test(`reap: contiguous nonces per signer, in arrival order, within limits${how}`, async (tt) => {
    const s = setup({}, atOnce);
    const a = generateKeyPair();
    const b = generateKeyPair();
    s.open([a]);
    s.open([b]);
    await s.mp.add([tx(a, 0).bytes, tx(a, 1).bytes, tx(a, 3).bytes, tx(b, 1).bytes, tx(b, 0).bytes]);
    const got = await s.mp.reap(100, 1 << 20);
    const sa = toHex(addr(a));
    tt.same(got.map((x) => `${toHex(x.signer) === sa ? 'a' : 'b'}${x.nonce}`), ['a0', 'a1', 'b0', 'b1'], 'a3 waits for a2');
    tt.equal((await s.mp.reap(3, 1 << 20)).length, 3, 'count limit');
    tt.equal((await s.mp.reap(100, got[0]!.bytes.length * 2)).length, 2, 'byte limit');
  });

  t.test(`after a commit: included ones leave, stale and expired ones too, replays refused${how}`, async (tt) => {
    const s = setup({}, atOnce);
    const a = generateKeyPair();
    s.open([a]);
    const t0 = tx(a, 0);
    const t1 = tx(a, 1);
    const t2 = tx(a, 2, { expiry: 12 });
    const t3 = tx(a, 3);
    await s.mp.add([t0.bytes, t1.bytes, t2.bytes, t3.bytes]);
    const w = s.open([a], { nonce: 2 }); // t0 and another nonce-1 transaction committed
    s.setHeight(12); // t2 expired
    const dropped = await s.mp.update([t0], [w]);
    tt.equal(dropped, 2, 't1 (stale nonce) and t2 (expired)');
    tt.same([...(await s.mp.reap(10, 1 << 20))].map((x) => x.nonce), [], 't3 waits: nonce 2 is gone');
    tt.equal(s.mp.size, 1);
    tt.same(codes(await s.mp.add([t0.bytes])), ['MEMPOOL_ALREADY_COMMITTED']);
  });
}

t.test('after a commit: keys rotated, account closed, a parameter lowered: what the vm would now refuse leaves', async (tt) => {
  const s = setup();
  const [a, b, c, d] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()];
  for (const k of [a, b, c, d]) s.open([k]);
  const far = tx(d, 0, { expiry: 900 });
  await s.mp.add([tx(a, 0).bytes, tx(a, 1).bytes, tx(b, 0).bytes, tx(c, 0).bytes, far.bytes, tx(d, 1, { expiry: 50 }).bytes]);
  tt.equal(s.mp.size, 6);
  // A block (not including any of them) rotates a's keys and closes b's account; c is untouched.
  const rotated = s.open([a], { keys: [generateKeyPair().publicKey] });
  const closedB = s.open([b], { status: AccountStatus.CLOSED });
  tt.equal(await s.mp.update([], [rotated, closedB]), 3, "a's two (key no longer the account's) and b's (closed)");
  tt.equal(s.mp.size, 3);
  // Governance lowers max_tx_ttl_blocks: every signer is re-checked, d's far expiry leaves.
  const ttl = { key: Keys.param('max_tx_ttl_blocks'), value: encode(ParamValueSchema, { value: 100 }) };
  s.put([ttl]);
  tt.equal(await s.mp.update([], [ttl]), 1, 'the one whose expiry is now too far');
  tt.notOk(s.mp.has(far.hashHex));
  tt.equal(s.mp.size, 2);
});

t.test("evict: what a proposer's execution rejected leaves at once, its nonce free again", async (tt) => {
  const s = setup();
  const a = generateKeyPair();
  s.open([a]);
  const t0 = tx(a, 0);
  await s.mp.add([t0.bytes]);
  tt.equal(s.mp.evict([t0.hashHex, 'ff'.repeat(32)]), 1);
  tt.equal(s.mp.size, 0);
  tt.same(codes(await s.mp.add([tx(a, 0, { memo: 2 }).bytes])), ['added'], 'another transaction for that nonce is admitted');
});

t.test('a block committed while signatures are checked: what it included is refused, the state is read again', async (tt) => {
  const s = setup();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slowPool = { check: async (chainId: string, txs: Uint8Array[]) => { await gate; return pool.check(chainId, txs); } } as unknown as VerifyPool;
  const mp = new Mempool({ chainId: CHAIN, pool: slowPool, reader: () => s.state, height: s.height }, { nonceWindow: 50 });
  const a = generateKeyPair();
  s.open([a]);
  const t0 = tx(a, 0);
  const t1 = tx(a, 1);
  const adding = mp.add([t0.bytes, t1.bytes]);
  await new Promise((r) => setImmediate(r));
  // Meanwhile a block from another node carries t0 and a different nonce-1 transaction.
  const w = s.open([a], { nonce: 2 });
  await mp.update([t0, tx(a, 1, { memo: 9 })], [w]);
  release();
  tt.same(codes(await adding), ['MEMPOOL_ALREADY_COMMITTED', 'TX_NONCE_REPLAYED']);
  tt.equal(mp.size, 0);
});

t.test('a repeat is recognised by its hash before any decoding', async (tt) => {
  const s = setup();
  const a = generateKeyPair();
  s.open([a]);
  const t0 = tx(a, 0);
  tt.equal((await s.mp.add([t0.bytes]))[0]!.status, 'added');
  const n = s.reads.length;
  tt.equal((await s.mp.add([t0.bytes]))[0]!.status, 'duplicate');
  tt.equal(s.reads.length, n, 'no state read for a repeat');
  const res = await s.mp.add([new Uint8Array([0xc1])]);
  tt.equal(res[0]!.status === 'rejected' && res[0]!.hash !== null && res[0]!.code, 'TX_MALFORMED', 'undecodable bytes: TX_MALFORMED, with the hash of the bytes');
});

t.test('accounts: read once per signer between commits, again after one', async (tt) => {
  const s = setup();
  const a = generateKeyPair();
  const b = generateKeyPair();
  s.open([a]);
  s.open([b]);
  const accountReads = (k: KeyPair) => s.reads.filter((r) => r === toHex(Keys.account(addr(k)))).length;
  await s.mp.add([tx(a, 0).bytes, tx(b, 0).bytes]);
  await s.mp.add([tx(a, 1).bytes, tx(b, 1).bytes, tx(a, 2).bytes]);
  tt.equal(accountReads(a) + accountReads(b), 2, 'two signers, two reads over two batches');
  const w = s.open([a], { nonce: 3 });
  await s.mp.update([tx(a, 0), tx(a, 1), tx(a, 2)], [w]);
  const before = accountReads(a);
  tt.same(codes(await s.mp.add([tx(a, 2, { memo: 5 }).bytes, tx(a, 3).bytes])), ['TX_NONCE_REPLAYED', 'added']);
  tt.ok(accountReads(a) > before, 'read again after the commit');
});

t.test('pending: the transactions held, in admission order, up to a byte budget (what a new peer is offered)', async (tt) => {
  const s = setup();
  const a = generateKeyPair();
  const b = generateKeyPair();
  s.open([a]);
  s.open([b]);
  const txs = [tx(a, 0), tx(b, 0), tx(a, 1)];
  tt.same(codes(await s.mp.add(txs.map((x) => x.bytes))), ['added', 'added', 'added']);
  tt.same(s.mp.pending(1 << 20).map((x) => toHex(x)), txs.map((x) => toHex(x.bytes)), 'all three, in admission order');
  tt.equal(s.mp.pending(txs[0]!.bytes.length + txs[1]!.bytes.length).length, 2, 'cut at the budget');
  tt.same(s.mp.pending(0), [], 'nothing within no budget');
});

t.test('a held transaction is kept as its bytes: bytesOf gives them, reap decodes them again to the same transaction', async (tt) => {
  const s = setup();
  const a = generateKeyPair();
  s.open([a]);
  const txs = [tx(a, 0, { memo: 1 }), tx(a, 1, { memo: 2 })];
  tt.same(codes(await s.mp.add(txs.map((x) => x.bytes))), ['added', 'added']);
  tt.same(s.mp.bytesOf(txs[1]!.hashHex), txs[1]!.bytes, 'bytesOf: the bytes admitted');
  tt.equal(s.mp.bytesOf(toHex(new Uint8Array(32))), undefined, 'bytesOf: undefined for a hash not held');
  const reaped = await s.mp.reap(10, 1 << 20);
  tt.same(reaped.map((x) => x.hashHex), txs.map((x) => x.hashHex), 'reap: the same hashes');
  tt.same(reaped.map((x) => x.data), txs.map((x) => x.data), 'and the same decoded content');
  tt.ok(reaped.every((x, i) => toHex(x.hash) === toHex(txs[i]!.hash) && toHex(x.signBytes()) === toHex(txs[i]!.signBytes())), 'hash and signed bytes as admitted');
  await s.mp.update([reaped[0]!], [s.open([a], { nonce: 1 })]);
  tt.equal(s.mp.bytesOf(txs[0]!.hashHex), undefined, 'committed: no longer held');
  tt.same((await s.mp.reap(10, 1 << 20)).map((x) => x.nonce), [1], 'the rest still reaped');
});
