/**
 * The Travel Rule end to end on a real node (in this process), with real encryption: the
 * commercial bank and the regulator publish X25519 travel keys; the regulator registers a
 * travel rule; a customer's large plain transfer is refused (TRAVEL_RULE_REQUIRED); sealed
 * with the SDK (an IVMS101 payload in a JWE to the keys read from the ledger), it commits;
 * the payee's bank and the regulator each open the envelope taken from the committed
 * transaction, the receipt commits its digest, and a payload short of IVMS101's required
 * fields is refused by the SDK before anything is sent.
 */
import t from 'tap';
import { decode, decodeAddress, fromHex, toHex } from '../../core/index.js';
import { ActionKind, makeAction, openTravelRule, sealTravelRule, travelDigest, travelKeyPair, TravelRuleError, type Ivms101Payload } from '../../rpc/index.js';
import { comp, gov } from '../../vm/index.js';
import { waitFor } from '../../test/index.js';
import { inProcessChain } from './in-process-chain.js';

const chain = inProcessChain(t);
const { manifest: m, client, send } = chain;
const cb = chain.accounts['Central Bank']!;
const bank = chain.accounts['Commercial Bank']!;
const c1 = chain.accounts['customer-1']!;
const c2 = chain.accounts['customer-2']!;
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const CUR = m.currency.code;

const payload = (from: string, to: string): Ivms101Payload => ({
  originator: { originatorPersons: [{ naturalPerson: { name: { nameIdentifier: [{ primaryIdentifier: 'Jónsdóttir', secondaryIdentifier: 'Anna', nameIdentifierType: 'LEGL' }] }, dateAndPlaceOfBirth: { dateOfBirth: '1984-03-02', placeOfBirth: 'Reykjavík' } } }], accountNumber: [from] },
  beneficiary: { beneficiaryPersons: [{ naturalPerson: { name: { nameIdentifier: [{ primaryIdentifier: 'Sigurðsson', secondaryIdentifier: 'Jón', nameIdentifierType: 'LEGL' }] } } }], accountNumber: [to] },
  originatingVASP: { originatingVASP: { legalPerson: { name: { nameIdentifier: [{ legalPersonName: 'Commercial Bank', legalPersonNameIdentifierType: 'LEGL' }] } } } },
});

interface RecordView { value: { publicKey: string; kid: string } | null }
interface TxView { receipt: { status: string; events: { module: string; name: string; data: string }[] }; args: { envelope: string } }

t.test('a large payment needs its IVMS101 data sealed to the payee\'s bank and the regulator', async (tt) => {
  const ok = async (p: ReturnType<typeof send>, what: string) => {
    const r = await p;
    tt.equal(r.status, 'committed', `${what}${r.message ? `: ${r.message}` : ''}`);
    return r;
  };
  await ok(send(cb, 'gov', 'propose', { action: makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.REGULATOR }), reason: 'supervision' }), 'the regulator role');
  const bankKeys = travelKeyPair();
  const regKeys = travelKeyPair();
  await ok(send(bank, 'comp', 'set_travel_key', { publicKey: bankKeys.publicKey }), 'the bank publishes its travel key');
  // Far enough ahead for the registration to land first, however busy the machine (50 ms blocks).
  const activation = (await client.status()).height + 40;
  await ok(send(cb, 'comp', 'register_rule', {
    name: 'travel', version: 1, source: 'tx.amount >= 100000', scope: { currencies: [], types: [], institutions: [] }, action: comp.RuleAction.TRAVEL_RULE, severity: 1,
    activation, shadow: false, legalRef: 'FATF R.16',
  }), 'a travel rule from 1,000.00');
  await ok(send(cb, 'comp', 'set_travel_key', { publicKey: regKeys.publicKey }), 'the regulator publishes its travel key');

  await waitFor(async () => (await client.status()).height >= activation, 'the travel rule live', 30_000);
  const transfer = { currency: CUR, to: raw(c2.address), amount: 150_000n, memo: 'invoice 12', reference: '' };
  const plain = await send(c1, 'money', 'transfer', transfer);
  tt.equal(plain.status, 'failed');
  tt.match(plain.message, /travel rule travel@1/, 'a plain transfer is refused, naming the rule');

  // The payer's side reads both keys from the ledger and seals the data to them.
  const keyOf = async (inst: string) => {
    const r = (await client.getRecord({ kind: 'comp_travel_key', institution: inst })) as RecordView;
    return { institution: raw(inst), publicKey: fromHex(r.value!.publicKey) };
  };
  const data = payload(c1.address, c2.address);
  const envelope = await sealTravelRule(data, [await keyOf(bank.address), await keyOf(cb.address)]);
  const sent = await ok(send(c1, 'comp', 'travel_transfer', { transfer, envelope }), 'sealed, it commits');

  const tx = await client.call<TxView>('sov_getTransaction', [sent.hash]);
  const committed = fromHex(tx.args.envelope);
  const ev = tx.receipt.events.find((e) => e.module === 'comp' && e.name === 'travel_data')!;
  const td = decode(comp.TravelDataEvent, fromHex(ev.data));
  tt.equal(toHex(td.digest), toHex(travelDigest(committed)), 'the receipt commits the envelope\'s digest');
  tt.same(await openTravelRule(committed, bankKeys.privateKey), data, "the payee's bank opens it");
  tt.same(await openTravelRule(committed, regKeys.privateKey), data, 'the regulator opens it');
  await tt.rejects(openTravelRule(committed, travelKeyPair().privateKey), TravelRuleError, 'nobody else does');
  tt.ok(tx.receipt.events.some((e) => e.module === 'comp' && e.name === 'travel_rule'), 'the rule is recorded as satisfied');

  const short = { ...data, beneficiary: { beneficiaryPersons: [], accountNumber: [] } };
  await tt.rejects(sealTravelRule(short, [await keyOf(bank.address)]), /beneficiary: at least one beneficiaryPersons; beneficiary: an accountNumber/, 'a payload short of IVMS101 is refused by the SDK');
});
