/**
 * Collecting contributions into a template: each signed statement (already verified by
 * parseContribution) fills in the entry of the same name: a validator's public key, node key,
 * p2p address and signature, or an institution's keys, threshold and signature. A statement
 * for another chain or jurisdiction, for a name the template does not list, or one that
 * would replace a different key already collected, is refused with the file and field named.
 */
import { toHex } from '../core/index.js';
import { at, Problems } from './errors.js';
import type { Contribution } from './contribution.js';
import type { Template } from './template.js';

export interface CollectResult {
  readonly template: Template;
  readonly problems: Problems;
  /** One line per contribution taken: what was filled in. */
  readonly applied: string[];
}

/** Fill `contributions` (with the file each came from) into a copy of `template`. */
export function collectContributions(template: Template, contributions: readonly { source: string; contribution: Contribution }[]): CollectResult {
  const problems = new Problems();
  const t: Template = structuredClone(template);
  const applied: string[] = [];
  for (const { source, contribution: c } of contributions) {
    if (c.chainId !== t.chainId) {
      problems.add(at(source, 'chain_id'), `"${c.chainId}" is not the template's chain id "${t.chainId}"`);
      continue;
    }
    if (c.jurisdiction !== t.jurisdiction) {
      problems.add(at(source, 'jurisdiction'), `"${c.jurisdiction}" is not the template's jurisdiction "${t.jurisdiction}"`);
      continue;
    }
    if (c.entry === 'validator') {
      const s = c.statement;
      const i = t.validators.findIndex((v) => v.body === s.body);
      if (i < 0) {
        problems.add(at(source, 'name'), `the template has no validator with body "${s.body}" (add a [[validators]] entry first)`);
        continue;
      }
      const v = t.validators[i]!;
      const pk = toHex(s.publicKey);
      if (v.publicKey !== '' && v.signature !== '' && v.publicKey !== pk) {
        problems.add(at(source, 'public_key'), `validators[${i}] ("${s.body}") already has a different collected key; clear it in the template to replace it`);
        continue;
      }
      t.validators[i] = { ...v, publicKey: pk, nodeKey: toHex(s.nodeKey), p2pAddress: s.p2pAddress, signature: toHex(c.signature) };
      applied.push(`validators[${i}] "${s.body}": public_key ${pk}`);
    } else {
      const s = c.statement;
      const i = t.institutions.findIndex((x) => x.name === s.name);
      if (i < 0) {
        problems.add(at(source, 'name'), `the template has no institution named "${s.name}" (add an [[institutions]] entry first)`);
        continue;
      }
      const inst = t.institutions[i]!;
      const keys = s.keys.map(toHex);
      if (inst.keys.length > 0 && inst.signature !== '' && inst.keys[0] !== keys[0]) {
        problems.add(at(source, 'keys'), `institutions[${i}] ("${s.name}") already has different collected keys; clear them in the template to replace them`);
        continue;
      }
      t.institutions[i] = { ...inst, keys, threshold: s.threshold, signature: toHex(c.signature) };
      applied.push(`institutions[${i}] "${s.name}": keys ${keys.join(', ')}`);
    }
  }
  return { template: t, problems, applied };
}
