/**
 * Modules: a module is one folder, vm/modules/NAME/, whose index.ts exports one descriptor
 * (`defineModule`) owning everything about it: its state records (prefix byte, key fields,
 * value schema), its error codes (a range of its own), its parameters, its events, its
 * methods (args schema, roles, doc, handler), its governance actions, its genesis section,
 * the accounts a transaction's writes and events concern, and its hooks. Prefix bytes, code
 * numbers, action kinds and genesis positions are literals in the module, so moving modules
 * around never shifts them. The registry (registry.ts) checks a set of descriptors for
 * overlaps and derives every central table from them.
 *
 * This file holds only the shapes and the small constructors modules use; nothing here
 * knows any particular module.
 */
import { type DuplicateVoteEvidence, type Schema, type Tx } from '../core/index.js';
import type { TxContext, ValidatorUpdate } from './context.js';
import type { Event } from './receipts.js';
import type { MaybePromise } from './state.js';
import type { Account } from './modules/account/records.js';

// ---- state records -------------------------------------------------------------------

/** How a key field is written: an address (20 bytes), an id (u64 big-endian), UTF-8 text (last only), or the SHA-256 of UTF-8 text. */
export type KeyFieldKind = 'address' | 'id' | 'text' | 'hashedText';

export interface KeyField<N extends string = string, K extends KeyFieldKind = KeyFieldKind> {
  readonly name: N;
  readonly kind: K;
  /** A text field's form (e.g. a currency code): the RPC refuses anything else. */
  readonly pattern?: RegExp;
}

export const field = {
  address: <N extends string>(name: N): KeyField<N, 'address'> => ({ name, kind: 'address' }),
  id: <N extends string>(name: N): KeyField<N, 'id'> => ({ name, kind: 'id' }),
  text: <N extends string>(name: N, pattern?: RegExp): KeyField<N, 'text'> => ({ name, kind: 'text', ...(pattern ? { pattern } : {}) }),
  hashedText: <N extends string>(name: N): KeyField<N, 'hashedText'> => ({ name, kind: 'hashedText' }),
};

type FieldValue<K> = K extends 'id' ? number : K extends 'address' ? Uint8Array : string;
/** The arguments of a record's key builder: one per key field, in order. */
export type KeyArgs<F extends readonly KeyField[]> = { -readonly [I in keyof F]: F[I] extends KeyField<string, infer K> ? FieldValue<K> : never };

export interface RecordSpec<T = unknown, F extends readonly KeyField[] = readonly KeyField[]> {
  readonly prefix: number;
  readonly key: F;
  readonly schema: Schema<T>;
  readonly doc: string;
  /** This record's state key for the given key field values. */
  readonly keyOf: (...args: KeyArgs<F>) => Uint8Array;
}

// ---- error codes, parameters, events ---------------------------------------------------

export interface CodeSpec {
  readonly num: number;
  readonly doc: string;
}
export const code = (num: number, doc: string): CodeSpec => ({ num, doc });

export interface ParamSpec {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly governable: boolean;
  readonly doc: string;
}

export interface EventSpec<T = unknown> {
  readonly module: string;
  readonly name: string;
  readonly schema: Schema<T>;
  readonly doc: string;
}
export const event = <T>(module: string, name: string, schema: Schema<T>, doc = ''): EventSpec<T> => ({ module, name, schema, doc });

// ---- node-side indexes ----------------------------------------------------------------

/**
 * A module's lookup index kept by every node beside its blocks (not part of any hash or of
 * the state): a handler adds entries with `ctx.index(spec, key, value)`; the block store keeps
 * each under the spec's id, its key, and the transaction's height and position, for paged
 * range reads (the RPC's queries). Only a successful transaction's entries are kept. Every
 * answer read through an index is proven from the state, never trusted from the index.
 */
export interface IndexSpec {
  /** A literal byte (1..255), never reused: the index's key prefix in the block store. */
  readonly id: number;
  /** The key's shape and what it finds, for docs. */
  readonly doc: string;
}
export const indexSpec = (id: number, doc: string): IndexSpec => ({ id, doc });

/** An entry a transaction added to a module index: the full key (index id first) and its value. */
export interface IndexEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

// ---- methods and governance actions ----------------------------------------------------

