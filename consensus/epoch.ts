/**
 * Validator-set schedule. An `Epoch` is the validator set that decides one height together
 * with its proposer priorities. The engine always holds two: the current height's and the
 * next height's. Updates returned by the application when it commits block h (power 0
 * removes a validator) are applied to the set of h+1 to form the set of h+2, as CometBFT
 * does: every node computes the same set for every height from the same committed blocks,
 * and a block's header can commit to the next height's set (nextValidatorsHash).
 *
 *   epoch(1) = fresh(genesis).incremented(1)
 *   epoch(2) = epoch(1).incremented(1)
 *   epoch(h+2) = withUpdates(epoch(h+1), updates decided in block h).incremented(1)
 *
 * The proposer of round r at height h is epoch(h).incremented(r).proposer (r > 0).
 */
import { ValidatorSet, addressFromPublicKey, equalBytes, toHex, type Validator } from '../core/index.js';
import { ProposerPriorities } from './proposer.js';
import { ConsensusError, ConsensusErrorCodes } from './errors.js';

export interface ValidatorUpdate {
  readonly publicKey: Uint8Array;
  /** New power; 0 removes the validator. */
  readonly power: number;
}

export class Epoch {
  /** Proposer priorities for round r, computed once (rounds are few). */
  private readonly byRound: ProposerPriorities[];

  constructor(readonly validators: ValidatorSet, readonly priorities: ProposerPriorities) {
    if (priorities.size !== validators.size) throw new Error('Epoch: priorities do not match the validator set');
    this.byRound = [priorities];
  }

  /** The epochs of heights 1 and 2 from the genesis validators. */
  static genesis(validators: ValidatorSet): [Epoch, Epoch] {
    const first = new Epoch(validators, ProposerPriorities.fresh(validators.validators).incremented(1));
    return [first, first.advanced([])];
  }

  /** The proposer's address for `round` of this epoch's height. */
  proposer(round: number): Uint8Array {
    while (this.byRound.length <= round) {
      this.byRound.push(this.byRound[this.byRound.length - 1]!.incremented(1));
    }
    return this.byRound[round]!.proposer;
  }

  /** This epoch, with `updates` applied, as the epoch of the height after the next. */
  advanced(updates: readonly ValidatorUpdate[]): Epoch {
    if (updates.length === 0) return new Epoch(this.validators, this.priorities.incremented(1));
    const members = new Map<string, Validator>();
    for (const v of this.validators.validators) members.set(hex(v.address), v);
    const seen = new Set<string>();
    const weighted: { address: Uint8Array; power: number }[] = [];
    for (const u of updates) {
      let address: Uint8Array;
      try {
        address = addressFromPublicKey(u.publicKey);
      } catch (e) {
        throw new ConsensusError(ConsensusErrorCodes.BAD_APP_RESPONSE, `validator update: ${(e as Error).message}`);
      }
      const id = hex(address);
      if (seen.has(id)) throw new ConsensusError(ConsensusErrorCodes.BAD_APP_RESPONSE, `validator update lists ${id} twice`);
      seen.add(id);
      if (!Number.isSafeInteger(u.power) || u.power < 0) {
        throw new ConsensusError(ConsensusErrorCodes.BAD_APP_RESPONSE, `validator update for ${id}: bad power ${u.power}`);
      }
      const cur = members.get(id);
      if (cur && !equalBytes(cur.publicKey, u.publicKey)) throw new Error('address collision');
      if (u.power === 0) {
        if (!cur) throw new ConsensusError(ConsensusErrorCodes.BAD_APP_RESPONSE, `validator update removes ${id}, not a validator`);
        members.delete(id);
      } else {
        members.set(id, { address, publicKey: u.publicKey, power: u.power });
      }
      weighted.push({ address, power: u.power });
    }
    let set: ValidatorSet;
    try {
      set = new ValidatorSet([...members.values()]);
    } catch (e) {
      throw new ConsensusError(ConsensusErrorCodes.BAD_APP_RESPONSE, `validator updates give an invalid set: ${(e as Error).message}`);
    }
    return new Epoch(set, this.priorities.withUpdates(weighted).incremented(1));
  }
}

const hex = toHex;
