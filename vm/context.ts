/**
 * What a module handler sees: the block it runs in, the transaction's signer and hash, the
 * parameters, the registry it runs under (its hooks and tables), and metered access to
 * state and events. Handlers are pure functions of this context and their decoded
 * arguments; they fail by throwing a VmError (errors.ts). An event is emitted by its spec
 * (a module's descriptor lists them), so every event on chain has a schema to decode it by.
 * `nested` runs a step in its own checkpoint, so a governance execution can fail and be
 * recorded without failing the approval that triggered it.
 */
import { encode, type DuplicateVoteEvidence, type Schema } from '../core/index.js';
import type { MaybePromise, Overlay } from './state.js';
import type { Meter } from './meter.js';
import type { Params } from './params.js';
import type { Event } from './receipts.js';
import type { EventSpec, IndexEntry, IndexSpec } from './module.js';

const EMPTY = new Uint8Array(0);
import type { Registry } from './registry.js';

export interface BlockContext {
  readonly chainId: string;
  readonly height: number;
  /** Block time, Unix milliseconds (the header's time). */
  readonly time: number;
  readonly proposer: Uint8Array;
  /**
   * The block's double-sign evidence (its `data.evidence`): the modules' evidence hooks
   * verify and record each piece at the start of the block. None when absent.
   */
  readonly evidence?: readonly DuplicateVoteEvidence[];
}

/** A change to the validator set; power 0 removes the validator. */
export interface ValidatorUpdate {
  readonly publicKey: Uint8Array;
  readonly power: number;
}

export class TxContext {
  readonly events: Event[] = [];
  readonly validatorUpdates: ValidatorUpdate[] = [];
  /** Entries for the node's module indexes (module.ts IndexSpec): kept only if the transaction succeeds. */
  readonly indexEntries: IndexEntry[] = [];

  /** The hooks of the registry, in module-name order (the money ledger calls debit and credit). */
  readonly hooks: Registry['hooks'];

  constructor(
    readonly block: BlockContext,
    readonly params: Params,
    readonly signer: Uint8Array,
    readonly txHash: Uint8Array,
    readonly meter: Meter,
    private readonly overlay: Overlay,
    readonly registry: Registry,
    /** False for an end-of-block step, which records state and emits nothing. */
    private readonly mayEmit = true,
  ) {
    this.hooks = registry.hooks;
  }

  /** A parameter by name (modules outside the built-in set read theirs this way). */
  param(name: string): number {
    const v = (this.params as Readonly<Record<string, number>>)[name];
    if (v === undefined) throw new Error(`no parameter ${name} in this registry`);
    return v;
  }

  get<T>(schema: Schema<T>, key: Uint8Array): MaybePromise<T | undefined> {
    this.meter.read();
    return this.overlay.get(schema, key);
  }

  put<T>(schema: Schema<T>, key: Uint8Array, value: T): void {
    const bytes = this.overlay.put(schema, key, value);
    this.meter.write(key.length + bytes.length);
  }

  delete(key: Uint8Array): void {
    this.overlay.delete(key);
    this.meter.write(key.length);
  }

  emit<T>(e: EventSpec<T>, value: T): void {
    if (!this.mayEmit) throw new Error(`an end-of-block step emitted ${e.module}.${e.name}: end-of-block steps record state, they emit no events`);
    this.meter.event();
    this.events.push({ module: e.module, name: e.name, data: encode(e.schema, value) });
  }

  /** Add an entry to a module index (not state: the node keeps it beside the block for lookups). */
  index(spec: IndexSpec, key: Uint8Array, value: Uint8Array = EMPTY): void {
    if (!this.mayEmit) throw new Error('an end-of-block step added an index entry: end-of-block steps record state only');
    const k = new Uint8Array(1 + key.length);
    k[0] = spec.id;
    k.set(key, 1);
    this.indexEntries.push({ key: k, value });
  }

  validatorUpdate(u: ValidatorUpdate): void {
    this.validatorUpdates.push(u);
  }

  /**
   * Run `fn` in a nested checkpoint: its writes, events and validator updates are kept if it
   * returns and undone if it throws (the error is rethrown). Work used is never refunded.
   */
  async nested<R>(fn: () => Promise<R>): Promise<R> {
    const ev = this.events.length;
    const vu = this.validatorUpdates.length;
    const ix = this.indexEntries.length;
    this.overlay.checkpoint();
    try {
      const r = await fn();
      this.overlay.commit();
      return r;
    } catch (e) {
      this.overlay.revert();
      this.events.length = ev;
      this.validatorUpdates.length = vu;
      this.indexEntries.length = ix;
      throw e;
    }
  }
}
