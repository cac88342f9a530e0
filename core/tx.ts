/**
 * The transaction envelope. Field order on the wire (an array):
 *   [chainId, signer, nonce, expiry, body, signatures]
 * - chainId: the chain it is valid on; signer: the 20-byte account address;
 * - nonce: the signer's next nonce; expiry: the last block height that may include it;
 * - body: [module, method, args], args being the canonical bytes of the module's own schema;
 * - signatures: [publicKey, signature] pairs (one for a single-key account, up to the
 *   account's threshold for multi-signature accounts), each over
 *   signBytes("tx", chainId, encode(UnsignedTx)).
 * Tx objects are frozen, with their bytes and hash computed once. The hash is
 * hashOf("tx", bytes) of the whole signed encoding.
 */
import { decode, encode } from './codec.js';
import { list, struct, uint, bytes, type Infer } from './schema.js';
import { addressField, chainIdField, identField, Limits, publicKeyField, signatureField } from './fields.js';
import { Domain, hashOf } from './hash.js';
import { signBytes } from './signing.js';
import { sign, verify, keyPairFromSecret } from './ed25519.js';
import { ErrorCodes, ValidationError } from './errors.js';

export const TxBodySchema = struct('TxBody', {
  module: identField,
  method: identField,
  args: bytes({ max: Limits.MAX_TX_BYTES }),
});

export const TxSignatureSchema = struct('TxSignature', { publicKey: publicKeyField, signature: signatureField });

const envelopeFields = {
  chainId: chainIdField,
  signer: addressField,
  nonce: uint,
  expiry: uint,
  body: TxBodySchema,
};
export const UnsignedTxSchema = struct('UnsignedTx', envelopeFields);
export const TxSchema = struct('Tx', { ...envelopeFields, signatures: list(TxSignatureSchema, Limits.MAX_TX_SIGNATURES) });

export type TxBody = Infer<typeof TxBodySchema>;
export type UnsignedTx = Infer<typeof UnsignedTxSchema>;
export type TxSignature = Infer<typeof TxSignatureSchema>;
export type TxData = Infer<typeof TxSchema>;

export const TX_SIGN_TAG = 'tx';

export function txSignBytes(unsigned: UnsignedTx): Uint8Array {
  const u: UnsignedTx = { chainId: unsigned.chainId, signer: unsigned.signer, nonce: unsigned.nonce, expiry: unsigned.expiry, body: unsigned.body };
  return signBytes(TX_SIGN_TAG, u.chainId, encode(UnsignedTxSchema, u));
}

/** An immutable, signed transaction with its canonical bytes and hash. */
export class Tx {
  readonly data: TxData;
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;

  private constructor(data: TxData, bytes: Uint8Array, hash?: Uint8Array) {
    this.data = data;
    this.bytes = bytes;
    this.hash = hash ?? hashOf(Domain.TX, bytes);
    Object.freeze(this);
  }

  static fromData(data: TxData): Tx {
    return new Tx(data, encode(TxSchema, data));
  }

  /**
   * Decode canonical bytes; throws CodecError for anything else. `hash`, when the caller
   * already computed it, must be `hashOf(Domain.TX, bytes)` (it is not recomputed).
   */
  static decode(bytes: Uint8Array, hash?: Uint8Array): Tx {
    const data = decode(TxSchema, bytes, Limits.MAX_TX_BYTES);
    return new Tx(data, bytes, hash);
  }

  get chainId(): string { return this.data.chainId; }
  get signer(): Uint8Array { return this.data.signer; }
  get nonce(): number { return this.data.nonce; }
  get expiry(): number { return this.data.expiry; }
  get body(): TxBody { return this.data.body; }
  get signatures(): readonly TxSignature[] { return this.data.signatures; }

  /** The bytes every signature covers. */
  signBytes(): Uint8Array {
    return txSignBytes(this.data);
  }
}

/** Sign `unsigned` with each secret key, in the order given. */
export function signTx(unsigned: UnsignedTx, secretKeys: readonly Uint8Array[]): Tx {
  const msg = txSignBytes(unsigned);
  const signatures = secretKeys.map((sk) => ({ publicKey: keyPairFromSecret(sk).publicKey, signature: sign(msg, sk) }));
  return Tx.fromData({ ...unsigned, signatures });
}

/**
 * Check that every signature on `tx` verifies under the network rule and that the tx is for
 * `chainId`. Which keys may sign for the signer's account, and the threshold, are the state
 * machine's to check. Throws ValidationError; returns nothing on success.
 */
export function verifyTxSignatures(tx: Tx, chainId: string): void {
  if (tx.chainId !== chainId) {
    throw new ValidationError(ErrorCodes.TX_WRONG_CHAIN, `transaction is for chain "${tx.chainId}", not "${chainId}"`);
  }
  if (tx.signatures.length === 0) throw new ValidationError(ErrorCodes.TX_BAD_SIGNATURE, 'transaction has no signature');
  const msg = tx.signBytes();
  const seen = new Set<string>();
  for (let i = 0; i < tx.signatures.length; i++) {
    const s = tx.signatures[i]!;
    const id = Buffer.from(s.publicKey).toString('hex');
    if (seen.has(id)) throw new ValidationError(ErrorCodes.TX_BAD_SIGNATURE, `signature ${i} repeats a key`, { index: i });
    seen.add(id);
    if (!verify(s.signature, msg, s.publicKey)) {
      throw new ValidationError(ErrorCodes.TX_BAD_SIGNATURE, `signature ${i} does not verify`, { index: i });
    }
  }
}
