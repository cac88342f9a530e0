/**
 * Module `account`: accounts of people and businesses, opened by a commercial bank that
 * attaches the KYC tier, an optional linked bank account reference (for the waterfall) and a
 * category; key rotation by the account itself, key recovery by its bank; closing by its
 * bank once it holds nothing (a closed account never signs or receives again); freeze and
 * unfreeze by a regulator or the central bank, each with a legal reference.
 */
import { addressField, decode, list, optional, publicKeyField, str, struct, u8, type Infer, type Schema } from '../../../core/index.js';
import { code, defineModule, type GenesisStepContext } from '../../module.js';
import { fail } from '../../errors.js';
import type { Event } from '../../receipts.js';
import { Role } from '../gov/records.js';
import { hasRole } from '../gov/roles.js';
import { AccountKeys, AccountKind, accountRecords, AccountSchema, AccountStatus, MAX_ACCOUNT_KEYS } from './records.js';
import { addressOfKeys, checkKeys } from './accounts.js';
import { AccountEvents, accountMethods, ChangedEvent, ClosedEvent, FreezeEvent, KeysEvent, OpenedEvent } from './methods.js';

export const GenesisAccountSchema = struct('GenesisAccount', {
  keys: list(publicKeyField, MAX_ACCOUNT_KEYS), threshold: u8, kind: u8, tier: u8, bank: addressField, linkedRef: optional(str(64)), category: str(32),
});
type GenesisAccount = Infer<typeof GenesisAccountSchema>;

const SUBJECT_EVENTS = { opened: OpenedEvent, keys_changed: KeysEvent, changed: ChangedEvent, frozen: FreezeEvent, unfrozen: FreezeEvent, closed: ClosedEvent } as const;

export const accountModule = defineModule({
  name: 'account',
  doc: 'Accounts of people and businesses: opened by a commercial bank with a KYC tier, a linked bank account for the waterfall and a category; keys rotated by the account or recovered by its bank; frozen and unfrozen by a regulator or the central bank; closed by the bank once empty. '
    + 'A closed account never signs (`TX_SIGNER_CLOSED`) and is never paid (`ACCOUNT_CLOSED`); funds returning to it (a lock refund, a failed payout, a grant reclaim) are still credited, so nothing is stranded in escrow, and a regulator can seize them.',
  records: accountRecords,
  codeRange: [200, 299],
  codes: {
    ACCOUNT_EXISTS: code(200, 'an account is already at that address'),
    ACCOUNT_NOT_FOUND: code(201, 'no account at that address'),
    BAD_KEYS: code(202, 'keys empty, too many, repeated or not valid Ed25519 keys'),
    BAD_THRESHOLD: code(203, 'threshold outside 1..keys'),
    UNKNOWN_TIER: code(204, 'KYC tier outside 1..max_tier (or a tier policy leaving a gap)'),
    ACCOUNT_FROZEN: code(205, 'the account is frozen'),
    ACCOUNT_CLOSED: code(206, 'the account is closed'),
    NOT_ACCOUNT_BANK: code(207, 'the signer is not the bank that opened the account'),
    NOT_FROZEN: code(208, 'unfreeze of an account that is not frozen'),
    BAD_ACCOUNT_KIND: code(209, 'wrong account kind for the operation'),
    ACCOUNT_NOT_EMPTY: code(210, 'closing an account that still holds a balance'),
  },
  params: {
    max_tier: { value: 4, min: 1, max: 8, governable: true, doc: 'highest KYC tier a bank may attach' },
  },
  events: AccountEvents,
  methods: accountMethods,
  genesis: {
    fields: {
      accounts: { position: 8, schema: list(GenesisAccountSchema, 1_000_000), doc: 'customer accounts (kind 2 person, 3 business), each opened by `bank`, a commercial bank' },
    },
    steps: [
      {
        order: 50, name: 'accounts',
        run: async (g: GenesisStepContext) => {
          const maxTier = g.ctx.params.max_tier;
          for (const [i, a] of (g.doc.accounts as GenesisAccount[]).entries()) {
            await g.step(`accounts[${i}]`, async () => {
              checkKeys(a.keys, a.threshold);
              if (a.kind !== AccountKind.PERSON && a.kind !== AccountKind.BUSINESS) fail('BAD_ACCOUNT_KIND', 'kind must be 2 or 3');
              if (a.tier < 1 || a.tier > maxTier) fail('UNKNOWN_TIER', `tier must be 1..${maxTier}`);
              if (!(await hasRole(g.ctx, a.bank, Role.COMMERCIAL_BANK))) fail('NOT_A_BANK', 'bank is not a commercial bank');
              const addr = addressOfKeys(a.keys);
              if ((await g.ctx.get(AccountSchema, AccountKeys.account(addr))) !== undefined) fail('ACCOUNT_EXISTS', 'account exists');
              g.ctx.put(AccountSchema, AccountKeys.account(addr), {
                keys: a.keys, threshold: a.threshold, nonce: 0, kind: a.kind, status: AccountStatus.ACTIVE, tier: a.tier, bank: a.bank, linkedRef: a.linkedRef,
                category: a.category,
              });
            });
          }
        },
      },
    ],
  },
  /** The account an account event is about (opened, keys changed, frozen, closed, ...). */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) {
      if (e.module !== 'account') continue;
      const schema = SUBJECT_EVENTS[e.name as keyof typeof SUBJECT_EVENTS];
      if (schema !== undefined) out.push(decode(schema as Schema<{ readonly account: Uint8Array }>, e.data).account);
    }
    return out;
  },
});

export * from './records.js';
export { addressOfKeys, checkKeys, getAccount, requireActive } from './accounts.js';
export {
  OpenArgs, RotateArgs, RecoverArgs, SetTierArgs, SetLinkArgs, SetCategoryArgs, FreezeArgs, CloseArgs, OpenedEvent, KeysEvent, ChangedEvent, FreezeEvent, ClosedEvent,
  AccountEvents,
} from './methods.js';
