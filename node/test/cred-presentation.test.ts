/**
 * The ledger's own verification of SD-JWT VC presentations (vm/modules/cred/presentation.ts),
 * on SD-JWT VCs issued and presented with the SDK and anchored on an in-memory chain. No
 * module method calls verifyPresentation yet, so a test-only module (`credcheck`) does: its
 * methods run verifyPresentation (with the transaction's signer as holder) and
 * requireStanding inside real transactions (args decoded with the API's schemas, work
 * metered). Each check's code is asserted; then a few hundred random mutations of a valid
 * presentation must each fail with a cred code (or still verify), never another exception.
 * (Here, not in vm/test: the layer check keeps vm/ and its tests from importing the SDK.)
 */
import t from 'tap';
import {
  addressField, addressFromPublicKey, encode, encodeAddress, fromHex, keyPairFromSecret, Rng, sha256, sign, signTx, str, struct, uint, utf8, type KeyPair, type Schema, type Tx,
} from '../../core/index.js';
import {
  account, ActionKind, applyGenesis, code, createRegistry, cred, CurrencyKind, defineModule, executeBlock, gov, makeAction, MemoryState, method, MODULE_DEFS, Role, vmCodeName,
  VmError, type ModuleDescriptor, type Receipt,
} from '../../vm/index.js';
import { buildAnchorBatch, didKeyOf, issueBatch, presentSdJwtVc, sdJwtIssuerJwtDigest, type CredentialPackage } from '../../rpc/index.js';

const CHAIN = 'sov-cred-presentation';
const PREFIX = 'sovt';
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const DAY = 86_400_000;
const key = (s: string): KeyPair => keyPairFromSecret(sha256(utf8(`cred-presentation/${s}`)));
const addr = (k: KeyPair): Uint8Array => addressFromPublicKey(k.publicKey);
const K = { cb: key('cb'), ministry: key('ministry'), agency: key('agency'), bank: key('bank'), alice: key('alice'), bob: key('bob'), rogue: key('rogue'), val: key('val') };

// ---------------------------------------------------------------- a test-only module calling the API
let verified: cred.VerifiedCredential | null = null;
/** When set, `verify` checks this instead of its decoded args (input the codec would refuse). */
let override: cred.Presentation | null = null;
const VerifyArgs = struct('CredCheckVerify', { p: cred.PresentationSchema, rule: cred.EligibilitySchema });
const StandingArgs = struct('CredCheckStanding', { issuer: addressField, index: uint, validUntil: uint, typeId: str(64) });
const checkModule = defineModule({
  name: 'credcheck',
  doc: 'Test only: runs cred.verifyPresentation and cred.requireStanding.',
  records: {},
  codeRange: [9800, 9899],
  codes: { CREDCHECK_UNUSED: code(9800, 'never thrown') },
  params: {},
  events: {},
  methods: {
    verify: method(VerifyArgs, "verify a presentation for the signer", async (ctx, a) => {
      verified = null;
      verified = await cred.verifyPresentation(ctx, override ?? a.p, a.rule, ctx.signer);
    }),
    standing: method(StandingArgs, 'require a verified credential in good standing', async (ctx, a) => {
      await cred.requireStanding(ctx, { issuer: a.issuer, index: a.index, validUntil: a.validUntil, ...(a.typeId === '' ? {} : { typeId: a.typeId }) });
    }),
  },
});
const modules = createRegistry([...(Object.values(MODULE_DEFS) as ModuleDescriptor[]), checkModule]);

// ---------------------------------------------------------------- a chain with a trust chain
class Chain {
  readonly state = new MemoryState();
  height = 0;
  time = T0;
  private readonly nonces = new Map<string, number>();

  /** Signing keys by account, after a rotation (default: the account's first key). */
  readonly keys = new Map<string, KeyPair>();

  /** A transaction of `k`'s account, signed with its current key. */
  tx<A>(k: KeyPair, module: string, name: string, schema: Schema<A>, args: A): Tx {
    const id = Buffer.from(addr(k)).toString('hex');
    const nonce = this.nonces.get(id) ?? 0;
    this.nonces.set(id, nonce + 1);
    const signer = this.keys.get(id) ?? k;
    return signTx({ chainId: CHAIN, signer: addr(k), nonce, expiry: this.height + 100, body: { module, method: name, args: encode(schema, args) } }, [signer.secretKey]);
  }

  async block(txs: Tx[], dt = 5_000): Promise<Receipt[]> {
    this.height += 1;
    this.time += dt;
    const r = await executeBlock(this.state, { chainId: CHAIN, height: this.height, time: this.time, proposer: addr(K.val) }, txs, { modules });
    this.state.apply(r.writes);
    if (r.rejected.length > 0) throw new Error(`rejected: ${r.rejected[0]!.code}: ${r.rejected[0]!.message}`);
    return [...r.receipts];
  }

  async run<A>(k: KeyPair, module: string, name: string, schema: Schema<A>, args: A, dt?: number): Promise<Receipt> {
    return (await this.block([this.tx(k, module, name, schema, args)], dt))[0]!;
  }

  /** Run and require success. */
  async ok<A>(k: KeyPair, module: string, name: string, schema: Schema<A>, args: A): Promise<void> {
    const r = await this.run(k, module, name, schema, args);
    if (r.status !== 0) throw new Error(`${module}.${name} failed: ${vmCodeName(r.code)}: ${r.message}`);
  }
}

const ID_SCHEMA = { type: 'object', properties: { givenName: { type: 'string' }, birthDate: { type: 'string' }, region: { type: 'string' }, household: { type: 'integer' }, resident: { type: 'boolean' } } };
const idSchema = { id: 'national-id@1', typeId: 'national-id', selective: ['birthDate', 'region'] };
const ALICE = { givenName: 'Sigríður', birthDate: '1984-03-02', region: 'IS-RE', household: 4, resident: true };
const BOB = { givenName: 'Jón', birthDate: '2010-11-11', region: 'IS-AK', household: 1, resident: false };

