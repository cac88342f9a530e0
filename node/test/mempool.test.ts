/**
 * Mempool admission (each refusal with its code), caps, reaping with contiguous nonces, and
 * the re-check after a commit.
 */
import t from 'tap';
import { Mempool } from '../mempool.js';
import { VerifyPool } from '../verify-pool.js';
import { addressFromPublicKey, generateKeyPair, signTx, toHex, type KeyPair, type Tx } from '../../core/index.js';

const CHAIN = 'test-chain';
const pool = new VerifyPool(1);
t.teardown(() => pool.close());

/** A mempool over a map of next nonces, read as a promise or (`atOnce`) as a plain number, as the node's head cache answers. */
function setup(limits = {}, atOnce = false) {
  const nonces = new Map<string, number>();
  let height = 10;
  const read = (s: Uint8Array): number => nonces.get(toHex(s)) ?? 0;
  const mp = new Mempool(
    { chainId: CHAIN, pool, nextNonce: atOnce ? read : async (s) => read(s), height: () => height },
    { nonceWindow: 50, ...limits },
  );
  return { mp, nonces, setHeight: (h: number) => (height = h) };
}
const tx = (kp: KeyPair, nonce: number, over: { chainId?: string; expiry?: number; memo?: number } = {}): Tx =>
  signTx({ chainId: over.chainId ?? CHAIN, signer: addressFromPublicKey(kp.publicKey), nonce, expiry: over.expiry ?? 100, body: { module: 'bank', method: 'transfer', args: new Uint8Array([over.memo ?? 0]) } }, [kp.secretKey]);

for (const atOnce of [false, true]) {
  const how = atOnce ? ' (nonces read at once)' : '';
  t.test(`admission: each refusal has its code${how}`, async (tt) => {
    const { mp, nonces } = setup({}, atOnce);
    const a = generateKeyPair();
    nonces.set(toHex(addressFromPublicKey(a.publicKey)), 5);
    const good = tx(a, 5);
    const badSig = Uint8Array.from(tx(a, 6).bytes);
    badSig[badSig.length - 2]! ^= 1;
    const res = await mp.add([good.bytes, good.bytes, tx(a, 4).bytes, tx(a, 60).bytes, tx(a, 7, { chainId: 'other' }).bytes, tx(a, 8, { expiry: 10 }).bytes, badSig, new Uint8Array([1, 2, 3]), tx(a, 5, { memo: 1 }).bytes]);
    tt.same(res.map((r) => (r.status === 'rejected' ? r.code : r.status)), [
      'added', 'duplicate', 'MEMPOOL_NONCE_TOO_LOW', 'MEMPOOL_NONCE_TOO_HIGH', 'TX_WRONG_CHAIN', 'MEMPOOL_TX_EXPIRED', 'TX_BAD_SIGNATURE', 'CODEC_TRAILING_BYTES', 'MEMPOOL_NONCE_TAKEN',
    ]);
    tt.equal(mp.size, 1);
    tt.ok(mp.wasVerified(toHex(good.hash)));
    tt.same((await mp.add([good.bytes]))[0]!.status, 'duplicate', 'a later duplicate too');
  });

  t.test(`caps: total and per signer${how}`, async (tt) => {
    const { mp } = setup({ maxTxs: 5, maxPerAccount: 3 }, atOnce);
    const a = generateKeyPair();
    const b = generateKeyPair();
    const res = await mp.add([0, 1, 2, 3].map((n) => tx(a, n).bytes));
    tt.same(res.map((r) => (r.status === 'rejected' ? r.code : r.status)), ['added', 'added', 'added', 'MEMPOOL_ACCOUNT_FULL']);
    const res2 = await mp.add([0, 1, 2].map((n) => tx(b, n).bytes));
    tt.same(res2.map((r) => (r.status === 'rejected' ? r.code : r.status)), ['added', 'added', 'MEMPOOL_FULL']);
    tt.equal(mp.size, 5);
  });

  t.test(`reap: contiguous nonces per signer, in arrival order, within limits${how}`, async (tt) => {
    const { mp } = setup({}, atOnce);
    const a = generateKeyPair();
    const b = generateKeyPair();
    await mp.add([tx(a, 0).bytes, tx(a, 1).bytes, tx(a, 3).bytes, tx(b, 1).bytes, tx(b, 0).bytes]);
    const got = await mp.reap(100, 1 << 20);
    const sa = toHex(addressFromPublicKey(a.publicKey));
    tt.same(got.map((x) => `${toHex(x.signer) === sa ? 'a' : 'b'}${x.nonce}`), ['a0', 'a1', 'b0', 'b1'], 'a3 waits for a2');
    tt.equal((await mp.reap(3, 1 << 20)).length, 3, 'count limit');
    tt.equal((await mp.reap(100, got[0]!.bytes.length * 2)).length, 2, 'byte limit');
  });

  t.test(`after a commit: included ones leave, stale and expired ones too, replays refused${how}`, async (tt) => {
    const { mp, nonces, setHeight } = setup({}, atOnce);
    const a = generateKeyPair();
    const sa = toHex(addressFromPublicKey(a.publicKey));
    const t0 = tx(a, 0);
    const t1 = tx(a, 1);
    const t2 = tx(a, 2, { expiry: 12 });
    const t3 = tx(a, 3);
    await mp.add([t0.bytes, t1.bytes, t2.bytes, t3.bytes]);
    nonces.set(sa, 2); // t0 and t1 committed
    setHeight(12); // t2 expired
    const dropped = await mp.update([t0]);
    tt.equal(dropped, 2, 't1 (stale nonce) and t2 (expired)');
    tt.same([...(await mp.reap(10, 1 << 20))].map((x) => x.nonce), [], 't3 waits: nonce 2 is gone');
    tt.equal(mp.size, 1);
    const again = await mp.add([t0.bytes]);
    tt.equal(again[0]!.status === 'rejected' && again[0]!.code, 'MEMPOOL_ALREADY_COMMITTED');
  });
}

