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
import { decodeOwned, encode } from './codec.js';
import { list, struct, uint, bytes, type Infer } from './schema.js';
import { addressField, chainIdField, identField, Limits, publicKeyField, signatureField } from './fields.js';
import { Domain, hashOf } from './hash.js';
import { toHex } from './bytes.js';
import { signBytes, signBytesOfPayload } from './signing.js';
import { sign, verify, keyPairFromSecret, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './ed25519.js';
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
  /** `toHex(hash)` once asked for (a private field: the frozen object still caches it). */
  #hashHex: string | undefined;

  private constructor(data: TxData, bytes: Uint8Array, hash?: Uint8Array, hashHex?: string) {
    this.data = data;
    this.bytes = bytes;
    this.hash = hash ?? hashOf(Domain.TX, bytes);
    this.#hashHex = hashHex;
    Object.freeze(this);
  }

  /** The hash in lowercase hex (the mempool's and the vm's map key), computed once. */
  get hashHex(): string {
    return (this.#hashHex ??= toHex(this.hash));
  }

  static fromData(data: TxData): Tx {
    return new Tx(data, encode(TxSchema, data));
  }

  /**
   * Decode canonical bytes; throws CodecError for anything else. `hash`, when the caller
   * already computed it, must be `hashOf(Domain.TX, bytes)` (it is not recomputed), and
   * `hashHex` its hex.
   */
  static decode(bytes: Uint8Array, hash?: Uint8Array, hashHex?: string): Tx {
    // The Tx keeps `bytes`: its byte fields are views into them, not copies.
    const data = decodeOwned(TxSchema, bytes, Limits.MAX_TX_BYTES);
    return new Tx(data, bytes, hash, hash === undefined ? undefined : hashHex);
  }

  get chainId(): string { return this.data.chainId; }
  get signer(): Uint8Array { return this.data.signer; }
  get nonce(): number { return this.data.nonce; }
  get expiry(): number { return this.data.expiry; }
  get body(): TxBody { return this.data.body; }
  get signatures(): readonly TxSignature[] { return this.data.signatures; }

  /**
   * The bytes every signature covers. The unsigned encoding is the signed one without its
   * last field (the 6-array's header becomes a 5-array's), so it is cut from `bytes`
   * instead of encoded again; a layout other than expected falls back to encoding.
   */
  signBytes(): Uint8Array {
    const b = this.bytes;
    const n = this.data.signatures.length;
    const sigStart = b.length - (n < 16 ? 1 : 3) - n * SIGNATURE_ENTRY_BYTES;
    if (b[0] !== 0x96 || sigStart < 1 || b[sigStart] !== (n < 16 ? 0x90 | n : 0xdc)) return txSignBytes(this.data);
    return signBytesOfPayload(TX_SIGN_TAG, this.data.chainId, 0x95, b.subarray(1, sigStart));
  }
}

/** One encoded [publicKey, signature] pair: fixarray(2), bin8 header + 32 bytes, bin8 header + 64 bytes. */
const SIGNATURE_ENTRY_BYTES = 1 + 2 + PUBLIC_KEY_LENGTH + 2 + SIGNATURE_LENGTH;

/** Sign `unsigned` with each secret key, in the order given. */
export function signTx(unsigned: UnsignedTx, secretKeys: readonly Uint8Array[]): Tx {
  const msg = txSignBytes(unsigned);
  const signatures = secretKeys.map((sk) => ({ publicKey: keyPairFromSecret(sk).publicKey, signature: sign(msg, sk) }));
  return Tx.fromData({ ...unsigned, signatures });
}

/**
 * The checks of `verifyTxSignatures` that need no curve arithmetic: the chain id, at least one
 * signature, no key twice. Null when they pass; the signatures themselves are still to verify.
 * (The node's verification pool runs these where the transaction is already decoded and sends
 * only the signed bytes and the signatures to its workers.)
 */
export function txSignatureProblem(tx: Tx, chainId: string): ValidationError | null {
  if (tx.chainId !== chainId) {
    return new ValidationError(ErrorCodes.TX_WRONG_CHAIN, `transaction is for chain "${tx.chainId}", not "${chainId}"`);
  }
  if (tx.signatures.length === 0) return new ValidationError(ErrorCodes.TX_BAD_SIGNATURE, 'transaction has no signature');
  // Repeated keys only matter with two or more signatures (the common single one skips the set).
  if (tx.signatures.length > 1) {
    const seen = new Set<string>();
    for (let i = 0; i < tx.signatures.length; i++) {
      const id = Buffer.from(tx.signatures[i]!.publicKey).toString('hex');
      if (seen.has(id)) return new ValidationError(ErrorCodes.TX_BAD_SIGNATURE, `signature ${i} repeats a key`, { index: i });
      seen.add(id);
    }
  }
  return null;
}

/**
 * Check that every signature on `tx` verifies under the network rule and that the tx is for
 * `chainId`. Which keys may sign for the signer's account, and the threshold, are the state
 * machine's to check. Throws ValidationError; returns nothing on success.
 */
export function verifyTxSignatures(tx: Tx, chainId: string): void {
  const problem = txSignatureProblem(tx, chainId);
  if (problem !== null) throw problem;
  const msg = tx.signBytes();
  for (let i = 0; i < tx.signatures.length; i++) {
    const s = tx.signatures[i]!;
    if (!verify(s.signature, msg, s.publicKey)) {
      throw new ValidationError(ErrorCodes.TX_BAD_SIGNATURE, `signature ${i} does not verify`, { index: i });
    }
  }
}
