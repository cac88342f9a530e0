/**
 * The RPC API keys file (`[rpc] api_keys_file`), read once at startup and checked strictly:
 *
 *   [[key]]
 *   name = "bank-a-payments"            # 1-64 of A-Z a-z 0-9 . _ -, unique
 *   sha256 = "<64 hex digits>"          # SHA-256 of the secret; the secret itself is never stored
 *   roles = ["bank"]                    # any of bank, regulator, admin ([] for a key with no role)
 *   rate_limit = 200                    # optional: calls per second (0: unlimited); default [rpc] rate_limit_per_key
 *   burst = 400                         # optional, with rate_limit: bucket size (default twice rate_limit)
 *   institution = "sov1..."             # optional, for a key with the bank role: the bank it speaks for
 *                                       # (its address as the chain prints it); it then reads that bank's
 *                                       # compliance data (comp_alerts, comp_holds, comp_report, the
 *                                       # alerts stream) and no other's
 *
 * Every problem is a ConfigError naming the file, the entry and the field; all problems are
 * reported at once. `sov rpc-key new` prints entries in this form.
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { ADDRESS_PREFIX_RE, decodeAddress, fromHex } from '../../core/index.js';
import { ROLES, type ApiKey, type Role } from '../../rpc/index.js';
import { ConfigError, homePath } from './config.js';

const FIELDS = ['name', 'sha256', 'roles', 'rate_limit', 'burst', 'institution'];
const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;
const HASH_RE = /^[0-9a-f]{64}$/;

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

function parseEntry(e: unknown, where: string, problems: string[]): ApiKey | null {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) {
    problems.push(`${where}: must be a table`);
    return null;
  }
  const o = e as Record<string, unknown>;
  const before = problems.length;
  for (const f of Object.keys(o)) if (!FIELDS.includes(f)) problems.push(`${where}: unknown field "${f}"`);
  if (typeof o.name !== 'string' || !NAME_RE.test(o.name)) problems.push(`${where}: name must be 1-64 characters of A-Z a-z 0-9 . _ -`);
  if (typeof o.sha256 !== 'string' || !HASH_RE.test(o.sha256)) problems.push(`${where}: sha256 must be 64 lowercase hex digits (the SHA-256 of the secret)`);
  if (!Array.isArray(o.roles)) {
    problems.push(`${where}: roles must be a list (of ${ROLES.join(', ')})`);
  } else {
    for (const r of o.roles) if (!ROLES.includes(r as Role)) problems.push(`${where}: unknown role ${JSON.stringify(r)} (roles are ${ROLES.join(', ')})`);
    if (new Set(o.roles).size !== o.roles.length) problems.push(`${where}: a role is listed twice`);
  }
  if (o.rate_limit !== undefined && !isInt(o.rate_limit, 0)) problems.push(`${where}: rate_limit must be an integer >= 0 (calls per second; 0: unlimited)`);
  if (o.burst !== undefined) {
    if (o.rate_limit === undefined) problems.push(`${where}: burst needs a rate_limit`);
    else if (!isInt(o.burst, 1)) problems.push(`${where}: burst must be an integer >= 1`);
  }
  if (o.institution !== undefined) {
    if (!isAddress(o.institution)) problems.push(`${where}: institution must be an address as the chain prints them (bech32m, e.g. "sov1...")`);
    else if (!Array.isArray(o.roles) || !o.roles.includes('bank')) problems.push(`${where}: institution binds a bank's key: give it with the bank role`);
  }
  if (problems.length > before) return null;
  const rate = o.rate_limit as number | undefined;
  return {
    name: o.name as string,
    hash: fromHex(o.sha256 as string, 32),
    roles: o.roles as Role[],
    ...(rate !== undefined ? { rateLimit: { perSecond: rate, burst: (o.burst as number | undefined) ?? Math.max(1, 2 * rate) } } : {}),
    ...(o.institution !== undefined ? { institution: o.institution as string } : {}),
  };
}

/** A bech32m address of 20 bytes, with any valid prefix (the file does not know the chain's; the RPC checks it). */
function isAddress(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const prefix = v.slice(0, v.lastIndexOf('1'));
  if (!ADDRESS_PREFIX_RE.test(prefix)) return false;
  try {
    decodeAddress(v, prefix);
    return true;
  } catch {
    return false;
  }
}

/** Parse the text of an API keys file. Throws ConfigError listing every problem. */
export function parseApiKeys(text: string, source = 'api keys file'): ApiKey[] {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`${source}: not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  const problems: string[] = [];
  for (const k of Object.keys(doc)) if (k !== 'key') problems.push(`unknown top-level "${k}" (entries are [[key]] tables)`);
  const entries = doc.key === undefined ? [] : doc.key;
  if (!Array.isArray(entries)) problems.push('"key" must be an array of tables ([[key]])');
  const keys: ApiKey[] = [];
  const names = new Map<string, number>();
  const hashes = new Map<string, number>();
  (Array.isArray(entries) ? entries : []).forEach((e, i) => {
    const label = typeof (e as { name?: unknown })?.name === 'string' ? ` (${JSON.stringify((e as { name: string }).name)})` : '';
    const where = `key #${i + 1}${label}`;
    const k = parseEntry(e, where, problems);
    if (!k) return;
    if (names.has(k.name)) problems.push(`${where}: duplicate name, also key #${names.get(k.name)! + 1}`);
    const h = (e as { sha256: string }).sha256;
    if (hashes.has(h)) problems.push(`${where}: same sha256 as key #${hashes.get(h)! + 1} (one secret, two keys)`);
    names.set(k.name, i);
    hashes.set(h, i);
    keys.push(k);
  });
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`, { problems });
  return keys;
}

/** The keys named by `[rpc] api_keys_file` ("" = none), resolved against the node home. */
export function loadApiKeys(home: string, file: string): ApiKey[] {
  if (!file) return [];
  const path = homePath(home, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the API keys file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseApiKeys(text, path);
}

/** One `[[key]]` entry, as the keys file holds it. */
export function apiKeyEntry(k: { name: string; sha256: string; roles: readonly string[]; rateLimit?: number; burst?: number; institution?: string }): string {
  const lines = ['[[key]]', `name = ${JSON.stringify(k.name)}`, `sha256 = "${k.sha256}"`, `roles = [${k.roles.map((r) => JSON.stringify(r)).join(', ')}]`];
  if (k.rateLimit !== undefined) lines.push(`rate_limit = ${k.rateLimit}`);
  if (k.burst !== undefined) lines.push(`burst = ${k.burst}`);
  if (k.institution !== undefined) lines.push(`institution = ${JSON.stringify(k.institution)}`);
  return lines.join('\n') + '\n';
}
