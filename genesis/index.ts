/**
 * genesis/: key generation and keystores; jurisdiction templates, the signing ceremony,
 * genesis documents (genesis.json, its hash and initial state root) and their checks.
 * This file is the folder's whole public surface; docs/genesis.md describes the formats.
 */
/** Keystores live in core (every layer that handles keys can read them); re-exported for the CLI. */
export { createKeystore, openKeystore, parseKeystore, KeystoreError, KeystoreErrors, KEY_TYPES, DEFAULT_SCRYPT, MIN_PASSWORD_LENGTH, type KeyType, type KeystoreFile, type ScryptParams } from '../core/index.js';
export { GenesisErrors, GenesisError, Problems, formatProblems, type Problem } from './errors.js';
export { CONSENSUS_SPECS, CONSENSUS_KEYS, ConsensusParamsSchema, defaultConsensusParams, type ConsensusParams, type ConsensusKey } from './consensus.js';
export {
  GENESIS_FORMAT, GENESIS_DOCUMENT_DOMAIN, JURISDICTION_RE, JurisdictionGenesisSchema, ROLE_NAMES, canonicalize, genesisDocumentBytes,
  genesisDocumentHash, toVmDoc, type JurisdictionGenesis, type GenesisValidatorEntry, type GenesisInstitutionEntry, type GenesisAccountEntry,
} from './document.js';
export {
  CONTRIBUTION_FORMAT, CONTRIBUTION_TAG, contributionToJson, parseContribution, signInstitutionStatement, signValidatorStatement,
  verifyInstitutionStatement, verifyValidatorStatement, type Contribution, type InstitutionStatement, type ValidatorStatement,
} from './contribution.js';
export { p2pAddressProblem } from './p2p-address.js';
export { parseTemplate, renderTemplate, type Template, type TierTemplate } from './template.js';
export { starterTemplate, isoTime } from './template-render.js';
export { collectContributions, type CollectResult } from './collect.js';
export { checkDocument, type CheckOptions } from './check.js';
export { docToJson, renderGenesisJson } from './json.js';
export { genesisState, type GenesisState } from './state.js';
export { buildFromTemplate, parseGenesisJson, loadGenesisFile, validateFile, type BuildOptions, type LoadedGenesis } from './build.js';
export {
  CENTRAL_BANK, COMMERCIAL_BANK, TESTNET_BANK_BALANCE, TESTNET_CURRENCY, TESTNET_CUSTOMER_BALANCE, TESTNET_JURISDICTION, customerName, testnetTemplate, AGENCY_NAMES,
  type TestnetKeys,
} from './testnet.js';
