/**
 * Tax exemptions by a real credential (module tax with cred's verifyPresentation): on an
 * in-memory chain with a trust chain (governance accredits a ministry, which accredits a
 * charity registry for `charity` credentials), the registry issues SD-JWT VCs with the SDK
 * and anchors them. A 15% VAT on merchant payments exempts `charity`: the charity pays it
 * until it claims the exemption with its credential, then pays none (event `exempted`,
 * balances exact); it pays again while the credential is suspended, not once reinstated, and
 * again for good once it is revoked; a credential that expires stops exempting at its
 * expiry. Claims that must fail do, each with its code: someone else's credential
 * (HOLDER_MISMATCH), a credential of a type the rule does not exempt (NOT_ELIGIBLE_TYPE), a
 * rule without exempt types (TAX_NOT_EXEMPT), no such rule (TAX_RULE_NOT_FOUND), a revoked
 * credential (CREDENTIAL_REVOKED). (Here, not in vm/test: the layer check keeps vm/ and its
 * tests from importing the SDK.)
 */
import t from 'tap';
import { addressFromPublicKey, decode, encode, keyPairFromSecret, sha256, signTx, utf8, type KeyPair, type Schema, type Tx } from '../../core/index.js';
import {
  ActionKind, applyGenesis, BalanceSchema, cred, CurrencyKind, executeBlock, gov, Keys, makeAction, MemoryState, money, Role, tax, vmCodeName, type Receipt,
} from '../../vm/index.js';
import { issueBatch, taxClaimExemptionArgs, type CredentialPackage } from '../../rpc/index.js';

const CHAIN = 'sov-tax-exemption';
const PREFIX = 'sovt';
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const DAY = 86_400_000;
const key = (s: string): KeyPair => keyPairFromSecret(sha256(utf8(`tax-exemption/${s}`)));
const addr = (k: KeyPair): Uint8Array => addressFromPublicKey(k.publicKey);
const K = {
  cb: key('cb'), ministry: key('ministry'), registry: key('registry'), bank: key('bank'), office: key('tax-office'), val: key('val'),
  charity: key('charity'), charity2: key('charity-2'), shop: key('shop'), alice: key('alice'),
};

class Chain {
  readonly state = new MemoryState();
  height = 0;
  time = T0;
  private readonly nonces = new Map<string, number>();

  tx<A>(k: KeyPair, module: string, name: string, schema: Schema<A>, args: A): Tx {
    const id = Buffer.from(addr(k)).toString('hex');
    const nonce = this.nonces.get(id) ?? 0;
    this.nonces.set(id, nonce + 1);
    return signTx({ chainId: CHAIN, signer: addr(k), nonce, expiry: this.height + 100, body: { module, method: name, args: encode(schema, args) } }, [k.secretKey]);
  }

  async run<A>(k: KeyPair, module: string, name: string, schema: Schema<A>, args: A, dt = 5_000): Promise<Receipt> {
    this.height += 1;
    this.time += dt;
    const r = await executeBlock(this.state, { chainId: CHAIN, height: this.height, time: this.time, proposer: addr(K.val) }, [this.tx(k, module, name, schema, args)]);
    this.state.apply(r.writes);
    if (r.rejected.length > 0) throw new Error(`rejected: ${r.rejected[0]!.code}: ${r.rejected[0]!.message}`);
    return r.receipts[0]!;
  }

  async ok<A>(k: KeyPair, module: string, name: string, schema: Schema<A>, args: A): Promise<Receipt> {
    const r = await this.run(k, module, name, schema, args);
    if (r.status !== 0) throw new Error(`${module}.${name} failed: ${vmCodeName(r.code)}: ${r.message}`);
    return r;
  }

  balance(k: KeyPair): bigint {
    const raw = this.state.get(Keys.balance(addr(k), 'DCASH')) as Uint8Array | undefined;
    return raw === undefined ? 0n : decode(BalanceSchema, raw).amount;
  }
}

const CHARITY_SCHEMA = { id: 'charity@1', typeId: 'charity', selective: ['registeredName'] };
const PERMIT_SCHEMA = { id: 'permit@1', typeId: 'permit', selective: [] };

