/**
 * genesis.json: the genesis document as JSON, in a fixed key order with two-space indent
 * and a final newline, so the same document is always the same bytes. Bytes are lower-case
 * hex, addresses bech32m with the chain's prefix, amounts decimal strings, "no limit" null,
 * roles and kinds by name, the genesis time RFC 3339 UTC. Derived fields (each entry's
 * `address`) are written for people and checked when read. Reading reports every problem
 * with its path; the hash is over the canonical bytes (document.ts), never over the JSON text.
 */
import { addressFromPublicKey, encodeAddress, equalBytes, fromHex, toHex, ADDRESS_PREFIX_RE, CHAIN_ID_RE } from '../core/index.js';
import { MAX_ACCOUNT_KEYS, MAX_COUNCIL, MAX_TIERS, PARAM_NAMES } from '../vm/index.js';
import { at, type Problems } from './errors.js';
import { FieldReader, type Obj } from './reader.js';
import { CONSENSUS_KEYS, CONSENSUS_SPECS, type ConsensusParams } from './consensus.js';
import {
  ACCOUNT_KINDS, CURRENCY_KINDS, GENESIS_FORMAT, JURISDICTION_RE, kindName, roleBit, roleNamesOf, ROLE_NAMES, type JurisdictionGenesis,
} from './document.js';
import { isoTime } from './template-render.js';

const hexOrNull = (b: Uint8Array | null): string | null => (b === null ? null : toHex(b));
const amt = (a: bigint | null): string | null => (a === null ? null : a.toString());

export function docToJson(doc: JurisdictionGenesis): Record<string, unknown> {
  const addr = (a: Uint8Array): string => encodeAddress(doc.addressPrefix, a);
  const consensus: Record<string, number> = {};
  for (const k of CONSENSUS_KEYS) consensus[k] = (doc.consensus as unknown as Record<string, number>)[CONSENSUS_SPECS[k].field]!;
  const params: Record<string, number> = {};
  for (const p of doc.params) params[p.name] = p.value;
  return {
    format: doc.format,
    chain_id: doc.chainId,
    jurisdiction: doc.jurisdiction,
    address_prefix: doc.addressPrefix,
    genesis_time: isoTime(doc.genesisTime),
    consensus,
    params,
    council: { members: doc.council.members.map(addr), threshold: doc.council.threshold },
    validators: doc.validators.map((v) => ({
      body: v.body, address: addr(addressFromPublicKey(v.publicKey)), public_key: toHex(v.publicKey), power: v.power, node_key: toHex(v.nodeKey),
      p2p_address: v.p2pAddress, signature: hexOrNull(v.signature),
    })),
    institutions: doc.institutions.map((i) => ({
      name: i.name, address: addr(addressFromPublicKey(i.keys[0]!)), roles: roleNamesOf(i.roles), keys: i.keys.map(toHex), threshold: i.threshold,
      signature: hexOrNull(i.signature),
    })),
    currencies: doc.currencies.map((c) => ({
      code: c.code, kind: kindName(CURRENCY_KINDS, c.kind), decimals: c.decimals, issuer: addr(c.issuer),
      tiers: c.tiers.map((t) => ({ holding_limit: amt(t.holdingLimit), per_tx_limit: amt(t.perTxLimit), daily_limit: amt(t.dailyLimit), annual_limit: amt(t.annualLimit) })),
    })),
    accounts: doc.accounts.map((a) => ({
      name: a.name, address: addr(addressFromPublicKey(a.keys[0]!)), keys: a.keys.map(toHex), threshold: a.threshold, kind: kindName(ACCOUNT_KINDS, a.kind),
      tier: a.tier, bank: addr(a.bank), linked_ref: a.linkedRef, category: a.category,
    })),
    balances: doc.balances.map((b) => ({ holder: addr(b.address), currency: b.currency, amount: b.amount.toString() })),
    reserves: doc.reserves.map((r) => ({ currency: r.currency, attested: r.attested.toString() })),
    bank_limits: doc.bankLimits.map((l) => ({ bank: addr(l.bank), currency: l.currency, max_reserve: amt(l.maxReserve), daily_out: amt(l.dailyOut) })),
  };
}

