/**
 * Drafting programs: an agency (or the central bank, a treasury) drafts a program's terms,
 * replaces them (each change a new version) and, for an explicit allocation, writes its rows;
 * the funding account then finalizes one exact version, which moves the budget into the
 * program's escrow and makes its terms immutable.
 */
import { addressField, amount, encode, equalBytes, list, struct, toHex, u32, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { escrowAddress, nextId } from '../../lib/ids.js';
import { getAccount, requireActive } from '../account/accounts.js';
import { Role } from '../gov/records.js';
import { requireRole } from '../gov/roles.js';
import { liveCurrency } from '../money/currencies.js';
import { credit, debit } from '../money/ledger.js';
import { AllocationLeafSchema, AllocationMode, ProgKeys, ProgramSchema, ProgramStatus, TermsSchema, TotalsSchema, type Program, type Terms } from './records.js';
import { checkSchedule } from './schedule.js';
import { ProgEvents as E } from './events.js';

const hex = toHex;
const ZERO32 = new Uint8Array(32);
/** Most rows one set_rows writes. */
export const MAX_ROWS_PER_TX = 10_000;

export const CreateArgs = TermsSchema;
export const UpdateArgs = struct('ProgUpdate', { program: uint, terms: TermsSchema });
export const SetRowsArgs = struct('ProgSetRows', { program: uint, first: uint, rows: list(AllocationLeafSchema, MAX_ROWS_PER_TX) });
export const FinalizeArgs = struct('ProgFinalize', { program: uint, version: u32 });
export const ProgramIdResult = struct('ProgramIdResult', { program: uint, funder: addressField, budget: amount });

export async function getProgram(ctx: TxContext, id: number): Promise<Program> {
  const p = await ctx.get(ProgramSchema, ProgKeys.program(id));
  if (p === undefined) fail('PROGRAM_NOT_FOUND', `no program ${id}`);
  return p;
}

async function ownDraft(ctx: TxContext, id: number): Promise<Program> {
  const p = await getProgram(ctx, id);
  if (!equalBytes(p.owner, ctx.signer)) fail('NOT_PROGRAM_OWNER', `program ${id} belongs to ${hex(p.owner)}`);
  if (p.status !== ProgramStatus.DRAFT) fail('PROGRAM_NOT_DRAFT', `program ${id} is final: its terms are immutable`);
  return p;
}

/** Terms that can run: a live currency, a budget, schedules that pay, a coherent allocation and expiry. */
async function checkTerms(ctx: TxContext, t: Terms): Promise<void> {
  await liveCurrency(ctx, t.currency);
  if (t.budget === 0n) fail('BAD_PROGRAM', 'a program needs a positive budget');
  if (t.name === '') fail('BAD_PROGRAM', 'a program needs a name');
  if (t.legalRef === '') fail('BAD_PROGRAM', 'a program needs the legal reference of the decision that created it');
  if (t.schedules.length === 0) fail('BAD_SCHEDULE', 'a program needs at least one schedule');
  t.schedules.forEach(checkSchedule);
  if (t.mode === AllocationMode.MERKLE) {
    if (t.rows < 1) fail('BAD_ALLOCATION', 'a Merkle allocation needs its number of rows');
    if (equalBytes(t.root, ZERO32)) fail('BAD_ALLOCATION', 'a Merkle allocation needs its root');
  } else if (t.mode === AllocationMode.EXPLICIT) {
    if (!equalBytes(t.root, ZERO32)) fail('BAD_ALLOCATION', 'an explicit allocation has no root (its rows are written with set_rows)');
  } else fail('BAD_ALLOCATION', `mode must be 0 (explicit) or 1 (Merkle), got ${t.mode}`);
  if (t.expiresAt !== 0 && t.expiresAt <= ctx.block.time) fail('BAD_PROGRAM', `the expiry ${t.expiresAt} is not after this block (${ctx.block.time})`);
  if (t.category !== '' && (t.spendMs < 1 || t.spendMs > ctx.params.max_lock_ms)) fail('BAD_PROGRAM', `a purpose-bound program needs spendMs in 1..${ctx.params.max_lock_ms}`);
  if (t.eligibility.types.length === 0 && (t.eligibility.issuers.length > 0 || t.eligibility.predicates.length > 0)) {
    fail('BAD_PROGRAM', 'issuers and predicates need credential types');
  }
  if (t.reportClaim !== '' && t.eligibility.types.length === 0) fail('BAD_PROGRAM', 'reportClaim names a credential claim: the program needs credential types');
  await getAccount(ctx, t.funder);
}

export const programMethods = {
  create: method(CreateArgs, 'an agency or the central bank drafts a program (version 1): funder, currency, budget, eligibility, allocation, schedules, expiry, purpose, legal reference', async (ctx, t) => {
    await requireRole(ctx, Role.AGENCY | Role.CENTRAL_BANK);
    await checkTerms(ctx, t);
    const id = await nextId(ctx, ProgKeys.seq());
    const rows = t.mode === AllocationMode.EXPLICIT ? 0 : t.rows;
    ctx.put(ProgramSchema, ProgKeys.program(id), { id, version: 1, status: ProgramStatus.DRAFT, owner: ctx.signer, terms: { ...t, rows }, allocated: 0n, finalizedAt: 0 });
    ctx.emit(E.created, { program: id, version: 1, status: ProgramStatus.DRAFT, by: ctx.signer });
    return encode(ProgramIdResult, { program: id, funder: t.funder, budget: t.budget });
  }, {
    roles: Role.AGENCY | Role.CENTRAL_BANK, result: ProgramIdResult,
    fails: ['NOT_AUTHORIZED', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'BAD_PROGRAM', 'BAD_SCHEDULE', 'BAD_ALLOCATION', 'ACCOUNT_NOT_FOUND'],
  }),

  update: method(UpdateArgs, "the owner replaces a draft's terms: a new version (an explicit allocation keeps its rows)", async (ctx, a) => {
    const p = await ownDraft(ctx, a.program);
    await checkTerms(ctx, a.terms);
    if (a.terms.mode !== p.terms.mode) fail('BAD_ALLOCATION', 'the allocation mode of a draft does not change (draft a new program)');
    const rows = a.terms.mode === AllocationMode.EXPLICIT ? p.terms.rows : a.terms.rows;
    const version = p.version + 1;
    ctx.put(ProgramSchema, ProgKeys.program(p.id), { ...p, version, terms: { ...a.terms, rows } });
    ctx.emit(E.updated, { program: p.id, version, status: p.status, by: ctx.signer });
  }, { fails: ['PROGRAM_NOT_FOUND', 'NOT_PROGRAM_OWNER', 'PROGRAM_NOT_DRAFT', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'BAD_PROGRAM', 'BAD_SCHEDULE', 'BAD_ALLOCATION', 'ACCOUNT_NOT_FOUND'] }),

  set_rows: method(SetRowsArgs, "the owner writes rows first.. of a draft's explicit allocation (contiguous: first at most the row count; a row written again is replaced): a new version", async (ctx, a) => {
    const p = await ownDraft(ctx, a.program);
    if (p.terms.mode !== AllocationMode.EXPLICIT) fail('BAD_ALLOCATION', `program ${p.id} has a Merkle allocation`);
    if (a.rows.length === 0) fail('BAD_ALLOCATION', 'no row');
    if (a.first > p.terms.rows) fail('BAD_ALLOCATION', `rows are contiguous: the next new row is ${p.terms.rows}, not ${a.first}`);
    let allocated = p.allocated;
    for (let i = 0; i < a.rows.length; i++) {
      const r = a.rows[i]!;
      const row = a.first + i;
      if (r.amount === 0n) fail('BAD_ALLOCATION', `row ${row} has no amount`);
      if (r.schedule >= p.terms.schedules.length) fail('BAD_SCHEDULE', `row ${row} names schedule ${r.schedule}; the program has ${p.terms.schedules.length}`);
      ctx.meter.charge(ctx.params.cost_recipient, 'an allocation row');
      const key = ProgKeys.row(p.id, row);
      if (row < p.terms.rows) {
        const old = await ctx.get(AllocationLeafSchema, key);
        if (old !== undefined) allocated -= old.amount;
      }
      allocated += r.amount;
      ctx.put(AllocationLeafSchema, key, r);
    }
    const rows = Math.max(p.terms.rows, a.first + a.rows.length);
    const version = p.version + 1;
    ctx.put(ProgramSchema, ProgKeys.program(p.id), { ...p, version, allocated, terms: { ...p.terms, rows } });
    ctx.emit(E.rows_set, { program: p.id, version, first: a.first, count: a.rows.length, allocated });
  }, { fails: ['PROGRAM_NOT_FOUND', 'NOT_PROGRAM_OWNER', 'PROGRAM_NOT_DRAFT', 'BAD_ALLOCATION', 'BAD_SCHEDULE'] }),

  finalize: method(FinalizeArgs, "the funding account approves one exact version: its budget moves into the program's escrow, and the terms are immutable from then on", async (ctx, a) => {
    const p = await getProgram(ctx, a.program);
    if (p.status !== ProgramStatus.DRAFT) fail('PROGRAM_NOT_DRAFT', `program ${p.id} is final already`);
    if (!equalBytes(p.terms.funder, ctx.signer)) fail('NOT_PROGRAM_FUNDER', `program ${p.id} is funded by ${hex(p.terms.funder)}`);
    if (a.version !== p.version) fail('PROGRAM_VERSION_MISMATCH', `program ${p.id} is at version ${p.version}, not ${a.version}`, { version: p.version });
    if (p.terms.rows === 0) fail('BAD_ALLOCATION', `program ${p.id} has no row`);
    if (p.allocated > p.terms.budget) fail('OVER_ALLOCATED', `program ${p.id} allocates ${p.allocated}, over its budget ${p.terms.budget}`);
    if (p.terms.expiresAt !== 0 && p.terms.expiresAt <= ctx.block.time) fail('PROGRAM_EXPIRED', `program ${p.id} expired at ${p.terms.expiresAt}`);
    const cur = await liveCurrency(ctx, p.terms.currency);
    const funder = await getAccount(ctx, ctx.signer);
    requireActive(funder, ctx.signer);
    await debit(ctx, cur, ctx.signer, funder, p.terms.budget, { limits: true });
    await credit(ctx, cur, escrowAddress('prog', p.id), null, p.terms.budget, { limits: false, waterfall: false });
    ctx.put(ProgramSchema, ProgKeys.program(p.id), { ...p, status: ProgramStatus.FINAL, finalizedAt: ctx.block.time });
    ctx.put(TotalsSchema, ProgKeys.totals(p.id), { paid: 0n, recovered: 0n, returned: 0n, payments: 0, beneficiaries: 0, revoked: 0, groups: [] });
    ctx.emit(E.finalized, { program: p.id, version: p.version, status: ProgramStatus.FINAL, by: ctx.signer });
  }, {
    fails: ['PROGRAM_NOT_FOUND', 'PROGRAM_NOT_DRAFT', 'NOT_PROGRAM_FUNDER', 'PROGRAM_VERSION_MISMATCH', 'BAD_ALLOCATION', 'OVER_ALLOCATED', 'PROGRAM_EXPIRED', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'ACCOUNT_FROZEN', 'INSUFFICIENT_FUNDS'],
  }),
};
