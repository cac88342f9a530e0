/**
 * The events of a payment check and of holds (module comp): what each rule decided about a
 * payment (`checked`, `alert`, `shadow_decision`, `rule_error`) and a held payment's life
 * (`held`, then `hold_released` or `hold_refused`).
 */
import { addressField, amount, list, str, struct, u8, uint } from '../../../core/index.js';
import { event } from '../../module.js';
import { MAX_RULES_IN_FORCE, ruleIdField } from './records.js';

export const CheckedEvent = struct('CompChecked', { rules: list(ruleIdField, MAX_RULES_IN_FORCE), decisions: list(u8, MAX_RULES_IN_FORCE) });
export const AlertEvent = struct('CompAlert', { rule: ruleIdField, severity: u8, from: addressField, to: addressField, amount, currency: str(16) });
export const ShadowDecisionEvent = struct('CompShadowDecision', { rule: ruleIdField, decision: u8, from: addressField, to: addressField, amount, currency: str(16) });
export const RuleErrorEvent = struct('CompRuleError', { rule: ruleIdField, message: str(1024) });
export const HeldEvent = struct('CompHeld', { id: uint, rule: ruleIdField, from: addressField, to: addressField, amount, currency: str(16), escrow: addressField });
export const HoldDecidedEvent = struct('CompHoldDecided', { id: uint, from: addressField, to: addressField, amount, currency: str(16), by: addressField, reason: str(256) });

export const HookEvents = {
  checked: event('comp', 'checked', CheckedEvent, 'once per payment that ran a rule: the rules that ran (id@version, in order) and each decision (0 pass, 1 refuse, 2 flag, 3 hold, 4 error; +8 for a shadow rule)'),
  alert: event('comp', 'alert', AlertEvent, 'an active flag rule held for a payment, which went through'),
  shadow_decision: event('comp', 'shadow_decision', ShadowDecisionEvent, 'what a shadow rule would have decided about the payment (0 pass, 1 refuse, 2 flag, 3 hold, 4 error); nothing was enforced'),
  rule_error: event('comp', 'rule_error', RuleErrorEvent, 'a rule errored on a payment (division by zero, overflow, an index out of range) and was treated as not holding'),
  held: event('comp', 'held', HeldEvent, 'a payment held by a rule: its funds wait at the escrow address until an officer releases or refuses them'),
  hold_released: event('comp', 'hold_released', HoldDecidedEvent, 'a held payment released to its payee, with the reason'),
  hold_refused: event('comp', 'hold_refused', HoldDecidedEvent, 'a held payment refused: its funds returned to the payer, with the reason'),
};
