/**
 * Queries: every record a module keeps is at a key built by `Keys` (keys.ts), so any of it
 * can be read by key, and proven by the state layer's proof of that key (value or absence).
 * `recordSchemaOf` says how to decode the value at any vm key; `readRecord` reads and
 * decodes one. The RPC exposes these with the state layer's proofs.
 */
import { decode, type Schema } from '../core/index.js';
import { Prefix } from './keys.js';
import {
  AccountSchema, BalanceSchema, BankLimitSchema, CurrencyListSchema, ChainMetaSchema, CounterSchema, CouncilSchema, CurrencySchema, GrantSchema, InstitutionSchema,
  LockSchema, ParamValueSchema, PayoutSchema, ProposalSchema, ReserveSchema, UsageSchema, UsedReferenceSchema, ValidatorListSchema,
  VirtualAccountSchema,
} from './records.js';
import type { StateReader } from './state.js';

const SCHEMAS: Readonly<Record<number, { name: string; schema: Schema<unknown> }>> = Object.freeze({
  [Prefix.PARAM]: { name: 'param', schema: ParamValueSchema },
  [Prefix.CHAIN]: { name: 'chain', schema: ChainMetaSchema },
  [Prefix.ACCOUNT]: { name: 'account', schema: AccountSchema },
  [Prefix.INSTITUTION]: { name: 'institution', schema: InstitutionSchema },
  [Prefix.CURRENCY]: { name: 'currency', schema: CurrencySchema },
  [Prefix.BALANCE]: { name: 'balance', schema: BalanceSchema },
  [Prefix.USAGE]: { name: 'usage', schema: UsageSchema },
  [Prefix.BANK_LIMIT]: { name: 'bank_limit', schema: BankLimitSchema },
  [Prefix.CURRENCY_LIST]: { name: 'currency_list', schema: CurrencyListSchema },
  [Prefix.COUNCIL]: { name: 'council', schema: CouncilSchema },
  [Prefix.PROPOSAL]: { name: 'proposal', schema: ProposalSchema },
  [Prefix.PROPOSAL_SEQ]: { name: 'proposal_seq', schema: CounterSchema },
  [Prefix.VALIDATORS]: { name: 'validators', schema: ValidatorListSchema },
  [Prefix.BANK_REF]: { name: 'bank_ref', schema: UsedReferenceSchema },
  [Prefix.RESERVE]: { name: 'reserve', schema: ReserveSchema },
  [Prefix.PAYOUT]: { name: 'payout', schema: PayoutSchema },
  [Prefix.PAYOUT_SEQ]: { name: 'payout_seq', schema: CounterSchema },
  [Prefix.VIRTUAL]: { name: 'virtual_account', schema: VirtualAccountSchema },
  [Prefix.LOCK]: { name: 'lock', schema: LockSchema },
  [Prefix.LOCK_SEQ]: { name: 'lock_seq', schema: CounterSchema },
  [Prefix.GRANT]: { name: 'grant', schema: GrantSchema },
  [Prefix.GRANT_SEQ]: { name: 'grant_seq', schema: CounterSchema },
} as Record<number, { name: string; schema: Schema<unknown> }>);

/** The record kind and schema of a vm key, or undefined for a key the vm does not write. */
export function recordSchemaOf(key: Uint8Array): { readonly name: string; readonly schema: Schema<unknown> } | undefined {
  return key.length === 0 ? undefined : SCHEMAS[key[0]!];
}

/** Read and decode the record at `key`; undefined if absent. Throws for a key of no vm record. */
export async function readRecord(state: StateReader, key: Uint8Array): Promise<{ readonly kind: string; readonly value: unknown } | undefined> {
  const s = recordSchemaOf(key);
  if (s === undefined) throw new RangeError('not a vm key');
  const raw = await state.get(key);
  return raw === undefined ? undefined : { kind: s.name, value: decode(s.schema, raw) };
}
