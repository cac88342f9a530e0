/**
 * The engine's own part of the registry, declared as modules declare theirs: the records of
 * the chain's identity and parameters, the rejection and engine error codes, and the
 * parameters of execution itself (work budgets and costs, the expiry window). It has no
 * methods: no transaction can address it (a transaction naming module "vm" fails with
 * UNKNOWN_MODULE, as any unknown name does).
 */
import { defineModule, code, field } from './module.js';
import { record } from './keys.js';
import { ChainMetaSchema, ParamValueSchema } from './records.js';

export const engineRecords = {
  param: record(0x01, [field.text('name')], ParamValueSchema, 'ParamValue [value uint]: one consensus parameter'),
  chain: record(0x02, [], ChainMetaSchema, 'ChainMeta [chainId, addressPrefix, genesisTime]'),
};

export const ENGINE_NAME = 'vm';

export const engineCodes = {
  OK: code(0, 'success'),
  // authentication: the transaction is rejected, never included
  TX_WRONG_CHAIN: code(1, "the tx's chain id is not this chain's"),
  TX_BAD_SIGNATURE: code(2, 'a signature does not verify, or a key signs twice'),
  TX_NONCE_REPLAYED: code(3, "nonce below the account's next (a replay)"),
  TX_NONCE_GAP: code(4, "nonce above the account's next"),
  TX_EXPIRED: code(5, "the block is past the tx's expiry height"),
  TX_EXPIRY_TOO_FAR: code(6, 'expiry more than max_tx_ttl_blocks ahead'),
  TX_UNKNOWN_SIGNER: code(7, 'no account at the signer address'),
  TX_SIGNER_CLOSED: code(8, "the signer's account is closed"),
  TX_KEY_NOT_AUTHORIZED: code(9, "a signing key is not one of the account's"),
  TX_THRESHOLD_NOT_MET: code(10, "fewer distinct signatures than the account's threshold"),
  TX_MALFORMED: code(11, 'the bytes are not a canonical transaction'),
  TX_BLOCK_FULL: code(12, "the block's work limit is reached"),
  TX_DUPLICATE: code(13, 'the same transaction earlier in the block'),
  // engine: included with a failure receipt
  UNKNOWN_MODULE: code(100, 'no module of that name'),
  UNKNOWN_METHOD: code(101, 'the module has no such method'),
  MALFORMED_ARGS: code(102, "args are not the canonical encoding of the method's schema (or a value a record refuses)"),
  OUT_OF_WORK: code(103, 'the transaction ran past its work budget'),
  // genesis documents (thrown by applyGenesis, never in a receipt)
  BAD_GENESIS: code(900, 'a genesis document that cannot be applied (thrown by applyGenesis only)'),
};

const p = (value: number, min: number, max: number, governable: boolean, doc: string) => ({ value, min, max, governable, doc });

export const engineParams = {
  tx_max_work: p(2_000_000, 1_000, 100_000_000, true, 'work units one transaction may use'),
  block_max_work: p(200_000_000, 10_000, 10_000_000_000, true, 'work units one block may use (new chains start at NEW_CHAIN_PARAMS\'s 8,000,000: about a second of execution on one core; the default stays for chains that began with it)'),
  cost_tx: p(100, 0, 1_000_000, true, 'work charged to every transaction'),
  cost_tx_byte: p(1, 0, 1_000_000, true, 'work per byte of the encoded transaction'),
  cost_read: p(10, 0, 1_000_000, true, 'work per state read'),
  cost_write: p(20, 0, 1_000_000, true, 'work per state write or delete'),
  cost_write_byte: p(1, 0, 1_000_000, true, 'work per byte written (key + value)'),
  cost_event: p(10, 0, 1_000_000, true, 'work per event emitted'),
  max_tx_ttl_blocks: p(100_000, 1, 100_000_000, true, 'a transaction expiry may be at most this many blocks ahead'),
};

/** The engine's descriptor: always part of a registry, never dispatched to. */
export const ENGINE = defineModule({
  name: ENGINE_NAME,
  doc: 'The execution engine: authentication, dispatch, metering, receipts.',
  records: engineRecords,
  codeRange: [0, 199],
  codes: engineCodes,
  params: engineParams,
  events: {},
  methods: {},
});

/** The engine also owns the genesis codes' range. */
export const ENGINE_GENESIS_RANGE = [900, 999] as const;
