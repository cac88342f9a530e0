/**
 * Public finance with real credentials, on a node in this process, through the SDK: a
 * monthly child benefit for one region, eligibility by an accredited issuer's SD-JWT
 * residence credential with the region disclosed selectively. An eligible claim; a claim
 * without the credential, with one for another region, with a revoked or an expired one; a
 * second claim with the same credential through another account of the same person; pushes
 * to enrolled rows; a credential revoked after enrolment stops the next instalment. Then the
 * trail: a program's report and a row, verified offline against the validator set, and the
 * payments per person and per program with the credential that made each eligible.
 */
import t from 'tap';
import { addressFromPublicKey, decodeAddress, encodeAddress, fromHex, generateKeyPair, ValidatorSet, type KeyPair } from '../../core/index.js';
import { waitFor } from '../../test/index.js';
import { ActionKind, makeAction, VmCodes, type VmCode } from '../../vm/index.js';
import { issueBatch, ledgerPresentation, verifyProgramReport, verifyProgramRow, type CredentialPackage } from '../../rpc/index.js';
import { inProcessChain, type Account } from './in-process-chain.js';

const chain = inProcessChain(t);
const { manifest: m, client } = chain;
const A = chain.accounts;
const [cb, bank, welfare] = [A['Central Bank']!, A['Commercial Bank']!, A['Welfare Agency']!];
const [c1, c2, c3, c4] = [A['customer-1']!, A['customer-2']!, A['customer-3']!, A['customer-4']!];
const DAY = 86_400_000;
/** The benefit's instalment interval: long enough for the claims of one instalment to land in it on a busy machine. */
const INTERVAL = 20_000;
const bytes = (a: Account | string) => decodeAddress(typeof a === 'string' ? a : a.address, m.address_prefix);
const send = (who: Account, module: string, method: string, args: unknown, keys?: KeyPair[]) => chain.send(who, module, method, args, keys);
const expectOk = async (r: ReturnType<typeof send>, what: string) => {
  const v = await r;
  t.equal(v.status, 'committed', `${what}${v.message ? `: ${v.message}` : ''}`);
};
const expectCode = async (r: ReturnType<typeof send>, code: string, what: string) => {
  const v = await r;
  t.equal(v.status, 'failed', `${what}: fails`);
  t.equal(v.code, VmCodes[code as VmCode], `${what}: ${code} (${v.message ?? ''})`);
};
const RESIDENCE = { id: 'residence@1', typeId: 'residence', selective: ['region', 'birthDate'] };

async function issue(subjects: { holder: KeyPair; region: string }[], o: { validFrom?: number; validUntil?: number } = {}): Promise<CredentialPackage[]> {
  const rec = await client.getRecord({ kind: 'cred_issuer', issuer: bank.address });
  const first = rec.value === null ? 0 : Number((rec.value as { nextIndex: number }).nextIndex);
  const validFrom = o.validFrom ?? Date.now() - 60_000;
  const out = await issueBatch({
    format: 'sd-jwt', chainId: m.chain_id, addressPrefix: m.address_prefix, issuerKey: bank.keys, issuerAccount: bytes(bank), schema: RESIDENCE, first,
    subjects: subjects.map((s) => ({ holderPublicKey: s.holder.publicKey, claims: { givenName: 'A', region: s.region, birthDate: '2019-05-01' } })),
    validFrom, issuedAt: validFrom, validUntil: o.validUntil ?? validFrom + 365 * DAY, statusBaseUrl: 'https://registry.example/status',
  });
  await expectOk(send(bank, 'cred', 'anchor', { schema: RESIDENCE.id, first, count: out.count, root: out.root }), `anchored ${out.count} at ${first}`);
  return out.packages;
}
const present = (pkg: CredentialPackage, holder: KeyPair, disclose = ['region']) => ledgerPresentation(pkg, disclose, holder, { chainId: m.chain_id, iat: Math.floor(Date.now() / 1000) });
const claimArgs = (program: number, row: number, presentation: unknown) => ({ program, row, leaf: null, path: [], presentation });