export interface MethodDef<A> {
  readonly args: Schema<A>;
  /** Who may call it and what it does, for docs/vm.md and clients. */
  readonly doc: string;
  readonly handler: (ctx: TxContext, args: A) => Promise<Uint8Array | void>;
  /** The role bits (gov's Role) of which the signer must hold one, or undefined: any account. The handler checks them. */
  readonly roles?: number;
  /** The codes it fails with besides the engine's (UNKNOWN_*, MALFORMED_ARGS, OUT_OF_WORK), for docs/vm.md. */
  readonly fails?: readonly string[];
  /** The schema of its receipt's result bytes, when it returns any. */
  readonly result?: Schema<unknown>;
}

export function method<A>(
  args: Schema<A>, doc: string, handler: (ctx: TxContext, args: A) => Promise<Uint8Array | void>,
  more: { roles?: number; fails?: readonly string[]; result?: Schema<unknown> } = {},
): MethodDef<A> {
  return { args, doc, handler, ...more };
}

export interface ActionDef<A> {
  /** The kind number proposals carry: a literal, never reused. */
  readonly kind: number;
  readonly args: Schema<A>;
  readonly doc: string;
  readonly run: (ctx: TxContext, a: A) => Promise<void>;
  readonly fails?: readonly string[];
}
export const action = <A>(kind: number, args: Schema<A>, doc: string, run: (ctx: TxContext, a: A) => Promise<void>, fails?: readonly string[]): ActionDef<A> => ({
  kind, args, doc, run, ...(fails ? { fails } : {}),
});

// ---- genesis --------------------------------------------------------------------------

/** A field of the genesis document (vm/genesis.ts): its place in the document's array, and its schema. */
export interface GenesisField<T = unknown> {
  /** A literal: the field's index in the document's array (0..3 are the engine's). */
  readonly position: number;
  readonly schema: Schema<T>;
  readonly doc: string;
}

/** What a genesis step sees: the genesis context (a TxContext of signer zero), the parameters, the whole document. */
export interface GenesisStepContext {
  readonly ctx: TxContext;
  readonly doc: Readonly<Record<string, unknown>>;
  /** Run `fn` for the entry named `where` (e.g. `currencies[2]`): a failure becomes BAD_GENESIS naming it. */
  step(where: string, fn: () => MaybePromise<void>): Promise<void>;
}

export interface GenesisStep {
  /** A literal: steps of every module run in this order. */
  readonly order: number;
  readonly name: string;
  readonly run: (g: GenesisStepContext) => Promise<void>;
}

export interface GenesisSection {
  readonly fields: Readonly<Record<string, GenesisField>>;
  readonly steps: readonly GenesisStep[];
}

// ---- hooks ----------------------------------------------------------------------------

/** A balance change a debit or credit hook sees (before it is written). */
export interface Movement {
  readonly currency: string;
  readonly account: Uint8Array;
  readonly amount: bigint;
  /** True for an escrow address (a lock's or grant's), which has no account. */
  readonly escrow: boolean;
}

/** A payment as a payment hook sees it, before any balance moves: who pays whom, what, and by which method. */
export interface Payment {
  /** The method: `transfer`, `payout` (one recipient of a batch payout). */
  readonly type: string;
  readonly currency: string;
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly amount: bigint;
  readonly memo: string;
}

/**
 * A charge a payment hook adds to a payment (a tax): `amount` goes to the account `to` (a
 * treasury) in the same transaction. `payee` true: withheld from what the payee (or the hold
 * escrow) is credited, so the payee gets the amount less its levies (their sum never exceeds
 * the amount); false: charged to the payer on top of the amount, in the payer's one debit.
 */
export interface Levy {
  readonly to: Uint8Array;
  readonly amount: bigint;
  readonly payee: boolean;
}

/**
 * What a payment hook decides: nothing (let it through), hold it: the funds go to the
 * escrow address `hold` instead of the payee, until the module that holds them releases them
 * to the payee or returns them; and levies to add (taxes). A refusal is a thrown VmError
 * naming why. Across hooks (module-name order) the first hold wins and levies concatenate.
 */
export type PaymentDecision = { readonly hold?: Uint8Array; readonly levies?: readonly Levy[] } | undefined;

