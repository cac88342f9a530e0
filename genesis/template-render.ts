/**
 * Writing a jurisdiction template as commented TOML, and the starter template that
 * `sov genesis init` writes. The layout is fixed (sections in one order, every field shown),
 * so a collected template differs from its previous version only in the filled-in fields.
 */
import { PARAM_NAMES, PARAM_SPECS, defaultParams, NEW_CHAIN_PARAMS } from '../vm/index.js';
import { CONSENSUS_KEYS, CONSENSUS_SPECS } from './consensus.js';
import { GENESIS_FORMAT, ROLE_NAMES } from './document.js';
import type { Template, TierTemplate } from './template.js';

const q = (s: string): string => JSON.stringify(s);
const amt = (a: bigint | null): string => (a === null ? '"none"' : `"${a}"`);
const list = (xs: readonly string[]): string => `[${xs.map(q).join(', ')}]`;
export const isoTime = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function tier(lines: string[], t: TierTemplate, i: number): void {
  lines.push(`[[currencies.tiers]] # KYC tier ${i + 1}`);
  lines.push(`holding_limit = ${amt(t.holdingLimit)}`, `per_tx_limit = ${amt(t.perTxLimit)}`, `daily_limit = ${amt(t.dailyLimit)}`, `annual_limit = ${amt(t.annualLimit)}`, '');
}

/** The template as commented TOML. */
export function renderTemplate(t: Template): string {
  const L: string[] = [];
  L.push(
    '# Sovereign Ledger jurisdiction template.',
    '# Edit it, run the ceremony (docs/genesis.md), then `sov genesis build` turns it into genesis.json.',
    '# Names (bodies, institutions, accounts) are how entries refer to each other; keys and addresses',
    '# are filled in by `sov genesis collect` from each body\'s signed contribution.',
    '# Amounts are integers in minor units (cents), written as strings; "none" means no limit.',
    '',
    `format = ${GENESIS_FORMAT}`,
    '# The chain id every signature commits to: lower-case letters, digits, . _ - (up to 48).',
    `chain_id = ${q(t.chainId)}`,
    '# ISO 3166-1 code of the jurisdiction (2 or 3 upper-case letters).',
    `jurisdiction = ${q(t.jurisdiction)}`,
    '# Prefix of bech32m addresses on this chain (a lower-case letter, then up to 15 letters or digits).',
    `address_prefix = ${q(t.addressPrefix)}`,
    '# Time of the genesis state, RFC 3339 with an offset; block 1 must be later. Fixed here so that',
    '# every machine builds the same genesis.json.',
    `genesis_time = ${isoTime(t.genesisTime)}`,
    '',
    '# Consensus parameters (fixed at genesis). Round r waits base + delta * r milliseconds per step.',
    '[consensus]',
  );
  for (const k of CONSENSUS_KEYS) {
    const s = CONSENSUS_SPECS[k];
    L.push(`# ${s.doc} (${s.min}..${s.max}; default ${s.value})`, `${k} = ${t.consensus[k]}`);
  }
  L.push('', '# Initial parameters of the state-machine modules (defaults shown).', '[params]');
  const dflt = defaultParams();
  for (const n of PARAM_NAMES) {
    const s = PARAM_SPECS[n];
    L.push(`# ${s.doc} (${s.min}..${s.max}; default ${dflt[n]}${s.governable ? '; the council may change it' : '; fixed at genesis'})`);
    L.push(`${n} = ${t.params[n] ?? dflt[n]}`);
  }
  L.push(
    '',
    '# The governance council: institutions (by name) whose approvals execute governance actions,',
    '# and how many approvals an action needs (1..number of members).',
    '[council]',
    `members = ${list(t.council.members)}`,
    `threshold = ${t.council.threshold}`,
    '',
    '# Validators: one per body running a validator node. body and power are set here; public_key,',
    '# node_key, p2p_address and signature come from the body\'s contribution (`sov genesis contribute',
    '# --entry validator`). p2p_address is host:port or /ip4|dns/<host>/tcp/<port>[/p2p/<peer id>].',
    '',
  );
  for (const v of t.validators) {
    L.push('[[validators]]', `body = ${q(v.body)}`, `power = ${v.power}`, `public_key = ${q(v.publicKey)}`, `node_key = ${q(v.nodeKey)}`);
    L.push(`p2p_address = ${q(v.p2pAddress)}`, `signature = ${q(v.signature)}`, '');
  }
  L.push(
    `# Institutions: public bodies and licensed firms with on-chain accounts. roles: ${ROLE_NAMES.map(([n]) => n).join(', ')}.`,
    '# keys (the first defines the address), threshold and signature come from the institution\'s',
    '# contribution (`sov genesis contribute --entry institution`).',
    '',
  );
  for (const i of t.institutions) {
    L.push('[[institutions]]', `name = ${q(i.name)}`, `roles = ${list(i.roles)}`, `keys = ${list(i.keys)}`, `threshold = ${i.threshold}`);
    L.push(`signature = ${q(i.signature)}`, '');
  }
  L.push(
    '# Currencies: a CBDC is issued by an institution with the central_bank role, a stablecoin by one',
    '# with the issuer role. tiers[k] holds the limits of KYC tier k + 1 (at most params.max_tier).',
    '',
  );
  for (const c of t.currencies) {
    L.push('[[currencies]]', `code = ${q(c.code)}`, `kind = ${q(c.kind)}`, `decimals = ${c.decimals}`, `issuer = ${q(c.issuer)}`, '');
    c.tiers.forEach((x, i) => tier(L, x, i));
  }
  L.push('# Customer accounts opened at genesis: kind "person" or "business", a KYC tier, the commercial bank', '# (institution name) that opened it.', '');
  if (t.accounts.length === 0) {
    L.push('# [[accounts]]', '# name = "Treasury payroll"', '# keys = ["<public key hex>"]', '# threshold = 1', '# kind = "business"', '# tier = 2');
    L.push('# bank = "Commercial Bank A"', '# linked_ref = ""', '# category = ""', '');
  }
  for (const a of t.accounts) {
    L.push('[[accounts]]', `name = ${q(a.name)}`, `keys = ${list(a.keys)}`, `threshold = ${a.threshold}`, `kind = ${q(a.kind)}`, `tier = ${a.tier}`);
    L.push(`bank = ${q(a.bank)}`, `linked_ref = ${q(a.linkedRef)}`, `category = ${q(a.category)}`, '');
  }
  L.push('# Initial balances: holder is an institution or account name. They count towards supply and', '# respect the holder\'s limits.', '');
  if (t.balances.length === 0) L.push('# [[balances]]', '# holder = "Commercial Bank A"', '# currency = "XXCBDC"', '# amount = "100000000"', '');
  for (const b of t.balances) L.push('[[balances]]', `holder = ${q(b.holder)}`, `currency = ${q(b.currency)}`, `amount = "${b.amount}"`, '');
  L.push('# Attested reserves of stablecoins (their initial supply may not exceed them).', '');
  if (t.reserves.length === 0) L.push('# [[reserves]]', '# currency = "XXUSD"', '# attested = "0"', '');
  for (const r of t.reserves) L.push('[[reserves]]', `currency = ${q(r.currency)}`, `attested = "${r.attested}"`, '');
  L.push('# Limits of commercial banks per currency: the most they may hold and pay out per day.', '');
  if (t.bankLimits.length === 0) L.push('# [[bank_limits]]', '# bank = "Commercial Bank A"', '# currency = "XXCBDC"', '# max_reserve = "none"', '# daily_out = "none"', '');
  for (const b of t.bankLimits) {
    L.push('[[bank_limits]]', `bank = ${q(b.bank)}`, `currency = ${q(b.currency)}`, `max_reserve = ${amt(b.maxReserve)}`, `daily_out = ${amt(b.dailyOut)}`, '');
  }
  return L.join('\n').replace(/\n+$/, '\n');
}

