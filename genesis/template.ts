/**
 * The jurisdiction template: the TOML file a ministry edits and the ceremony fills in. It
 * names things (bodies, institutions, accounts) instead of addresses, because the keys, and
 * so the addresses, only exist once each body has contributed. `parseTemplate` reads the
 * TOML into a `Template`, reporting every problem with its path; `renderTemplate` writes a
 * `Template` back as commented TOML (`sov genesis init` and `sov genesis collect` both use
 * it, so the file's layout is always the same). docs/genesis.md describes every field.
 */
import { parse as parseToml } from 'smol-toml';
import { CHAIN_ID_RE, ADDRESS_PREFIX_RE, Limits } from '../core/index.js';
import { MAX_ACCOUNT_KEYS, MAX_COUNCIL, MAX_TIERS, MAX_DECIMALS, PARAM_NAMES, PARAM_SPECS } from '../vm/index.js';
import { at, Problems } from './errors.js';
import { FieldReader, type Obj } from './reader.js';
import { CONSENSUS_KEYS, CONSENSUS_SPECS, type ConsensusKey } from './consensus.js';
import { GENESIS_FORMAT, JURISDICTION_RE, ROLE_NAMES } from './document.js';
import { renderTemplate } from './template-render.js';

export interface TierTemplate {
  holdingLimit: bigint | null;
  perTxLimit: bigint | null;
  dailyLimit: bigint | null;
  annualLimit: bigint | null;
}

/** A template as read: hex strings for keys ("" = not contributed yet), names for references. */
export interface Template {
  chainId: string;
  jurisdiction: string;
  addressPrefix: string;
  /** Unix ms, from an RFC 3339 date-time with an offset. */
  genesisTime: number;
  consensus: Record<ConsensusKey, number>;
  /** Every vm parameter (a key the template leaves out takes its default). */
  params: Record<string, number>;
  council: { members: string[]; threshold: number };
  validators: { body: string; power: number; publicKey: string; nodeKey: string; p2pAddress: string; signature: string }[];
  institutions: { name: string; roles: string[]; keys: string[]; threshold: number; signature: string }[];
  currencies: { code: string; kind: string; decimals: number; issuer: string; tiers: TierTemplate[] }[];
  accounts: { name: string; keys: string[]; threshold: number; kind: string; tier: number; bank: string; linkedRef: string; category: string }[];
  balances: { holder: string; currency: string; amount: bigint }[];
  reserves: { currency: string; attested: bigint }[];
  bankLimits: { bank: string; currency: string; maxReserve: bigint | null; dailyOut: bigint | null }[];
}

export { renderTemplate };

const TOP_KEYS = [
  'format', 'chain_id', 'jurisdiction', 'address_prefix', 'genesis_time', 'consensus', 'params', 'council', 'validators', 'institutions', 'currencies',
  'accounts', 'balances', 'reserves', 'bank_limits',
];

