/**
 * Public finance programs in the ledger (module prog), at exact block times: drafting and
 * versioning, finalization by the funder, lump sums, vesting with a cliff and instalments
 * paid to the unit at each block time, expiry with grace, close returning exactly the
 * unclaimed remainder, revoked beneficiaries, an exhausted budget, Merkle allocations with
 * proofs and the claimed bitmap, pushes with a code per row, recovery of a payment made in
 * error, purpose-bound payments as grants, and a property run over random programs and
 * claims: funder, escrow and beneficiaries always add up, and supply is the sum of balances.
 * (Credential-gated eligibility runs on a node with real credentials: node/test/prog.test.ts.)
 */
import t from 'tap';
import { decode, encode, merkleProof, merkleRoot, type Infer, type KeyPair, Rng } from '../../core/index.js';
import { escrowAddress, grant, money, prog, Role, tax, type Receipt } from '../index.js';
import { addr, Chain, DAY, failsWith, genesisDoc, K, key, ok, T0, UNIT, type Asserts } from './harness.js';

type Terms = Infer<typeof prog.TermsSchema>;
type Leaf = Infer<typeof prog.AllocationLeafSchema>;
const NO_ELIGIBILITY = { types: [], issuers: [], predicates: [] };
const LUMP = { kind: 0, start: 0, cliffMs: 0, durationMs: 0, intervalMs: 0, count: 0 };
const ZERO32 = new Uint8Array(32);

const TAXMAN = key('tax-office');
const doc = () => genesisDoc({
  balances: [...genesisDoc().balances, { address: addr(K.ministry), currency: 'DCASH', amount: 1_000_000n * UNIT }],
  institutions: [...genesisDoc().institutions, { name: 'Tax Office', keys: [TAXMAN.publicKey], threshold: 1, roles: Role.TAX_AUTHORITY }],
});

function terms(over: Partial<Terms> = {}): Terms {
  return {
    name: 'Child benefit', funder: addr(K.ministry), currency: 'DCASH', budget: 10_000n * UNIT, eligibility: NO_ELIGIBILITY, reportClaim: '', mode: 0, root: ZERO32, rows: 0,
    schedules: [LUMP], expiresAt: 0, graceMs: 0, category: '', spendMs: 0, legalRef: 'Act 4/2026 s.2', ...over,
  };
}

const paidOf = (r: Receipt) => r.events.filter((e) => e.module === 'prog' && e.name === 'paid').map((e) => decode(prog.PaidEvent, e.data));
const claimed = (r: Receipt) => decode(prog.ClaimResult, r.result);

/** Draft (by the agency), write explicit rows, and finalize (by the ministry, the funder): the program id. */
async function program(tt: Asserts, c: Chain, over: Partial<Terms>, rows: Leaf[] = []): Promise<number> {
  const r = await c.run(c.tx(K.agency, 'prog', 'create', prog.CreateArgs, terms(over)));
  ok(tt, r, 'created');
  const id = decode(prog.ProgramIdResult, r.result).program;
  if (rows.length > 0) ok(tt, await c.run(c.tx(K.agency, 'prog', 'set_rows', prog.SetRowsArgs, { program: id, first: 0, rows })), 'rows set');
  const p = decode(prog.ProgramSchema, (await c.state.get(prog.ProgKeys.program(id)))!);
  ok(tt, await c.run(c.tx(K.ministry, 'prog', 'finalize', prog.FinalizeArgs, { program: id, version: p.version })), 'finalized');
  return id;
}
const claim = (c: Chain, k: KeyPair, program: number, row: number, leaf: Leaf | null = null, path: Uint8Array[] = []) =>
  c.tx(k, 'prog', 'claim', prog.ClaimArgs, { program, row, leaf, path, presentation: null });
/** Run a tx in a block at exactly time `at`. */
const at = (c: Chain, tx: ReturnType<Chain['tx']>, time: number) => c.run(tx, time - c.time);
const escrowOf = async (c: Chain, id: number) => c.balance(escrowAddress('prog', id));