async function trustChain(): Promise<Chain> {
  const c = new Chain();
  const tier = { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null };
  const person = (k: KeyPair) => ({ keys: [k.publicKey], threshold: 1, kind: 2, tier: 1, bank: addr(K.bank), linkedRef: null, category: '' });
  const g = await applyGenesis(c.state, {
    chainId: CHAIN, addressPrefix: PREFIX, genesisTime: T0, params: [],
    validators: [{ publicKey: K.val.publicKey, power: 10, nodeKey: K.val.publicKey }],
    institutions: [
      { name: 'Central Bank', keys: [K.cb.publicKey], threshold: 1, roles: Role.CENTRAL_BANK },
      { name: 'Ministry', keys: [K.ministry.publicKey], threshold: 1, roles: Role.AGENCY },
      { name: 'Registry Agency', keys: [K.agency.publicKey], threshold: 1, roles: Role.AGENCY },
      { name: 'Bank', keys: [K.bank.publicKey], threshold: 1, roles: Role.COMMERCIAL_BANK },
    ],
    council: { members: [addr(K.cb)], threshold: 1 },
    currencies: [{ code: 'DCASH', decimals: 2, issuer: addr(K.cb), kind: CurrencyKind.CBDC, tiers: [tier] }],
    accounts: [person(K.alice), person(K.bob)], balances: [], reserves: [], bankLimits: [],
  }, modules);
  c.state.apply(g.writes);
  const accredit = makeAction(ActionKind.ACCREDIT_ACCREDITOR, { account: addr(K.ministry), jurisdiction: 'IS', types: [], legalRef: 'Act 1/2026' });
  await c.ok(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: accredit, reason: 'root' });
  await c.ok(K.ministry, 'cred', 'accredit_issuer', cred.AccreditArgs, { account: addr(K.agency), jurisdiction: 'IS', types: ['national-id', 'permit'], legalRef: 'L-1' });
  await c.ok(K.ministry, 'cred', 'accredit_issuer', cred.AccreditArgs, { account: addr(K.bank), jurisdiction: 'IS', types: ['national-id', 'kyc'], legalRef: 'L-2' });
  await c.ok(K.ministry, 'cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'national-id', version: 1, jsonSchema: JSON.stringify(ID_SCHEMA), selective: idSchema.selective, issuers: [], maxValidityMs: 3650 * DAY });
  await c.ok(K.ministry, 'cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'permit', version: 1, jsonSchema: '{"type":"object"}', selective: [], issuers: [], maxValidityMs: 30 * DAY });
  return c;
}

let nextIndex = new Map<string, number>();
interface IssueOpts { chainId?: string; key?: KeyPair; first?: number; validFrom?: number; issuedAt?: number; days?: number; anchorSchema?: string; anchor?: boolean; schema?: typeof idSchema }

/** Issue SD-JWT VCs of national-id@1 from the agency to `holders` and anchor them (unless told not to). */
async function issue(c: Chain, holders: [KeyPair, Record<string, unknown>][], o: IssueOpts = {}): Promise<CredentialPackage[]> {
  const first = o.first ?? nextIndex.get('agency') ?? 0;
  const validFrom = o.validFrom ?? T0;
  const out = await issueBatch({
    format: 'sd-jwt', chainId: o.chainId ?? CHAIN, addressPrefix: PREFIX, issuerKey: o.key ?? K.agency, issuerAccount: addr(K.agency), schema: o.schema ?? idSchema, first,
    subjects: holders.map(([k, claims]) => ({ holderPublicKey: k.publicKey, claims })), validFrom, validUntil: validFrom + (o.days ?? 365) * DAY, issuedAt: o.issuedAt ?? validFrom,
    statusBaseUrl: 'https://registry.example/status',
  });
  if (o.anchor !== false) {
    await c.ok(K.agency, 'cred', 'anchor', cred.AnchorArgs, { schema: o.anchorSchema ?? (o.schema ?? idSchema).id, first, count: out.count, root: out.root });
    nextIndex.set('agency', first + out.count);
  }
  return out.packages;
}

const presentation = (pkg: CredentialPackage, sdJwt = String(pkg.credential)): cred.Presentation => ({
  sdJwt, position: pkg.inclusion.position, count: pkg.inclusion.count, path: pkg.inclusion.path.map((h) => fromHex(h, 32)),
});
const RULE: cred.Eligibility = { types: ['national-id'], issuers: [], predicates: [] };
const pred = (claim: string, op: number, ...values: string[]): cred.ClaimPredicate => ({ claim, op, values });
const { EQ, NE, LT, LE, GT, GE, IN } = cred.PredicateOp;

/** Run `credcheck.verify` as `who`; the code's name, or 'ok'. */
async function check(c: Chain, who: KeyPair, p: cred.Presentation, rule: cred.Eligibility = RULE, dt?: number): Promise<string> {
  const r = await c.run(who, 'credcheck', 'verify', VerifyArgs, { p, rule }, dt);
  return r.status === 0 ? 'ok' : vmCodeName(r.code) ?? `code ${r.code}`;
}

// SD-JWT surgery: the parts of a compact SD-JWT, and JSON segments re-encoded.
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
const unb64 = (s: string): string => Buffer.from(s, 'base64url').toString('utf8');
const partsOf = (sdJwt: string) => {
  const parts = sdJwt.split('~');
  const [h, p, s] = parts[0]!.split('.') as [string, string, string];
  return { h, p, s, disclosures: parts.slice(1, -1), kb: parts[parts.length - 1]! };
};
const join = (jwt: string, disclosures: string[], kb = ''): string => [jwt, ...disclosures, kb].join('~');
/** The issued credential keeping only the disclosures of `names` (no KB-JWT). */
const keepOnly = (sdJwt: string, names: string[]): string => {
  const x = partsOf(sdJwt);
  return join(`${x.h}.${x.p}.${x.s}`, x.disclosures.filter((d) => names.includes(JSON.parse(unb64(d))[1] as string)));
};

t.beforeEach(() => {
  override = null;
  nextIndex = new Map();
});

t.test('a valid presentation verifies and gives its disclosed claims; with or without a KB-JWT', async (tt) => {
  const c = await trustChain();
  const [a, b] = await issue(c, [[K.alice, ALICE], [K.bob, BOB]]);
  const shown = await presentSdJwtVc(String(a!.credential), ['region', 'birthDate'], K.alice, { aud: 'sov-ledger', nonce: 'n-1', iat: Math.floor(T0 / 1000) });
  tt.match(partsOf(shown).kb, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'the SDK added a KB-JWT');
  tt.equal(await check(c, K.alice, presentation(a!, shown)), 'ok');
  const v = verified!;
  tt.same(v.issuer, addr(K.agency));
  tt.same([v.index, v.batch, v.schema, v.typeId, v.validUntil], [0, 0, 'national-id@1', 'national-id', T0 + 365 * DAY]);
  tt.same(v.digest, sdJwtIssuerJwtDigest(shown), "the digest is the SDK's sdJwtIssuerJwtDigest");
  tt.same(Object.fromEntries(v.claims), {
    iss: JSON.parse(unb64(partsOf(shown).p)).iss, iat: T0 / 1000, nbf: T0 / 1000, exp: (T0 + 365 * DAY) / 1000, vct: 'national-id',
    givenName: 'Sigríður', household: 4, resident: true, region: 'IS-RE', birthDate: '1984-03-02',
  }, 'always-visible scalars and the disclosed claims; no objects (cnf, ledger, status)');

  tt.equal(await check(c, K.bob, presentation(b!, keepOnly(String(b!.credential), ['region']))), 'ok', 'the issued form with one disclosure, no KB-JWT');
  tt.same([verified!.index, verified!.claims.get('region'), verified!.claims.has('birthDate')], [1, 'IS-AK', false], 'birthDate stays undisclosed');
  tt.equal(await check(c, K.bob, presentation(b!, keepOnly(String(b!.credential), []))), 'ok', 'no disclosure at all');

  // Work: the bytes read and the issuer signature are charged beyond the transaction's own bytes.
  const r = await c.run(K.alice, 'credcheck', 'verify', VerifyArgs, { p: presentation(a!, shown), rule: RULE });
  tt.equal(r.status, 0);
  tt.ok(r.work >= 2 * shown.length + 2 * 100, `work ${r.work} covers the presentation twice (its tx bytes, its parsing) and two signatures`);
});

t.test('shape, anchor and signature: malformed, wrong chain, unanchored, wrong path, tampered, key not valid, wrong schema', async (tt) => {
  const c = await trustChain();
  const [a] = await issue(c, [[K.alice, ALICE]]);
  const good = String(a!.credential);
  const x = partsOf(good);
  const jwt = `${x.h}.${x.p}.${x.s}`;

  // 1. Shape.
  tt.equal(await check(c, K.alice, presentation(a!, jwt)), 'PRESENTATION_MALFORMED', 'no "~"');
  tt.equal(await check(c, K.alice, presentation(a!, `${good}~`)), 'PRESENTATION_MALFORMED', 'an empty disclosure');
  tt.equal(await check(c, K.alice, presentation(a!, good.replace('.', '=.'))), 'PRESENTATION_MALFORMED', 'padding');
  tt.equal(await check(c, K.alice, presentation(a!, join(`${b64('{"alg":"ES256","typ":"dc+sd-jwt"}')}.${x.p}.${x.s}`, x.disclosures))), 'PRESENTATION_MALFORMED', 'alg ES256');
  tt.equal(await check(c, K.alice, presentation(a!, join(`${b64('{"alg":"EdDSA","typ":"JWT"}')}.${x.p}.${x.s}`, x.disclosures))), 'PRESENTATION_MALFORMED', 'typ JWT');
  const payload = JSON.parse(unb64(x.p)) as Record<string, unknown>;
  const withPayload = (p: Record<string, unknown>) => join(`${x.h}.${b64(JSON.stringify(p))}.${x.s}`, x.disclosures);
  tt.equal(await check(c, K.alice, presentation(a!, withPayload({ ...payload, _sd_alg: 'sha-512' }))), 'PRESENTATION_MALFORMED', '_sd_alg sha-512');
  tt.equal(await check(c, K.alice, presentation(a!, withPayload({ ...payload, ledger: undefined }))), 'PRESENTATION_MALFORMED', 'no ledger claim');
  tt.equal(await check(c, K.alice, presentation(a!, withPayload({ ...payload, iat: 1.5 }))), 'PRESENTATION_MALFORMED', 'a fractional iat');
  tt.equal(await check(c, K.alice, presentation(a!, withPayload({ ...payload, iss: 'did:web:example.org' }))), 'PRESENTATION_MALFORMED', 'iss not a did:key');
  const xs = x.s;
  const ledger = payload.ledger as Record<string, unknown>;
  const malformed: [string, string][] = [
    [`${jwt}~${x.disclosures.join('~')}~abc`, 'a KB-JWT part that is no compact JWT'],
    [join(jwt, Array.from({ length: 65 }, () => x.disclosures[0]!)), '65 disclosures'],
    [join(`${x.h}.${x.p}.${xs.slice(0, -3)}`, x.disclosures), 'a signature of 63 bytes'],
    [join(`${x.h}.${x.p}.${xs.slice(0, -1)}${B64URL[B64URL.indexOf(xs.at(-1)!) + 1]}`, x.disclosures), 'non-canonical base64url (a padding bit set)'],
    [join(`${x.h}.${x.p}`, x.disclosures), 'two parts'],
    [join(`${Buffer.from(`\ufeff${unb64(x.h)}`).toString('base64url')}.${x.p}.${xs}`, x.disclosures), 'a byte-order mark before the header'],
    [join(`${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${x.p}.${xs}`, x.disclosures), 'a header that is not UTF-8'],
    [join(`${b64('[1]')}.${x.p}.${xs}`, x.disclosures), 'a header that is not an object'],
    [withPayload({ ...payload, ledger: { ...ledger, batch: '0' } }), 'a batch that is a string'],
    [withPayload({ ...payload, ledger: { ...ledger, index: -1, batch: 0 } }), 'an index before its batch'],
    [withPayload({ ...payload, ledger: { ...ledger, schema: 'national-id' } }), 'a schema without version'],
    [withPayload({ ...payload, vct: 7 }), 'vct a number'],
    [withPayload({ ...payload, cnf: 'key' }), 'cnf a string'],
    [withPayload({ ...payload, cnf: { jwk: { kty: 'EC', crv: 'P-256', x: 'AA' } } }), 'cnf an EC key'],
    [withPayload({ ...payload, iss: 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme' }), 'iss a secp256k1 did:key'],
    [withPayload({ ...payload, iss: `did:key:z${'1'.repeat(47)}` }), 'iss of zero bytes'],
    [withPayload({ ...payload, _sd: 'abc' }), '_sd not a list'],
    [join(jwt, [b64('["salt",7,"x"]')]), 'a disclosure naming a number'],
    [join(jwt, [b64('{"salt":"x"}')]), 'a disclosure that is an object'],
    [`${good.slice(0, 20)}é${good.slice(21)}`, 'a character outside base64url'],
  ];
  for (const [s, what] of malformed) tt.equal(await check(c, K.alice, presentation(a!, s)), 'PRESENTATION_MALFORMED', what);
  override = { ...presentation(a!), sdJwt: `${good}${'A'.repeat(16_385 - good.length)}` };
  tt.equal(await check(c, K.alice, presentation(a!)), 'PRESENTATION_MALFORMED', 'over 16,384 characters (past the codec)');
  override = { ...presentation(a!), sdJwt: `${good}${'A'.repeat(3_000_000)}` };
  tt.equal(await check(c, K.alice, presentation(a!)), 'PRESENTATION_MALFORMED', 'refused by its size before its bytes are charged (they would exceed tx_max_work)');
  override = { ...presentation(a!), sdJwt: 42 as unknown as string };
  tt.equal(await check(c, K.alice, presentation(a!)), 'PRESENTATION_MALFORMED', 'not a string (past the codec)');
  override = null;

  // 2. Chain and anchor.
  const [other] = await issue(c, [[K.alice, ALICE]], { chainId: 'another-chain', anchor: false });
  tt.equal(await check(c, K.alice, presentation(other!)), 'PRESENTATION_WRONG_CHAIN');
  const [unanchored] = await issue(c, [[K.alice, ALICE]], { first: 9_000, anchor: false });
  tt.equal(await check(c, K.alice, presentation(unanchored!)), 'CREDENTIAL_NOT_ANCHORED', 'no anchor at its batch');
  const [p0, p1] = await issue(c, [[K.alice, ALICE], [K.alice, { ...ALICE, region: 'IS-VE' }], [K.bob, BOB]]);
  tt.equal(await check(c, K.alice, presentation(p1!)), 'ok', 'the second of a batch of three');
  tt.equal(await check(c, K.alice, { ...presentation(p1!), position: 0 }), 'CREDENTIAL_NOT_ANCHORED', 'a wrong position');
  tt.equal(await check(c, K.alice, { ...presentation(p1!), count: 4 }), 'CREDENTIAL_NOT_ANCHORED', 'a wrong count');
  tt.equal(await check(c, K.alice, { ...presentation(p1!), path: presentation(p0!).path }), 'CREDENTIAL_NOT_ANCHORED', "another credential's path");
  const bent = presentation(p1!);
  bent.path[0]![5]! ^= 1;
  tt.equal(await check(c, K.alice, bent), 'CREDENTIAL_NOT_ANCHORED', 'a path with a flipped bit');
  tt.equal(await check(c, K.alice, { ...presentation(p1!), path: [] }), 'CREDENTIAL_NOT_ANCHORED', 'no path');
  tt.equal(await check(c, K.alice, presentation(p1!, String(p0!.credential))), 'CREDENTIAL_NOT_ANCHORED', "another credential's JWT at this position");
  const forged = withPayload({ ...payload, givenName: 'Someone Else' });
  tt.equal(await check(c, K.alice, presentation(a!, forged)), 'CREDENTIAL_NOT_ANCHORED', 'a payload changed after issuance: its digest is not the anchored one');

  // 3. Signature: an anchored JWT whose signature does not verify; one signed by a key the issuer never held.
  const [toBreak] = await issue(c, [[K.alice, ALICE]], { first: nextIndex.get('agency'), anchor: false });
  const y = partsOf(String(toBreak!.credential));
  const sig = Buffer.from(y.s, 'base64url');
  sig[10]! ^= 0x40;
  const broken = join(`${y.h}.${y.p}.${sig.toString('base64url')}`, y.disclosures);
  const batch = buildAnchorBatch([sdJwtIssuerJwtDigest(broken)]);
  const first = nextIndex.get('agency')!;
  await c.ok(K.agency, 'cred', 'anchor', cred.AnchorArgs, { schema: 'national-id@1', first, count: 1, root: batch.root });
  nextIndex.set('agency', first + 1);
  tt.equal(await check(c, K.alice, { sdJwt: broken, position: 0, count: 1, path: batch.path(0) }), 'PRESENTATION_TAMPERED', 'anchored, but the signature does not verify');
  const [rogue] = await issue(c, [[K.alice, ALICE]], { key: K.rogue });
  tt.equal(await check(c, K.alice, presentation(rogue!)), 'CREDENTIAL_KEY_NOT_VALID', 'signed by a key the issuer never held, though the issuer anchored it');

  // 4. Schema: a national-id credential anchored as a permit.
  const [misfiled] = await issue(c, [[K.alice, ALICE]], { anchorSchema: 'permit@1', days: 10 });
  tt.equal(await check(c, K.alice, presentation(misfiled!), { ...RULE, types: ['permit'] }), 'CREDENTIAL_WRONG_SCHEMA');
  const permit = { id: 'permit@1', typeId: 'permit', selective: [] };
  const [long] = await issue(c, [[K.alice, { holder: 'x' }]], { schema: permit, days: 31 });
  tt.equal(await check(c, K.alice, presentation(long!), { ...RULE, types: ['permit'] }), 'CREDENTIAL_WRONG_SCHEMA', "a validity beyond the schema's 30 days");
  const [permitOk] = await issue(c, [[K.alice, { holder: 'x' }]], { schema: permit, days: 30 });
  tt.equal(await check(c, K.alice, presentation(permitOk!), { ...RULE, types: ['permit'] }), 'ok', 'within it');
});

t.test('type, issuer, accreditation, disclosures, holder, validity and status', async (tt) => {
  const c = await trustChain();
  const [a] = await issue(c, [[K.alice, ALICE]]);
  const p = presentation(a!);
  const x = partsOf(String(a!.credential));

  // 4. Type, the rule's issuers, accreditation now.
  tt.equal(await check(c, K.alice, p, { ...RULE, types: ['kyc', 'permit'] }), 'NOT_ELIGIBLE_TYPE');
  tt.equal(await check(c, K.alice, p, { ...RULE, types: [] }), 'NOT_ELIGIBLE_TYPE', 'a rule of no type accepts none');
  tt.equal(await check(c, K.alice, p, { ...RULE, issuers: [addr(K.bank)] }), 'NOT_ELIGIBLE_ISSUER');
  tt.equal(await check(c, K.alice, p, { ...RULE, types: ['kyc', 'national-id'], issuers: [addr(K.bank), addr(K.agency)] }), 'ok', 'listed');
  await c.ok(K.ministry, 'cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: addr(K.agency), status: 1, legalRef: 'inquiry' });
  tt.equal(await check(c, K.alice, p), 'ISSUER_ACCREDITATION_INACTIVE', 'the issuer suspended');
  await c.ok(K.ministry, 'cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: addr(K.agency), status: 0, legalRef: 'cleared' });
  tt.equal(await check(c, K.alice, p), 'ok', 'reinstated');
  await c.ok(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.SET_ACCREDITOR_STATUS, { account: addr(K.ministry), status: 1, legalRef: 'review' }), reason: 'review' });
  tt.equal(await check(c, K.alice, p), 'ISSUER_ACCREDITATION_INACTIVE', 'its accreditor suspended');
  await c.ok(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.SET_ACCREDITOR_STATUS, { account: addr(K.ministry), status: 0, legalRef: 'done' }), reason: 'done' });
  tt.equal(await check(c, K.alice, p), 'ok');

  // 5. Disclosures.
  const jwt = `${x.h}.${x.p}.${x.s}`;
  const fake = b64(JSON.stringify(['c2FsdHNhbHRzYWx0', 'region', 'IS-KO']));
  tt.equal(await check(c, K.alice, { ...p, sdJwt: join(jwt, [...x.disclosures, fake]) }), 'DISCLOSURE_MISMATCH', 'a disclosure no _sd digest refers to');
  const regionD = x.disclosures.find((d) => unb64(d).includes('"region"'))!;
  const changed = b64(unb64(regionD).replace('IS-RE', 'IS-KO'));
  tt.equal(await check(c, K.alice, { ...p, sdJwt: join(jwt, [changed]) }), 'DISCLOSURE_MISMATCH', "a disclosure whose value was changed");
  tt.equal(await check(c, K.alice, { ...p, sdJwt: join(jwt, [regionD, regionD]) }), 'DISCLOSURE_MISMATCH', 'a disclosure sent twice');
  tt.equal(await check(c, K.alice, { ...p, sdJwt: join(jwt, [b64('["c2FsdA","IS-KO"]')]) }), 'DISCLOSURE_MISMATCH', 'an array-element disclosure');
  tt.equal(await check(c, K.alice, { ...p, sdJwt: join(jwt, [b64('["c2FsdA","region"]'.replace(']', ',1,2]'))]) }), 'PRESENTATION_MALFORMED', 'not a disclosure');


  // 6. Holder: alice's credential in bob's transaction; then alice rotates her key away from the cnf key.
  tt.equal(await check(c, K.bob, p), 'HOLDER_MISMATCH', "alice's credential presented by bob");
  const [nobody] = await issue(c, [[K.rogue, ALICE]]);
  tt.equal(await check(c, K.alice, presentation(nobody!)), 'HOLDER_MISMATCH', "bound to a key of no account's");
  await c.ok(K.alice, 'account', 'rotate_keys', account.RotateArgs, { keys: [K.rogue.publicKey], threshold: 1 });
  c.keys.set(Buffer.from(addr(K.alice)).toString('hex'), K.rogue);
  tt.equal(await check(c, K.alice, p), 'HOLDER_MISMATCH', "alice's account no longer holds the cnf key");
  tt.equal(await check(c, K.alice, presentation(nobody!)), 'ok', 'but now holds the key of the other credential');
});

/**
 * A credential signed here with the agency's key, as the SDK would not write it, and anchored
 * alone: `payload` over the usual claims (a key set to undefined is left out), `disclosures`
 * as [salt, name?, value] arrays, each digest in _sd unless `sd` is given.
 */
async function handMade(c: Chain, payload: Record<string, unknown>, disclosures: unknown[][] = [], o: { sd?: string[]; header?: Record<string, unknown> } = {}): Promise<cred.Presentation> {
  const first = nextIndex.get('agency') ?? 0;
  const encoded = disclosures.map((d) => b64(JSON.stringify(d)));
  const digest = (d: string) => Buffer.from(sha256(utf8(d))).toString('base64url');
  const full = {
    iss: didKeyOf(K.agency.publicKey), iat: T0 / 1000, nbf: T0 / 1000, exp: T0 / 1000 + 86_400, vct: 'national-id',
    cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(K.alice.publicKey).toString('base64url') } },
    ledger: { chainId: CHAIN, issuer: encodeAddress(PREFIX, addr(K.agency)), batch: first, index: first, schema: 'national-id@1' },
    _sd_alg: 'sha-256', _sd: o.sd ?? encoded.map(digest), ...payload,
  };
  const input = `${b64(JSON.stringify(o.header ?? { alg: 'EdDSA', typ: 'dc+sd-jwt' }))}.${b64(JSON.stringify(full))}`;
  const jwt = `${input}.${Buffer.from(sign(utf8(input), K.agency.secretKey)).toString('base64url')}`;
  const batch = buildAnchorBatch([sha256(utf8(jwt))]);
  await c.ok(K.agency, 'cred', 'anchor', cred.AnchorArgs, { schema: 'national-id@1', first, count: 1, root: batch.root });
  nextIndex.set('agency', first + 1);
  return { sdJwt: join(jwt, encoded), position: 0, count: 1, path: [] };
}

