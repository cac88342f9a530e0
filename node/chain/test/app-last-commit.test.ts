/**
 * A proposal's last commit is verified once: a block carrying the very certificate this node
 * committed its head with is not verified again; any other certificate (another valid set of
 * precommits, or a forged one) is verified in full.
 */
import t, { type Test } from 'tap';
import { addressFromPublicKey, Block, commitFromVotes, generateKeyPair, signVote, ValidatorSet, VoteType, type Commit, type KeyPair } from '../../../core/index.js';
import { Role, type GenesisDoc } from '../../../vm/index.js';
import type { LedgerApp } from '../app.js';
import { testApp } from './test-app.js';

const CHAIN = 'last-commit-test';
const vals = [0, 1, 2, 3].map(() => generateKeyPair());
const council = generateKeyPair();
const addr = (k: KeyPair): Uint8Array => addressFromPublicKey(k.publicKey);
const genesis: GenesisDoc = {
  chainId: CHAIN, addressPrefix: 'sovt', genesisTime: 1_000, params: [],
  validators: vals.map((v) => ({ publicKey: v.publicKey, power: 10, nodeKey: v.publicKey })),
  institutions: [{ name: 'Council', keys: [council.publicKey], threshold: 1, roles: Role.CENTRAL_BANK }],
  council: { members: [addr(council)], threshold: 1 },
  currencies: [], accounts: [], balances: [], reserves: [], bankLimits: [],
};
const set = ValidatorSet.fromKeys(vals.map((v) => ({ publicKey: v.publicKey, power: 10 })));
const epochs = { validators: set, next: set, previous: set };
/** The same addresses and powers with other keys: a certificate checked against it fails. */
const impostors = ValidatorSet.fromKeys(vals.map(() => ({ publicKey: generateKeyPair().publicKey, power: 10 })));
const precommits = (b: Block, round: number, who: KeyPair[]): Commit =>
  commitFromVotes(b.height, round, b.hash, who.map((v) => signVote(CHAIN, { type: VoteType.PRECOMMIT, height: b.height, round, blockHash: b.hash, validator: addr(v) }, v.secretKey)));

async function app(tt: Test): Promise<LedgerApp> {
  return (await testApp(tt, { genesis, now: () => 5_000 })).app;
}

t.test('the head\'s own certificate is not verified again; any other is', async (tt) => {
  const [proposer, checker] = [await app(tt), await app(tt)];
  const b1 = Block.decode(await proposer.buildBlock(1, addr(vals[0]!), null, epochs, []));
  const c1 = precommits(b1, 0, vals);
  await proposer.commitBlock(b1.bytes, c1, epochs);
  await checker.commitBlock(b1.bytes, c1, epochs);
  const withOwn = await proposer.buildBlock(2, addr(vals[0]!), c1, epochs, []);
  // Checked against a wrong previous set, the head's own certificate would fail: accepted, so it was not verified again.
  tt.ok(await checker.checkBlock(withOwn, { ...epochs, previous: impostors }), 'the certificate the head was committed with: accepted without verifying it again');

  const other = precommits(b1, 0, vals.slice(0, 3));
  const withOther = await proposer.buildBlock(2, addr(vals[0]!), other, epochs, []);
  tt.notOk(await checker.checkBlock(withOther, { ...epochs, previous: impostors }), 'another certificate is verified (and fails against the wrong set)');
  tt.ok(await checker.checkBlock(withOther, epochs), 'another valid certificate (3 of 4 precommits) is verified and accepted');

  const forged: Commit = { ...c1, signatures: c1.signatures.map((s, i) => (i === 0 ? { ...s, signature: Uint8Array.from(s.signature, (x, j) => (j === 0 ? x ^ 1 : x)) } : s)) };
  const withForged = await proposer.buildBlock(2, addr(vals[0]!), forged, epochs, []);
  tt.notOk(await checker.checkBlock(withForged, epochs), 'a forged certificate (one signature changed) is refused');
});
