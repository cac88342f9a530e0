/**
 * The vm's error codes. Every rejection (a transaction that is not included) and every
 * execution failure (included, with a failure receipt) has one stable name and one stable
 * number; receipts carry the number, logs and RPC the name. The engine owns the numbers
 * 0-199 (1-99 authentication, 100-199 engine) and 900-999 (genesis); each module declares
 * its own codes in its descriptor, inside a range of its own (vm/modules/NAME/), and the
 * registry refuses two of them on one number or name. A number is never reused or
 * renumbered; docs/vm.md lists them all (generated from the descriptors).
 *
 * `VmError` takes a code by name: its number is looked up in the codes of every registry
 * loaded (`registerCodes`, called by the registry once its checks pass).
 */
import { SovError } from '../core/index.js';
import type { CodeSpec } from './module.js';
import type { VmCodes } from './builtin.js';

/** A code of the engine or of a built-in module. */
export type VmCode = keyof typeof VmCodes & string;

const NUMBERS = new Map<string, number>();
const NAMES = new Map<number, string>();
const OWNERS = new Map<string, string>();

/**
 * Make `codes` (of `owner`, a module or the engine) known to VmError and vmCodeName. The
 * same name with the same number again is a no-op; anything that clashes with a code known
 * already throws, naming both owners.
 */
export function registerCodes(owner: string, codes: Readonly<Record<string, CodeSpec>>): void {
  for (const [name, c] of Object.entries(codes)) {
    const num = NUMBERS.get(name);
    const other = NAMES.get(c.num);
    if (num === c.num && other === name) continue;
    if (num !== undefined) throw new Error(`vm code ${name} is ${num} in ${OWNERS.get(name)} and ${c.num} in ${owner}`);
    if (other !== undefined) throw new Error(`vm code number ${c.num} is ${other} in ${OWNERS.get(other)} and ${name} in ${owner}`);
  }
  for (const [name, c] of Object.entries(codes)) {
    NUMBERS.set(name, c.num);
    NAMES.set(c.num, name);
    OWNERS.set(name, owner);
  }
}

/** The number of a code by name, or undefined for a name no loaded registry has. */
export function codeNumber(name: string): number | undefined {
  return NUMBERS.get(name);
}

/** The name of a numeric code (for receipts read back), or undefined. */
export function vmCodeName(num: number): string | undefined {
  return NAMES.get(num);
}

/** A typed vm error: `code` is the stable name, `num` the stable number receipts carry. */
export class VmError extends SovError {
  readonly num: number;
  constructor(code: VmCode | (string & Record<never, never>), message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'reject');
    const num = NUMBERS.get(code);
    if (num === undefined) throw new Error(`no vm code named ${code} is loaded`);
    this.num = num;
  }
}

/** Throw a VmError: the one way handlers fail. */
export function fail(code: VmCode, message: string, meta: Record<string, unknown> = {}): never {
  throw new VmError(code, message, meta);
}
