/**
 * The verification pool gives, in order, the same answers as checking on the main thread.
 */
import t from 'tap';
import { MIN_PER_WORKER, VerifyPool } from '../verify-pool.js';
import { addressFromPublicKey, generateKeyPair, isSovError, signTx, Tx, verifyTxSignatures } from '../../../core/index.js';
import { Rng } from '../../../test/index.js';

t.test('pool answers equal the main thread, in order', async (tt) => {
  const rng = new Rng(11);
  const kp = generateKeyPair();
  const txs: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) {
    const chainId = rng.bool(0.1) ? 'other-chain' : 'test-chain';
    let b = signTx({ chainId, signer: addressFromPublicKey(kp.publicKey), nonce: i, expiry: 9, body: { module: 'bank', method: 'transfer', args: rng.bytes(20) } }, [kp.secretKey]).bytes;
    if (rng.bool(0.1)) {
      b = Uint8Array.from(b);
      b[b.length - 1 - rng.int(60)]! ^= 1; // inside the signature
    }
    if (rng.bool(0.05)) b = rng.bytes(rng.int(50)); // garbage
    txs.push(b);
  }
  const expected = txs.map((b) => {
    try {
      verifyTxSignatures(Tx.decode(b), 'test-chain');
      return null;
    } catch (e) {
      return isSovError(e) ? e.code : 'INTERNAL';
    }
  });
  const pool = new VerifyPool(2);
  try {
    tt.equal(pool.size, 2);
    const got = await pool.check('test-chain', txs);
    tt.same(got, expected);
    tt.ok(expected.filter((x) => x === null).length > 100 && expected.some((x) => x === 'TX_BAD_SIGNATURE') && expected.some((x) => x === 'TX_WRONG_CHAIN'), 'a mix of outcomes');
    tt.same(await pool.check('test-chain', []), []);
    // Batches below, at and around the split threshold, several at once: each in order.
    const sizes = [1, MIN_PER_WORKER - 1, MIN_PER_WORKER, MIN_PER_WORKER + 1, 100, 7];
    let at = 0;
    const slices = sizes.map((n) => [at, (at += n)] as const);
    const answers = await Promise.all(slices.map(([a, b]) => pool.check('test-chain', txs.slice(a, b))));
    slices.forEach(([a, b], i) => tt.same(answers[i], expected.slice(a, b), `a batch of ${b - a}`));
  } finally {
    await pool.close();
  }
  await tt.rejects(pool.check('test-chain', txs), { code: 'VERIFY_POOL_CLOSED' });
});

t.test('decoded transactions, several signatures: the same answers as the main thread', async (tt) => {
  const rng = new Rng(12);
  const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const signer = addressFromPublicKey(keys[0]!.publicKey);
  const txs: Tx[] = [];
  for (let i = 0; i < 200; i++) {
    const signing = keys.slice(0, 1 + rng.int(3));
    let tx = signTx({ chainId: 'test-chain', signer, nonce: i, expiry: 9, body: { module: 'bank', method: 'transfer', args: rng.bytes(20) } }, signing.map((k) => k.secretKey));
    const roll = rng.int(10);
    if (roll === 0 && tx.signatures.length > 1) {
      // The second signature made by another key over the same bytes: a valid signature, wrong key.
      tx = Tx.fromData({ ...tx.data, signatures: [tx.signatures[0]!, { publicKey: tx.signatures[1]!.publicKey, signature: tx.signatures[0]!.signature }, ...tx.signatures.slice(2)] });
    } else if (roll === 1 && tx.signatures.length > 1) {
      tx = Tx.fromData({ ...tx.data, signatures: [tx.signatures[0]!, tx.signatures[0]!] }); // a key twice
    } else if (roll === 2) {
      tx = Tx.fromData({ ...tx.data, signatures: [] });
    }
    txs.push(tx);
  }
  const expected = txs.map((tx) => {
    try {
      verifyTxSignatures(tx, 'test-chain');
      return null;
    } catch (e) {
      return isSovError(e) ? e.code : 'INTERNAL';
    }
  });
  const pool = new VerifyPool(2);
  try {
    // Decoded and encoded forms mixed in one batch.
    const got = await pool.check('test-chain', txs.map((tx, i) => (i % 2 === 0 ? tx : tx.bytes)));
    tt.same(got, expected);
    const bad = expected.filter((x) => x === 'TX_BAD_SIGNATURE').length;
    tt.ok(bad > 10 && expected.filter((x) => x === null).length > 100, `a mix of outcomes (${bad} refused)`);
    tt.ok(txs.some((tx, i) => tx.signatures.length === 3 && expected[i] === null), 'three good signatures pass');
  } finally {
    await pool.close();
  }
});
