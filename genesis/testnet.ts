/**
 * The template of a local test network, from keys the caller generated: N validators
 * ("Validator 0".."Validator N-1"), a central bank that issues the DEV CBDC and sits alone on
 * the council (threshold 1, so one key can exercise governance), a commercial bank, two
 * agencies (a tax office and a welfare agency, when their keys are given), and funded customer accounts for load generators and tests. Every validator and institution
 * entry is signed with its own key, exactly as in a real ceremony, so the result passes the
 * strict build. Consensus timeouts are shorter than the production defaults (local network).
 */
import { toHex, type KeyPair } from '../core/index.js';
import { defaultParams, NEW_CHAIN_PARAMS } from '../vm/index.js';
import { signInstitutionStatement, signValidatorStatement } from './contribution.js';
import { CONSENSUS_KEYS, CONSENSUS_SPECS } from './consensus.js';
import type { Template } from './template.js';

export const TESTNET_JURISDICTION = 'XX';
export const TESTNET_CURRENCY = 'DEV';
/** Balances at genesis, in minor units (DEV has 2 decimals). */
export const TESTNET_CUSTOMER_BALANCE = 100_000_000n; // 1,000,000.00 DEV
export const TESTNET_BANK_BALANCE = 1_000_000_000_00n; // 1,000,000,000.00 DEV

export interface TestnetKeys {
  readonly validators: readonly { readonly validator: KeyPair; readonly node: KeyPair; readonly p2pAddress: string }[];
  readonly centralBank: KeyPair;
  readonly commercialBank: KeyPair;
  /** Agencies (role agency): the tax office and the welfare agency, when given (they exchange records: vm xchg). */
  readonly agencies?: readonly KeyPair[];
  readonly customers: readonly KeyPair[];
}

export const CENTRAL_BANK = 'Central Bank';
export const COMMERCIAL_BANK = 'Commercial Bank';
export const customerName = (i: number): string => `customer-${i + 1}`;
/** The testnet's agencies, in the order of TestnetKeys.agencies. */
export const AGENCY_NAMES = ['Tax Office', 'Welfare Agency'] as const;

export function testnetTemplate(chainId: string, genesisTime: number, keys: TestnetKeys): Template {
  const consensus = {} as Template['consensus'];
  for (const k of CONSENSUS_KEYS) consensus[k] = CONSENSUS_SPECS[k].value;
  Object.assign(consensus, { propose_ms: 1000, propose_delta_ms: 250, prevote_ms: 500, prevote_delta_ms: 250, precommit_ms: 500, precommit_delta_ms: 250 });
  const J = TESTNET_JURISDICTION;
  const inst = (name: string, roles: string[], kp: KeyPair): Template['institutions'][number] => ({
    name, roles, keys: [toHex(kp.publicKey)], threshold: 1,
    signature: toHex(signInstitutionStatement(chainId, J, { name, keys: [kp.publicKey], threshold: 1 }, kp)),
  });
  return {
    chainId,
    jurisdiction: J,
    addressPrefix: 'dev',
    genesisTime,
    consensus,
    params: { ...defaultParams(), ...NEW_CHAIN_PARAMS },
    council: { members: [CENTRAL_BANK], threshold: 1 },
    validators: keys.validators.map((v, i) => {
      const body = `Validator ${i}`;
      const statement = { body, publicKey: v.validator.publicKey, nodeKey: v.node.publicKey, p2pAddress: v.p2pAddress };
      return {
        body, power: 10, publicKey: toHex(v.validator.publicKey), nodeKey: toHex(v.node.publicKey), p2pAddress: v.p2pAddress,
        signature: toHex(signValidatorStatement(chainId, J, statement, v.validator)),
      };
    }),
    institutions: [
      inst(CENTRAL_BANK, ['central_bank', 'validator_operator'], keys.centralBank), inst(COMMERCIAL_BANK, ['commercial_bank'], keys.commercialBank),
      // The tax office also holds tax_authority: it registers tax rules (vm tax).
      ...(keys.agencies ?? []).slice(0, AGENCY_NAMES.length).map((kp, i) => inst(AGENCY_NAMES[i]!, AGENCY_NAMES[i] === 'Tax Office' ? ['agency', 'tax_authority'] : ['agency'], kp)),
    ],
    currencies: [{
      code: TESTNET_CURRENCY, kind: 'cbdc', decimals: 2, issuer: CENTRAL_BANK,
      tiers: [
        { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null },
        { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null },
      ],
    }],
    accounts: keys.customers.map((kp, i) => ({
      name: customerName(i), keys: [toHex(kp.publicKey)], threshold: 1, kind: 'person', tier: 1, bank: COMMERCIAL_BANK, linkedRef: '', category: '',
    })),
    balances: [
      { holder: COMMERCIAL_BANK, currency: TESTNET_CURRENCY, amount: TESTNET_BANK_BALANCE },
      ...keys.customers.map((_, i) => ({ holder: customerName(i), currency: TESTNET_CURRENCY, amount: TESTNET_CUSTOMER_BALANCE })),
    ],
    reserves: [],
    bankLimits: [],
  };
}
