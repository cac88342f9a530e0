/**
 * From a template to a genesis document: names become addresses (an institution's or
 * account's address is that of its first key), role and kind names become their numbers,
 * hex becomes bytes. A reference to a name that does not exist, or to an entry whose keys
 * have not been contributed yet, is a problem at the referring field. Entries stay in the
 * template's order, so the checks that follow report the template's own paths.
 */
import { addressFromPublicKey, fromHex, hashOf, toHex } from '../core/index.js';
import { CurrencyKind } from '../vm/index.js';
import { at, type Problems } from './errors.js';
import { ACCOUNT_KINDS, CURRENCY_KINDS, GENESIS_FORMAT, roleBit, type JurisdictionGenesis } from './document.js';
import { CONSENSUS_KEYS, CONSENSUS_SPECS, type ConsensusParams } from './consensus.js';
import type { Template } from './template.js';

const ZERO_KEY = new Uint8Array(32);

export interface Resolved {
  readonly doc: JurisdictionGenesis;
  /** Placeholder addresses of entries without keys yet (their references are not re-reported). */
  readonly unresolved: ReadonlySet<string>;
}

export function resolveTemplate(t: Template, problems: Problems): Resolved {
  const unresolved = new Set<string>();
  const addrOf = new Map<string, { address: Uint8Array; what: 'institution' | 'account'; roles: number }>();
  const placeholder = (name: string): Uint8Array => {
    const a = hashOf('genesis-unresolved', Buffer.from(name, 'utf8')).subarray(0, 20);
    unresolved.add(toHex(a));
    return a;
  };
  const toKeys = (keys: readonly string[]): Uint8Array[] => keys.map((k) => fromHex(k, 32));

  t.institutions.forEach((inst, i) => {
    const p = at('institutions', i);
    if (inst.keys.length === 0) problems.add(at(p, 'keys'), `no keys yet: collect the contribution of "${inst.name}"`);
    if (addrOf.has(inst.name)) return; // the duplicate name is reported by the checks
    const roles = inst.roles.reduce((m, r) => m | (roleBit(r) ?? 0), 0);
    addrOf.set(inst.name, { address: inst.keys.length > 0 ? addressFromPublicKey(fromHex(inst.keys[0]!)) : placeholder(inst.name), what: 'institution', roles });
  });
  t.accounts.forEach((a) => {
    if (!addrOf.has(a.name) && a.keys.length > 0) addrOf.set(a.name, { address: addressFromPublicKey(fromHex(a.keys[0]!)), what: 'account', roles: 0 });
  });
  const ref = (name: string, path: string, want: 'institution' | 'any'): Uint8Array => {
    const e = addrOf.get(name);
    if (e === undefined || (want === 'institution' && e.what !== 'institution')) {
      problems.add(path, name === '' ? 'missing' : `unknown ${want === 'institution' ? 'institution' : 'institution or account'} "${name}"`);
      return placeholder(`?${name}`);
    }
    return e.address;
  };

  const consensus: Record<string, number> = {};
  for (const k of CONSENSUS_KEYS) consensus[CONSENSUS_SPECS[k].field] = t.consensus[k];

  const doc: JurisdictionGenesis = {
    format: GENESIS_FORMAT,
    chainId: t.chainId,
    jurisdiction: t.jurisdiction,
    addressPrefix: t.addressPrefix,
    genesisTime: t.genesisTime,
    consensus: consensus as unknown as ConsensusParams,
    validators: t.validators.map((v, i) => {
      const p = at('validators', i);
      if (v.publicKey === '') problems.add(at(p, 'public_key'), `missing: collect the contribution of "${v.body}"`);
      if (v.nodeKey === '') problems.add(at(p, 'node_key'), `missing: collect the contribution of "${v.body}"`);
      return {
        body: v.body,
        publicKey: v.publicKey === '' ? ZERO_KEY : fromHex(v.publicKey),
        power: v.power,
        nodeKey: v.nodeKey === '' ? ZERO_KEY : fromHex(v.nodeKey),
        p2pAddress: v.p2pAddress,
        signature: v.signature === '' ? null : fromHex(v.signature),
      };
    }),
    institutions: t.institutions.map((inst) => ({
      name: inst.name,
      keys: toKeys(inst.keys),
      threshold: inst.threshold,
      roles: inst.roles.reduce((m, r) => m | (roleBit(r) ?? 0), 0),
      signature: inst.signature === '' ? null : fromHex(inst.signature),
    })),
    council: {
      members: t.council.members.map((m, j) => ref(m, at('council.members', j), 'institution')),
      threshold: t.council.threshold,
    },
    currencies: t.currencies.map((c, i) => ({
      code: c.code,
      decimals: c.decimals,
      issuer: c.issuer === '' ? (problems.add(at(at('currencies', i), 'issuer'), 'the currency has no issuer'), placeholder('')) : ref(c.issuer, at(at('currencies', i), 'issuer'), 'institution'),
      kind: CURRENCY_KINDS[c.kind] ?? CurrencyKind.CBDC,
      tiers: c.tiers,
    })),
    accounts: t.accounts.map((a, i) => ({
      name: a.name,
      keys: toKeys(a.keys),
      threshold: a.threshold,
      kind: ACCOUNT_KINDS[a.kind] ?? ACCOUNT_KINDS.person!,
      tier: a.tier,
      bank: ref(a.bank, at(at('accounts', i), 'bank'), 'institution'),
      linkedRef: a.linkedRef === '' ? null : a.linkedRef,
      category: a.category,
    })),
    balances: t.balances.map((b, i) => ({ address: ref(b.holder, at(at('balances', i), 'holder'), 'any'), currency: b.currency, amount: b.amount })),
    reserves: t.reserves,
    bankLimits: t.bankLimits.map((l, i) => ({
      currency: l.currency, bank: ref(l.bank, at(at('bank_limits', i), 'bank'), 'institution'), maxReserve: l.maxReserve, dailyOut: l.dailyOut,
    })),
    params: Object.keys(t.params).sort().map((name) => ({ name, value: t.params[name]! })),
  };
  return { doc, unresolved };
}
