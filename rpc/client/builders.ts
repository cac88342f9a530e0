/**
 * Typed transaction builders, one per module method, derived from the vm's own module table
 * (so a new method appears here with its args type, and a wrong field is a compile error):
 *
 *   const b = txBuilders({ chainId, keys: [key] });
 *   const tx = b.money.transfer({ currency: 'NGN', to, amount: 10n, memo: '', reference: '' }, { nonce, expiry });
 *
 * `Wallet` adds what a submitting client needs on top: the chain id, the signer's next nonce
 * (tracked locally so several transactions can be in flight) and an expiry a number of
 * blocks ahead, then submits: `await wallet.tx.money.transfer({...}, { wait: true })`.
 */
import { addressFromPublicKey, encodeAddress, type KeyPair, type Tx } from '../../core/index.js';
import { MODULE_DEFS, type MethodDef } from '../../vm/index.js';
import { RpcCodes } from '../errors.js';
import type { SubmitView } from '../facade.js';
import { buildTx, RpcCallError, type TypedMethods } from './client.js';

type Defs = typeof MODULE_DEFS;
export type ModuleName = keyof Defs;
export type MethodName<M extends ModuleName> = keyof Defs[M]['methods'] & string;
/** The args of `module.method`, as its vm schema types them (bigints for amounts, 20-byte Uint8Arrays for addresses). */
export type ArgsOf<M extends ModuleName, F extends MethodName<M>> = Defs[M]['methods'][F] extends MethodDef<infer A> ? A : never;

export interface TxOptions {
  nonce: number;
  /** Last height at which the transaction may be included. */
  expiry: number;
}

export interface SignerSpec {
  chainId: string;
  /** Signing keys; the first one's address is the signer unless `signer` is given (multi-key accounts). */
  keys: readonly KeyPair[];
  signer?: Uint8Array;
}

export type ModuleBuilders = {
  readonly [M in ModuleName]: { readonly [F in MethodName<M>]: (args: ArgsOf<M, F>, o: TxOptions) => Tx };
};

function forEveryMethod<T>(make: (module: string, method: string) => T): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  for (const [module, def] of Object.entries(MODULE_DEFS)) {
    out[module] = Object.fromEntries(Object.keys(def.methods).map((method) => [method, make(module, method)]));
  }
  return out;
}

/** A signed-transaction builder for every method of every module. */
export function txBuilders(s: SignerSpec): ModuleBuilders {
  return forEveryMethod((module, method) => (args: unknown, o: TxOptions) =>
    buildTx({ chainId: s.chainId, keys: s.keys, ...(s.signer ? { signer: s.signer } : {}), nonce: o.nonce, expiry: o.expiry }, module, method, args),
  ) as unknown as ModuleBuilders;
}

export interface SendOptions {
  /** Resolve once committed (or failed) instead of once admitted. */
  wait?: boolean;
  /** Override the tracked nonce. */
  nonce?: number;
  /** Override the expiry (default: head + the wallet's expiryBlocks). */
  expiry?: number;
}

export type ModuleSenders = {
  readonly [M in ModuleName]: { readonly [F in MethodName<M>]: (args: ArgsOf<M, F>, o?: SendOptions) => Promise<SubmitView> };
};

/** Submits typed transactions for one signer through a client (HTTP or WebSocket). */
export class Wallet {
  /** `wallet.tx.money.transfer(args, { wait: true })`: build, sign and submit. */
  readonly tx: ModuleSenders;
  readonly signer: Uint8Array;
  private chainId: string | null = null;
  private nextNonce: number | null = null;

  constructor(
    readonly client: TypedMethods,
    private readonly keys: readonly KeyPair[],
    private readonly opts: { signer?: Uint8Array; expiryBlocks?: number; chainId?: string } = {},
  ) {
    if (keys.length === 0) throw new RpcCallError('wallet', RpcCodes.INVALID_PARAMS, 'a wallet needs at least one key');
    this.signer = opts.signer ?? addressFromPublicKey(keys[0]!.publicKey);
    this.chainId = opts.chainId ?? null;
    this.tx = forEveryMethod((module, method) => (args: unknown, o?: SendOptions) => this.send(module, method, args, o)) as unknown as ModuleSenders;
  }

  /** The signer's bech32m address under `prefix`. */
  address(prefix: string): string {
    return encodeAddress(prefix, this.signer);
  }

  /** Build, sign and submit `module.method(args)`; the nonce advances only when the node admits it. */
  async send(module: string, method: string, args: unknown, o: SendOptions = {}): Promise<SubmitView> {
    const status = this.chainId === null || o.expiry === undefined || this.nextNonce === null ? await this.client.status() : null;
    this.chainId ??= status!.chainId;
    const nonce = o.nonce ?? this.nextNonce ?? (await this.fetchNonce(status!.addressPrefix));
    const expiry = o.expiry ?? status!.height + (this.opts.expiryBlocks ?? 100);
    const tx = buildTx({ chainId: this.chainId, keys: this.keys, signer: this.signer, nonce, expiry }, module, method, args);
    this.nextNonce = nonce + 1;
    try {
      return await this.client.sendTransaction(tx, o.wait ?? false);
    } catch (e) {
      // Not admitted (or unknown): ask the chain again next time rather than guess.
      this.nextNonce = null;
      throw e;
    }
  }

  /** Forget the tracked nonce (e.g. after another client used this signer). */
  resetNonce(): void {
    this.nextNonce = null;
  }

  private async fetchNonce(prefix: string): Promise<number> {
    try {
      return (await this.client.getAccount(encodeAddress(prefix, this.signer))).nonce;
    } catch (e) {
      if (e instanceof RpcCallError && e.rpcCode === RpcCodes.NOT_FOUND) return 0; // no account yet
      throw e;
    }
  }
}
