/**
 * The rules of a genesis document, checked on the typed document and reported all at once
 * with the path of each field at fault (the same paths for a template and for genesis.json:
 * `validators[1].power`, `council.threshold`, `currencies[0].issuer`, `params.max_tier`).
 * Covered: formats and ranges, duplicate bodies, keys, addresses, names, codes and pairs,
 * total power overflow, the council's members and threshold, currencies' issuers and their
 * roles, roles themselves, banks of accounts and bank limits, holders and supplies,
 * stablecoin reserves, parameters, and every contribution signature.
 */
import {
  addressFromPublicKey, ADDRESS_PREFIX_RE, CHAIN_ID_RE, isValidPublicKey, Limits, MAX_AMOUNT, toHex,
} from '../core/index.js';
import { ALL_ROLES, CurrencyKind, MAX_ACCOUNT_KEYS, MAX_COUNCIL, MAX_DECIMALS, PARAM_SPECS, paramProblem, Role } from '../vm/index.js';
import { at, type Problems } from './errors.js';
import { consensusProblems } from './consensus.js';
import { ACCOUNT_KINDS, GENESIS_FORMAT, JURISDICTION_RE, type JurisdictionGenesis } from './document.js';
import { verifyInstitutionStatement, verifyValidatorStatement } from './contribution.js';
import { p2pAddressProblem } from './p2p-address.js';
import { NAME_RE } from './reader.js';

export interface CheckOptions {
  /** Accept validator and institution entries without a contribution signature. */
  readonly allowUnsigned?: boolean;
  /** Addresses that stand for entries whose keys are not known yet (already reported). */
  readonly unresolved?: ReadonlySet<string>;
}