/**
 * What a module may add to every transaction and block: a policy check on every debit and
 * credit (the money module's ledger calls them), on every transaction before and after its
 * method runs, and a step at the end of each block. They run in the registry's order (by
 * module name), under the same work meter as the transaction; a VmError thrown by one fails
 * the transaction (or, for a payout recipient, that recipient). `endBlock` runs after the
 * block's transactions, each module's step in its own checkpoint with a budget of
 * tx_max_work; it records state and emits no events; one that fails is undone alone.
 * `evidence` and `validatorUpdates` are the block's: its double-sign evidence before its
 * transactions, its validator-set changes after them (module evid uses both).
 */
export interface ModuleHooks {
  readonly beforeTx?: (ctx: TxContext, tx: Tx) => MaybePromise<void>;
  readonly afterTx?: (ctx: TxContext, tx: Tx) => MaybePromise<void>;
  readonly debit?: (ctx: TxContext, m: Movement) => MaybePromise<void>;
  readonly credit?: (ctx: TxContext, m: Movement) => MaybePromise<void>;
  readonly endBlock?: (ctx: TxContext) => Promise<void>;
  /**
   * Each piece of the block's double-sign evidence (the block's `data.evidence`, in order),
   * at the start of the block, before its transactions: verify it against the state and
   * record it. Each piece runs in its own checkpoint with a budget of tx_max_work, under a
   * context of signer zero that may emit events (the block's `blockEvents`) and make
   * validator updates; a VmError (or any codec or validation error) refuses the piece: its
   * writes are undone and it is listed in `rejectedEvidence` (a proposal carrying one is
   * invalid; the proposer leaves it out).
   */
  readonly evidence?: (ctx: TxContext, ev: DuplicateVoteEvidence) => Promise<void>;
  /**
   * The block's validator-set changes (one per key, as consensus gets them: they take effect
   * at the block's height + 2), after its transactions and before the end-of-block steps;
   * called only when there are some. In its own checkpoint with a budget of tx_max_work; it
   * records state and emits no events; one that fails is undone alone.
   */
  readonly validatorUpdates?: (ctx: TxContext, updates: readonly ValidatorUpdate[]) => Promise<void>;
  /**
   * Every payment between accounts (a transfer, each recipient of a payout), before its
   * balances move: refuse it (throw), hold it (return an escrow address for the funds), or
   * let it through; and add levies (module tax's taxes). The first module (by name) that
   * holds a payment decides where it goes; later modules still see it; every module's levies
   * apply, in module-name order. The Regulatory OS (module comp) checks its rules here.
   */
  readonly payment?: (ctx: TxContext, p: Payment) => MaybePromise<PaymentDecision>;
  /**
   * The KYC tier whose limits a person's or business's debit or credit is held to (the money
   * ledger asks before applying a tier's policy): given the tier so far (the account's own,
   * or an earlier module's answer), return it or another. The credentials module answers
   * with the tier of the account's valid KYC credential.
   */
  readonly tier?: (ctx: TxContext, account: Uint8Array, acct: Account, tier: number) => MaybePromise<number>;
}

// ---- the descriptor -------------------------------------------------------------------

export interface ModuleDescriptor {
  /** The name transactions address it by (tx body `module`); also the name of its events. */
  readonly name: string;
  /** One paragraph: what it is for (docs/vm.md). */
  readonly doc: string;
  readonly records: Readonly<Record<string, RecordSpec<any, any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Its codes' range, inclusive: every code of it is inside, and no other module's range overlaps. */
  readonly codeRange: readonly [number, number];
  readonly codes: Readonly<Record<string, CodeSpec>>;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly events: Readonly<Record<string, EventSpec<any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly methods: Readonly<Record<string, MethodDef<any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly actions?: Readonly<Record<string, ActionDef<any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly genesis?: GenesisSection;
  /**
   * The accounts a transaction's writes (keys, in write order) and events concern beyond its
   * signer: a payee, a credential's subject, a record's receiving agency. Its history lists
   * the transaction for each.
   */
  readonly concerns?: (written: readonly Uint8Array[], events: readonly Event[]) => Iterable<Uint8Array>;
  /** The node-side lookup indexes its handlers add entries to (ctx.index). */
  readonly indexes?: Readonly<Record<string, IndexSpec>>;
  readonly hooks?: ModuleHooks;
}

/** A module's descriptor, as written (the registry checks it when loaded). */
export function defineModule<const D extends ModuleDescriptor>(d: D): D {
  return d;
}