t.test('a monthly child benefit for one region, credential-gated, with its trail', async (tt) => {
  // The trust chain: governance accredits the central bank; it accredits the bank for residence credentials.
  await expectOk(send(cb, 'gov', 'propose', { action: makeAction(ActionKind.ACCREDIT_ACCREDITOR, { account: bytes(cb), jurisdiction: 'IS', types: [], legalRef: 'Act 12/2026' }), reason: 'root' }), 'accredit the accreditor');
  await expectOk(send(cb, 'cred', 'accredit_issuer', { account: bytes(bank), jurisdiction: 'IS', types: ['residence'], legalRef: 'L-1' }), 'accredit the bank');
  const schema = { type: 'object', properties: { givenName: { type: 'string' }, region: { type: 'string' }, birthDate: { type: 'string' } } };
  await expectOk(send(cb, 'cred', 'register_schema', { typeId: 'residence', version: 1, jsonSchema: JSON.stringify(schema), selective: ['region', 'birthDate'], issuers: [], maxValidityMs: 3650 * DAY }), 'register residence@1');
  // Credentials: c1, c2 and c4 live in region IS-1, c3 in IS-2; one more for c3 (in IS-1) that expired yesterday.
  const [p1, p2, p3, p4] = await issue([{ holder: c1.keys, region: 'IS-1' }, { holder: c2.keys, region: 'IS-1' }, { holder: c3.keys, region: 'IS-2' }, { holder: c4.keys, region: 'IS-1' }]);
  const [expired] = await issue([{ holder: c3.keys, region: 'IS-1' }], { validFrom: Date.now() - 400 * DAY, validUntil: Date.now() - DAY });
  // The welfare agency is funded by the bank and drafts the program: 3 monthly instalments of 100.00, for residents of IS-1 born from 2010.
  await expectOk(send(bank, 'money', 'transfer', { currency: 'DEV', to: bytes(welfare), amount: 10_000_00n, memo: '', reference: 'funding' }), 'fund the agency');
  const start = Date.now();
  const terms = {
    name: 'Child benefit IS-1', funder: bytes(welfare), currency: 'DEV', budget: 2_000_00n,
    eligibility: { types: ['residence'], issuers: [], predicates: [{ claim: 'region', op: 0, values: ['IS-1'] }, { claim: 'birthDate', op: 5, values: ['2010-01-01'] }] },
    reportClaim: 'region', mode: 0, root: new Uint8Array(32), rows: 0,
    schedules: [{ kind: 2, start, cliffMs: 0, durationMs: 0, intervalMs: INTERVAL, count: 3 }],
    expiresAt: 0, graceMs: 0, category: '', spendMs: 0, legalRef: 'Child Benefit Act 2026 s.3',
  };
  await expectOk(send(welfare, 'prog', 'create', terms), 'drafted');
  const rows = [c1, c2, c3, c4].map((c) => ({ beneficiary: bytes(c), amount: 300_00n, schedule: 0 }));
  await expectOk(send(welfare, 'prog', 'set_rows', { program: 1, first: 0, rows }), 'rows');
  await expectOk(send(welfare, 'prog', 'finalize', { program: 1, version: 2 }), 'funded and final');

  // Claims: one eligible; one without its credential; one from another region; one expired; one revoked.
  const balance = async (a: Account) => BigInt(((await client.getRecord({ kind: 'balance', address: a.address, currency: 'DEV' })).value as { amount: string } | null)?.amount ?? 0);
  const b1 = await balance(c1);
  await expectOk(send(c1, 'prog', 'claim', claimArgs(1, 0, await present(p1!, c1.keys, ['region', 'birthDate']))), 'c1 claims with its credential');
  tt.equal((await balance(c1)) - b1, 100_00n, 'c1 is paid the first instalment');
  await expectCode(send(c2, 'prog', 'claim', claimArgs(1, 1, null)), 'PRESENTATION_REQUIRED', 'c2 without a credential');
  await expectCode(send(c2, 'prog', 'claim', claimArgs(1, 1, await present(p1!, c1.keys, ['region', 'birthDate']))), 'HOLDER_MISMATCH', "c2 presents c1's credential");
  await expectCode(send(c2, 'prog', 'claim', claimArgs(1, 1, await present(p2!, c2.keys, ['region']))), 'UNDISCLOSED_CLAIM', 'c2 hides its birth date');
  await expectOk(send(c2, 'prog', 'claim', claimArgs(1, 1, await present(p2!, c2.keys, ['region', 'birthDate']))), 'c2 claims (enrols) with its valid credential');
  await expectCode(send(c3, 'prog', 'claim', claimArgs(1, 2, await present(expired!, c3.keys, ['region', 'birthDate']))), 'CREDENTIAL_EXPIRED', 'an expired credential');
  await expectCode(send(c3, 'prog', 'claim', claimArgs(1, 2, await present(p3!, c3.keys, ['region', 'birthDate']))), 'PREDICATE_FAILED', 'c3 lives in another region');
  await expectOk(send(bank, 'cred', 'set_status', { changes: [{ index: 3, purpose: 0, set: true, reason: 4 }] }), "c4's credential revoked");
  await expectCode(send(c4, 'prog', 'claim', claimArgs(1, 3, await present(p4!, c4.keys, ['region', 'birthDate']))), 'CREDENTIAL_REVOKED', 'c4 with a revoked credential');

  // The same person opens a second account (holding the same key, with another) and claims its row there with the same credential.
  const extra = generateKeyPair();
  await expectOk(send(bank, 'account', 'open', { keys: [extra.publicKey, c1.keys.publicKey], threshold: 1, kind: 2, tier: 1, linkedRef: null, category: '' }), 'a second account for c1');
  const second: Account = { name: 'c1-second', address: encodeAddress(m.address_prefix, addressFromPublicKey(extra.publicKey)), keys: c1.keys };
  await expectOk(send(welfare, 'prog', 'create', { ...terms, name: 'Child benefit IS-1 (second)' }), 'a second program');
  await expectOk(send(welfare, 'prog', 'set_rows', { program: 2, first: 0, rows: [{ beneficiary: bytes(c1), amount: 300_00n, schedule: 0 }, { beneficiary: bytes(second), amount: 300_00n, schedule: 0 }] }), 'rows of both accounts');
  await expectOk(send(welfare, 'prog', 'finalize', { program: 2, version: 2 }), 'final');
  await expectOk(send(c1, 'prog', 'claim', claimArgs(2, 0, await present(p1!, c1.keys, ['region', 'birthDate']))), 'c1 claims its row');
  await expectCode(send(second, 'prog', 'claim', claimArgs(2, 1, await present(p1!, c1.keys, ['region', 'birthDate'])), [c1.keys]), 'CREDENTIAL_USED', 'the same credential through the other account');

  // The agency pushes the next instalment to the enrolled rows.
  await untilBlockTime(start + INTERVAL);
  const pushed = await send(welfare, 'prog', 'push', { program: 1, items: [0, 1, 2].map((row) => ({ row, leaf: null, path: [] })) });
  tt.equal(pushed.status, 'committed', 'the agency pushes');
  const tx = await client.getTransaction(pushed.hash);
  const res = tx?.receipt as { result?: unknown; events: { module: string; name: string }[] } | undefined;
  tt.equal(res?.events.filter((e) => e.module === 'prog' && e.name === 'paid').length, 2, 'paid the two enrolled rows, not the third');
  // c2's credential revoked after enrolment: its next instalment stops.
  await expectOk(send(bank, 'cred', 'set_status', { changes: [{ index: 1, purpose: 0, set: true, reason: 4 }] }), "c2's credential revoked");
  await untilBlockTime(start + 2 * INTERVAL);
  await expectCode(send(c2, 'prog', 'claim', claimArgs(1, 1, null)), 'CREDENTIAL_REVOKED', 'no instalment after the revocation');

  // The trail, verified offline against the validator set.
  const v = await client.getValidators();
  const validators = new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, m.address_prefix), publicKey: fromHex(x.publicKey, 32), power: x.power })));
  const ctx = { chainId: m.chain_id, addressPrefix: m.address_prefix, validators };
  const report = (await client.progGetReport(1))!;
  const r = verifyProgramReport(1, report, ctx);
  tt.equal(r.program.terms.legalRef, 'Child Benefit Act 2026 s.3');
  tt.equal(r.totals!.paid, 400_00n, 'paid: c1 twice, c2 twice');
  tt.equal(r.escrowBalance, 2_000_00n - 400_00n, 'the escrow: budget less paid');
  tt.same(r.totals!.groups.map((g) => [g.group, g.paid, g.beneficiaries]), [['IS-1', 400_00n, 2]], 'by region (the disclosed claim)');
  const forged = { ...report, escrow: { ...report.escrow, balance: '1' } };
  tt.throws(() => verifyProgramReport(1, forged, ctx), { code: 'CRED_PROOF_INVALID' }, 'a doctored answer does not verify');
  const doctored = { ...report, totals: { ...(report.totals as object), paid: '1' } };
  tt.throws(() => verifyProgramReport(1, doctored, ctx), { code: 'CRED_PROOF_INVALID' }, 'nor a doctored total');
  const row = verifyProgramRow(1, 0, await client.progGetRow(1, 0), ctx);
  tt.same([row.row!.claimed, row.row!.step, row.row!.credIndex, row.paidInFull], [200_00n, 2, 0, false], "c1's row: paid, step, credential");
  const mine = await client.progListPayments({ by: 'beneficiary', beneficiary: c1.address });
  tt.same(mine.items.map((p) => [p.program, p.row, p.via, p.credential?.index, p.group]), [[1, 0, 'claim', 0, 'IS-1'], [2, 0, 'claim', 0, 'IS-1'], [1, 0, 'push', 0, 'IS-1']], "c1's payments with their trail");
  const all = await client.progListPayments({ by: 'program', program: 1, limit: 2 });
  tt.equal(all.items.length, 2);
  const rest = await client.progListPayments({ by: 'program', program: 1, cursor: all.next! });
  tt.equal(all.items.length + rest.items.length, 4, 'the program paged: four payments');
});

/** Wait until the clock passes `time` (ms): the next block's time is later (the chain makes blocks only for transactions). */
const untilBlockTime = (time: number) => waitFor(() => Promise.resolve(Date.now() > time + 50), `the clock past ${time}`, 3 * INTERVAL);