t.test('drafts are versioned and owned; the funder finalizes one exact version, which funds and freezes it', async (tt) => {
  const c = await Chain.create(doc());
  failsWith(tt, await c.run(c.tx(K.alice, 'prog', 'create', prog.CreateArgs, terms())), 'NOT_AUTHORIZED', 'a person drafts no program');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'create', prog.CreateArgs, terms({ budget: 0n }))), 'BAD_PROGRAM', 'no budget');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'create', prog.CreateArgs, terms({ legalRef: '' }))), 'BAD_PROGRAM', 'no legal reference');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'create', prog.CreateArgs, terms({ schedules: [{ ...LUMP, kind: 1 }] }))), 'BAD_SCHEDULE', 'vesting without duration');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'create', prog.CreateArgs, terms({ mode: 1, rows: 10 }))), 'BAD_ALLOCATION', 'a Merkle allocation without root');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'create', prog.CreateArgs, terms({ expiresAt: c.time }))), 'BAD_PROGRAM', 'an expiry in the past');
  const r = await c.run(c.tx(K.agency, 'prog', 'create', prog.CreateArgs, terms()));
  ok(tt, r);
  const id = decode(prog.ProgramIdResult, r.result).program;
  const get = async () => decode(prog.ProgramSchema, (await c.state.get(prog.ProgKeys.program(id)))!);
  tt.same([(await get()).version, (await get()).status], [1, 0], 'version 1, draft');
  ok(tt, await c.run(c.tx(K.agency, 'prog', 'update', prog.UpdateArgs, { program: id, terms: terms({ budget: 500n * UNIT }) })));
  ok(tt, await c.run(c.tx(K.agency, 'prog', 'set_rows', prog.SetRowsArgs, { program: id, first: 0, rows: [{ beneficiary: addr(K.alice), amount: 300n * UNIT, schedule: 0 }, { beneficiary: addr(K.bob), amount: 300n * UNIT, schedule: 0 }] })));
  tt.same([(await get()).version, (await get()).terms.rows, (await get()).allocated], [3, 2, 600n * UNIT], 'each change a version; rows and their sum kept');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'set_rows', prog.SetRowsArgs, { program: id, first: 5, rows: [{ beneficiary: addr(K.bob), amount: 1n, schedule: 0 }] })), 'BAD_ALLOCATION', 'rows are contiguous');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'set_rows', prog.SetRowsArgs, { program: id, first: 2, rows: [{ beneficiary: addr(K.bob), amount: 1n, schedule: 3 }] })), 'BAD_SCHEDULE', 'a row names a schedule the program lacks');
  failsWith(tt, await c.run(c.tx(K.ministry, 'prog', 'update', prog.UpdateArgs, { program: id, terms: terms() })), 'NOT_PROGRAM_OWNER');
  failsWith(tt, await c.run(c.tx(K.ministry, 'prog', 'finalize', prog.FinalizeArgs, { program: id, version: 3 })), 'OVER_ALLOCATED', 'rows over the budget');
  ok(tt, await c.run(c.tx(K.agency, 'prog', 'set_rows', prog.SetRowsArgs, { program: id, first: 1, rows: [{ beneficiary: addr(K.bob), amount: 200n * UNIT, schedule: 0 }] })), 'a row replaced');
  tt.equal((await get()).allocated, 500n * UNIT, 'the replaced row is counted once');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'finalize', prog.FinalizeArgs, { program: id, version: 4 })), 'NOT_PROGRAM_FUNDER', 'the owner does not fund');
  failsWith(tt, await c.run(c.tx(K.ministry, 'prog', 'finalize', prog.FinalizeArgs, { program: id, version: 3 })), 'PROGRAM_VERSION_MISMATCH', 'the funder approves the version it read');
  failsWith(tt, await c.run(claim(c, K.alice, id, 0)), 'PROGRAM_NOT_FINAL', 'no claim on a draft');
  const before = await c.balance(K.ministry);
  ok(tt, await c.run(c.tx(K.ministry, 'prog', 'finalize', prog.FinalizeArgs, { program: id, version: 4 })));
  tt.equal(before - (await c.balance(K.ministry)), 500n * UNIT, 'the budget left the funder');
  tt.equal(await escrowOf(c, id), 500n * UNIT, "and sits in the program's escrow");
  tt.equal((await get()).status, 1);
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'update', prog.UpdateArgs, { program: id, terms: terms() })), 'PROGRAM_NOT_DRAFT', 'final terms are immutable');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'set_rows', prog.SetRowsArgs, { program: id, first: 0, rows: [{ beneficiary: addr(K.bob), amount: 1n, schedule: 0 }] })), 'PROGRAM_NOT_DRAFT');
  tt.equal(await c.supply(), c.sumBalances('DCASH'));
});