/** Parse template TOML. Every problem is in `problems`; `template` is null only when the text is not TOML. */
export function parseTemplate(text: string): { template: Template | null; problems: Problems } {
  const problems = new Problems();
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    const err = e as Error & { line?: number; column?: number };
    const where = err.line !== undefined ? ` (line ${err.line}, column ${err.column})` : '';
    problems.add('', `not valid TOML${where}: ${err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')}`);
    return { template: null, problems };
  }
  const r = new FieldReader(problems);
  const top = r.table(raw, '', TOP_KEYS) ?? {};
  if (top.format !== undefined && top.format !== GENESIS_FORMAT) problems.add('format', `unsupported template format ${String(top.format)} (this tool writes ${GENESIS_FORMAT})`);
  const t: Template = {
    chainId: r.str(top, 'chain_id', '', { re: CHAIN_ID_RE, what: 'a chain id (lower-case letters, digits, . _ -; up to 48)' }),
    jurisdiction: r.str(top, 'jurisdiction', '', { re: JURISDICTION_RE, what: 'an ISO 3166-1 country code (2 or 3 upper-case letters)' }),
    addressPrefix: r.str(top, 'address_prefix', '', { re: ADDRESS_PREFIX_RE, what: 'an address prefix (lower-case letter, then up to 15 letters or digits)' }),
    genesisTime: readTime(top, problems),
    consensus: readConsensus(r, top.consensus),
    params: readParams(r, top.params),
    council: readCouncil(r, top.council),
    validators: r.tables(top, 'validators', '', Limits.MAX_VALIDATORS).map((v, i) => {
      const p = at('validators', i);
      const o = r.table(v, p, ['body', 'power', 'public_key', 'node_key', 'p2p_address', 'signature']) ?? {};
      return {
        body: r.name(o, 'body', p),
        power: r.int(o, 'power', p, 1, Limits.MAX_TOTAL_POWER),
        publicKey: r.hex(o, 'public_key', p, 32, { optional: true }) ?? '',
        nodeKey: r.hex(o, 'node_key', p, 32, { optional: true }) ?? '',
        p2pAddress: r.str(o, 'p2p_address', p, { optional: true }),
        signature: r.hex(o, 'signature', p, 64, { optional: true }) ?? '',
      };
    }),
    institutions: r.tables(top, 'institutions', '', 4096).map((v, i) => {
      const p = at('institutions', i);
      const o = r.table(v, p, ['name', 'roles', 'keys', 'threshold', 'signature']) ?? {};
      const roles = r.strings(o, 'roles', p);
      roles.forEach((role, j) => {
        if (!ROLE_NAMES.some(([n]) => n === role)) problems.add(at(at(p, 'roles'), j), `unknown role "${role}" (one of ${ROLE_NAMES.map(([n]) => n).join(', ')})`);
      });
      if (roles.length === 0 && Array.isArray(o.roles)) problems.add(at(p, 'roles'), 'needs at least one role');
      return {
        name: r.name(o, 'name', p),
        roles,
        keys: r.publicKeys(o, 'keys', p, MAX_ACCOUNT_KEYS, { allowEmpty: true }),
        threshold: r.int(o, 'threshold', p, 1, MAX_ACCOUNT_KEYS, 1),
        signature: r.hex(o, 'signature', p, 64, { optional: true }) ?? '',
      };
    }),
    currencies: r.tables(top, 'currencies', '', 256).map((v, i) => {
      const p = at('currencies', i);
      const o = r.table(v, p, ['code', 'kind', 'decimals', 'issuer', 'tiers']) ?? {};
      return {
        code: r.currency(o, 'code', p),
        kind: r.str(o, 'kind', p, { re: /^(cbdc|stablecoin)$/, what: '"cbdc" or "stablecoin"' }),
        decimals: r.int(o, 'decimals', p, 0, MAX_DECIMALS),
        issuer: r.str(o, 'issuer', p, { what: 'an institution name' }),
        tiers: r.tables(o, 'tiers', p, MAX_TIERS).map((tv, j) => {
          const tp = at(at(p, 'tiers'), j);
          const to = r.table(tv, tp, ['holding_limit', 'per_tx_limit', 'daily_limit', 'annual_limit']) ?? {};
          return {
            holdingLimit: r.amount(to, 'holding_limit', tp, { optional: true }),
            perTxLimit: r.amount(to, 'per_tx_limit', tp, { optional: true }),
            dailyLimit: r.amount(to, 'daily_limit', tp, { optional: true }),
            annualLimit: r.amount(to, 'annual_limit', tp, { optional: true }),
          };
        }),
      };
    }),
    accounts: r.tables(top, 'accounts', '', 1_000_000).map((v, i) => {
      const p = at('accounts', i);
      const o = r.table(v, p, ['name', 'keys', 'threshold', 'kind', 'tier', 'bank', 'linked_ref', 'category']) ?? {};
      return {
        name: r.name(o, 'name', p),
        keys: r.publicKeys(o, 'keys', p, MAX_ACCOUNT_KEYS),
        threshold: r.int(o, 'threshold', p, 1, MAX_ACCOUNT_KEYS, 1),
        kind: r.str(o, 'kind', p, { re: /^(person|business)$/, what: '"person" or "business"' }),
        tier: r.int(o, 'tier', p, 1, MAX_TIERS),
        bank: r.str(o, 'bank', p, { what: 'an institution name' }),
        linkedRef: r.str(o, 'linked_ref', p, { optional: true, max: 64 }),
        category: r.str(o, 'category', p, { optional: true, max: 32 }),
      };
    }),
    balances: r.tables(top, 'balances', '', 1_000_000).map((v, i) => {
      const p = at('balances', i);
      const o = r.table(v, p, ['holder', 'currency', 'amount']) ?? {};
      return { holder: r.str(o, 'holder', p), currency: r.currency(o, 'currency', p), amount: r.amount(o, 'amount', p, { positive: true }) ?? 0n };
    }),
    reserves: r.tables(top, 'reserves', '', 256).map((v, i) => {
      const p = at('reserves', i);
      const o = r.table(v, p, ['currency', 'attested']) ?? {};
      return { currency: r.currency(o, 'currency', p), attested: r.amount(o, 'attested', p) ?? 0n };
    }),
    bankLimits: r.tables(top, 'bank_limits', '', 4096).map((v, i) => {
      const p = at('bank_limits', i);
      const o = r.table(v, p, ['bank', 'currency', 'max_reserve', 'daily_out']) ?? {};
      return {
        bank: r.str(o, 'bank', p),
        currency: r.currency(o, 'currency', p),
        maxReserve: r.amount(o, 'max_reserve', p, { optional: true }),
        dailyOut: r.amount(o, 'daily_out', p, { optional: true }),
      };
    }),
  };
  return { template: t, problems };
}

