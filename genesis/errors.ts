/**
 * Genesis errors and problem lists. Checking a template, a contribution or a genesis.json
 * never stops at the first fault: every problem is collected as { path, message }, where the
 * path names the field at fault in the file's own terms (`validators[2].power`,
 * `council.threshold`), and a `GenesisError` carries the whole list. Nothing here throws an
 * untyped error for bad input.
 */
import { escapeText, SovError } from '../core/index.js';

export const GenesisErrors = {
  /** A template, contribution or genesis document with problems (see `problems`). */
  GENESIS_INVALID: 'GENESIS_INVALID',
  /** A file that cannot be read or written. */
  GENESIS_IO: 'GENESIS_IO',
  /** A contribution that cannot be collected into this template. */
  CONTRIBUTION_REJECTED: 'CONTRIBUTION_REJECTED',
} as const;

export interface Problem {
  /** The field at fault, e.g. `validators[2].public_key`; "" for the whole document. */
  readonly path: string;
  readonly message: string;
}

export class GenesisError extends SovError {
  readonly problems: readonly Problem[];

  constructor(code: keyof typeof GenesisErrors, message: string, problems: readonly Problem[] = []) {
    super(code, message, { problems });
    this.problems = problems;
  }
}

/** A growing list of problems. */
export class Problems {
  readonly list: Problem[] = [];

  /** Record a problem; a second one at the same non-empty path is dropped (one per field). */
  add(path: string, message: string): void {
    if (path !== '' && this.list.some((p) => p.path === path)) return;
    this.list.push({ path, message });
  }

  has(path: string): boolean {
    return this.list.some((p) => p.path === path);
  }

  get size(): number {
    return this.list.length;
  }

  /** Throw a GENESIS_INVALID error listing every problem, if there is any. */
  throwIfAny(what: string): void {
    if (this.list.length > 0) {
      throw new GenesisError('GENESIS_INVALID', `${what}: ${this.list.length} problem(s): ${formatProblems(this.list).join('; ')}`, this.list);
    }
  }
}

/** One line per problem: `path: message` (escaped: a file's own text may be quoted in it). */
export function formatProblems(problems: readonly Problem[]): string[] {
  return problems.map((p) => escapeText(p.path === '' ? p.message : `${p.path}: ${p.message}`));
}

/** Join a path and a child key or index. */
export function at(path: string, child: string | number): string {
  if (typeof child === 'number') return `${path}[${child}]`;
  return path === '' ? child : `${path}.${child}`;
}
