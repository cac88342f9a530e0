/**
 * Paying a final program: a beneficiary claims what its row has vested (with a credential
 * presentation the first time, when the program needs one: one row per credential), or the
 * owner pushes what is due to enrolled rows in batches. Each payment leaves its trail: the
 * row's state (what was paid, the step, the credential), the claimed bitmap once paid in full,
 * the program's totals by report group, a `paid` event, and the node's payment indexes.
 */
import { amount, bytes32, concatBytes, encode, equalBytes, list, optional, str, struct, u32, uint, verifyMerkleProof } from '../../../core/index.js';
import { fail, VmError } from '../../errors.js';
import { method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { escrowAddress } from '../../lib/ids.js';
import { u32be, u64be } from '../../keys.js';
import { getAccount, requireActive } from '../account/accounts.js';
import { PresentationSchema, requireStanding, verifyPresentation, type Presentation } from '../cred/presentation.js';
import { openGrant } from '../grant/methods.js';
import { liveCurrency } from '../money/currencies.js';
import { balanceOf, credit, debit } from '../money/ledger.js';
import {
  AllocationLeafSchema, AllocationMode, CLAIM_CHUNK_BYTES, CLAIM_CHUNK_ROWS, ClaimChunkSchema, CredUseSchema, MAX_GROUPS, OTHER_GROUP, ProgKeys,
  ProgramSchema, ProgramStatus, RowStateSchema, TotalsSchema, type AllocationLeaf, type Program, type RowState, type Totals,
} from './records.js';
import { vestedAt } from './schedule.js';
import { ProgEvents as E, ProgIndexes } from './events.js';
import { getProgram } from './programs.js';

const NOBODY = new Uint8Array(20);
const legalRef = str(128);
/** Longest Merkle path a row proof may carry (2^40 rows). */
export const MAX_PATH = 40;

export const ClaimArgs = struct('ProgClaim', {
  program: uint, row: uint,
  /** A Merkle program's row (null for an explicit one), and its path to the root. */
  leaf: optional(AllocationLeafSchema), path: list(bytes32, MAX_PATH),
  /** The eligibility credential: needed on a row's first claim when the program names credential types. */
  presentation: optional(PresentationSchema),
});
export const PushItem = struct('ProgPushItem', { row: uint, leaf: optional(AllocationLeafSchema), path: list(bytes32, MAX_PATH) });
export const PushArgs = struct('ProgPush', { program: uint, items: list(PushItem, 10_000) });
export const RowArgs = struct('ProgRowRef', { program: uint, row: uint, leaf: optional(AllocationLeafSchema), path: list(bytes32, MAX_PATH), legalRef });
export const RecoverArgs = struct('ProgRecover', { program: uint, row: uint, amount, legalRef });
export const CloseArgs = struct('ProgClose', { program: uint });
export const ClaimResult = struct('ProgClaimResult', { amount, step: u32, claimed: amount, grant: uint });
export const PushResult = struct('ProgPushResult', { codes: list(u32, 10_000), paid: amount });
export const CloseResult = struct('ProgCloseResult', { returned: amount });


function requireFinal(p: Program): void {
  if (p.status === ProgramStatus.DRAFT) fail('PROGRAM_NOT_FINAL', `program ${p.id} is a draft`);
  if (p.status === ProgramStatus.CLOSED) fail('PROGRAM_CLOSED', `program ${p.id} is closed`);
}

/** Row `row` of the program's allocation: an explicit row as stored, or a Merkle row proven against the root. */
async function allocationOf(ctx: TxContext, p: Program, row: number, leaf: AllocationLeaf | null, path: readonly Uint8Array[]): Promise<AllocationLeaf> {
  if (row >= p.terms.rows) fail('PROGRAM_ROW_NOT_FOUND', `program ${p.id} has ${p.terms.rows} rows`);
  let alloc: AllocationLeaf;
  if (p.terms.mode === AllocationMode.EXPLICIT) {
    const r = await ctx.get(AllocationLeafSchema, ProgKeys.row(p.id, row));
    if (r === undefined) fail('PROGRAM_ROW_NOT_FOUND', `program ${p.id} has no row ${row}`);
    alloc = r;
  } else {
    if (leaf === null) fail('BAD_ALLOCATION_PROOF', `program ${p.id} allocates by Merkle root: give the row and its path`);
    ctx.meter.charge(ctx.params.cost_recipient, 'a Merkle row proof');
    if (!verifyMerkleProof(p.terms.root, encode(AllocationLeafSchema, leaf), row, p.terms.rows, path)) {
      fail('BAD_ALLOCATION_PROOF', `row ${row} with that path is not in program ${p.id}'s allocation`);
    }
    alloc = leaf;
  }
  if (alloc.schedule >= p.terms.schedules.length) fail('BAD_SCHEDULE', `row ${row} names schedule ${alloc.schedule}; the program has ${p.terms.schedules.length}`);
  return alloc;
}

function chunkOf(row: number): { chunk: number; bit: number } {
  const chunk = Math.floor(row / CLAIM_CHUNK_ROWS);
  return { chunk, bit: row - chunk * CLAIM_CHUNK_ROWS };
}

/** Whether the row is marked paid in full in the claimed bitmap. */
export async function isClaimed(ctx: TxContext, program: number, row: number): Promise<boolean> {
  const { chunk, bit } = chunkOf(row);
  const c = await ctx.get(ClaimChunkSchema, ProgKeys.claimed(program, chunk));
  const byte = c?.bits[bit >> 3];
  return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
}

async function markClaimed(ctx: TxContext, program: number, row: number): Promise<void> {
  const { chunk, bit } = chunkOf(row);
  const key = ProgKeys.claimed(program, chunk);
  const c = await ctx.get(ClaimChunkSchema, key);
  const bits = new Uint8Array(Math.max(c?.bits.length ?? 0, (bit >> 3) + 1));
  if (c) bits.set(c.bits);
  bits[bit >> 3]! |= 0x80 >> (bit & 7);
  if (bits.length > CLAIM_CHUNK_BYTES) throw new Error('claimed chunk overflow');
  ctx.put(ClaimChunkSchema, key, { bits });
}

function addToGroup(t: Totals, group: string, paid: bigint, recovered: bigint, newBeneficiary: boolean): Totals['groups'] {
  const groups = [...t.groups];
  let i = groups.findIndex((g) => g.group === group);
  if (i < 0) {
    const name = groups.length < MAX_GROUPS ? group : OTHER_GROUP;
    i = groups.findIndex((g) => g.group === name);
    if (i < 0) {
      groups.push({ group: name, paid: 0n, recovered: 0n, beneficiaries: 0 });
      i = groups.length - 1;
    }
  }
  const g = groups[i]!;
  groups[i] = { ...g, paid: g.paid + paid, recovered: g.recovered + recovered, beneficiaries: g.beneficiaries + (newBeneficiary ? 1 : 0) };
  return groups;
}

async function getTotals(ctx: TxContext, program: number): Promise<Totals> {
  const t = await ctx.get(TotalsSchema, ProgKeys.totals(program));
  if (t === undefined) throw new Error(`program ${program} is final without totals`);
  return t;
}

/** `s` cut to at most `max` UTF-8 bytes, never inside a character (a report group's name). */
export function clipUtf8(s: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}


interface Paid { amount: bigint; step: number; claimed: bigint; grant: number }

/**
 * Pay row `row` what it has vested and not been paid: the checks every payment passes (not
 * paid in full, not revoked, not expired, eligible, something due, within what is left of the
 * budget), the money, and the trail.
 */
async function payRow(ctx: TxContext, p: Program, row: number, alloc: AllocationLeaf, via: 0 | 1, presentation: Presentation | null): Promise<Paid> {
  const t = p.terms;
  if (await isClaimed(ctx, p.id, row)) fail('PROGRAM_ROW_PAID', `row ${row} of program ${p.id} is paid in full`);
  const stKey = ProgKeys.rowState(p.id, row);
  const st = await ctx.get(RowStateSchema, stKey);
  if (st?.revoked === true) fail('BENEFICIARY_REVOKED', `row ${row} of program ${p.id} is revoked`);
  const now = ctx.block.time;
  if (t.expiresAt !== 0 && now > t.expiresAt) {
    const inGrace = st !== undefined && st.firstClaimAt <= t.expiresAt && now <= t.expiresAt + t.graceMs;
    if (!inGrace) fail('PROGRAM_EXPIRED', `program ${p.id} expired at ${t.expiresAt}${st !== undefined && st.firstClaimAt <= t.expiresAt ? ` and its grace ended at ${t.expiresAt + t.graceMs}` : ''}`);
  }
  const acct = await getAccount(ctx, alloc.beneficiary);
  requireActive(acct, alloc.beneficiary);

  // Eligibility: a presentation on the first payment (one row per credential), its standing after.
  let cred = { issuer: st?.credIssuer ?? NOBODY, index: st?.credIndex ?? 0, validUntil: st?.credValidUntil ?? 0 };
  let group = st?.group ?? acct.category;
  let newUse = false;
  if (t.eligibility.types.length > 0) {
    if (st === undefined) {
      if (presentation === null) fail(via === 0 ? 'PRESENTATION_REQUIRED' : 'PROGRAM_NOT_ENROLLED', `row ${row} of program ${p.id} needs the beneficiary's credential presentation on its first claim`);
      const v = await verifyPresentation(ctx, presentation, t.eligibility, alloc.beneficiary);
      const use = await ctx.get(CredUseSchema, ProgKeys.credUse(p.id, v.issuer, v.index));
      if (use !== undefined && use.row !== row) fail('CREDENTIAL_USED', `that credential made row ${use.row} of program ${p.id} eligible already`, { row: use.row });
      newUse = use === undefined;
      cred = { issuer: v.issuer, index: v.index, validUntil: v.validUntil };
      if (t.reportClaim !== '') {
        const c = v.claims.get(t.reportClaim);
        group = c === undefined ? '' : clipUtf8(String(c), 64);
      }
    } else {
      await requireStanding(ctx, cred);
    }
  }

  const vested = vestedAt(t.schedules[alloc.schedule]!, alloc.amount, now);
  const before = st?.claimed ?? 0n;
  if (vested.amount <= before) fail('NOTHING_DUE', `row ${row} of program ${p.id} has nothing due at ${now}${vested.step === 0 ? ' (before its schedule starts paying)' : ''}`);
  const due = vested.amount - before;
  const cur = await liveCurrency(ctx, t.currency);
  const escrow = escrowAddress('prog', p.id);
  const left = await balanceOf(ctx, escrow, t.currency);
  if (due > left) fail('BUDGET_EXHAUSTED', `program ${p.id} has ${left} left of its budget; row ${row} is due ${due}`, { left: left.toString() });
  await debit(ctx, cur, escrow, null, due, { limits: false });
  let grant = 0;
  if (t.category === '') await credit(ctx, cur, alloc.beneficiary, acct, due, { limits: true, waterfall: true });
  else grant = await openGrant(ctx, cur, t.funder, alloc.beneficiary, t.category, now + t.spendMs, due);

  const claimed = before + due;
  const state: RowState = {
    beneficiary: alloc.beneficiary, amount: alloc.amount, schedule: alloc.schedule, claimed, step: vested.step, recovered: st?.recovered ?? 0n,
    revoked: false, firstClaimAt: st?.firstClaimAt ?? now, credIssuer: cred.issuer, credIndex: cred.index, credValidUntil: cred.validUntil, group,
  };
  ctx.put(RowStateSchema, stKey, state);
  if (newUse) ctx.put(CredUseSchema, ProgKeys.credUse(p.id, cred.issuer, cred.index), { row });
  if (claimed === alloc.amount) await markClaimed(ctx, p.id, row);
  const totals = await getTotals(ctx, p.id);
  const first = st === undefined;
  ctx.put(TotalsSchema, ProgKeys.totals(p.id), {
    ...totals, paid: totals.paid + due, payments: totals.payments + 1, beneficiaries: totals.beneficiaries + (first ? 1 : 0),
    groups: addToGroup(totals, group, due, 0n, first),
  });
  const at = ctx.events.length;
  ctx.emit(E.paid, { program: p.id, version: p.version, row, beneficiary: alloc.beneficiary, amount: due, step: vested.step, claimed, via, credIssuer: cred.issuer, credIndex: cred.index, group, grant });
  const value = concatBytes(u64be(p.id), u64be(row), Uint8Array.of(at >> 8, at & 0xff));
  ctx.index(ProgIndexes.beneficiary, concatBytes(alloc.beneficiary, u64be(now), u32be(ctx.indexEntries.length)), value);
  ctx.index(ProgIndexes.program, concatBytes(u64be(p.id), u64be(now), u32be(ctx.indexEntries.length)), value);
  return { amount: due, step: vested.step, claimed, grant };
}

async function ownFinal(ctx: TxContext, id: number): Promise<Program> {
  const p = await getProgram(ctx, id);
  if (!equalBytes(p.owner, ctx.signer)) fail('NOT_PROGRAM_OWNER', `program ${id} is not yours`);
  requireFinal(p);
  return p;
}

const PAY_FAILS = [
  'PROGRAM_NOT_FOUND', 'PROGRAM_NOT_FINAL', 'PROGRAM_CLOSED', 'PROGRAM_ROW_NOT_FOUND', 'BAD_ALLOCATION_PROOF', 'BAD_SCHEDULE', 'PROGRAM_ROW_PAID', 'BENEFICIARY_REVOKED',
  'PROGRAM_EXPIRED', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_FROZEN', 'ACCOUNT_CLOSED', 'NOTHING_DUE', 'BUDGET_EXHAUSTED', 'CURRENCY_PAUSED', 'HOLDING_LIMIT', 'TIER_NOT_ALLOWED',
];

export const claimMethods = {
  claim: method(ClaimArgs, "a beneficiary claims what its row has vested (its first claim presents its eligibility credential when the program needs one)", async (ctx, a) => {
    const p = await getProgram(ctx, a.program);
    requireFinal(p);
    const alloc = await allocationOf(ctx, p, a.row, a.leaf, a.path);
    if (!equalBytes(alloc.beneficiary, ctx.signer)) fail('NOT_BENEFICIARY', `row ${a.row} of program ${p.id} is not yours`);
    return encode(ClaimResult, await payRow(ctx, p, a.row, alloc, 0, a.presentation));
  }, { result: ClaimResult, fails: [...PAY_FAILS, 'NOT_BENEFICIARY', 'PRESENTATION_REQUIRED', 'CREDENTIAL_USED'] }),

  push: method(PushArgs, 'the owner pays what is due to up to 10,000 rows (enrolled ones, when the program needs a credential); a result code per row', async (ctx, a) => {
    const p = await ownFinal(ctx, a.program);
    if (a.items.length === 0) fail('ZERO_AMOUNT', 'a push needs a row');
    if (a.items.length > ctx.params.max_payout_recipients) fail('TOO_MANY_RECIPIENTS', `at most ${ctx.params.max_payout_recipients} rows`);
    const codes: number[] = [];
    let paid = 0n;
    for (const it of a.items) {
      ctx.meter.charge(ctx.params.cost_recipient, 'a pushed row');
      try {
        const r = await ctx.nested(async () => payRow(ctx, p, it.row, await allocationOf(ctx, p, it.row, it.leaf, it.path), 1, null));
        codes.push(0);
        paid += r.amount;
      } catch (e) {
        if (!(e instanceof VmError) || e.code === 'OUT_OF_WORK') throw e;
        codes.push(e.num);
      }
    }
    return encode(PushResult, { codes, paid });
  }, { result: PushResult, fails: ['PROGRAM_NOT_FOUND', 'NOT_PROGRAM_OWNER', 'PROGRAM_NOT_FINAL', 'PROGRAM_CLOSED', 'ZERO_AMOUNT', 'TOO_MANY_RECIPIENTS'] }),

  revoke: method(RowArgs, "the owner revokes a beneficiary's row, citing a legal reference: no further payment", async (ctx, a) => {
    const p = await ownFinal(ctx, a.program);
    const alloc = await allocationOf(ctx, p, a.row, a.leaf, a.path);
    const key = ProgKeys.rowState(p.id, a.row);
    const st = await ctx.get(RowStateSchema, key);
    if (st?.revoked === true) fail('BENEFICIARY_REVOKED', `row ${a.row} of program ${p.id} is revoked already`);
    if (await isClaimed(ctx, p.id, a.row)) fail('PROGRAM_ROW_PAID', `row ${a.row} of program ${p.id} is paid in full`);
    if (a.legalRef === '') fail('BAD_PROGRAM', 'a revocation cites its legal reference');
    ctx.put(RowStateSchema, key, st !== undefined ? { ...st, revoked: true } : {
      beneficiary: alloc.beneficiary, amount: alloc.amount, schedule: alloc.schedule, claimed: 0n, step: 0, recovered: 0n, revoked: true,
      firstClaimAt: 0, credIssuer: NOBODY, credIndex: 0, credValidUntil: 0, group: '',
    });
    const totals = await getTotals(ctx, p.id);
    ctx.put(TotalsSchema, ProgKeys.totals(p.id), { ...totals, revoked: totals.revoked + 1 });
    ctx.emit(E.revoked, { program: p.id, row: a.row, beneficiary: alloc.beneficiary, amount: st?.claimed ?? 0n, legalRef: a.legalRef });
  }, { fails: ['PROGRAM_NOT_FOUND', 'NOT_PROGRAM_OWNER', 'PROGRAM_NOT_FINAL', 'PROGRAM_CLOSED', 'PROGRAM_ROW_NOT_FOUND', 'BAD_ALLOCATION_PROOF', 'BAD_SCHEDULE', 'BENEFICIARY_REVOKED', 'PROGRAM_ROW_PAID', 'BAD_PROGRAM'] }),

  recover: method(RecoverArgs, "the owner recovers a payment made in error from the beneficiary's account to the funder, citing a legal reference (at most what the row was paid and not yet recovered)", async (ctx, a) => {
    const p = await getProgram(ctx, a.program);
    if (!equalBytes(p.owner, ctx.signer)) fail('NOT_PROGRAM_OWNER', `program ${a.program} is not yours`);
    if (p.status === ProgramStatus.DRAFT) fail('PROGRAM_NOT_FINAL', `program ${p.id} is a draft`);
    if (a.legalRef === '') fail('BAD_PROGRAM', 'a recovery cites its legal reference');
    const key = ProgKeys.rowState(p.id, a.row);
    const st = await ctx.get(RowStateSchema, key);
    if (st === undefined || st.claimed === 0n) fail('BAD_RECOVERY', `row ${a.row} of program ${p.id} was paid nothing`);
    if (a.amount === 0n || a.amount > st.claimed - st.recovered) fail('BAD_RECOVERY', `row ${a.row} can be recovered at most ${st.claimed - st.recovered}`);
    const cur = await liveCurrency(ctx, p.terms.currency);
    await debit(ctx, cur, st.beneficiary, await getAccount(ctx, st.beneficiary), a.amount, { limits: false, force: true });
    await credit(ctx, cur, p.terms.funder, await getAccount(ctx, p.terms.funder), a.amount, { limits: false, waterfall: false, force: true });
    ctx.put(RowStateSchema, key, { ...st, recovered: st.recovered + a.amount });
    const totals = await getTotals(ctx, p.id);
    ctx.put(TotalsSchema, ProgKeys.totals(p.id), { ...totals, recovered: totals.recovered + a.amount, groups: addToGroup(totals, st.group, 0n, a.amount, false) });
    ctx.emit(E.recovered, { program: p.id, row: a.row, beneficiary: st.beneficiary, amount: a.amount, legalRef: a.legalRef });
  }, { fails: ['PROGRAM_NOT_FOUND', 'NOT_PROGRAM_OWNER', 'PROGRAM_NOT_FINAL', 'BAD_PROGRAM', 'BAD_RECOVERY', 'CURRENCY_PAUSED', 'INSUFFICIENT_FUNDS'] }),

  close: method(CloseArgs, 'anyone, after the expiry and grace: the unclaimed remainder returns to the funder, and the program closes', async (ctx, a) => {
    const p = await getProgram(ctx, a.program);
    requireFinal(p);
    const t = p.terms;
    if (t.expiresAt === 0 || ctx.block.time <= t.expiresAt + t.graceMs) {
      fail('PROGRAM_NOT_EXPIRED', t.expiresAt === 0 ? `program ${p.id} has no expiry` : `program ${p.id} runs (with its grace) until ${t.expiresAt + t.graceMs}`);
    }
    const cur = await liveCurrency(ctx, t.currency);
    const escrow = escrowAddress('prog', p.id);
    const left = await balanceOf(ctx, escrow, t.currency);
    if (left > 0n) {
      await debit(ctx, cur, escrow, null, left, { limits: false });
      await credit(ctx, cur, t.funder, await getAccount(ctx, t.funder), left, { limits: false, waterfall: false, force: true });
    }
    ctx.put(ProgramSchema, ProgKeys.program(p.id), { ...p, status: ProgramStatus.CLOSED });
    const totals = await getTotals(ctx, p.id);
    ctx.put(TotalsSchema, ProgKeys.totals(p.id), { ...totals, returned: totals.returned + left });
    ctx.emit(E.closed, { program: p.id, returned: left, by: ctx.signer });
    return encode(CloseResult, { returned: left });
  }, { result: CloseResult, fails: ['PROGRAM_NOT_FOUND', 'PROGRAM_NOT_FINAL', 'PROGRAM_CLOSED', 'PROGRAM_NOT_EXPIRED', 'CURRENCY_PAUSED'] }),
};