t.test('a block committed while signatures are checked: what it included is refused, nonces are read again', async (tt) => {
  const nonces = new Map<string, number>();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slowPool = { check: async (chainId: string, txs: Uint8Array[]) => { await gate; return pool.check(chainId, txs); } } as unknown as VerifyPool;
  const mp = new Mempool({ chainId: CHAIN, pool: slowPool, nextNonce: async (s) => nonces.get(toHex(s)) ?? 0, height: () => 10 }, { nonceWindow: 50 });
  const a = generateKeyPair();
  const sa = toHex(addressFromPublicKey(a.publicKey));
  const t0 = tx(a, 0);
  const t1 = tx(a, 1);
  const adding = mp.add([t0.bytes, t1.bytes]);
  await new Promise((r) => setImmediate(r));
  // Meanwhile a block from another node carries t0 and t1 is replaced by a different nonce-1 tx.
  nonces.set(sa, 2);
  await mp.update([t0, tx(a, 1, { memo: 9 })]);
  release();
  const res = await adding;
  tt.same(res.map((r) => (r.status === 'rejected' ? r.code : r.status)), ['MEMPOOL_ALREADY_COMMITTED', 'MEMPOOL_NONCE_TOO_LOW']);
  tt.equal(mp.size, 0);
});

t.test('a repeat is recognised by its hash before any decoding', async (tt) => {
  const { mp } = setup();
  const a = generateKeyPair();
  const t0 = tx(a, 0);
  tt.equal((await mp.add([t0.bytes]))[0]!.status, 'added');
  tt.equal((await mp.add([t0.bytes]))[0]!.status, 'duplicate');
  const res = await mp.add([new Uint8Array([0xc1])]);
  tt.equal(res[0]!.status === 'rejected' && res[0]!.hash !== null && res[0]!.code.startsWith('CODEC_'), true, 'undecodable bytes: a codec error, with the hash of the bytes');
});

t.test('next nonces: read once per signer between commits, again after one; a read a commit overtook is not kept', async (tt) => {
  const nonces = new Map<string, number>();
  const reads: string[] = [];
  let hold: Promise<void> | null = null;
  let holdFor = '';
  const mp = new Mempool(
    {
      chainId: CHAIN, pool, height: () => 10,
      nextNonce: async (s) => {
        const id = toHex(s);
        const v = nonces.get(id) ?? 0; // the committed state as this read sees it
        reads.push(id);
        if (hold && id === holdFor) await hold;
        return v;
      },
    },
    { nonceWindow: 50 },
  );
  const a = generateKeyPair();
  const b = generateKeyPair();
  const sa = toHex(addressFromPublicKey(a.publicKey));
  await mp.add([tx(a, 0).bytes, tx(b, 0).bytes]);
  await mp.add([tx(a, 1).bytes, tx(b, 1).bytes, tx(a, 2).bytes]);
  tt.equal(reads.length, 2, 'two signers, two reads over two batches');
  // A commit moves a's nonce: the next admission reads it again and refuses the stale one.
  nonces.set(sa, 3);
  await mp.update([tx(a, 0), tx(a, 1), tx(a, 2)]);
  const before = reads.length;
  const res = await mp.add([tx(a, 2, { memo: 5 }).bytes, tx(a, 3).bytes]);
  tt.same(res.map((r) => (r.status === 'rejected' ? r.code : r.status)), ['MEMPOOL_NONCE_TOO_LOW', 'added']);
  tt.ok(reads.length > before, 'read again after the commit');
  // A read that a commit overtakes answers its caller but is not remembered.
  let release!: () => void;
  hold = new Promise<void>((r) => (release = r));
  const c = generateKeyPair();
  const sc = toHex(addressFromPublicKey(c.publicKey));
  holdFor = sc;
  const adding = mp.add([tx(c, 0).bytes]);
  await new Promise((r) => setImmediate(r));
  hold = null;
  await mp.update([]);
  await mp.add([tx(generateKeyPair(), 0).bytes]); // a read of the new generation meanwhile
  release();
  await adding;
  tt.equal(reads.filter((r) => r === sc).length, 2, "c's nonce, read across the commit, is not what the re-check after it uses: it is read again");
  const n = reads.length;
  await mp.add([tx(c, 1).bytes]);
  tt.equal(reads.length, n, 'and that fresh read is kept');
});
