/**
 * Genesis: the standard document builds a consistent state with a stable hash; every kind
 * of bad entry is a BAD_GENESIS naming it; a chain cannot be created twice.
 */
import t from 'tap';
import { decode, encode, toHex } from '../../core/index.js';
import {
  applyGenesis, ChainMetaSchema, GenesisSchema, Keys, loadParams, MemoryState, ValidatorListSchema, CouncilSchema, type GenesisDoc,
} from '../index.js';
import { addr, Chain, genesisDoc, K, key, TIER1, UNIT } from './harness.js';

t.test('the standard genesis', async (t) => {
  const doc = genesisDoc();
  const s = new MemoryState();
  const g = await applyGenesis(s, doc);
  s.apply(g.writes);
  t.equal(g.validators.length, 4, 'the initial validator set');
  t.match(decode(ChainMetaSchema, (await s.get(Keys.chain()))!), { chainId: 'sov-vm-test', addressPrefix: 'sovt' });
  t.equal(decode(ValidatorListSchema, (await s.get(Keys.validators()))!).validators.length, 4);
  t.equal(decode(CouncilSchema, (await s.get(Keys.council()))!).threshold, 2);
  t.equal((await loadParams(s)).max_tier, 4);
  const again = await applyGenesis(new MemoryState(), decode(GenesisSchema, encode(GenesisSchema, doc)));
  t.equal(toHex(again.genesisHash), toHex(g.genesisHash), 'the document has one hash');
  const s2 = new MemoryState();
  s2.apply(again.writes);
  t.same(s2.root(), s.root(), 'and one state');
  const c = await Chain.create(doc);
  t.equal(c.sumBalances('DCASH'), await c.supply('DCASH'), 'supply == sum of balances at genesis');
  await t.rejects(applyGenesis(s, doc), { code: 'BAD_GENESIS' }, 'not over an existing chain');
  const p = await applyGenesis(new MemoryState(), genesisDoc({ params: [{ name: 'max_tier', value: 6 }, { name: 'daily_window_buckets', value: 48 }] }));
  t.equal(p.params.max_tier, 6);
  t.equal(p.params.daily_window_buckets, 48, 'genesis sets even non-governable parameters');
});

t.test('bad genesis documents, each named', async (t) => {
  const base = genesisDoc();
  const bad = async (over: Partial<GenesisDoc>, where: RegExp, what: string) => {
    await t.rejects(applyGenesis(new MemoryState(), { ...base, ...over }), { code: 'BAD_GENESIS', message: where }, what);
  };
  await bad({ chainId: 'Bad Chain' }, /document/, 'chain id');
  await bad({ addressPrefix: '1x' }, /document/, 'address prefix');
  await bad({ params: [{ name: 'nope', value: 1 }] }, /params/, 'unknown parameter');
  await bad({ params: [{ name: 'max_tier', value: 99 }] }, /params/, 'parameter out of bounds');
  await bad({ validators: [] }, /validators/, 'no validators');
  await bad({ validators: [{ publicKey: new Uint8Array(32), power: 1, nodeKey: K.vals[0]!.publicKey }] }, /validators\[0\]: BAD_VALIDATOR/, 'small-order validator key');
  await bad({ validators: [{ publicKey: K.vals[0]!.publicKey, power: 1, nodeKey: K.vals[0]!.publicKey }, { publicKey: K.vals[0]!.publicKey, power: 2, nodeKey: K.vals[1]!.publicKey }] }, /validators\[1\]: VALIDATOR_EXISTS/, 'duplicate validator');
  await bad({ institutions: [...base.institutions, base.institutions[0]!] }, /institutions\[7\]: INSTITUTION_EXISTS/, 'duplicate institution');
  await bad({ institutions: [{ name: 'x', keys: [key('x').publicKey], threshold: 2, roles: 1 }] }, /institutions\[0\]: BAD_THRESHOLD/, 'threshold');
  await bad({ council: { members: [addr(key('ghost'))], threshold: 1 } }, /council: BAD_COUNCIL/, 'council member without an account');
  await bad({ currencies: [{ code: 'DCASH', decimals: 2, issuer: addr(K.bankA), kind: 1, tiers: [] }] }, /currencies\[0\]: NOT_ISSUER/, 'issuer without the role');
  await bad({ currencies: [...base.currencies, base.currencies[0]!] }, /currencies\[2\]: CURRENCY_EXISTS/, 'duplicate currency');
  await bad({ accounts: [{ ...base.accounts[0]!, bank: addr(K.cb) }] }, /accounts\[0\]: NOT_A_BANK/, 'account bank is not a bank');
  await bad({ accounts: [{ ...base.accounts[0]!, tier: 9 }] }, /accounts\[0\]: UNKNOWN_TIER/, 'tier');
  await bad({ accounts: [base.accounts[0]!, base.accounts[0]!] }, /accounts\[1\]: ACCOUNT_EXISTS/, 'duplicate account');
  await bad({ balances: [{ address: addr(key('ghost')), currency: 'DCASH', amount: 1n }] }, /balances\[0\]: ACCOUNT_NOT_FOUND/, 'balance of nobody');
  await bad({ balances: [{ address: addr(K.alice), currency: 'XXX', amount: 1n }] }, /balances\[0\]: UNKNOWN_CURRENCY/, 'unknown currency');
  await bad({ balances: [{ address: addr(K.alice), currency: 'DCASH', amount: TIER1.holdingLimit! + 1n }] }, /balances\[0\]: HOLDING_LIMIT/, 'over the holding limit');
  await bad({ reserves: [{ currency: 'DCASH', attested: 1n }] }, /reserves\[0\]: WRONG_CURRENCY_KIND/, 'reserves of a CBDC');
  await bad({ reserves: [{ currency: 'USDX', attested: 5n * UNIT }] }, /USDX: initial supply/, 'supply beyond reserves');
  await bad({ bankLimits: [{ currency: 'DCASH', bank: addr(K.alice), maxReserve: null, dailyOut: null }] }, /bankLimits\[0\]: NOT_A_BANK/, 'bank limit of a person');
});