t.test('a lump sum: the beneficiary claims once; nobody else claims its row', async (tt) => {
  const c = await Chain.create(doc());
  const id = await program(tt, c, {}, [{ beneficiary: addr(K.alice), amount: 100n * UNIT, schedule: 0 }, { beneficiary: addr(K.bob), amount: 250n * UNIT, schedule: 0 }]);
  failsWith(tt, await c.run(claim(c, K.bob, id, 0)), 'NOT_BENEFICIARY', "bob claims alice's row");
  const a0 = await c.balance(K.alice);
  const r = await c.run(claim(c, K.alice, id, 0));
  ok(tt, r);
  tt.equal((await c.balance(K.alice)) - a0, 100n * UNIT, 'alice is paid her row');
  tt.same(claimed(r), { amount: 100n * UNIT, step: 1, claimed: 100n * UNIT, grant: 0 });
  const [e] = paidOf(r);
  tt.same([e!.program, e!.version, e!.row, e!.step, e!.via], [id, 2, 0, 1, 0], 'the trail: program, version, row, step, claimed by the beneficiary');
  tt.ok(await rowPaid(c, id, 0), 'the claimed bitmap marks the row');
  failsWith(tt, await c.run(claim(c, K.alice, id, 0)), 'PROGRAM_ROW_PAID', 'a second claim');
  failsWith(tt, await c.run(claim(c, K.alice, id, 7)), 'PROGRAM_ROW_NOT_FOUND');
  const totals = decode(prog.TotalsSchema, (await c.state.get(prog.ProgKeys.totals(id)))!);
  tt.same([totals.paid, totals.payments, totals.beneficiaries], [100n * UNIT, 1, 1]);
  tt.equal(await c.supply(), c.sumBalances('DCASH'));
});

t.test('vesting with a cliff pays, at each exact block time, the linear share less what was paid', async (tt) => {
  const c = await Chain.create(doc());
  const start = T0 + DAY;
  const vest = { kind: 1, start, cliffMs: 10 * DAY, durationMs: 40 * DAY, intervalMs: 0, count: 0 };
  const total = 4_000n * UNIT + 3n; // not a multiple of the duration: the floor shows
  const id = await program(tt, c, { schedules: [vest], budget: total }, [{ beneficiary: addr(K.dave), amount: total, schedule: 0 }]);
  failsWith(tt, await at(c, claim(c, K.dave, id, 0), start + 10 * DAY - 1), 'NOTHING_DUE', 'one millisecond before the cliff');
  const expect = (ms: number) => (total * BigInt(ms - start)) / BigInt(40 * DAY);
  let paid = 0n;
  for (const time of [start + 10 * DAY, start + 10 * DAY + 12_345, start + 25 * DAY + 7, start + 39 * DAY]) {
    const r = await at(c, claim(c, K.dave, id, 0), time);
    ok(tt, r, `claim at +${time - start} ms`);
    tt.equal(claimed(r).amount, expect(time) - paid, `paid exactly the vested share at +${time - start} ms less what was paid`);
    paid = expect(time);
    tt.equal(claimed(r).claimed, paid);
  }
  failsWith(tt, await at(c, claim(c, K.dave, id, 0), c.time), 'NOTHING_DUE', 'nothing more in the same millisecond');
  const last = await at(c, claim(c, K.dave, id, 0), start + 41 * DAY);
  tt.equal(claimed(last).claimed, total, 'after the end: the whole amount, to the unit');
  tt.ok(await rowPaid(c, id, 0), 'the claimed bitmap marks the row');
  failsWith(tt, await c.run(claim(c, K.dave, id, 0)), 'PROGRAM_ROW_PAID');
  tt.equal(await escrowOf(c, id), 0n);
});

