/**
 * Transaction authentication: everything that decides whether a transaction may be
 * included at all. In order, cheapest first: the chain id; the expiry (the last height that
 * may include it, and no further ahead than max_tx_ttl_blocks); the signer's account exists
 * and is not closed; the nonce is the account's next one; every signing key belongs to the
 * account, no key signs twice, and the distinct keys meet the account's threshold; every
 * signature verifies under the network rule (core verify, SOV-ED25519-STRICT), unless the
 * caller says the signatures were already verified. A failure is a VmError with a TX_* code:
 * the transaction is rejected, never included.
 */
import { equalBytes, toHex, verifyTxSignatures, isSovError, type Tx } from '../core/index.js';
import { fail } from './errors.js';
import { AccountStatus, type Account } from './modules/account/records.js';
import type { Params } from './params.js';

export interface AuthOptions {
  /** Every signature was verified under the network rule before (the node's mempool did). */
  readonly signaturesVerified?: boolean;
  /** Hex hashes of transactions whose signatures were verified before. */
  readonly verifiedTxHashes?: ReadonlySet<string>;
  /** Accept a nonce above the account's next one (mempool admission of queued txs). */
  readonly allowFutureNonce?: boolean;
}

export interface AuthInput {
  readonly chainId: string;
  readonly height: number;
  readonly params: Params;
}

/**
 * Check `tx` against its signer's `account` (undefined if none). Returns the account.
 * `hashHex`, when the caller has it, is `toHex(tx.hash)` (not computed again).
 */
export function authenticate(input: AuthInput, tx: Tx, account: Account | undefined, opts: AuthOptions = {}, hashHex?: string): Account {
  if (tx.chainId !== input.chainId) fail('TX_WRONG_CHAIN', `transaction is for chain "${tx.chainId}", not "${input.chainId}"`);
  if (input.height > tx.expiry) fail('TX_EXPIRED', `transaction expired at height ${tx.expiry}; this is ${input.height}`);
  if (tx.expiry - input.height > input.params.max_tx_ttl_blocks) {
    fail('TX_EXPIRY_TOO_FAR', `expiry ${tx.expiry} is more than ${input.params.max_tx_ttl_blocks} blocks ahead of ${input.height}`);
  }
  if (account === undefined) fail('TX_UNKNOWN_SIGNER', `no account ${toHex(tx.signer)}`);
  if (account.status === AccountStatus.CLOSED) fail('TX_SIGNER_CLOSED', `account ${toHex(tx.signer)} is closed`);
  if (tx.nonce < account.nonce) fail('TX_NONCE_REPLAYED', `nonce ${tx.nonce} already used; next is ${account.nonce}`);
  if (tx.nonce > account.nonce && !opts.allowFutureNonce) fail('TX_NONCE_GAP', `nonce ${tx.nonce} skips ahead; next is ${account.nonce}`);
  const sigs = tx.signatures;
  if (sigs.length === 0) fail('TX_THRESHOLD_NOT_MET', 'transaction has no signature');
  for (let i = 0; i < sigs.length; i++) {
    const pk = sigs[i]!.publicKey;
    if (!account.keys.some((k) => equalBytes(k, pk))) fail('TX_KEY_NOT_AUTHORIZED', `signature ${i} is by a key the account does not hold`, { index: i });
    for (let j = 0; j < i; j++) if (equalBytes(sigs[j]!.publicKey, pk)) fail('TX_BAD_SIGNATURE', `signature ${i} repeats a key`, { index: i });
  }
  if (sigs.length < account.threshold) fail('TX_THRESHOLD_NOT_MET', `${sigs.length} of ${account.threshold} required signatures`);
  const preverified = opts.signaturesVerified === true || opts.verifiedTxHashes?.has(hashHex ?? tx.hashHex) === true;
  if (!preverified) {
    try {
      verifyTxSignatures(tx, input.chainId);
    } catch (e) {
      if (isSovError(e)) fail('TX_BAD_SIGNATURE', e.message);
      throw e;
    }
  }
  return account;
}
