/**
 * The verification pool gives, in order, the same answers as checking on the main thread.
 */
import t from 'tap';
import { MIN_PER_WORKER, VerifyPool } from '../verify-pool.js';
import { addressFromPublicKey, generateKeyPair, isSovError, signTx, Tx, verifyTxSignatures } from '../../core/index.js';
import { Rng } from '../../test/index.js';

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