t.test('instalments: equal parts at each interval, the last takes the remainder', async (tt) => {
  const c = await Chain.create(doc());
  const start = T0 + DAY;
  const monthly = { kind: 2, start, cliffMs: 0, durationMs: 0, intervalMs: 30 * DAY, count: 3 };
  const id = await program(tt, c, { schedules: [monthly], budget: 1_000n }, [{ beneficiary: addr(K.bob), amount: 1_000n, schedule: 0 }]);
  failsWith(tt, await at(c, claim(c, K.bob, id, 0), start - 1), 'NOTHING_DUE', 'before the first instalment');
  const r1 = await at(c, claim(c, K.bob, id, 0), start);
  tt.same([claimed(r1).amount, claimed(r1).step], [333n, 1], 'the first instalment at start');
  failsWith(tt, await at(c, claim(c, K.bob, id, 0), start + 30 * DAY - 1), 'NOTHING_DUE', 'the second is not due a millisecond early');
  const r3 = await at(c, claim(c, K.bob, id, 0), start + 60 * DAY);
  tt.same([claimed(r3).amount, claimed(r3).step, claimed(r3).claimed], [667n, 3, 1_000n], 'two at once: the second and the last (333 + 334)');
});

t.test('expiry and grace; close returns exactly the unclaimed remainder to the funder', async (tt) => {
  const c = await Chain.create(doc());
  const start = T0;
  const expiresAt = T0 + 10 * DAY;
  const monthly = { kind: 2, start, cliffMs: 0, durationMs: 0, intervalMs: 5 * DAY, count: 4 };
  const rows = [addr(K.alice), addr(K.bob), addr(K.dave)].map((beneficiary) => ({ beneficiary, amount: 400n * UNIT, schedule: 0 }));
  const id = await program(tt, c, { schedules: [monthly], budget: 1_500n * UNIT, expiresAt, graceMs: 7 * DAY }, rows);
  ok(tt, await at(c, claim(c, K.alice, id, 0), T0 + DAY), 'alice claims before the expiry');
  ok(tt, await at(c, claim(c, K.bob, id, 1), expiresAt), 'bob claims at the expiry itself');
  failsWith(tt, await at(c, claim(c, K.dave, id, 2), expiresAt + 1), 'PROGRAM_EXPIRED', 'dave never claimed: nothing after the expiry');
  const r = await at(c, claim(c, K.alice, id, 0), expiresAt + 6 * DAY);
  ok(tt, r, 'alice claims in her grace');
  failsWith(tt, await at(c, c.tx(K.dave, 'prog', 'close', prog.CloseArgs, { program: id }), expiresAt + 7 * DAY), 'PROGRAM_NOT_EXPIRED', 'no close during the grace');
  failsWith(tt, await at(c, claim(c, K.bob, id, 1), expiresAt + 7 * DAY + 1), 'PROGRAM_EXPIRED', 'not after the grace');
  const totals = decode(prog.TotalsSchema, (await c.state.get(prog.ProgKeys.totals(id)))!);
  const remainder = 1_500n * UNIT - totals.paid;
  tt.equal(await escrowOf(c, id), remainder, 'the escrow holds the budget less what was paid');
  const m0 = await c.balance(K.ministry);
  const close = await c.run(c.tx(K.dave, 'prog', 'close', prog.CloseArgs, { program: id }));
  ok(tt, close, 'anyone closes after the grace');
  tt.equal(decode(prog.CloseResult, close.result).returned, remainder, 'close returns exactly the unclaimed remainder');
  tt.equal((await c.balance(K.ministry)) - m0, remainder, 'to the funder');
  tt.equal(await escrowOf(c, id), 0n);
  failsWith(tt, await c.run(claim(c, K.alice, id, 0)), 'PROGRAM_CLOSED');
  tt.equal(await c.supply(), c.sumBalances('DCASH'));
});