function readTime(top: Obj, problems: Problems): number {
  const v = top.genesis_time;
  if (v === undefined) {
    problems.add('genesis_time', 'missing');
    return 0;
  }
  const d = v instanceof Date ? v : typeof v === 'string' && /(Z|[+-]\d\d:\d\d)$/i.test(v) ? new Date(v) : null;
  const local = d !== null && 'isLocal' in d && typeof d.isLocal === 'function' && (d.isLocal as () => boolean)();
  if (d === null || local || Number.isNaN(d.getTime())) {
    problems.add('genesis_time', 'must be an RFC 3339 date-time with an offset, e.g. 2026-01-01T00:00:00Z');
    return 0;
  }
  if (d.getTime() <= 0) problems.add('genesis_time', 'must be after 1970-01-01');
  return d.getTime();
}

function readConsensus(r: FieldReader, v: unknown): Record<ConsensusKey, number> {
  const o = (v === undefined ? {} : r.table(v, 'consensus', CONSENSUS_KEYS)) ?? {};
  const out = {} as Record<ConsensusKey, number>;
  for (const k of CONSENSUS_KEYS) out[k] = r.int(o, k, 'consensus', CONSENSUS_SPECS[k].min, CONSENSUS_SPECS[k].max, CONSENSUS_SPECS[k].value);
  return out;
}

function readParams(r: FieldReader, v: unknown): Record<string, number> {
  const o = (v === undefined ? {} : r.table(v, 'params', PARAM_NAMES)) ?? {};
  const out: Record<string, number> = {};
  for (const n of PARAM_NAMES) out[n] = r.int(o, n, 'params', PARAM_SPECS[n].min, PARAM_SPECS[n].max, PARAM_SPECS[n].value);
  return out;
}

function readCouncil(r: FieldReader, v: unknown): Template['council'] {
  if (v === undefined) {
    r.problems.add('council', 'missing: the governance council and its threshold');
    return { members: [], threshold: 1 };
  }
  const o = r.table(v, 'council', ['members', 'threshold']) ?? {};
  const members = r.strings(o, 'members', 'council');
  if (members.length > MAX_COUNCIL) r.problems.add('council.members', `at most ${MAX_COUNCIL} members`);
  return { members, threshold: r.int(o, 'threshold', 'council', 1, 255) };
}