async function setup(): Promise<{ c: Chain; vat: number; plain: number }> {
  const c = new Chain();
  const tier = { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null };
  const customer = (k: KeyPair, category = '') => ({ keys: [k.publicKey], threshold: 1, kind: category === '' ? 2 : 3, tier: 1, bank: addr(K.bank), linkedRef: null, category });
  const g = await applyGenesis(c.state, {
    chainId: CHAIN, addressPrefix: PREFIX, genesisTime: T0, params: [],
    validators: [{ publicKey: K.val.publicKey, power: 10, nodeKey: K.val.publicKey }],
    institutions: [
      { name: 'Central Bank', keys: [K.cb.publicKey], threshold: 1, roles: Role.CENTRAL_BANK },
      { name: 'Ministry', keys: [K.ministry.publicKey], threshold: 1, roles: Role.AGENCY },
      { name: 'Charity Registry', keys: [K.registry.publicKey], threshold: 1, roles: Role.AGENCY },
      { name: 'Bank', keys: [K.bank.publicKey], threshold: 1, roles: Role.COMMERCIAL_BANK },
      { name: 'Tax Office', keys: [K.office.publicKey], threshold: 1, roles: Role.AGENCY | Role.TAX_AUTHORITY },
    ],
    council: { members: [addr(K.cb)], threshold: 1 },
    currencies: [{ code: 'DCASH', decimals: 2, issuer: addr(K.cb), kind: CurrencyKind.CBDC, tiers: [tier] }],
    accounts: [customer(K.charity, 'ngo'), customer(K.charity2, 'ngo'), customer(K.shop, 'merchant'), customer(K.alice)],
    balances: [K.charity, K.charity2, K.alice].map((k) => ({ address: addr(k), currency: 'DCASH', amount: 100_000_00n })),
    reserves: [], bankLimits: [],
  });
  c.state.apply(g.writes);
  await c.ok(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.ACCREDIT_ACCREDITOR, { account: addr(K.ministry), jurisdiction: 'IS', types: [], legalRef: 'Act 1/2026' }), reason: 'root' });
  await c.ok(K.ministry, 'cred', 'accredit_issuer', cred.AccreditArgs, { account: addr(K.registry), jurisdiction: 'IS', types: ['charity', 'permit'], legalRef: 'Charities Act' });
  const schema = JSON.stringify({ type: 'object', properties: { registeredName: { type: 'string' }, number: { type: 'string' } } });
  await c.ok(K.ministry, 'cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'charity', version: 1, jsonSchema: schema, selective: CHARITY_SCHEMA.selective, issuers: [], maxValidityMs: 3650 * DAY });
  await c.ok(K.ministry, 'cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'permit', version: 1, jsonSchema: '{"type":"object"}', selective: [], issuers: [], maxValidityMs: 365 * DAY });
  const rule = (name: string, exemptTypes: string[], rateBps = 1500, payeeCategory = 'merchant') => ({
    name, currency: 'DCASH', rateBps, base: 0, payer: 0, appliesTo: { types: [], payeeCategory, payerCategory: '' }, treasury: addr(K.office), exemptTypes,
    activationHeight: c.height + 2, legalRef: 'VAT Act s.9',
  });
  const vat = decode(tax.RuleIdResult, (await c.ok(K.office, 'tax', 'register_rule', tax.RegisterRuleArgs, rule('VAT', ['charity']))).result).id;
  const plain = decode(tax.RuleIdResult, (await c.ok(K.office, 'tax', 'register_rule', tax.RegisterRuleArgs, rule('excise', [], 100, 'none'))).result).id;
  return { c, vat, plain };
}

/** The registry's next status index (each test's chain starts at 0). */
let next = 0;
t.beforeEach(() => {
  next = 0;
});
/** Issue one credential of `schema` from the registry to `holder` and anchor it. */
async function issue(c: Chain, holder: KeyPair, schema = CHARITY_SCHEMA, days = 365): Promise<CredentialPackage> {
  const first = next;
  const out = await issueBatch({
    format: 'sd-jwt', chainId: CHAIN, addressPrefix: PREFIX, issuerKey: K.registry, issuerAccount: addr(K.registry), schema, first,
    subjects: [{ holderPublicKey: holder.publicKey, claims: { registeredName: 'Red Cross', number: 'C-7' } }], validFrom: c.time, validUntil: c.time + days * DAY, issuedAt: c.time,
    statusBaseUrl: 'https://registry.example/status',
  });
  await c.ok(K.registry, 'cred', 'anchor', cred.AnchorArgs, { schema: schema.id, first, count: out.count, root: out.root });
  next += out.count;
  return out.packages[0]!;
}

/** `who` claims an exemption with `pkg`, presented with `holder`'s key (its own by default). */
const claim = async (c: Chain, who: KeyPair, rule: number, pkg: CredentialPackage, holder = who): Promise<Receipt> =>
  c.run(who, 'tax', 'claim_exemption', tax.ClaimExemptionArgs, await taxClaimExemptionArgs(rule, pkg, holder, { chainId: CHAIN, iat: Math.floor(c.time / 1000) }));
const codeOf = (r: Receipt): string => (r.status === 0 ? 'ok' : vmCodeName(r.code) ?? String(r.code));
const taxEvents = (r: Receipt) => r.events.filter((e) => e.module === 'tax').map((e) => `${e.name}`);

/** `who` pays the shop 100.00: what the payer, the shop and the treasury moved by, and the tax events. */
async function buy(c: Chain, who: KeyPair): Promise<{ moved: bigint[]; events: string[] }> {
  const before = [c.balance(who), c.balance(K.shop), c.balance(K.office)];
  const r = await c.ok(who, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.shop), amount: 100_00n, memo: '', reference: '' });
  const after = [c.balance(who), c.balance(K.shop), c.balance(K.office)];
  return { moved: after.map((b, i) => b - before[i]!), events: taxEvents(r) };
}
const TAXED = { moved: [-115_00n, 100_00n, 15_00n], events: ['withheld'] };
const EXEMPT = { moved: [-100_00n, 100_00n, 0n], events: ['exempted'] };

