/**
 * Module `grant`: purpose-bound, expiring funds (a welfare grant). An agency, the central
 * bank or an issuer moves funds from its own balance into a grant for a holder: spendable
 * only at accounts of the grant's category, until the expiry (block time); after it,
 * anyone may return what is left to the grantor. The funds sit at the grant's escrow address,
 * so supply stays the sum of balances.
 */
import { decode } from '../../../core/index.js';
import { code, defineModule } from '../../module.js';
import type { Event } from '../../receipts.js';
import { grantRecords } from './records.js';
import { GrantEvent, GrantEvents, grantMethods } from './methods.js';

export const grantModule = defineModule({
  name: 'grant',
  doc: "Purpose-bound, expiring funds: a grant spendable only at accounts of its category until its expiry, after which what is left returns to the grantor.",
  records: grantRecords,
  codeRange: [707, 799],
  codes: {
    GRANT_NOT_FOUND: code(707, 'no such grant'),
    GRANT_EXPIRED: code(708, 'the grant is past its expiry'),
    GRANT_NOT_EXPIRED: code(709, 'reclaim before expiry'),
    CATEGORY_MISMATCH: code(710, "the payee's category is not the grant's (or a grant without category)"),
    NOT_GRANT_HOLDER: code(711, 'the signer does not hold the grant'),
  },
  params: {},
  events: GrantEvents,
  methods: grantMethods,
  /** The holder of a grant issued, the payee of a spend, the grantor of a reclaim. */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) if (e.module === 'grant') out.push(decode(GrantEvent, e.data).account);
    return out;
  },
});

export * from './records.js';
export { openGrant } from './methods.js';
export { IssueGrantArgs, SpendGrantArgs, GrantIdArgs, GrantIdResult, GrantEvent, GrantEvents } from './methods.js';
