/**
 * Byzantine behaviours, applied to what a faulty instance sends (its engine runs the honest
 * algorithm; the faults are in what leaves it):
 * - `withhold`: sends nothing (votes, proposals, synced blocks);
 * - `equivocate`: each vote goes to half of the peers, and a conflicting vote (another block
 *   id, or nil), signed with the same key, to the other half;
 * - `conflicting-proposal`: as proposer, sends one block to half of the peers and a different
 *   valid block, with its own signed proposal, to the other half;
 * - `invalid-proposal`: as proposer, builds blocks the application refuses (see world.ts);
 * - twins (two instances with one key) need no code here: both run honestly.
 */
import { hashOf, proposalSignBytes, voteSignBytes, type Vote } from '../../core/index.js';
import { buildSimBlock, simBlockHash } from './app.js';
import { memoSign, simKeys } from './keys.js';
import type { Instance, NetMessage, World } from './world.js';

export type Behaviour = 'honest' | 'withhold' | 'equivocate' | 'conflicting-proposal' | 'invalid-proposal';
export const BYZANTINE_BEHAVIOURS: readonly Behaviour[] = ['withhold', 'equivocate', 'conflicting-proposal', 'invalid-proposal'];

/** Send `m` from `from` to every peer (or only `only`), as `from`'s behaviour dictates. */
export function byzantineSend(w: World, from: Instance, m: NetMessage, only?: Instance): void {
  const peers = only ? [only] : w.instances.filter((i) => i !== from);
  if (from.behaviour === 'withhold') return;
  const split = (i: Instance): boolean => ((i.id * 7 + (m.kind === 'vote' ? m.vote.round : 0)) & 1) === 1;
  if (from.behaviour === 'equivocate' && m.kind === 'vote') {
    const alt = conflictingVote(from, m.vote);
    for (const p of peers) w.send(from, p, split(p) ? { kind: 'vote', vote: alt } : m);
    return;
  }
  if (from.behaviour === 'conflicting-proposal' && m.kind === 'proposal') {
    const alt = conflictingProposal(from, m);
    for (const p of peers) w.send(from, p, split(p) ? alt : m);
    return;
  }
  for (const p of peers) w.send(from, p, m);
}

function conflictingVote(from: Instance, v: Vote): Vote {
  const key = simKeys(from.validator + 1)[from.validator]!.secretKey;
  const blockHash = v.blockHash === null ? hashOf('sim-bogus', new Uint8Array([v.round & 0xff])) : null;
  const unsigned = { type: v.type, height: v.height, round: v.round, blockHash, validator: v.validator };
  return { ...unsigned, signature: memoSign(voteSignBytes('sim', unsigned), key) };
}

function conflictingProposal(from: Instance, m: NetMessage & { kind: 'proposal' }): NetMessage {
  const key = simKeys(from.validator + 1)[from.validator]!.secretKey;
  const p = m.proposal;
  const block = buildSimBlock(p.height, p.round, from.id, true, 1);
  const unsigned = { height: p.height, round: p.round, polRound: p.polRound, blockHash: simBlockHash(block), proposer: p.proposer };
  return { kind: 'proposal', proposal: { ...unsigned, signature: memoSign(proposalSignBytes('sim', unsigned), key) }, block };
}
