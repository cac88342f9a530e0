/**
 * Robustness: for every method of every module, a valid sample of its args and many
 * mutations of it (bytes flipped, cut, extended) from signers of every role. Whatever the
 * bytes, execution never throws, every receipt carries a known code, and supply stays the
 * sum of balances.
 */
import t from 'tap';
import { encode, type KeyPair, type Schema } from '../../core/index.js';
import { Rng } from '../../test/index.js';
import { account, ActionKind, comp, cred, gov, grant, lock, makeAction, money, MODULES, prog, ramp, tax, vmCodeName, xchg } from '../index.js';
import { addr, Chain, K, UNIT } from './harness.js';

interface Sample { module: string; method: string; bytes: Uint8Array }
const s = <A>(module: string, method: string, schema: Schema<A>, args: A): Sample => ({ module, method, bytes: encode(schema, args) });

const a = addr;
const SAMPLES: Sample[] = [
  s('account', 'open', account.OpenArgs, { keys: [K.vals[0]!.publicKey], threshold: 1, kind: 2, tier: 1, linkedRef: 'L', category: 'food' }),
  s('account', 'rotate_keys', account.RotateArgs, { keys: [K.carol.publicKey], threshold: 1 }),
  s('account', 'recover_keys', account.RecoverArgs, { account: a(K.carol), keys: [K.carol.publicKey], threshold: 1 }),
  s('account', 'set_tier', account.SetTierArgs, { account: a(K.alice), tier: 2 }),
  s('account', 'set_link', account.SetLinkArgs, { account: a(K.alice), linkedRef: 'X' }),
  s('account', 'set_category', account.SetCategoryArgs, { account: a(K.carol), category: 'food' }),
  s('account', 'close', account.CloseArgs, { account: a(K.shop), reason: 'r' }),
  s('account', 'freeze', account.FreezeArgs, { account: a(K.bob), legalRef: 'r' }),
  s('account', 'unfreeze', account.FreezeArgs, { account: a(K.bob), legalRef: 'r' }),
  s('gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.SET_PARAM, { name: 'max_tier', value: 5 }), reason: 'r' }),
  s('gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.ADD_VALIDATOR, { publicKey: K.alice.publicKey, power: 3, nodeKey: K.bob.publicKey }), reason: 'r' }),
  s('gov', 'approve', gov.ApproveArgs, { id: 1, reason: 'ok' }),
  s('gov', 'cancel', gov.CancelArgs, { id: 1, reason: 'no' }),
  s('money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: a(K.carol), amount: 5n * UNIT, memo: 'm', reference: 'r' }),
  s('money', 'payout', money.PayoutArgs, { currency: 'DCASH', items: [{ to: a(K.carol), amount: UNIT }, { to: a(K.bob), amount: 2n }], memo: '', reference: '' }),
  s('money', 'mint', money.MintArgs, { currency: 'DCASH', to: a(K.bankA), amount: UNIT, reference: '' }),
  s('money', 'burn', money.BurnArgs, { currency: 'DCASH', amount: UNIT, reference: '' }),
  s('money', 'set_tier_policy', money.SetTierPolicyArgs, { currency: 'DCASH', tier: 1, policy: { holdingLimit: 10n, perTxLimit: null, dailyLimit: 5n, annualLimit: null } }),
  s('money', 'set_bank_limit', money.SetBankLimitArgs, { currency: 'DCASH', bank: a(K.bankA), maxReserve: 10n ** 12n, dailyOut: null }),
  s('money', 'pause', money.PauseArgs, { currency: 'USDX', paused: true, legalRef: '' }),
  s('money', 'seize', money.SeizeArgs, { currency: 'DCASH', from: a(K.dave), to: a(K.ministry), amount: UNIT, legalRef: '' }),
  s('ramp', 'link_virtual', ramp.LinkArgs, { bankAccountId: 'V1', account: a(K.bob) }),
  s('ramp', 'unlink_virtual', ramp.UnlinkArgs, { bankAccountId: 'V1' }),
  s('ramp', 'attest_reserves', ramp.AttestArgs, { currency: 'USDX', amount: 10n ** 9n, reference: '' }),
  s('ramp', 'deposit', ramp.DepositArgs, { currency: 'USDX', amount: UNIT, bankRef: 'R1', to: a(K.bob), bankAccountId: '' }),
  s('ramp', 'redeem', ramp.RedeemArgs, { currency: 'USDX', amount: UNIT, bank: a(K.bankA), bankAccountId: 'B' }),
  s('ramp', 'payout_result', ramp.PayoutResultArgs, { id: 1, ok: false, reason: '' }),
  s('lock', 'create', lock.CreateLockArgs, { kind: 2, currency: 'DCASH', payee: a(K.bob), amount: UNIT, arbiter: null, hashlock: new Uint8Array(32), expiresAt: 1_767_225_700_000 }),
  s('lock', 'claim', lock.ClaimArgs, { id: 1, preimage: new Uint8Array(3) }),
  s('lock', 'release', lock.LockIdArgs, { id: 1 }),
  s('lock', 'refund', lock.LockIdArgs, { id: 1 }),
  s('grant', 'issue', grant.IssueGrantArgs, { currency: 'DCASH', holder: a(K.alice), amount: UNIT, category: 'food', expiresAt: 1_767_225_700_000 }),
  s('grant', 'spend', grant.SpendGrantArgs, { id: 1, to: a(K.shop), amount: 1n, memo: '' }),
  s('grant', 'reclaim', grant.GrantIdArgs, { id: 1 }),
  s('cred', 'accredit_issuer', cred.AccreditArgs, { account: a(K.agency), jurisdiction: 'IS', types: ['kyc'], legalRef: 'x' }),
  s('cred', 'set_issuer_status', cred.AccreditationStatusArgs, { account: a(K.agency), status: 1, legalRef: 'x' }),
  s('cred', 'register_schema', cred.RegisterSchemaArgs, { typeId: 'kyc', version: 1, jsonSchema: '{"type":"object","properties":{"tier":{}}}', selective: ['tier'], issuers: [], maxValidityMs: 1000 }),
  s('cred', 'anchor', cred.AnchorArgs, { schema: 'kyc@1', first: 0, count: 1, root: new Uint8Array(32) }),
  s('cred', 'set_status', cred.SetStatusArgs, { changes: [{ index: 0, purpose: 1, set: true, reason: 1 }] }),
  s('cred', 'bind_kyc', cred.BindKycArgs, { account: a(K.alice), index: 0, tier: 2, assurance: 2, validUntil: 1, digest: new Uint8Array(32) }),
  s('xchg', 'send', xchg.SendArgs, { receiver: a(K.ministry), first: 0, purposes: ['income'], bases: ['Act 1'], records: [{ payload: new Uint8Array(32), purpose: 0, basis: 0, consent: new Uint8Array(0), time: 1 }] }),
  s('xchg', 'acknowledge', xchg.AckArgs, { ranges: [{ sender: a(K.agency), first: 0, offset: 0, count: 1 }] }),
  s('xchg', 'register_doc', xchg.RegisterDocArgs, { digest: new Uint8Array(32), title: 't', groups: [[a(K.agency)]], deadline: 2 ** 50, legalRef: '' }),
  s('xchg', 'sign_doc', xchg.SignDocArgs, { id: 1, signer: a(K.agency), signature: null }),
  s('xchg', 'refuse_doc', xchg.RefuseDocArgs, { id: 1, reason: 'no' }),
  s('xchg', 'expire_doc', xchg.ExpireDocArgs, { id: 1 }),
  s('comp', 'register_rule', comp.RegisterRuleArgs, { name: 'velocity', version: 1, source: 'countOut(from.address, 3600000) > 20', scope: { currencies: ['DCASH'], types: [], institutions: [] }, action: 1, severity: 2, activation: 0, shadow: false, legalRef: 'AML 1' }),
  s('comp', 'set_rule_status', comp.SetRuleStatusArgs, { id: 'velocity@1', status: 1, legalRef: 'x' }),
  s('comp', 'update_list', comp.UpdateListArgs, { list: 'sanctions', add: ['00'], remove: [], legalRef: 'x' }),
  s('comp', 'set_jurisdiction', comp.SetJurisdictionArgs, { account: a(K.alice), jurisdiction: 'IS', legalRef: '' }),
  s('comp', 'release_hold', comp.HoldDecisionArgs, { id: 1, reason: 'cleared' }),
  s('comp', 'refuse_hold', comp.HoldDecisionArgs, { id: 1, reason: 'refused' }),
  s('comp', 'set_travel_key', comp.SetTravelKeyArgs, { publicKey: new Uint8Array(32).fill(9) }),
  s('comp', 'travel_transfer', comp.TravelTransferArgs, {
    transfer: { currency: 'DCASH', to: a(K.bob), amount: 5n, memo: '', reference: '' },
    envelope: new TextEncoder().encode('{"protected":"e30","iv":"AA","ciphertext":"AA","tag":"AA","recipients":[{"header":{"alg":"ECDH-ES+A256KW","kid":"00"},"encrypted_key":"AA"}]}'),
  }),
  s('prog', 'create', prog.CreateArgs, {
    name: 'benefit', funder: a(K.agency), currency: 'DCASH', budget: UNIT, eligibility: { types: [], issuers: [], predicates: [] }, reportClaim: '', mode: 0, root: new Uint8Array(32), rows: 0,
    schedules: [{ kind: 0, start: 0, cliffMs: 0, durationMs: 0, intervalMs: 0, count: 0 }], expiresAt: 0, graceMs: 0, category: '', spendMs: 0, legalRef: 'Act 1',
  }),
  s('prog', 'update', prog.UpdateArgs, { program: 1, terms: { name: 'b', funder: a(K.agency), currency: 'DCASH', budget: 2n, eligibility: { types: ['residence'], issuers: [], predicates: [{ claim: 'region', op: 0, values: ['IS-1'] }] }, reportClaim: 'region', mode: 0, root: new Uint8Array(32), rows: 0, schedules: [{ kind: 2, start: 0, cliffMs: 0, durationMs: 0, intervalMs: 1000, count: 12 }], expiresAt: 0, graceMs: 0, category: 'food', spendMs: 1000, legalRef: 'Act 2' } }),
  s('prog', 'set_rows', prog.SetRowsArgs, { program: 1, first: 0, rows: [{ beneficiary: a(K.alice), amount: UNIT, schedule: 0 }] }),
  s('prog', 'finalize', prog.FinalizeArgs, { program: 1, version: 2 }),
  s('prog', 'claim', prog.ClaimArgs, { program: 1, row: 0, leaf: { beneficiary: a(K.alice), amount: UNIT, schedule: 0 }, path: [new Uint8Array(32)], presentation: { sdJwt: 'eyJ.eyJ.sig~', position: 0, count: 1, path: [] } }),
  s('prog', 'push', prog.PushArgs, { program: 1, items: [{ row: 0, leaf: null, path: [] }] }),
  s('prog', 'revoke', prog.RowArgs, { program: 1, row: 0, leaf: null, path: [], legalRef: 'Decision 1' }),
  s('prog', 'recover', prog.RecoverArgs, { program: 1, row: 0, amount: 1n, legalRef: 'Decision 2' }),
  s('prog', 'close', prog.CloseArgs, { program: 1 }),
  s('tax', 'register_rule', tax.RegisterRuleArgs, {
    name: 'VAT', currency: 'DCASH', rateBps: 1500, base: 0, payer: 0, appliesTo: { types: [], payeeCategory: 'food', payerCategory: '' }, treasury: a(K.ministry), exemptTypes: ['charity'],
    activationHeight: 1_000, legalRef: 'VAT Act',
  }),
  s('tax', 'retire_rule', tax.RetireRuleArgs, { id: 1, atHeight: 2_000, legalRef: 'repeal' }),
  s('tax', 'claim_exemption', tax.ClaimExemptionArgs, { rule: 1, presentation: { sdJwt: 'eyJ.eyJ.sig~', position: 0, count: 1, path: [] } }),
];

t.test('every method has a sample', async (t) => {
  for (const [name, mod] of MODULES.byName) {
    for (const m of Object.keys(mod.methods)) t.ok(SAMPLES.some((x) => x.module === name && x.method === m), `${name}.${m}`);
  }
});

function mutate(r: Rng, b: Uint8Array): Uint8Array {
  const out = Uint8Array.from(b);
  switch (r.int(4)) {
    case 0:
      for (let i = 0; i < 1 + r.int(3); i++) out[r.int(out.length)] = r.u32() & 0xff;
      return out;
    case 1:
      return out.subarray(0, r.int(out.length));
    case 2:
      return Uint8Array.from([...out, ...r.bytes(1 + r.int(4))]);
    default:
      out[r.int(out.length)]! ^= 1 << r.int(8);
      return out;
  }
}

t.test('mutated args never crash execution', async (t) => {
  const c = await Chain.create();
  c.opts = { signaturesVerified: true };
  const r = new Rng(7);
  const signers: KeyPair[] = [K.cb, K.reg, K.bankA, K.issuer, K.agency, K.alice, K.bob, K.dave];
  let receipts = 0;
  let unknown = 0;
  let succeeded = 0;
  for (let round = 0; round < 12; round++) {
    const txs = [];
    const nonces = new Map<KeyPair, number>();
    for (const k of signers) nonces.set(k, (await c.account(k))!.nonce);
    for (const sm of SAMPLES) {
      // Key changes go to carol (and her bank), whom they may lock out; the others keep signing.
      const k = sm.method.endsWith('_keys') ? (sm.method === 'rotate_keys' ? K.carol : K.bankB) : r.pick(signers);
      if (!nonces.has(k)) nonces.set(k, (await c.account(k))!.nonce);
      const nonce = nonces.get(k)!;
      nonces.set(k, nonce + 1);
      txs.push(c.rawTx(k, sm.module, sm.method, round === 0 ? sm.bytes : mutate(r, sm.bytes), { nonce }));
    }
    const b = await c.block(txs, 20_000);
    // A mutated key rotation can lock a signer out: later txs of theirs are rejected.
    for (const j of b.rejected) if (!['TX_KEY_NOT_AUTHORIZED', 'TX_THRESHOLD_NOT_MET'].includes(j.code)) t.fail(`round ${round}: rejected ${j.code}`);
    t.ok(b.included.length >= SAMPLES.length - 1, `round ${round}: all but carol's are included`);
    for (const rc of b.receipts) {
      receipts++;
      if (rc.status === 0) succeeded++;
      if (vmCodeName(rc.code) === undefined) unknown++;
    }
    for (const code of ['DCASH', 'USDX']) if (c.sumBalances(code) !== (await c.supply(code))) t.fail(`round ${round}: ${code} unbalanced`);
  }
  t.equal(unknown, 0, `every one of ${receipts} receipts has a known code`);
  t.ok(succeeded > 10, `some mutated or sample calls succeeded (${succeeded})`);
});