t.test('what an issuer could sign and anchor that the ledger still refuses', async (tt) => {
  const c = await trustChain();
  tt.equal(await check(c, K.alice, await handMade(c, {}, [['s1', 'region', 'IS-RE']])), 'ok', 'the hand-made credential itself verifies');
  tt.equal(verified!.claims.get('region'), 'IS-RE');
  tt.equal(await check(c, K.alice, await handMade(c, { givenName: 'A' }, [['s1', 'givenName', 'B']])), 'DISCLOSURE_MISMATCH', 'a disclosure of a claim the payload shows');
  tt.equal(await check(c, K.alice, await handMade(c, {}, [['s1', 'region', 'IS-RE'], ['s2', 'region', 'IS-AK']])), 'DISCLOSURE_MISMATCH', 'two disclosures of one claim');
  tt.equal(await check(c, K.alice, await handMade(c, { exp: undefined }, [['s1', 'exp', 4_000_000_000]])), 'DISCLOSURE_MISMATCH', 'exp disclosed selectively');
  tt.equal(await check(c, K.alice, await handMade(c, {}, [['s1', 'IS-RE']])), 'DISCLOSURE_MISMATCH', 'an array-element disclosure whose digest is in _sd');
  tt.equal(await check(c, K.alice, await handMade(c, { cnf: undefined })), 'HOLDER_MISMATCH', 'no cnf: bound to no holder');
  tt.equal(await check(c, K.alice, await handMade(c, { vct: 'permit' })), 'CREDENTIAL_WRONG_SCHEMA', 'vct is not its anchor schema\'s type');
  tt.equal(await check(c, K.alice, await handMade(c, { exp: undefined }), RULE), 'ok', 'no exp: valid without end');
  tt.equal(verified!.validUntil, Number.MAX_SAFE_INTEGER);
  tt.equal(await check(c, K.alice, await handMade(c, {}, [['s1', 'address', { street: 'x' }]]), { ...RULE, predicates: [pred('address', EQ, 'x')] }), 'PREDICATE_FAILED', 'a disclosed object is shown but not compared');
  tt.equal(await check(c, K.alice, await handMade(c, { ratio: 0.5 }), { ...RULE, predicates: [pred('ratio', LT, '1')] }), 'PREDICATE_FAILED', 'nor is a fraction');
  tt.equal(await check(c, K.alice, await handMade(c, { big: 2 ** 60 }), { ...RULE, predicates: [pred('big', GT, '1')] }), 'PREDICATE_FAILED', 'nor a number beyond safe integers');
  tt.equal(await check(c, K.alice, await handMade(c, {}, [], { sd: ['x', 'x'] })), 'PRESENTATION_MALFORMED', 'a digest twice in _sd');
  tt.equal(await check(c, K.alice, await handMade(c, {}, [], { header: { alg: 'EdDSA', typ: 'dc+sd-jwt', kid: `${didKeyOf(K.rogue.publicKey)}#x` } })), 'PRESENTATION_MALFORMED', "a kid that is not iss's");
  tt.equal(await check(c, K.alice, await handMade(c, {}, [], { header: { alg: 'EdDSA', typ: 'dc+sd-jwt', crit: ['b64'] } })), 'PRESENTATION_MALFORMED', 'crit');
  tt.equal(await check(c, K.alice, await handMade(c, { ledger: { chainId: CHAIN, issuer: encodeAddress('other', addr(K.agency)), batch: 0, index: 0, schema: 'national-id@1' } })), 'PRESENTATION_MALFORMED', "an issuer address of another prefix");
  tt.equal(await check(c, K.alice, await handMade(c, { cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } } })), 'PRESENTATION_MALFORMED', 'a cnf key that is no key');
});

