/**
 * Module `tax`: taxes at the moment of payment. A tax authority registers tax rules as
 * ledger data (rules.ts): a rate in basis points, the base (the payment amount, or payout
 * items), who pays (the payer on top, or the payee withheld), which payments (types, the
 * payee's and payer's account categories), the treasury, exempt credential types, an
 * activation height and a legal reference. Through money's payment hook (hook.ts), each
 * matching transfer or payout item credits the treasury in the same transaction, its
 * receipt showing gross, tax and net (event `withheld`), and adds to the taxpayer's total for
 * the month (a state record, so provable). A taxpayer holding a credential of an exempt type
 * (a charity, a small business) claims the exemption once (exemptions.ts) and pays none
 * while the credential stays in good standing. Supply is untouched: a tax moves money from
 * payer or payee to the treasury.
 */
import { decode } from '../../../core/index.js';
import { code, defineModule } from '../../module.js';
import type { Event } from '../../receipts.js';
import { MAX_TAX_RULES, TaxIndexes, taxRecords } from './records.js';
import { ExemptionClaimedEvent, TaxEvents, WithheldEvent } from './events.js';
import { ruleMethods } from './rules.js';
import { exemptionMethods } from './exemptions.js';
import { taxPayment } from './hook.js';

export const taxModule = defineModule({
  name: 'tax',
  doc: "Taxes at the moment of payment: a tax authority's rules as ledger data (rate in basis points of the payment or payout item, paid by the payer on top or withheld from the payee, by payment type and account category, to a treasury, from an activation height, with exemptions by credential); each matching payment credits the treasury in the same transaction, its receipt showing gross, tax and net, and adds to the taxpayer's provable monthly total.",
  records: taxRecords,
  codeRange: [1300, 1399],
  codes: {
    TAX_RULE_INVALID: code(1300, 'a rate outside 1..10,000 bps, an unknown base, payer or payment type, a payout-item rule on transfers, a repeated type, a treasury that is not an institution account, an empty name, an activation or retirement height not above the current'),
    TAX_RULE_NOT_FOUND: code(1301, 'no such tax rule'),
    TAX_RULES_FULL: code(1302, 'the currency has max_tax_rules rules in force or scheduled'),
    TAX_RULE_RETIRED: code(1303, 'the rule is retired already (final)'),
    TAX_NOT_EXEMPT: code(1304, 'the rule exempts no credential type'),
    TAX_EXEMPTIONS_FULL: code(1305, 'the account holds 16 exemptions (one per credential type) already'),
  },
  params: {
    max_tax_rules: { value: 32, min: 1, max: MAX_TAX_RULES, governable: true, doc: 'most tax rules in force or scheduled per currency (each payment reads them all)' },
  },
  events: TaxEvents,
  methods: { ...ruleMethods, ...exemptionMethods },
  /** The taxpayer and the treasury of every tax; the account that claimed an exemption. */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) {
      if (e.module !== 'tax') continue;
      if (e.name === 'withheld') {
        const w = decode(WithheldEvent, e.data);
        out.push(w.taxpayer, w.treasury);
      } else if (e.name === 'exemption_claimed') out.push(decode(ExemptionClaimedEvent, e.data).account);
    }
    return out;
  },
  indexes: TaxIndexes,
  hooks: { payment: taxPayment },
});

export * from './records.js';
export { RuleRegisteredEvent, RuleRetiredEvent, WithheldEvent, ExemptedEvent, ExemptionClaimedEvent, TaxEvents } from './events.js';
export { RegisterRuleArgs, RetireRuleArgs, RuleIdResult } from './rules.js';
export { ClaimExemptionArgs } from './exemptions.js';
export { civilFromDays, daysFromCivil, isPeriod, periodBounds, periodOf } from './period.js';
