/**
 * Where a keystore password comes from: a file (first line), an environment variable, or an
 * interactive prompt with the input hidden. With no source and no terminal it is an error,
 * never a hang waiting on a closed stdin.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { NodeError } from '../errors.js';

export interface PasswordOptions {
  passwordFile?: string;
  passwordEnv?: string;
}

export class PasswordError extends NodeError {
  constructor(message: string) {
    super('PASSWORD_UNAVAILABLE', message);
  }
}

export async function resolvePassword(opts: PasswordOptions, purpose: { confirm: boolean }): Promise<string> {
  if (opts.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.passwordFile, 'utf8');
    } catch (e) {
      throw new PasswordError(`cannot read the password file ${opts.passwordFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line.length === 0) throw new PasswordError(`the password file ${opts.passwordFile} is empty`);
    return line;
  }
  if (opts.passwordEnv !== undefined) {
    const v = process.env[opts.passwordEnv];
    if (v === undefined || v.length === 0) throw new PasswordError(`the environment variable ${opts.passwordEnv} is not set`);
    return v;
  }
  if (!process.stdin.isTTY) {
    throw new PasswordError('no password given: use --password-file FILE or --password-env VAR (no terminal to prompt on)');
  }
  const first = await prompt('Password: ');
  if (purpose.confirm) {
    const again = await prompt('Repeat password: ');
    if (again !== first) throw new PasswordError('the passwords do not match');
  }
  return first;
}

function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
    let asked = false;
    out._writeToOutput = (s: string) => {
      if (!asked) {
        out.output.write(s);
        asked = true;
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