t.test('validity at block time, then status; requireStanding on a credential verified earlier', async (tt) => {
  const c = await trustChain();
  const [a, b] = await issue(c, [[K.alice, ALICE], [K.bob, BOB]], { days: 10 });
  const [later] = await issue(c, [[K.alice, ALICE]], { validFrom: T0 + 2 * DAY, issuedAt: T0 });
  tt.equal(await check(c, K.alice, presentation(later!)), 'CREDENTIAL_NOT_YET_VALID', 'nbf after block time');
  const [future] = await issue(c, [[K.alice, ALICE]], { validFrom: T0, issuedAt: T0 + DAY });
  tt.equal(await check(c, K.alice, presentation(future!)), 'CREDENTIAL_NOT_YET_VALID', 'iat after block time');
  tt.equal(await check(c, K.alice, presentation(a!)), 'ok');
  const v = verified!;
  const standing = (o: Partial<{ validUntil: number; typeId: string }> = {}) =>
    c.run(K.bob, 'credcheck', 'standing', StandingArgs, { issuer: v.issuer, index: v.index, validUntil: v.validUntil, typeId: v.typeId, ...o }).then((r) => (r.status === 0 ? 'ok' : vmCodeName(r.code)));
  tt.equal(await standing(), 'ok', 'in good standing');
  tt.equal(await standing({ typeId: 'kyc' }), 'ISSUER_ACCREDITATION_INACTIVE', 'not accredited for another type');
  tt.equal(await standing({ typeId: '' }), 'ok', 'without a type: accredited for something');

  const set = (index: number, purpose: number, on: boolean) => c.ok(K.agency, 'cred', 'set_status', cred.SetStatusArgs, { changes: [{ index, purpose, set: on, reason: 1 }] });
  await set(v.index, cred.StatusPurpose.SUSPENSION, true);
  tt.equal(await check(c, K.alice, presentation(a!)), 'CREDENTIAL_SUSPENDED');
  tt.equal(await standing(), 'CREDENTIAL_SUSPENDED');
  await set(v.index, cred.StatusPurpose.SUSPENSION, false);
  tt.equal(await check(c, K.alice, presentation(a!)), 'ok', 'reinstated');
  await set(v.index, cred.StatusPurpose.REVOCATION, true);
  tt.equal(await check(c, K.alice, presentation(a!)), 'CREDENTIAL_REVOKED');
  tt.equal(await standing(), 'CREDENTIAL_REVOKED');
  await set(v.index, cred.StatusPurpose.SUSPENSION, true);
  tt.equal(await check(c, K.alice, presentation(a!)), 'CREDENTIAL_REVOKED', 'revocation is checked first');

  await c.ok(K.ministry, 'cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: addr(K.agency), status: 1, legalRef: 'inquiry' });
  tt.equal(await c.run(K.bob, 'credcheck', 'standing', StandingArgs, { issuer: addr(K.agency), index: 1, validUntil: v.validUntil, typeId: '' }).then((r) => vmCodeName(r.code)), 'ISSUER_ACCREDITATION_INACTIVE', "bob's, its issuer suspended");
  await c.ok(K.ministry, 'cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: addr(K.agency), status: 0, legalRef: 'cleared' });

  // Time: bob's credential (valid ten days, from T0) at its last millisecond, and at exp.
  c.time = v.validUntil - 2;
  tt.equal(await check(c, K.bob, presentation(b!), RULE, 1), 'ok', 'a millisecond before exp');
  tt.equal(await check(c, K.bob, presentation(b!), RULE, 1), 'CREDENTIAL_EXPIRED', 'at exp');
  tt.equal(await c.run(K.bob, 'credcheck', 'standing', StandingArgs, { issuer: addr(K.agency), index: 1, validUntil: v.validUntil, typeId: '' }).then((r) => vmCodeName(r.code)), 'CREDENTIAL_EXPIRED');
  tt.equal(await check(c, K.alice, presentation(later!)), 'ok', 'the later credential is valid by now');
});

t.test('claim predicates: EQ region, an age band by birthDate, IN, numbers and booleans; undisclosed claims', async (tt) => {
  const c = await trustChain();
  const [a, b] = await issue(c, [[K.alice, ALICE], [K.bob, BOB]]);
  const both = presentation(a!);
  const birthOnly = presentation(a!, keepOnly(String(a!.credential), ['birthDate']));
  const rule = (...predicates: cred.ClaimPredicate[]): cred.Eligibility => ({ ...RULE, predicates });
  const bobs = presentation(b!);
  const cases: [cred.Presentation, cred.ClaimPredicate[], string, string?][] = [
    [both, [pred('region', EQ, 'IS-RE')], 'ok', 'region EQ'],
    [both, [pred('region', EQ, 'IS-AK')], 'PREDICATE_FAILED', 'region EQ another'],
    [both, [pred('region', NE, 'IS-AK')], 'ok', 'region NE'],
    [both, [pred('region', IN, 'IS-AK', 'IS-RE')], 'ok', 'region IN'],
    [both, [pred('region', IN, 'IS-AK', 'IS-VE')], 'PREDICATE_FAILED', 'region not IN'],
    // Adults on 2026-01-01: born on or before 2008-01-01 (ISO dates order as strings).
    [both, [pred('birthDate', LE, '2008-01-01')], 'ok', 'an adult: birthDate LE 2008-01-01'],
    [bobs, [pred('birthDate', LE, '2008-01-01')], 'PREDICATE_FAILED', 'a minor'],
    [both, [pred('birthDate', GE, '1961-01-01'), pred('birthDate', LT, '1991-01-01')], 'ok', 'an age band: 35 to 64'],
    [both, [pred('birthDate', GT, '1984-03-02')], 'PREDICATE_FAILED', 'GT is strict'],
    [both, [pred('birthDate', LT, '1984-03-02')], 'PREDICATE_FAILED', 'LT is strict'],
    [both, [pred('birthDate', GE, '1984-03-02'), pred('birthDate', LE, '1984-03-02')], 'ok', 'GE and LE include equality'],
    [both, [pred('region', NE, 'IS-RE')], 'PREDICATE_FAILED', 'NE an equal value'],
    [both, [pred('household', NE, '4')], 'PREDICATE_FAILED', 'NE an equal number'],
    [both, [pred('household', GE, '3')], 'ok', 'a number: household GE 3'],
    [both, [pred('household', GT, '10')], 'PREDICATE_FAILED', 'numbers compare as numbers, not strings ("4" > "10")'],
    [both, [pred('household', EQ, '4')], 'ok'],
    [both, [pred('household', EQ, '04')], 'PREDICATE_FAILED', 'a value that is not a canonical decimal integer never matches a number'],
    [both, [pred('household', NE, 'four')], 'PREDICATE_FAILED', 'not even with NE'],
    [both, [pred('household', IN, '4.0', '4')], 'ok', 'IN: one value matches'],
    [both, [pred('resident', EQ, 'true')], 'ok', 'a boolean'],
    [both, [pred('resident', EQ, 'yes')], 'PREDICATE_FAILED'],
    [both, [pred('resident', GE, 'false')], 'PREDICATE_FAILED', 'booleans have no order'],
    [both, [pred('vct', EQ, 'national-id'), pred('iat', LE, String(T0 / 1000))], 'ok', 'always-visible claims too'],
    [both, [pred('ledger', EQ, 'x')], 'PREDICATE_FAILED', 'an object claim is not compared'],
    [birthOnly, [pred('region', EQ, 'IS-RE')], 'UNDISCLOSED_CLAIM', 'region not disclosed'],
    [both, [pred('nationality', EQ, 'IS')], 'UNDISCLOSED_CLAIM', 'a claim the credential does not have'],
    [both, [pred('region', EQ, 'IS-RE'), pred('birthDate', GT, '2000-01-01')], 'PREDICATE_FAILED', 'every predicate must hold'],
    [both, [pred('region', 9, 'IS-RE')], 'BAD_PREDICATE', 'an unknown operator'],
    [both, [pred('region', EQ, 'IS-RE', 'IS-AK')], 'BAD_PREDICATE', 'EQ with two values'],
    [both, [pred('region', IN)], 'BAD_PREDICATE', 'IN with none'],
  ];
  for (const [p, predicates, want, what] of cases) {
    const who = p === bobs ? K.bob : K.alice;
    tt.equal(await check(c, who, p, rule(...predicates)), want, what ?? JSON.stringify(predicates));
  }
  tt.equal(await check(c, K.bob, presentation(a!), rule(pred('region', 9))), 'BAD_PREDICATE', 'a bad rule is refused before anything else');

  // checkPredicates alone, on a map.
  const claims = new Map<string, cred.ClaimValue>([['region', 'IS-RE'], ['n', -12], ['flag', false]]);
  const codeOf = (f: () => void): string => {
    try {
      f();
      return 'ok';
    } catch (e) {
      return e instanceof VmError ? e.code : `not a VmError: ${String(e)}`;
    }
  };
  tt.equal(codeOf(() => cred.checkPredicates(claims, [pred('n', LT, '-11'), pred('n', GE, '-12'), pred('flag', NE, 'true'), pred('region', LT, 'IS-RF')])), 'ok');
  tt.equal(codeOf(() => cred.checkPredicates(claims, [pred('n', EQ, '-012')])), 'PREDICATE_FAILED');
  tt.equal(codeOf(() => cred.checkPredicates(claims, [pred('n', EQ, '-0')])), 'PREDICATE_FAILED', '-0 is not a canonical integer');
  tt.equal(codeOf(() => cred.checkPredicates(claims, [pred('n', EQ, '99999999999999999')])), 'PREDICATE_FAILED', 'beyond safe integers');
  tt.equal(codeOf(() => cred.checkPredicates(claims, [pred('x', EQ, '1')])), 'UNDISCLOSED_CLAIM');
  tt.equal(codeOf(() => cred.checkPredicates(claims, [pred('n', 7, '1')])), 'BAD_PREDICATE');
  tt.equal(codeOf(() => cred.checkPredicates(new Map([['z', 'Ä']]), [pred('z', GT, 'Z')])), 'ok', 'UTF-16 code unit order');
});

t.test('garbage: a few hundred random mutations of a presentation each fail with a cred code, never another exception', async (tt) => {
  const c = await trustChain();
  const [a] = await issue(c, [[K.alice, ALICE]]);
  const good = await presentSdJwtVc(String(a!.credential), ['region', 'birthDate'], K.alice, { aud: 'sov-ledger', nonce: 'n-1', iat: Math.floor(T0 / 1000) });
  const rule: cred.Eligibility = { ...RULE, predicates: [pred('region', EQ, 'IS-RE')] };
  const base = presentation(a!, good);
  const rng = new Rng(20260101);
  const CHARS = 'AZaz09-_.~=+/ é\u0000{}[]",:';
  const json = (depth: number): unknown => {
    const k = rng.int(depth > 6 ? 4 : 7);
    if (k === 0) return rng.int(1 << 30) - (1 << 29);
    if (k === 1) return rng.pick(['', 'did:key:z6Mk', 'EdDSA', 'dc+sd-jwt', '__proto__', 'sha-256', '\ud800']);
    if (k === 2) return rng.pick([null, true, false, 1e300, -0.5]);
    if (k === 3) return {};
    if (k === 4) return Array.from({ length: rng.int(4) }, () => json(depth + 1));
    return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [rng.pick(['iss', 'ledger', '_sd', 'cnf', 'jwk', 'x', 'batch', '__proto__', 'constructor']), json(depth + 1)]));
  };
  const mutate = (s: string): string => {
    const parts = s.split('~');
    switch (rng.int(10)) {
      case 0: { const i = rng.int(s.length); return s.slice(0, i) + rng.pick([...CHARS]) + s.slice(i + 1); }
      case 1: { const i = rng.int(s.length); return s.slice(0, i) + s.slice(i + 1 + rng.int(8)); }
      case 2: { const i = rng.int(s.length); return s.slice(0, i) + rng.pick([...CHARS]) + s.slice(i); }
      case 3: return s.slice(0, rng.int(s.length));
      case 4: { const i = rng.int(parts.length); parts.splice(i, 1); return parts.join('~'); }
      case 5: { const i = rng.int(parts.length); parts.splice(i, 0, parts[rng.int(parts.length)]!); return parts.join('~'); }
      case 6: { parts[rng.int(parts.length)] = b64(JSON.stringify(json(0)) ?? 'null'); return parts.join('~'); }
      case 7: { // a JWT segment replaced by random JSON
        const segs = parts[0]!.split('.');
        segs[rng.int(3)] = b64(JSON.stringify(json(0)) ?? '');
        parts[0] = segs.join('.');
        return parts.join('~');
      }
      case 8: { // a payload field changed in type (when the payload still parses)
        const segs = parts[0]!.split('.');
        let payload: Record<string, unknown>;
        try {
          payload = JSON.parse(unb64(segs[1] ?? '')) as Record<string, unknown>;
        } catch {
          return `${s}~`;
        }
        if (typeof payload !== 'object' || payload === null) return `~${s}`;
        payload[rng.pick(['iss', 'ledger', '_sd', 'cnf', 'iat', 'exp', 'vct', '_sd_alg', 'region'])] = json(3);
        segs[1] = b64(JSON.stringify(payload));
        parts[0] = segs.join('.');
        return parts.join('~');
      }
      default: return Buffer.from(rng.bytes(rng.int(200))).toString(rng.bool() ? 'base64url' : 'latin1');
    }
  };
  const deep = b64(`["c2FsdA","region",${'['.repeat(4000)}${']'.repeat(4000)}]`);
  const inputs = [
    join(good.split('~')[0]!, [deep]),
    `${'['.repeat(100)}~`,
    join(`${b64('{"alg":"EdDSA","typ":"dc+sd-jwt","__proto__":{"alg":"none"}}')}.${b64('{"__proto__":{"iss":"x"}}')}.${'A'.repeat(86)}`, []),
  ];
  for (let i = 0; i < 400; i++) {
    let s = good;
    for (let n = 1 + rng.int(3); n > 0; n--) s = mutate(s);
    if (Buffer.byteLength(s) <= 16_384) inputs.push(s);
  }
  const counts = new Map<string, number>();
  let bad = 0;
  for (let i = 0; i < inputs.length; i += 50) {
    const txs = inputs.slice(i, i + 50).map((s) => c.tx(K.alice, 'credcheck', 'verify', VerifyArgs, { p: { ...base, sdJwt: s }, rule }));
    const receipts = await c.block(txs);
    receipts.forEach((r, j) => {
      const name = r.status === 0 ? 'ok' : vmCodeName(r.code) ?? `code ${r.code}`;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (r.status !== 0 && (r.code < 1018 || r.code > 1099)) {
        bad++;
        tt.fail(`input ${i + j} failed with ${name}, not a presentation code: ${r.message}`);
      }
    });
  }
  tt.equal(bad, 0, `${inputs.length} inputs: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  tt.ok((counts.get('PRESENTATION_MALFORMED') ?? 0) > 100, 'most are malformed');
  tt.ok(counts.size >= 4, 'and they reach several checks');
});
