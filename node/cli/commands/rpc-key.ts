/**
 * `sov rpc-key`: mint an RPC API key (the secret is printed once, with the `[[key]]` entry
 * holding only its SHA-256, to paste into the file of `[rpc] api_keys_file` or to append to
 * it with --append), and check a keys file as the node will at startup.
 */
import type { Command } from 'commander';
import { uintArg } from './tx.js';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { hashSecret, mintSecret, ROLES, type Role } from '../../../rpc/index.js';
import { apiKeyEntry, parseApiKeys } from '../../ops/rpc-keys.js';
import { CliError } from './keys.js';

const collect = (v: string, acc: string[]): string[] => [...acc, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** An optional integer flag of at least `min` (parsed as sov tx and sov query parse theirs). */
function intOption(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = uintArg(v, name);
  if (n < min) throw new CliError(`${name} must be an integer >= ${min}`);
  return n;
}

export function registerRpcKey(program: Command): void {
  const cmd = program.command('rpc-key').description('mint and check API keys for the JSON-RPC (roles bank, regulator, admin; per-key rate limits)');

  cmd
    .command('new')
    .description('mint a key: print its secret once (give it to the client) and the [[key]] entry holding only its SHA-256')
    .requiredOption('-n, --name <name>', 'a unique name for the key (1-64 of A-Z a-z 0-9 . _ -), shown in logs and admin_rpcAccess')
    .option('-r, --role <role>', `a role: ${ROLES.join(', ')} (repeat, or comma-separate, for several; none: a key with only its own rate limit)`, collect, [])
    .option('--rate-limit <n>', 'its own rate limit in calls per second (0: unlimited; default: [rpc] rate_limit_per_key)')
    .option('--burst <n>', 'its bucket size (with --rate-limit; default twice the rate)')
    .option('--append <file>', 'also append the entry to this keys file (checked, with the new entry, as the node will)')
    .action((opts: { name: string; role: string[]; rateLimit?: string; burst?: string; append?: string }) => {
      for (const r of opts.role) if (!ROLES.includes(r as Role)) throw new CliError(`unknown role ${r}; roles are ${ROLES.join(', ')}`);
      const rateLimit = intOption(opts.rateLimit, '--rate-limit', 0);
      const burst = intOption(opts.burst, '--burst', 1);
      if (burst !== undefined && rateLimit === undefined) throw new CliError('--burst needs --rate-limit');
      const secret = mintSecret();
      const entry = apiKeyEntry({ name: opts.name, sha256: hashSecret(secret), roles: [...new Set(opts.role)], ...(rateLimit !== undefined ? { rateLimit } : {}), ...(burst !== undefined ? { burst } : {}) });
      if (opts.append) {
        const before = existsSync(opts.append) ? readFileSync(opts.append, 'utf8') : '';
        const after = (before && !before.endsWith('\n') ? before + '\n' : before) + (before ? '\n' : '') + entry;
        parseApiKeys(after, opts.append); // refuses a duplicate name or any problem already there
        appendFileSync(opts.append, after.slice(before.length), { mode: 0o600 });
      } else {
        parseApiKeys(entry, 'the new entry');
      }
      process.stdout.write(
        `# The secret, shown once: give it to the client (Authorization: Bearer <secret>, or x-api-key). The node keeps only its hash.\n${secret}\n\n` +
          (opts.append ? `# Appended to ${opts.append}; then send the node SIGHUP to load it:\n` : '# Add this entry to the file of [rpc] api_keys_file, then send the node SIGHUP (or restart it):\n') +
          entry,
      );
    });

  cmd
    .command('check')
    .description('check an API keys file as the node does at startup, and list its keys (names, roles, rates)')
    .argument('<file>', 'the keys file')
    .action((file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      for (const k of parseApiKeys(text, file)) console.log(JSON.stringify({ name: k.name, roles: k.roles, rateLimit: k.rateLimit ?? null }));
    });
}