/** Record every problem of `doc` in `problems`. */
export function checkDocument(doc: JurisdictionGenesis, problems: Problems, opts: CheckOptions = {}): void {
  const P = (path: string, msg: string): void => problems.add(path, msg);
  const unresolved = opts.unresolved ?? new Set<string>();
  if (doc.format !== GENESIS_FORMAT) P('format', `unsupported format ${doc.format}`);
  if (!CHAIN_ID_RE.test(doc.chainId)) P('chain_id', `"${doc.chainId}" is not a chain id`);
  if (!JURISDICTION_RE.test(doc.jurisdiction)) P('jurisdiction', `"${doc.jurisdiction}" is not an ISO 3166-1 code`);
  if (!ADDRESS_PREFIX_RE.test(doc.addressPrefix)) P('address_prefix', `"${doc.addressPrefix}" is not an address prefix`);
  if (!Number.isSafeInteger(doc.genesisTime) || doc.genesisTime <= 0) P('genesis_time', 'must be a time after 1970');
  for (const c of consensusProblems(doc.consensus)) P(at('consensus', c.key), c.message);

  // Parameters.
  const params: Record<string, number> = {};
  for (const p of doc.params) {
    const path = at('params', p.name);
    if (p.name in params) P(path, 'set twice');
    const why = paramProblem(p.name, p.value);
    if (why !== null) P(path, why);
    params[p.name] = p.value;
  }
  const maxTier = params.max_tier !== undefined && paramProblem('max_tier', params.max_tier) === null ? params.max_tier : PARAM_SPECS.max_tier.value;

  // Validators.
  if (doc.validators.length === 0) P('validators', 'at least one validator is needed');
  if (doc.validators.length > Limits.MAX_VALIDATORS) P('validators', `at most ${Limits.MAX_VALIDATORS} validators`);
  let total = 0n;
  const seenBody = new Map<string, number>();
  const seenKey = new Map<string, string>();
  const seenAddr = new Map<string, number>();
  const claimKey = (k: Uint8Array, path: string): void => {
    const h = toHex(k);
    const prev = seenKey.get(h);
    if (prev !== undefined) P(path, `the same key as ${prev}`);
    else seenKey.set(h, path);
  };
  doc.validators.forEach((v, i) => {
    const p = at('validators', i);
    if (!NAME_RE.test(v.body)) P(at(p, 'body'), 'must be a name (1..64 characters, no leading/trailing space)');
    const dup = seenBody.get(v.body);
    if (dup !== undefined) P(at(p, 'body'), `repeats validators[${dup}].body "${v.body}"`);
    else seenBody.set(v.body, i);
    if (!isValidPublicKey(v.publicKey)) P(at(p, 'public_key'), 'not a valid Ed25519 public key');
    else claimKey(v.publicKey, at(p, 'public_key'));
    if (!isValidPublicKey(v.nodeKey)) P(at(p, 'node_key'), 'not a valid Ed25519 public key');
    else claimKey(v.nodeKey, at(p, 'node_key'));
    if (!Number.isSafeInteger(v.power) || v.power < 1 || v.power > Limits.MAX_TOTAL_POWER) P(at(p, 'power'), `must be 1..${Limits.MAX_TOTAL_POWER}`);
    else total += BigInt(v.power);
    const why = p2pAddressProblem(v.p2pAddress);
    if (why !== null) P(at(p, 'p2p_address'), why);
    const dupAddr = seenAddr.get(v.p2pAddress);
    if (why === null && dupAddr !== undefined) P(at(p, 'p2p_address'), `the same address as validators[${dupAddr}]`);
    else seenAddr.set(v.p2pAddress, i);
    if (v.signature === null) {
      if (!opts.allowUnsigned) P(at(p, 'signature'), 'missing: collect the body\'s signed contribution');
    } else if (!problems.has(at(p, 'public_key')) && !verifyValidatorStatement(doc.chainId, doc.jurisdiction, v, v.signature)) {
      P(at(p, 'signature'), 'bad contribution signature: not by public_key over this body, node_key and p2p_address');
    }
  });
  if (total > BigInt(Limits.MAX_TOTAL_POWER)) P('validators', `total power ${total} overflows the limit ${Limits.MAX_TOTAL_POWER}`);

  // Institutions and accounts: names and addresses.
  const institutions = new Map<string, { roles: number; index: number }>();
  const accounts = new Map<string, number>();
  const names = new Map<string, string>();
  const owner = new Map<string, string>();
  const claimName = (name: string, path: string): void => {
    if (!NAME_RE.test(name)) P(path, 'must be a name (1..64 characters, no leading/trailing space)');
    const prev = names.get(name);
    if (prev !== undefined) P(path, `repeats the name "${name}" of ${prev}`);
    else names.set(name, path.replace(/\.name$/, ''));
  };
  const checkKeys = (keys: readonly Uint8Array[], threshold: number, p: string): string | null => {
    if (keys.length === 0) P(at(p, 'keys'), 'needs at least one key');
    if (keys.length > MAX_ACCOUNT_KEYS) P(at(p, 'keys'), `at most ${MAX_ACCOUNT_KEYS} keys`);
    let ok = keys.length > 0;
    keys.forEach((k, j) => {
      if (!isValidPublicKey(k)) {
        P(at(at(p, 'keys'), j), 'not a valid Ed25519 public key');
        ok = false;
      } else claimKey(k, at(at(p, 'keys'), j));
    });
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > Math.max(1, keys.length)) P(at(p, 'threshold'), `must be 1..${keys.length} (the number of keys)`);
    if (!ok) return null;
    const addr = toHex(addressFromPublicKey(keys[0]!));
    const prev = owner.get(addr);
    if (prev !== undefined) P(at(p, 'keys'), `has the same address as ${prev}`);
    else owner.set(addr, p);
    return addr;
  };
  doc.institutions.forEach((inst, i) => {
    const p = at('institutions', i);
    claimName(inst.name, at(p, 'name'));
    const addr = checkKeys(inst.keys, inst.threshold, p);
    if (inst.roles === 0 || (inst.roles & ~ALL_ROLES) !== 0) P(at(p, 'roles'), 'must be a non-empty list of known roles');
    if (addr !== null && !institutions.has(addr)) institutions.set(addr, { roles: inst.roles, index: i });
    if (inst.signature === null) {
      if (!opts.allowUnsigned) P(at(p, 'signature'), 'missing: collect the institution\'s signed contribution');
    } else if (addr !== null && !verifyInstitutionStatement(doc.chainId, doc.jurisdiction, inst, inst.signature)) {
      P(at(p, 'signature'), 'bad contribution signature: not by keys[0] over this name, keys and threshold');
    }
  });
  const isInst = (a: Uint8Array, mask: number): 'ok' | 'missing' | 'role' | 'skip' => {
    const h = toHex(a);
    if (unresolved.has(h)) return 'skip';
    const inst = institutions.get(h);
    return inst === undefined ? 'missing' : (inst.roles & mask) === 0 ? 'role' : 'ok';
  };

  // Council.
  const members = doc.council.members;
  if (members.length === 0) P('council.members', 'the council needs at least one member');
  if (members.length > MAX_COUNCIL) P('council.members', `at most ${MAX_COUNCIL} members`);
  members.forEach((m, j) => {
    const path = at('council.members', j);
    if (isInst(m, ALL_ROLES) === 'missing') P(path, 'not an institution of this genesis');
    const k = members.findIndex((x) => toHex(x) === toHex(m));
    if (k < j) P(path, `repeats council.members[${k}]`);
  });
  if (members.length > 0 && (doc.council.threshold < 1 || doc.council.threshold > members.length)) {
    P('council.threshold', doc.council.threshold < 1 ? 'must be at least 1' : `${doc.council.threshold} is above the council's size ${members.length}`);
  }

  // Currencies.
  const currencies = new Map<string, { kind: number; index: number }>();
  doc.currencies.forEach((c, i) => {
    const p = at('currencies', i);
    const prev = currencies.get(c.code);
    if (prev !== undefined) P(at(p, 'code'), `repeats currencies[${prev.index}].code ${c.code}`);
    else currencies.set(c.code, { kind: c.kind, index: i });
    if (c.kind !== CurrencyKind.CBDC && c.kind !== CurrencyKind.STABLECOIN) P(at(p, 'kind'), 'must be "cbdc" or "stablecoin"');
    if (c.decimals > MAX_DECIMALS) P(at(p, 'decimals'), `must be 0..${MAX_DECIMALS}`);
    const need = c.kind === CurrencyKind.CBDC ? Role.CENTRAL_BANK : Role.ISSUER;
    const iss = isInst(c.issuer, need);
    if (iss === 'missing') P(at(p, 'issuer'), 'the currency has no issuer: not an institution of this genesis');
    if (iss === 'role') P(at(p, 'issuer'), `the issuer lacks the role ${need === Role.CENTRAL_BANK ? 'central_bank (a CBDC)' : 'issuer (a stablecoin)'}`);
    if (c.tiers.length > maxTier) P(at(p, 'tiers'), `at most params.max_tier = ${maxTier} tier policies`);
  });

  // Accounts.
  doc.accounts.forEach((a, i) => {
    const p = at('accounts', i);
    claimName(a.name, at(p, 'name'));
    const addr = checkKeys(a.keys, a.threshold, p);
    if (addr !== null) accounts.set(addr, i);
    if (a.kind !== ACCOUNT_KINDS.person && a.kind !== ACCOUNT_KINDS.business) P(at(p, 'kind'), 'must be "person" or "business"');
    if (a.tier < 1 || a.tier > maxTier) P(at(p, 'tier'), `must be 1..params.max_tier (${maxTier})`);
    const bank = isInst(a.bank, Role.COMMERCIAL_BANK);
    if (bank === 'missing') P(at(p, 'bank'), 'not an institution of this genesis');
    if (bank === 'role') P(at(p, 'bank'), 'not a commercial bank (role commercial_bank)');
  });

  // Balances, reserves, bank limits.
  const supply = new Map<string, bigint>();
  const pairs = new Map<string, number>();
  doc.balances.forEach((b, i) => {
    const p = at('balances', i);
    const h = toHex(b.address);
    if (!unresolved.has(h) && !institutions.has(h) && !accounts.has(h)) P(at(p, 'holder'), 'not an institution or account of this genesis');
    if (!currencies.has(b.currency)) P(at(p, 'currency'), `unknown currency ${b.currency}`);
    if (b.amount <= 0n) P(at(p, 'amount'), 'must be above zero');
    const key = `${h}/${b.currency}`;
    const prev = pairs.get(key);
    if (prev !== undefined) P(at(p, 'holder'), `a second balance in ${b.currency} for the holder of balances[${prev}]`);
    else pairs.set(key, i);
    const s = (supply.get(b.currency) ?? 0n) + b.amount;
    supply.set(b.currency, s);
    if (s > MAX_AMOUNT) P(at(p, 'amount'), `the total supply of ${b.currency} overflows 2^128 - 1`);
  });
  const reserves = new Map<string, number>();
  doc.reserves.forEach((r, i) => {
    const p = at('reserves', i);
    const c = currencies.get(r.currency);
    if (c === undefined) P(at(p, 'currency'), `unknown currency ${r.currency}`);
    else if (c.kind !== CurrencyKind.STABLECOIN) P(at(p, 'currency'), `${r.currency} is not a stablecoin`);
    if (reserves.has(r.currency)) P(at(p, 'currency'), `repeats reserves[${reserves.get(r.currency)}]`);
    else reserves.set(r.currency, i);
    const s = supply.get(r.currency) ?? 0n;
    if (s > r.attested) P(at(p, 'attested'), `${r.attested} is below the initial supply ${s} of ${r.currency}`);
  });
  doc.currencies.forEach((c, i) => {
    if (c.kind === CurrencyKind.STABLECOIN && (supply.get(c.code) ?? 0n) > 0n && !reserves.has(c.code)) {
      P(at(at('currencies', i), 'code'), `stablecoin ${c.code} has initial balances but no [[reserves]] entry`);
    }
  });
  const limits = new Set<string>();
  doc.bankLimits.forEach((l, i) => {
    const p = at('bank_limits', i);
    if (!currencies.has(l.currency)) P(at(p, 'currency'), `unknown currency ${l.currency}`);
    const bank = isInst(l.bank, Role.COMMERCIAL_BANK);
    if (bank === 'missing') P(at(p, 'bank'), 'not an institution of this genesis');
    if (bank === 'role') P(at(p, 'bank'), 'not a commercial bank (role commercial_bank)');
    const key = `${toHex(l.bank)}/${l.currency}`;
    if (limits.has(key)) P(at(p, 'bank'), `a second limit for this bank in ${l.currency}`);
    limits.add(key);
  });
}
