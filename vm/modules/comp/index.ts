/**
 * Module `comp`: the Regulatory OS. A regulator changes the rules of the market by
 * transaction: compliance rules written in the rule language (vm/lib/rules, a restricted
 * CEL) are ledger data, compiled and cost-bounded at registration (rules.ts), with a scope,
 * an action (refuse, flag, hold), a severity, an activation height and a legal reference,
 * active or in shadow. Every payment is checked against the rules in force when it executes
 * (hook.ts): let through, flagged (an alert), held or refused, with the rules that ran and
 * what each decided recorded in the receipt's events. Rules read rolling aggregates kept in
 * buckets (activity.ts) and regulator lists. A held payment's funds wait at an escrow until
 * a regulator or the bank of the payer or payee releases or refuses them (holds.ts).
 */
import { decode } from '../../../core/index.js';
import { code, defineModule } from '../../module.js';
import type { Event } from '../../receipts.js';
import { CompIndexes, compRecords } from './records.js';
import { RuleEvents, ruleMethods, JurisdictionEvent } from './rules.js';
import { HeldEvent, HoldDecidedEvent, HookEvents } from './events.js';
import { holdMethods } from './holds.js';
import { checkPayment } from './hook.js';
import { TravelEvents, travelMethods } from './travel.js';

export const compModule = defineModule({
  name: 'comp',
  doc: 'The Regulatory OS: compliance rules as ledger data (CEL sources compiled and cost-bounded at registration, with scope, action, severity, activation height and legal reference, active or in shadow), checked against every payment when it executes: let through, flagged, held or refused, with the deciding rules recorded; rolling aggregates and regulator lists for the rules; held payments released or refused by a regulator or the bank of the payer or payee.',
  records: compRecords,
  codeRange: [1200, 1299],
  codes: {
    RULE_INVALID: code(1200, "a rule source that does not compile: a syntax error, a type error or too large (the message is the rule language's)"),
    RULE_OVER_BUDGET: code(1201, "a rule whose worst-case cost exceeds max_rule_cost"),
    RULE_EXISTS: code(1202, 'the rule (name@version) is registered already'),
    RULE_NOT_FOUND: code(1203, 'no such rule'),
    BAD_RULE: code(1205, 'an unknown action or payment type, a scope institution that is not a commercial bank, an activation height below the current, a bad list name'),
    RULES_FULL: code(1206, 'the rules in force would be more than 64, or use more than 8 distinct windows of one kind'),
    BAD_RULE_STATUS: code(1207, 'a status other than 0 active, 1 shadow, 2 retired, no change, or a change of a retired rule (final)'),
    COMPLIANCE_REFUSED: code(1208, 'an active refuse rule held for the payment (the message names it, id@version)'),
    HOLD_NOT_FOUND: code(1209, 'no such hold'),
    HOLD_SETTLED: code(1210, 'the hold is released or refused already'),
    NOT_HOLD_OFFICER: code(1211, 'the signer is neither a regulator nor the commercial bank of the payer or payee'),
    BAD_LIST: code(1212, 'a list update that adds and removes nothing'),
    TRAVEL_RULE_REQUIRED: code(1213, "an active travel rule held for the payment and it carried no envelope addressed to the payee's bank's and a regulator's current travel keys (the message names the rule and what is missing)"),
    BAD_TRAVEL_ENVELOPE: code(1214, 'a travel_transfer envelope that is not a JWE in General JSON serialization with 1 to 8 recipients named by travel-key kids'),
  },
  params: {
    max_rule_cost: { value: 2_000, min: 1, max: 1_000_000, governable: true, doc: "largest worst-case cost of a rule at registration; each evaluation is charged its rule's cost in work" },
  },
  events: { ...RuleEvents, ...HookEvents, ...TravelEvents },
  methods: { ...ruleMethods, ...holdMethods, ...travelMethods },
  /** The parties of a held payment and of a hold's release or refusal; an account whose jurisdiction was set. */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) {
      if (e.module !== 'comp') continue;
      if (e.name === 'held') {
        const h = decode(HeldEvent, e.data);
        out.push(h.from, h.to);
      } else if (e.name === 'hold_released' || e.name === 'hold_refused') {
        const h = decode(HoldDecidedEvent, e.data);
        out.push(h.from, h.to);
      } else if (e.name === 'jurisdiction_set') out.push(decode(JurisdictionEvent, e.data).account);
    }
    return out;
  },
  indexes: CompIndexes,
  hooks: { payment: checkPayment },
});

export * from './records.js';
export { RegisterRuleArgs, SetRuleStatusArgs, UpdateListArgs, SetJurisdictionArgs, ScopeArgs, RuleResult, RuleRegisteredEvent, RuleStatusEvent, ListUpdatedEvent, JurisdictionEvent, RuleEvents } from './rules.js';
export { CheckedEvent, AlertEvent, ShadowDecisionEvent, RuleErrorEvent, HeldEvent, HoldDecidedEvent, HookEvents } from './events.js';
export { HoldDecisionArgs } from './holds.js';
export { TYPOLOGIES, typology, typologySource, TypologyError, type Typology, type TypologyParam } from './typologies.js';
export { candidateWrites, findingsOf, BacktestError, DECISION_NAMES, type Candidate, type Finding, type DecisionName } from './backtest.js';
export { SetTravelKeyArgs, TravelTransferArgs, TravelKeyEvent, TravelDataEvent, TravelRuleEvent, TravelEvents, travelKid, readEnvelope, MAX_ENVELOPE_BYTES, MAX_ENVELOPE_RECIPIENTS } from './travel.js';
