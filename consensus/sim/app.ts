/**
 * The simulated application: blocks are the canonical encoding of
 * [height, round, builder instance, valid flag, salt], their id is hashOf("sim-block", bytes),
 * and a block is valid when its flag is set and its height is the one being decided. A
 * Byzantine builder can set the flag to false (an invalid proposal). Validator updates are a
 * fixed function of the height and the scenario, so every node computes the same ones.
 */
import { bool, decode, encode, hashOf, struct, u32, uint } from '../../core/index.js';

const SimBlockSchema = struct('SimBlock', { height: uint, round: u32, builder: u32, valid: bool, salt: uint });

export function buildSimBlock(height: number, round: number, builder: number, valid: boolean, salt = 0): Uint8Array {
  return encode(SimBlockSchema, { height, round, builder, valid, salt });
}

export function simBlockHash(block: Uint8Array): Uint8Array {
  decode(SimBlockSchema, block, 64); // throws CodecError for bytes that are not a sim block
  return hashOf('sim-block', block);
}

export function checkSimBlock(block: Uint8Array, height: number): boolean {
  try {
    const b = decode(SimBlockSchema, block, 64);
    return b.valid && b.height === height;
  } catch {
    return false;
  }
}

export function simBlockBuilder(block: Uint8Array): number {
  return decode(SimBlockSchema, block, 64).builder;
}