t.test('a revoked beneficiary gets no further instalment; a payment in error is recovered', async (tt) => {
  const c = await Chain.create(doc());
  const monthly = { kind: 2, start: T0, cliffMs: 0, durationMs: 0, intervalMs: DAY, count: 10 };
  const id = await program(tt, c, { schedules: [monthly], budget: 2_000n * UNIT }, [{ beneficiary: addr(K.bob), amount: 1_000n * UNIT, schedule: 0 }, { beneficiary: addr(K.dave), amount: 1_000n * UNIT, schedule: 0 }]);
  ok(tt, await c.run(claim(c, K.bob, id, 0)));
  const ref = { program: id, row: 0, leaf: null, path: [], legalRef: 'Decision 88/2026' };
  failsWith(tt, await c.run(c.tx(K.ministry, 'prog', 'revoke', prog.RowArgs, ref)), 'NOT_PROGRAM_OWNER');
  ok(tt, await c.run(c.tx(K.agency, 'prog', 'revoke', prog.RowArgs, ref)), 'the agency revokes bob');
  failsWith(tt, await c.run(claim(c, K.bob, id, 0), 3 * DAY), 'BENEFICIARY_REVOKED', 'no further instalment');
  const push = await c.run(c.tx(K.agency, 'prog', 'push', prog.PushArgs, { program: id, items: [{ row: 0, leaf: null, path: [] }, { row: 1, leaf: null, path: [] }, { row: 9, leaf: null, path: [] }] }));
  ok(tt, push);
  const res = decode(prog.PushResult, push.result);
  tt.same(res.codes.map((n) => n !== 0), [true, false, true], 'a code per row: revoked, paid, no such row');
  tt.equal(paidOf(push)[0]!.via, 1, 'pushed by the agency');
  // Recovery of what bob was paid in error, to the funder.
  const st = decode(prog.RowStateSchema, (await c.state.get(prog.ProgKeys.rowState(id, 0)))!);
  const rec = { program: id, row: 0, amount: st.claimed + 1n, legalRef: 'Decision 89/2026' };
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'recover', prog.RecoverArgs, rec)), 'BAD_RECOVERY', 'more than was paid');
  const m0 = await c.balance(K.ministry);
  ok(tt, await c.run(c.tx(K.agency, 'prog', 'recover', prog.RecoverArgs, { ...rec, amount: st.claimed })));
  tt.equal((await c.balance(K.ministry)) - m0, st.claimed, 'recovered to the funder');
  failsWith(tt, await c.run(c.tx(K.agency, 'prog', 'recover', prog.RecoverArgs, { ...rec, amount: 1n })), 'BAD_RECOVERY', 'nothing left to recover');
  const totals = decode(prog.TotalsSchema, (await c.state.get(prog.ProgKeys.totals(id)))!);
  tt.same([totals.recovered, totals.revoked], [st.claimed, 1]);
  tt.equal(await c.supply(), c.sumBalances('DCASH'));
});

t.test('a Merkle allocation: rows proven against the root, a bitmap of rows paid, and an exhausted budget', async (tt) => {
  const c = await Chain.create(doc());
  const people = [K.alice, K.bob, K.carol, K.dave];
  const leaves: Leaf[] = [];
  for (let i = 0; i < 1000; i++) leaves.push({ beneficiary: addr(people[i % 4]!), amount: BigInt(10 + i) * UNIT, schedule: 0 });
  const items = leaves.map((l) => encode(prog.AllocationLeafSchema, l));
  const root = merkleRoot(items);
  const id = await program(tt, c, { mode: 1, root, rows: 1000, budget: 1_000n * UNIT });
  const proof = (i: number) => merkleProof(items, i);
  failsWith(tt, await c.run(claim(c, K.alice, id, 0)), 'BAD_ALLOCATION_PROOF', 'no leaf');
  failsWith(tt, await c.run(claim(c, K.alice, id, 0, { ...leaves[0]!, amount: 1_000n * UNIT }, proof(0))), 'BAD_ALLOCATION_PROOF', 'a forged amount');
  failsWith(tt, await c.run(claim(c, K.alice, id, 4, leaves[0]!, proof(0))), 'BAD_ALLOCATION_PROOF', "another row's path");
  failsWith(tt, await c.run(claim(c, K.bob, id, 1, leaves[1]!, proof(0))), 'BAD_ALLOCATION_PROOF', 'a wrong path');
  let paid = 0n;
  const rowsPaid: number[] = [];
  for (const i of [0, 1, 3, 997, 998, 999, 2, 4, 5, 6, 7, 8]) {
    const r = await c.run(claim(c, people[i % 4]!, id, i, leaves[i]!, proof(i)));
    if (r.status === 0) {
      paid += leaves[i]!.amount;
      rowsPaid.push(i);
    } else {
      failsWith(tt, r, 'BUDGET_EXHAUSTED', `row ${i}: the budget is exhausted`);
      tt.ok(1_000n * UNIT - paid < leaves[i]!.amount, `row ${i} was due more than is left`);
    }
  }
  tt.ok(rowsPaid.length >= 3 && rowsPaid.length < 12, `some rows paid (${rowsPaid.join(', ')}), the rest refused`);
  tt.equal(await escrowOf(c, id), 1_000n * UNIT - paid, 'the escrow is the budget less what was paid');
  for (const i of rowsPaid) tt.ok(await rowPaid(c, id, i), `row ${i} marked in the bitmap`);
  tt.notOk(await rowPaid(c, id, 500), 'an unclaimed row is not');
  failsWith(tt, await c.run(claim(c, K.alice, id, 0, leaves[0]!, proof(0))), 'PROGRAM_ROW_PAID');
});