/** What `sov genesis init` writes: every section, with placeholder bodies to rename. */
export function starterTemplate(chainId: string, jurisdiction: string, genesisTime: number): Template {
  const consensus = {} as Template['consensus'];
  for (const k of CONSENSUS_KEYS) consensus[k] = CONSENSUS_SPECS[k].value;
  const code = `${jurisdiction}CBDC`;
  const none = { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null };
  return {
    chainId,
    jurisdiction,
    addressPrefix: jurisdiction.toLowerCase(),
    genesisTime,
    consensus,
    params: { ...defaultParams(), ...NEW_CHAIN_PARAMS },
    council: { members: ['Central Bank', 'Ministry of Finance'], threshold: 2 },
    validators: ['Central Bank', 'Ministry of Finance', 'Financial Regulator', 'Ministry of Interior'].map((body) => ({
      body, power: 10, publicKey: '', nodeKey: '', p2pAddress: '', signature: '',
    })),
    institutions: [
      { name: 'Central Bank', roles: ['central_bank', 'validator_operator'], keys: [], threshold: 1, signature: '' },
      { name: 'Ministry of Finance', roles: ['agency', 'validator_operator'], keys: [], threshold: 1, signature: '' },
      { name: 'Financial Regulator', roles: ['regulator', 'validator_operator'], keys: [], threshold: 1, signature: '' },
      { name: 'Ministry of Interior', roles: ['agency', 'validator_operator'], keys: [], threshold: 1, signature: '' },
      { name: 'Commercial Bank A', roles: ['commercial_bank'], keys: [], threshold: 1, signature: '' },
    ],
    currencies: [
      {
        code, kind: 'cbdc', decimals: 2, issuer: 'Central Bank',
        tiers: [
          { holdingLimit: 300_000n, perTxLimit: 100_000n, dailyLimit: 200_000n, annualLimit: 5_000_000n },
          { holdingLimit: 3_000_000n, perTxLimit: 1_000_000n, dailyLimit: 2_000_000n, annualLimit: 50_000_000n },
          { ...none, holdingLimit: 100_000_000n },
          none,
        ],
      },
    ],
    accounts: [],
    balances: [],
    reserves: [],
    bankLimits: [],
  };
}