/** genesis.json text: the one byte form of a document. */
export function renderGenesisJson(doc: JurisdictionGenesis): string {
  return JSON.stringify(docToJson(doc), null, 2) + '\n';
}

const TOP = [
  'format', 'chain_id', 'jurisdiction', 'address_prefix', 'genesis_time', 'consensus', 'params', 'council', 'validators', 'institutions', 'currencies',
  'accounts', 'balances', 'reserves', 'bank_limits',
];

/** Read parsed genesis.json; null when it is too broken to check further (see problems). */
export function docFromJson(json: unknown, problems: Problems): JurisdictionGenesis | null {
  const r = new FieldReader(problems);
  const top = r.table(json, '', TOP);
  if (top === null) return null;
  const before = problems.size;
  const format = r.int(top, 'format', '', GENESIS_FORMAT, GENESIS_FORMAT);
  const chainId = r.str(top, 'chain_id', '', { re: CHAIN_ID_RE, what: 'a chain id' });
  const jurisdiction = r.str(top, 'jurisdiction', '', { re: JURISDICTION_RE, what: 'an ISO 3166-1 code' });
  const prefix = r.str(top, 'address_prefix', '', { re: ADDRESS_PREFIX_RE, what: 'an address prefix' });
  const timeText = r.str(top, 'genesis_time', '', { re: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/, what: 'an RFC 3339 UTC time' });
  const genesisTime = timeText === '' ? 0 : new Date(timeText).getTime();
  if (Number.isNaN(genesisTime)) problems.add('genesis_time', 'not a valid date');
  if (problems.size > before) return null; // addresses cannot be read without a prefix

  const c = r.table(top.consensus ?? {}, 'consensus', CONSENSUS_KEYS) ?? {};
  const consensus: Record<string, number> = {};
  for (const k of CONSENSUS_KEYS) consensus[CONSENSUS_SPECS[k].field] = r.int(c, k, 'consensus', 0, Number.MAX_SAFE_INTEGER);
  const po = r.table(top.params ?? {}, 'params', PARAM_NAMES) ?? {};
  const params = Object.keys(po).filter((n) => (PARAM_NAMES as readonly string[]).includes(n)).map((name) => ({ name, value: r.int(po, name, 'params', 0, Number.MAX_SAFE_INTEGER) }));
  const co = r.table(top.council, 'council', ['members', 'threshold']) ?? {};
  const memberTexts = r.strings(co, 'members', 'council');
  const members = memberTexts.slice(0, MAX_COUNCIL).map((_, j) => r.address(memberTexts as unknown as Obj, j, 'council.members', prefix) ?? new Uint8Array(20));
  const keysOf = (o: Obj, p: string): Uint8Array[] => r.publicKeys(o, 'keys', p, MAX_ACCOUNT_KEYS).map((k) => fromHex(k));
  const derived = (o: Obj, p: string, keys: readonly Uint8Array[]): void => {
    const a = r.address(o, 'address', p, prefix);
    if (a !== null && keys.length > 0 && !equalBytes(a, addressFromPublicKey(keys[0]!))) problems.add(at(p, 'address'), 'is not the address of the first key');
  };
  const zero = new Uint8Array(32);
  const zeroAddr = new Uint8Array(20);

  const doc: JurisdictionGenesis = {
    format,
    chainId,
    jurisdiction,
    addressPrefix: prefix,
    genesisTime,
    consensus: consensus as unknown as ConsensusParams,
    validators: r.tables(top, 'validators', '', 256).map((v, i) => {
      const p = at('validators', i);
      const o = r.table(v, p, ['body', 'address', 'public_key', 'power', 'node_key', 'p2p_address', 'signature']) ?? {};
      const pk = r.publicKey(o, 'public_key', p);
      derived(o, p, pk === null ? [] : [fromHex(pk)]);
      const nk = r.publicKey(o, 'node_key', p);
      const sig = r.hex(o, 'signature', p, 64, { optional: true });
      return {
        body: r.name(o, 'body', p), publicKey: pk === null ? zero : fromHex(pk), power: r.int(o, 'power', p, 1, Number.MAX_SAFE_INTEGER),
        nodeKey: nk === null ? zero : fromHex(nk), p2pAddress: r.str(o, 'p2p_address', p), signature: sig === null ? null : fromHex(sig),
      };
    }),
    institutions: r.tables(top, 'institutions', '', 4096).map((v, i) => {
      const p = at('institutions', i);
      const o = r.table(v, p, ['name', 'address', 'roles', 'keys', 'threshold', 'signature']) ?? {};
      const keys = keysOf(o, p);
      derived(o, p, keys);
      const roleList = r.strings(o, 'roles', p);
      let roles = 0;
      roleList.forEach((n, j) => {
        const bit = roleBit(n);
        if (bit === undefined) problems.add(at(at(p, 'roles'), j), `unknown role "${n}" (one of ${ROLE_NAMES.map(([x]) => x).join(', ')})`);
        else roles |= bit;
      });
      const sig = r.hex(o, 'signature', p, 64, { optional: true });
      return { name: r.name(o, 'name', p), keys, threshold: r.int(o, 'threshold', p, 1, MAX_ACCOUNT_KEYS), roles, signature: sig === null ? null : fromHex(sig) };
    }),
    council: { members, threshold: r.int(co, 'threshold', 'council', 0, 255) },
    currencies: r.tables(top, 'currencies', '', 256).map((v, i) => {
      const p = at('currencies', i);
      const o = r.table(v, p, ['code', 'kind', 'decimals', 'issuer', 'tiers']) ?? {};
      const kind = r.str(o, 'kind', p, { re: /^(cbdc|stablecoin)$/, what: '"cbdc" or "stablecoin"' });
      return {
        code: r.currency(o, 'code', p), kind: CURRENCY_KINDS[kind] ?? 0, decimals: r.int(o, 'decimals', p, 0, 255), issuer: r.address(o, 'issuer', p, prefix) ?? zeroAddr,
        tiers: r.tables(o, 'tiers', p, MAX_TIERS).map((tv, j) => {
          const tp = at(at(p, 'tiers'), j);
          const to = r.table(tv, tp, ['holding_limit', 'per_tx_limit', 'daily_limit', 'annual_limit']) ?? {};
          const lim = (k: string): bigint | null => r.amount(to, k, tp, { optional: true });
          return { holdingLimit: lim('holding_limit'), perTxLimit: lim('per_tx_limit'), dailyLimit: lim('daily_limit'), annualLimit: lim('annual_limit') };
        }),
      };
    }),
    accounts: r.tables(top, 'accounts', '', 1_000_000).map((v, i) => {
      const p = at('accounts', i);
      const o = r.table(v, p, ['name', 'address', 'keys', 'threshold', 'kind', 'tier', 'bank', 'linked_ref', 'category']) ?? {};
      const keys = keysOf(o, p);
      derived(o, p, keys);
      const kind = r.str(o, 'kind', p, { re: /^(person|business)$/, what: '"person" or "business"' });
      const linked = o.linked_ref === null ? null : r.str(o, 'linked_ref', p, { max: 64 });
      return {
        name: r.name(o, 'name', p), keys, threshold: r.int(o, 'threshold', p, 1, MAX_ACCOUNT_KEYS), kind: ACCOUNT_KINDS[kind] ?? 0,
        tier: r.int(o, 'tier', p, 1, MAX_TIERS), bank: r.address(o, 'bank', p, prefix) ?? zeroAddr, linkedRef: linked, category: r.str(o, 'category', p, { max: 32 }),
      };
    }),
    balances: r.tables(top, 'balances', '', 1_000_000).map((v, i) => {
      const p = at('balances', i);
      const o = r.table(v, p, ['holder', 'currency', 'amount']) ?? {};
      return { address: r.address(o, 'holder', p, prefix) ?? zeroAddr, currency: r.currency(o, 'currency', p), amount: r.amount(o, 'amount', p, { positive: true }) ?? 0n };
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
        bank: r.address(o, 'bank', p, prefix) ?? zeroAddr, currency: r.currency(o, 'currency', p),
        maxReserve: r.amount(o, 'max_reserve', p, { optional: true }), dailyOut: r.amount(o, 'daily_out', p, { optional: true }),
      };
    }),
    params,
  };
  return doc;
}