t.test('a purpose-bound program pays grants spendable only at accounts of its category', async (tt) => {
  const c = await Chain.create(doc());
  const id = await program(tt, c, { category: 'food', spendMs: 30 * DAY }, [{ beneficiary: addr(K.carol), amount: 50n * UNIT, schedule: 0 }]);
  const r = await c.run(claim(c, K.carol, id, 0));
  ok(tt, r);
  const g = claimed(r).grant;
  tt.ok(g > 0, 'a grant opened');
  tt.equal(await c.balance(K.carol), 0n, 'nothing to her free balance');
  failsWith(tt, await c.run(c.tx(K.carol, 'grant', 'spend', grant.SpendGrantArgs, { id: g, to: addr(K.dave), amount: 10n * UNIT, memo: '' })), 'CATEGORY_MISMATCH', 'not at a non-food account');
  ok(tt, await c.run(c.tx(K.carol, 'grant', 'spend', grant.SpendGrantArgs, { id: g, to: addr(K.shop), amount: 10n * UNIT, memo: '' })), 'at the food shop');
  tt.equal(await c.supply(), c.sumBalances('DCASH'));
});

t.test('property: random programs, claims and taxed payments; funder, treasury, escrows and beneficiaries add up; supply is the sum of balances', async (tt) => {
  const rng = new Rng(2026);
  const c = await Chain.create(doc());
  const people = [K.alice, K.bob, K.carol, K.dave];
  // Taxes in force: 15% VAT on payments to food shops (the payer pays), 10% withheld from every payee.
  const rule = (name: string, rateBps: number, payer: number, payeeCategory: string) => c.tx(TAXMAN, 'tax', 'register_rule', tax.RegisterRuleArgs, {
    name, currency: 'DCASH', rateBps, base: tax.TaxBase.PAYMENT, payer, appliesTo: { types: [], payeeCategory, payerCategory: '' }, treasury: addr(TAXMAN), exemptTypes: [], activationHeight: c.height + 3, legalRef: 'Tax Act',
  });
  ok(tt, await c.run(rule('VAT', 1500, tax.TaxPayer.PAYER, 'food')));
  ok(tt, await c.run(rule('Withholding', 1000, tax.TaxPayer.PAYEE, '')));
  await c.block([]);
  // The banks too: a credit over a customer's holding limit waterfalls to its bank.
  const watched = [addr(K.ministry), addr(TAXMAN), addr(K.shop), addr(K.bankA), addr(K.bankB), ...people.map(addr)];
  let taxed = 0;
  const programs: { id: number; leaves: Leaf[]; items: Uint8Array[]; mode: number }[] = [];
  const sumWatched = async (): Promise<bigint> => {
    let s = 0n;
    for (const a of watched) s += await c.balance(a);
    for (const p of programs) s += await escrowOf(c, p.id);
    return s;
  };
  const total0 = await sumWatched();
  for (let step = 0; step < 90; step++) {
    const roll = rng.int(10);
    if (roll < 2 || programs.length === 0) {
      const n = 1 + rng.int(6);
      const leaves: Leaf[] = Array.from({ length: n }, () => ({ beneficiary: addr(people[rng.int(4)]!), amount: BigInt(1 + rng.int(20_000)), schedule: rng.int(3) }));
      const schedules = [LUMP, { kind: 1, start: c.time, cliffMs: rng.int(3) * DAY, durationMs: 5 * DAY, intervalMs: 0, count: 0 }, { kind: 2, start: c.time, cliffMs: 0, durationMs: 0, intervalMs: DAY, count: 1 + rng.int(5) }];
      const mode = rng.int(2);
      const items = leaves.map((l) => encode(prog.AllocationLeafSchema, l));
      const budget = BigInt(1 + rng.int(60_000));
      const over: Partial<Terms> = { schedules, budget, expiresAt: rng.bool() ? c.time + (2 + rng.int(6)) * DAY : 0, graceMs: rng.int(2) * DAY, ...(mode === 1 ? { mode, root: merkleRoot(items), rows: n } : {}) };
      const r = await c.run(c.tx(K.agency, 'prog', 'create', prog.CreateArgs, terms(over)));
      const id = decode(prog.ProgramIdResult, r.result).program;
      if (mode === 0) await c.run(c.tx(K.agency, 'prog', 'set_rows', prog.SetRowsArgs, { program: id, first: 0, rows: leaves }));
      const p = decode(prog.ProgramSchema, (await c.state.get(prog.ProgKeys.program(id)))!);
      const fin = await c.run(c.tx(K.ministry, 'prog', 'finalize', prog.FinalizeArgs, { program: id, version: p.version }));
      if (fin.status === 0) programs.push({ id, leaves, items, mode });
    } else if (roll < 8) {
      const p = programs[rng.int(programs.length)]!;
      const row = rng.int(p.leaves.length);
      const leaf = p.leaves[row]!;
      const k = people.find((x) => Buffer.from(addr(x)).equals(Buffer.from(leaf.beneficiary)))!;
      await c.run(p.mode === 1 ? claim(c, k, p.id, row, leaf, merkleProof(p.items, row)) : claim(c, k, p.id, row), rng.int(2) * DAY + 1_000);
    } else if (roll < 9) {
      if (rng.bool()) {
        const p = programs[rng.int(programs.length)]!;
        await c.run(c.tx(K.dave, 'prog', 'close', prog.CloseArgs, { program: p.id }), DAY);
      } else {
        const from = people[rng.int(4)]!;
        const to = rng.bool() ? K.shop : people.find((x) => x !== from)!;
        const r = await c.run(c.tx(from, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(to), amount: BigInt(1 + rng.int(5_000)), memo: '', reference: '' }));
        if (r.status === 0 && r.events.some((e) => e.module === 'tax' && e.name === 'withheld')) taxed++;
      }
    } else {
      const p = programs[rng.int(programs.length)]!;
      const row = rng.int(p.leaves.length);
      await c.run(c.tx(K.agency, 'prog', 'recover', prog.RecoverArgs, { program: p.id, row, amount: BigInt(1 + rng.int(500)), legalRef: 'R-1' }));
    }
    tt.equal(await sumWatched(), total0, `step ${step}: funder + treasury + escrows + beneficiaries unchanged`);
    tt.equal(await c.supply(), c.sumBalances('DCASH'), `step ${step}: supply is the sum of balances`);
  }
  const totals = await Promise.all(programs.map(async (p) => decode(prog.TotalsSchema, (await c.state.get(prog.ProgKeys.totals(p.id)))!)));
  tt.ok(totals.some((x) => x.paid > 0n), 'some payments happened');
  tt.ok(taxed > 0, `some taxed payments happened (${taxed})`);
  tt.ok((await c.balance(TAXMAN)) > 0n, 'the treasury collected');
  for (const [i, p] of programs.entries()) {
    const x = totals[i]!;
    const budget = decode(prog.ProgramSchema, (await c.state.get(prog.ProgKeys.program(p.id)))!).terms.budget;
    tt.equal(await escrowOf(c, p.id), budget - x.paid - x.returned, `program ${p.id}: escrow = budget - paid - returned`);
  }
});

async function rowPaid(c: Chain, id: number, row: number): Promise<boolean> {
  const chunk = Math.floor(row / prog.CLAIM_CHUNK_ROWS);
  const raw = await c.state.get(prog.ProgKeys.claimed(id, chunk));
  if (raw === undefined) return false;
  const bits = decode(prog.ClaimChunkSchema, raw).bits;
  const bit = row - chunk * prog.CLAIM_CHUNK_ROWS;
  return ((bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
}

t.test('a report group name is cut to 64 UTF-8 bytes, never inside a character', async (tt) => {
  tt.equal(prog.clipUtf8('IS-1', 64), 'IS-1');
  const long = 'é'.repeat(40); // 80 bytes
  const cut = prog.clipUtf8(long, 64);
  tt.equal(Buffer.byteLength(cut, 'utf8'), 64);
  tt.equal(cut, 'é'.repeat(32));
  tt.equal(Buffer.byteLength(prog.clipUtf8('a' + '😀'.repeat(20), 64), 'utf8'), 61, 'a 4-byte character that would cross the limit is left out');
});
