/**
 * Validators and validator sets. A set is kept sorted by address (ascending bytes); its hash
 * commits to [address, publicKey, power] of every member in that order. Powers are positive
 * safe integers and the total is bounded by Limits.MAX_TOTAL_POWER, so all power arithmetic
 * is exact in JavaScript numbers.
 */
import { encode } from './codec.js';
import { list, struct, uint, type Infer } from './schema.js';
import { addressField, Limits, publicKeyField } from './fields.js';
import { Domain, hashOf } from './hash.js';
import { addressFromPublicKey } from './address.js';
import { compareBytes, equalBytes, toHex } from './bytes.js';
import { ErrorCodes, ValidationError } from './errors.js';
import { isValidPublicKey } from './ed25519.js';

export const ValidatorSchema = struct('Validator', { address: addressField, publicKey: publicKeyField, power: uint });
export const ValidatorListSchema = list(ValidatorSchema, Limits.MAX_VALIDATORS);
export type Validator = Infer<typeof ValidatorSchema>;

/** An immutable, validated validator set. */
export class ValidatorSet {
  readonly validators: readonly Validator[];
  readonly totalPower: number;
  readonly hash: Uint8Array;
  private readonly byAddress: Map<string, { index: number; validator: Validator }>;

  constructor(validators: readonly Validator[]) {
    if (validators.length === 0) throw new ValidationError(ErrorCodes.VALIDATOR_SET_INVALID, 'a validator set cannot be empty');
    if (validators.length > Limits.MAX_VALIDATORS) {
      throw new ValidationError(ErrorCodes.VALIDATOR_SET_INVALID, `more than ${Limits.MAX_VALIDATORS} validators`);
    }
    const sorted = [...validators].sort((a, b) => compareBytes(a.address, b.address));
    let total = 0;
    this.byAddress = new Map();
    sorted.forEach((v, index) => {
      if (!Number.isSafeInteger(v.power) || v.power <= 0) {
        throw new ValidationError(ErrorCodes.VALIDATOR_SET_INVALID, `validator ${toHex(v.address)} has non-positive power`);
      }
      if (!isValidPublicKey(v.publicKey)) {
        throw new ValidationError(ErrorCodes.VALIDATOR_SET_INVALID, `validator ${toHex(v.address)} has an invalid public key`);
      }
      if (!equalBytes(addressFromPublicKey(v.publicKey), v.address)) {
        throw new ValidationError(ErrorCodes.VALIDATOR_SET_INVALID, `validator ${toHex(v.address)}: address does not match its key`);
      }
      const id = toHex(v.address);
      if (this.byAddress.has(id)) throw new ValidationError(ErrorCodes.VALIDATOR_SET_INVALID, `duplicate validator ${id}`);
      this.byAddress.set(id, { index, validator: v });
      total += v.power;
      if (total > Limits.MAX_TOTAL_POWER) {
        throw new ValidationError(ErrorCodes.VALIDATOR_SET_INVALID, `total power exceeds ${Limits.MAX_TOTAL_POWER}`);
      }
    });
    this.validators = Object.freeze(sorted.map((v) => Object.freeze({ ...v })));
    this.totalPower = total;
    this.hash = hashOf(Domain.VALIDATORS, encode(ValidatorListSchema, this.validators));
    Object.freeze(this);
  }

  static fromKeys(entries: readonly { publicKey: Uint8Array; power: number }[]): ValidatorSet {
    return new ValidatorSet(entries.map((e) => ({ address: addressFromPublicKey(e.publicKey), publicKey: e.publicKey, power: e.power })));
  }

  get size(): number {
    return this.validators.length;
  }

  get(address: Uint8Array): Validator | undefined {
    return this.byAddress.get(toHex(address))?.validator;
  }

  indexOf(address: Uint8Array): number {
    return this.byAddress.get(toHex(address))?.index ?? -1;
  }

  /** The least power that is more than two thirds of the total. */
  get quorumPower(): number {
    return Math.floor((this.totalPower * 2) / 3) + 1;
  }

  /** The least power that is more than one third of the total (one honest validator among them). */
  get oneThirdPlusPower(): number {
    return Math.floor(this.totalPower / 3) + 1;
  }
}