t.test('an exempt payer pays none; suspended it pays, reinstated it does not, revoked it pays again', async (tt) => {
  const { c, vat } = await setup();
  const pkg = await issue(c, K.charity);
  tt.same(await buy(c, K.charity), TAXED, 'before its claim, the charity pays VAT');
  const r = await claim(c, K.charity, vat, pkg);
  tt.equal(codeOf(r), 'ok', r.message);
  const ev = decode(tax.ExemptionClaimedEvent, r.events.find((e) => e.module === 'tax' && e.name === 'exemption_claimed')!.data);
  tt.same([ev.account, ev.typeId, ev.issuer, ev.index], [addr(K.charity), 'charity', addr(K.registry), 0]);
  const stored = decode(tax.ExemptionsSchema, c.state.get(tax.TaxKeys.exemption(addr(K.charity))) as Uint8Array);
  tt.same(stored.items.map((x) => [x.typeId, x.index]), [['charity', 0]], 'recorded per credential type');
  tt.same(await buy(c, K.charity), EXEMPT, 'then it pays none');
  tt.same(await buy(c, K.alice), TAXED, 'alice still pays');

  const status = (purpose: number, set: boolean) => c.ok(K.registry, 'cred', 'set_status', cred.SetStatusArgs, { changes: [{ index: 0, purpose, set, reason: 1 }] });
  await status(cred.StatusPurpose.SUSPENSION, true);
  tt.same(await buy(c, K.charity), TAXED, 'suspended: taxed, at once, with no transaction of its own');
  await status(cred.StatusPurpose.SUSPENSION, false);
  tt.same(await buy(c, K.charity), EXEMPT, 'reinstated: exempt again');
  await status(cred.StatusPurpose.REVOCATION, true);
  tt.same(await buy(c, K.charity), TAXED, 'revoked: taxed');
  tt.equal(codeOf(await claim(c, K.charity, vat, pkg)), 'CREDENTIAL_REVOKED', 'and it cannot claim again with it');
  // The treasury holds exactly the VAT of the four taxed purchases (the charity's three and alice's).
  tt.equal(c.balance(K.office), 4n * 15_00n);
});

t.test('an exemption ends with its credential\'s validity', async (tt) => {
  const { c, vat } = await setup();
  const pkg = await issue(c, K.charity2, CHARITY_SCHEMA, 2);
  tt.equal(codeOf(await claim(c, K.charity2, vat, pkg)), 'ok');
  tt.same(await buy(c, K.charity2), EXEMPT);
  c.time += 2 * DAY;
  tt.same(await buy(c, K.charity2), TAXED, 'after its expiry');
});

t.test('claims that fail, each with its code', async (tt) => {
  const { c, vat, plain } = await setup();
  const pkg = await issue(c, K.charity);
  tt.equal(codeOf(await claim(c, K.alice, vat, pkg, K.charity)), 'HOLDER_MISMATCH', "someone else's credential (its presentation copied)");
  tt.equal(codeOf(await claim(c, K.charity, plain, pkg)), 'TAX_NOT_EXEMPT', 'a rule that exempts nothing');
  tt.equal(codeOf(await claim(c, K.charity, 99, pkg)), 'TAX_RULE_NOT_FOUND');
  const permit = await issue(c, K.alice, PERMIT_SCHEMA);
  tt.equal(codeOf(await claim(c, K.alice, vat, permit)), 'NOT_ELIGIBLE_TYPE', 'a credential of a type the rule does not exempt');
  tt.same(await buy(c, K.alice), TAXED, 'alice pays VAT');
  tt.equal(c.state.get(tax.TaxKeys.exemption(addr(K.alice))), undefined, 'no exemption recorded');
});
