/**
 * The two example templates in examples/, made from demo keys derived from public seeds
 * (secret key = SHA-256("sov-example/<chain id>/<name>")): anyone can recompute them, so they
 * must never hold value. Every entry is signed as in a real ceremony. Run
 * `node dist/genesis/test/example-keys.js` to rewrite examples/*.toml; the examples test
 * checks the files are what this produces and that they build.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { keyPairFromSecret, sha256, toHex, utf8, type KeyPair } from '../../core/index.js';
import { defaultParams } from '../../vm/index.js';
import {
  CONSENSUS_KEYS, CONSENSUS_SPECS, renderTemplate, signInstitutionStatement, signValidatorStatement, type Template,
} from '../index.js';
import { repoPath } from '../../test/index.js';

const key = (chainId: string, name: string): KeyPair => keyPairFromSecret(sha256(utf8(`sov-example/${chainId}/${name}`)));

interface Spec {
  chainId: string;
  jurisdiction: string;
  prefix: string;
  time: string;
  validators: { body: string; power: number; host: string }[];
  institutions: { name: string; roles: string[] }[];
  council: { members: string[]; threshold: number };
  rest: Pick<Template, 'currencies' | 'accounts' | 'balances' | 'reserves' | 'bankLimits'>;
}

function make(s: Spec): Template {
  const consensus = {} as Template['consensus'];
  for (const k of CONSENSUS_KEYS) consensus[k] = CONSENSUS_SPECS[k].value;
  return {
    chainId: s.chainId, jurisdiction: s.jurisdiction, addressPrefix: s.prefix, genesisTime: Date.parse(s.time), consensus, params: { ...defaultParams() },
    council: s.council,
    validators: s.validators.map((v) => {
      const vk = key(s.chainId, `validator/${v.body}`);
      const nk = key(s.chainId, `node/${v.body}`);
      const statement = { body: v.body, publicKey: vk.publicKey, nodeKey: nk.publicKey, p2pAddress: `${v.host}:26656` };
      return {
        body: v.body, power: v.power, publicKey: toHex(vk.publicKey), nodeKey: toHex(nk.publicKey), p2pAddress: statement.p2pAddress,
        signature: toHex(signValidatorStatement(s.chainId, s.jurisdiction, statement, vk)),
      };
    }),
    institutions: s.institutions.map((i) => {
      const k = key(s.chainId, `institution/${i.name}`);
      const statement = { name: i.name, keys: [k.publicKey], threshold: 1 };
      return { ...i, keys: [toHex(k.publicKey)], threshold: 1, signature: toHex(signInstitutionStatement(s.chainId, s.jurisdiction, statement, k)) };
    }),
    ...s.rest,
  };
}

export function accountKey(chainId: string, name: string): string {
  return toHex(key(chainId, `account/${name}`).publicKey);
}

const none = { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null };

export function smallExample(): Template {
  const chainId = 'islandia-1';
  return make({
    chainId, jurisdiction: 'IS', prefix: 'isl', time: '2026-03-01T00:00:00Z',
    validators: [
      { body: 'Central Bank of Islandia', power: 10, host: 'validator.cb.islandia.example' },
      { body: 'Ministry of Finance', power: 10, host: 'validator.mof.islandia.example' },
      { body: 'Financial Supervisory Authority', power: 10, host: 'validator.fsa.islandia.example' },
      { body: 'National Registry', power: 10, host: 'validator.registry.islandia.example' },
    ],
    institutions: [
      { name: 'Central Bank of Islandia', roles: ['central_bank', 'validator_operator'] },
      { name: 'Ministry of Finance', roles: ['agency', 'validator_operator'] },
      { name: 'Financial Supervisory Authority', roles: ['regulator', 'validator_operator'] },
      { name: 'National Registry', roles: ['agency', 'validator_operator'] },
      { name: 'Islandia Savings Bank', roles: ['commercial_bank'] },
    ],
    council: { members: ['Central Bank of Islandia', 'Ministry of Finance', 'Financial Supervisory Authority'], threshold: 2 },
    rest: {
      currencies: [{
        code: 'ISK', kind: 'cbdc', decimals: 2, issuer: 'Central Bank of Islandia',
        tiers: [{ holdingLimit: 50_000_000n, perTxLimit: 10_000_000n, dailyLimit: 20_000_000n, annualLimit: 500_000_000n }, none],
      }],
      accounts: [],
      balances: [{ holder: 'Islandia Savings Bank', currency: 'ISK', amount: 1_000_000_000_00n }],
      reserves: [],
      bankLimits: [{ bank: 'Islandia Savings Bank', currency: 'ISK', maxReserve: 10_000_000_000_00n, dailyOut: null }],
    },
  });
}

export function fullExample(): Template {
  const chainId = 'meridia-1';
  const banks = ['Meridia First Bank', 'Harbour Commercial Bank', 'Cooperative Bank of Meridia'];
  return make({
    chainId, jurisdiction: 'MR', prefix: 'mer', time: '2026-06-01T00:00:00Z',
    validators: [
      { body: 'Central Bank of Meridia', power: 30, host: 'node.cbm.meridia.example' },
      { body: 'Ministry of Finance', power: 20, host: 'node.mof.meridia.example' },
      { body: 'Securities and Payments Regulator', power: 20, host: 'node.spr.meridia.example' },
      { body: 'Identity Agency', power: 15, host: 'node.identity.meridia.example' },
      { body: 'Customs and Tax Agency', power: 15, host: 'node.tax.meridia.example' },
    ],
    institutions: [
      { name: 'Central Bank of Meridia', roles: ['central_bank', 'validator_operator'] },
      { name: 'Ministry of Finance', roles: ['agency', 'validator_operator'] },
      { name: 'Securities and Payments Regulator', roles: ['regulator', 'validator_operator'] },
      { name: 'Identity Agency', roles: ['agency', 'validator_operator'] },
      { name: 'Customs and Tax Agency', roles: ['agency', 'validator_operator'] },
      ...banks.map((name) => ({ name, roles: ['commercial_bank'] })),
      { name: 'Meridia Digital Dollar Ltd', roles: ['issuer'] },
    ],
    council: { members: ['Central Bank of Meridia', 'Ministry of Finance', 'Securities and Payments Regulator', 'Identity Agency', 'Customs and Tax Agency'], threshold: 3 },
    rest: {
      currencies: [
        {
          code: 'MRD', kind: 'cbdc', decimals: 2, issuer: 'Central Bank of Meridia',
          tiers: [
            { holdingLimit: 100_000_00n, perTxLimit: 20_000_00n, dailyLimit: 50_000_00n, annualLimit: 1_000_000_00n },
            { holdingLimit: 1_000_000_00n, perTxLimit: 200_000_00n, dailyLimit: 500_000_00n, annualLimit: 10_000_000_00n },
            { ...none, holdingLimit: 50_000_000_00n },
          ],
        },
        {
          code: 'MUSD', kind: 'stablecoin', decimals: 6, issuer: 'Meridia Digital Dollar Ltd',
          tiers: [{ holdingLimit: 10_000_000_000n, perTxLimit: 1_000_000_000n, dailyLimit: null, annualLimit: null }, none],
        },
      ],
      accounts: [
        { name: 'Treasury payroll', keys: [accountKey(chainId, 'Treasury payroll')], threshold: 1, kind: 'business', tier: 3, bank: 'Meridia First Bank', linkedRef: 'MFB-0001', category: '' },
        { name: 'Pilot citizen 1', keys: [accountKey(chainId, 'Pilot citizen 1')], threshold: 1, kind: 'person', tier: 1, bank: 'Harbour Commercial Bank', linkedRef: '', category: '' },
      ],
      balances: [
        ...banks.map((holder) => ({ holder, currency: 'MRD', amount: 500_000_000_00n })),
        { holder: 'Treasury payroll', currency: 'MRD', amount: 10_000_000_00n },
        { holder: 'Pilot citizen 1', currency: 'MRD', amount: 50_000_00n },
        { holder: 'Meridia First Bank', currency: 'MUSD', amount: 1_000_000_000_000n },
      ],
      reserves: [{ currency: 'MUSD', attested: 2_000_000_000_000n }],
      bankLimits: banks.map((bank) => ({ bank, currency: 'MRD', maxReserve: 5_000_000_000_00n, dailyOut: 1_000_000_000_00n })),
    },
  });
}

export const EXAMPLES = { 'examples/small.toml': smallExample, 'examples/full.toml': fullExample } as const;

export const exampleHeader = (what: string): string =>
  `# EXAMPLE: ${what}\n# Its keys are DEMO KEYS derived from public seeds (genesis/test/example-keys.ts): never use them.\n`;

export function exampleText(file: keyof typeof EXAMPLES): string {
  const what = file === 'examples/small.toml' ? 'a small jurisdiction: four validators, a central bank, one bank, a CBDC.' :
    'a central bank, three commercial banks, a regulator, two agencies and a stablecoin issuer.';
  return exampleHeader(what) + renderTemplate(EXAMPLES[file]());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]) writeFileSync(repoPath(f), exampleText(f));
}
