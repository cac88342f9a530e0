/**
 * The tax module's events. `withheld` is what a taxed payment's receipt shows: per rule that
 * taxed it, the taxpayer, gross, tax and net, where gross = net + tax: when the payee pays,
 * gross is the payment's amount and net what the payee received of it; when the payer pays,
 * net is the amount (the payee's) and gross what the payer paid, the tax on top.
 */
import { addressField, amount, struct, uint } from '../../../core/index.js';
import { event } from '../../module.js';
import { currencyCode } from '../money/records.js';
import { typeIdField } from '../cred/records.js';
import { legalRefField, taxRuleNameField } from './records.js';

export const RuleRegisteredEvent = struct('TaxRuleRegistered', { id: uint, name: taxRuleNameField, currency: currencyCode, rateBps: uint, activationHeight: uint, legalRef: legalRefField });
export const RuleRetiredEvent = struct('TaxRuleRetired', { id: uint, atHeight: uint, legalRef: legalRefField });
export const WithheldEvent = struct('TaxWithheld', {
  rule: uint, taxpayer: addressField, treasury: addressField, payer: addressField, payee: addressField, currency: currencyCode, gross: amount, tax: amount, net: amount,
});
export const ExemptedEvent = struct('TaxExempted', { rule: uint, taxpayer: addressField, typeId: typeIdField });
export const ExemptionClaimedEvent = struct('TaxExemptionClaimed', { account: addressField, typeId: typeIdField, issuer: addressField, index: uint, validUntil: uint });

export const TaxEvents = {
  rule_registered: event('tax', 'rule_registered', RuleRegisteredEvent, 'a tax rule registered: it applies from its activation height'),
  rule_retired: event('tax', 'rule_retired', RuleRetiredEvent, 'a tax rule retired: it applies no more from atHeight'),
  withheld: event('tax', 'withheld', WithheldEvent, 'a payment taxed under a rule: the taxpayer (payer or payee), the treasury credited, gross = net + tax'),
  exempted: event('tax', 'exempted', ExemptedEvent, "a rule did not tax a payment: the taxpayer's claimed credential of an exempt type is in good standing"),
  exemption_claimed: event('tax', 'exemption_claimed', ExemptionClaimedEvent, 'an account proved it holds a credential of a type a rule exempts'),
};
