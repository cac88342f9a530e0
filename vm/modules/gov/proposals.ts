/**
 * The governance council's methods. A member proposes an action (actions.ts) with a
 * reason, which counts as the proposer's approval; other members approve, each with a
 * reason; the approval that reaches the council's threshold executes the action in a nested
 * checkpoint. If the action fails, the proposal is recorded as FAILED with the code and
 * message (the approval itself succeeds); otherwise EXECUTED. Proposals expire
 * proposal_ttl_ms of block time after creation; the proposer may cancel an open one.
 * Every proposal keeps its approvals with their reasons and heights.
 */
import { addressField, encode, equalBytes, str, struct, toHex, u8, u32, uint } from '../../../core/index.js';
import { fail, VmError } from '../../errors.js';
import { event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { clipMessage } from '../../receipts.js';
import { decodeAction } from '../../actions.js';
import { nextId } from '../../lib/ids.js';
import { CouncilSchema, GovKeys, ProposalActionSchema, ProposalSchema, ProposalStatus, type Council, type Proposal } from './records.js';

const reason = str(256);
export const ProposeArgs = struct('GovPropose', { action: ProposalActionSchema, reason });
export const ApproveArgs = struct('GovApprove', { id: uint, reason });
export const CancelArgs = struct('GovCancel', { id: uint, reason });
export const IdResult = struct('IdResult', { id: uint });

export const ProposalEvent = struct('ProposalEvent', { id: uint, member: addressField, kind: u8, reason });
export const ExecutedEvent = struct('ProposalExecuted', { id: uint, kind: u8, status: u8, code: u32, message: str(256) });

export const ProposalEvents = {
  proposed: event('gov', 'proposed', ProposalEvent, 'a proposal made (with its proposer\'s approval)'),
  approved: event('gov', 'approved', ProposalEvent, 'a council member approved'),
  cancelled: event('gov', 'cancelled', ProposalEvent, 'the proposer cancelled'),
  executed: event('gov', 'executed', ExecutedEvent, 'a proposal reached its threshold and its action ran: status 1 executed, 2 failed (with the code and message)'),
};
const E = ProposalEvents;

async function council(ctx: TxContext): Promise<Council> {
  const c = await ctx.get(CouncilSchema, GovKeys.council());
  if (c === undefined || !c.members.some((m) => equalBytes(m, ctx.signer))) fail('NOT_COUNCIL_MEMBER', `${toHex(ctx.signer)} is not on the council`);
  return c;
}

async function openProposal(ctx: TxContext, id: number): Promise<Proposal> {
  const p = await ctx.get(ProposalSchema, GovKeys.proposal(id));
  if (p === undefined) fail('PROPOSAL_NOT_FOUND', `no proposal ${id}`);
  if (p.status !== ProposalStatus.OPEN) fail('PROPOSAL_CLOSED', `proposal ${id} is closed`);
  if (ctx.block.time > p.expiresAt) fail('PROPOSAL_EXPIRED', `proposal ${id} expired at ${p.expiresAt}`);
  return p;
}

/** Execute `p` if it has enough approvals; store it either way. */
async function maybeExecute(ctx: TxContext, c: Council, p: Proposal): Promise<void> {
  if (p.approvals.length < c.threshold) {
    ctx.put(ProposalSchema, GovKeys.proposal(p.id), p);
    return;
  }
  const { def, args } = decodeAction(ctx.registry, p.action);
  let done: Proposal;
  try {
    await ctx.nested(() => def.run(ctx, args));
    done = { ...p, status: ProposalStatus.EXECUTED };
  } catch (e) {
    if (!(e instanceof VmError) || e.code === 'OUT_OF_WORK') throw e;
    done = { ...p, status: ProposalStatus.FAILED, resultCode: e.num, resultMessage: clipMessage(e.message) };
  }
  ctx.put(ProposalSchema, GovKeys.proposal(p.id), done);
  ctx.emit(E.executed, { id: p.id, kind: p.action.kind, status: done.status, code: done.resultCode, message: done.resultMessage });
}

export const proposalMethods = {
  propose: method(ProposeArgs, 'a council member proposes an action (their approval included)', async (ctx, a) => {
    const c = await council(ctx);
    decodeAction(ctx.registry, a.action);
    const id = await nextId(ctx, GovKeys.proposalSeq());
    const p: Proposal = {
      id, proposer: ctx.signer, action: a.action, reason: a.reason, createdAt: ctx.block.time, expiresAt: ctx.block.time + ctx.params.proposal_ttl_ms,
      approvals: [{ member: ctx.signer, reason: a.reason, height: ctx.block.height }], status: ProposalStatus.OPEN, resultCode: 0, resultMessage: '',
    };
    ctx.emit(E.proposed, { id, member: ctx.signer, kind: a.action.kind, reason: a.reason });
    await maybeExecute(ctx, c, p);
    return encode(IdResult, { id });
  }, { fails: ['NOT_COUNCIL_MEMBER', 'BAD_PROPOSAL_ACTION'], result: IdResult }),
  approve: method(ApproveArgs, 'a council member approves an open proposal', async (ctx, a) => {
    const c = await council(ctx);
    const p = await openProposal(ctx, a.id);
    if (p.approvals.some((x) => equalBytes(x.member, ctx.signer))) fail('ALREADY_APPROVED', `${toHex(ctx.signer)} already approved proposal ${a.id}`);
    ctx.emit(E.approved, { id: p.id, member: ctx.signer, kind: p.action.kind, reason: a.reason });
    // Approvals of members who have since left the council do not count.
    const approvals = [...p.approvals, { member: ctx.signer, reason: a.reason, height: ctx.block.height }];
    const counted = approvals.filter((x) => c.members.some((m) => equalBytes(m, x.member))).length;
    const next = { ...p, approvals };
    if (counted < c.threshold) ctx.put(ProposalSchema, GovKeys.proposal(p.id), next);
    else await maybeExecute(ctx, { ...c, threshold: 0 }, next);
  }, { fails: ['NOT_COUNCIL_MEMBER', 'PROPOSAL_NOT_FOUND', 'PROPOSAL_CLOSED', 'PROPOSAL_EXPIRED', 'ALREADY_APPROVED'] }),
  cancel: method(CancelArgs, 'the proposer cancels an open proposal', async (ctx, a) => {
    const p = await openProposal(ctx, a.id);
    if (!equalBytes(p.proposer, ctx.signer)) fail('NOT_PROPOSER', `only the proposer may cancel proposal ${a.id}`);
    ctx.put(ProposalSchema, GovKeys.proposal(p.id), { ...p, status: ProposalStatus.CANCELLED });
    ctx.emit(E.cancelled, { id: p.id, member: ctx.signer, kind: p.action.kind, reason: a.reason });
  }, { fails: ['PROPOSAL_NOT_FOUND', 'PROPOSAL_CLOSED', 'PROPOSAL_EXPIRED', 'NOT_PROPOSER'] }),
};
