/**
 * The Travel Rule. A regulator's rule with action 3 (travel_rule) requires, when its
 * condition holds, that the payment carry the originator and beneficiary data (an IVMS101
 * payload) encrypted to the payee's bank and to a regulator. The payer sends it with
 * `travel_transfer`: a transfer whose args also carry the envelope, a JWE in General JSON
 * serialization (RFC 7516; the SDK seals it with ECDH-ES+A256KW over X25519 per recipient,
 * A256GCM content encryption: rpc/client/travel-rule.ts). The ledger cannot read it; it checks
 * that it is well formed, commits its SHA-256 digest in the receipt (`travel_data`), and the
 * payment check accepts it for a travel rule only if its recipients name (by `kid`) the
 * current travel key of the payee's bank and of an institution with the regulator role.
 * Institutions publish their X25519 keys with `set_travel_key`; a key's kid is
 * `<institution address, 40 hex>.<first 16 hex of SHA-256 of the key>`, so a kid names its
 * institution and a rotated key's envelopes no longer satisfy the rule.
 */
import { addressField, amount, bytes, bytes32, fromHex, list, sha256, str, struct, toHex } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { Role } from '../gov/records.js';
import { hasRole } from '../gov/roles.js';
import { moneyMethods, TransferArgs } from '../money/methods.js';
import { CompKeys, TravelKeySchema } from './records.js';

/** Largest envelope a travel_transfer carries. */
export const MAX_ENVELOPE_BYTES = 16_384;
/** Most recipients an envelope may have. */
export const MAX_ENVELOPE_RECIPIENTS = 8;

export const SetTravelKeyArgs = struct('CompSetTravelKey', { publicKey: bytes32 });
export const TravelTransferArgs = struct('CompTravelTransfer', { transfer: TransferArgs, envelope: bytes({ max: MAX_ENVELOPE_BYTES }) });
export const TravelKeyEvent = struct('CompTravelKey', { institution: addressField, kid: str(64) });
export const TravelDataEvent = struct('CompTravelData', { digest: bytes32, recipients: list(str(64), MAX_ENVELOPE_RECIPIENTS), from: addressField, to: addressField, amount, currency: str(16) });
export const TravelRuleEvent = struct('CompTravelRule', { rule: str(60), digest: bytes32 });

export const TravelEvents = {
  travel_key_set: event('comp', 'travel_key_set', TravelKeyEvent, "an institution published its X25519 travel-rule key (kid: its address, '.', the first 16 hex of the key's SHA-256)"),
  travel_data: event('comp', 'travel_data', TravelDataEvent, 'a transfer carried a travel-rule envelope (a JWE to the recipients named by kid); digest: SHA-256 of the envelope as sent'),
  travel_rule: event('comp', 'travel_rule', TravelRuleEvent, "a travel rule held for a payment and its envelope was addressed to the payee's bank and a regulator"),
};

/** The kid of `publicKey` as institution `inst`'s travel key. */
export function travelKid(inst: Uint8Array, publicKey: Uint8Array): string {
  return `${toHex(inst)}.${toHex(sha256(publicKey)).slice(0, 16)}`;
}

const KID = /^([0-9a-f]{40})\.[0-9a-f]{16}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

/** An envelope as the payment check sees it: its digest and the kids of its recipients. */
export interface TravelEnvelope {
  readonly digest: Uint8Array;
  readonly kids: readonly string[];
}

/**
 * Check an envelope's form (a JWE General JSON object: protected, iv, ciphertext and tag as
 * base64url, 1..8 recipients each with an encrypted_key and a header naming its alg and a kid
 * of our form, every kid once); BAD_TRAVEL_ENVELOPE says what is wrong. Pure and
 * deterministic: JSON parsing is the same on every node.
 */
export function readEnvelope(bytesIn: Uint8Array): TravelEnvelope {
  const bad = (why: string): never => fail('BAD_TRAVEL_ENVELOPE', `the travel-rule envelope ${why}`);
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytesIn));
  } catch {
    return bad('is not UTF-8 JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return bad('is not a JSON object');
  const j = o as Record<string, unknown>;
  for (const f of ['protected', 'iv', 'ciphertext', 'tag']) {
    if (typeof j[f] !== 'string' || !B64URL.test(j[f] as string) || (j[f] as string).length === 0) bad(`has no base64url "${f}" (a JWE in General JSON serialization)`);
  }
  const rs = j.recipients;
  if (!Array.isArray(rs) || rs.length === 0 || rs.length > MAX_ENVELOPE_RECIPIENTS) return bad(`must have 1 to ${MAX_ENVELOPE_RECIPIENTS} recipients`);
  const kids: string[] = [];
  for (const r of rs as unknown[]) {
    const h = (r as { header?: unknown })?.header as Record<string, unknown> | undefined;
    const ek = (r as { encrypted_key?: unknown })?.encrypted_key;
    if (typeof h !== 'object' || h === null || typeof h.alg !== 'string' || typeof h.kid !== 'string') return bad('has a recipient without a header naming its alg and kid');
    if (typeof ek !== 'string' || !B64URL.test(ek) || ek.length === 0) return bad(`has no encrypted_key for ${String(h.kid).slice(0, 64)}`);
    if (!KID.test(h.kid)) return bad(`names a kid "${h.kid.slice(0, 64)}" that is not a travel key's (address.16 hex)`);
    if (kids.includes(h.kid)) return bad(`names ${h.kid} twice`);
    kids.push(h.kid);
  }
  return { digest: sha256(bytesIn), kids };
}

/** The envelope the current transaction carries (set by travel_transfer for the payment check). */
const CARRIED = new WeakMap<TxContext, TravelEnvelope>();
export const carriedEnvelope = (ctx: TxContext): TravelEnvelope | undefined => CARRIED.get(ctx);

/**
 * What an envelope lacks for a payment to `toBank` (null: nothing): a recipient with the
 * payee's bank's current travel key (when the payee has a bank) and one with a regulator's.
 */
export async function envelopeProblem(ctx: TxContext, env: TravelEnvelope | undefined, toBank: Uint8Array | null): Promise<string | null> {
  if (env === undefined) return 'the payment carries no travel-rule envelope (send it with comp.travel_transfer)';
  let bank = toBank === null;
  let regulator = false;
  for (const kid of env.kids) {
    const addrHex = KID.exec(kid)![1]!;
    const key = await ctx.get(TravelKeySchema, CompKeys.travelKey(fromHex(addrHex)));
    if (key === undefined || key.kid !== kid) continue;
    if (toBank !== null && toHex(toBank) === addrHex) bank = true;
    if (!regulator && (await hasRole(ctx, fromHex(addrHex), Role.REGULATOR))) regulator = true;
  }
  if (!bank) return `the envelope is not addressed to the current travel key of the payee's bank ${toHex(toBank!)}`;
  if (!regulator) return "the envelope is not addressed to a regulator's current travel key";
  return null;
}

export const travelMethods = {
  set_travel_key: method(SetTravelKeyArgs, "a commercial bank or a regulator publishes its X25519 public key for travel-rule envelopes (replacing any earlier one: envelopes to the old key no longer satisfy a travel rule)", async (ctx, a) => {
    if (!(await hasRole(ctx, ctx.signer, Role.COMMERCIAL_BANK)) && !(await hasRole(ctx, ctx.signer, Role.REGULATOR))) fail('NOT_AUTHORIZED', 'only a commercial bank or a regulator publishes a travel key');
    const kid = travelKid(ctx.signer, a.publicKey);
    ctx.put(TravelKeySchema, CompKeys.travelKey(ctx.signer), { publicKey: a.publicKey, kid, height: ctx.block.height });
    ctx.emit(TravelEvents.travel_key_set, { institution: ctx.signer, kid });
  }, { fails: ['NOT_AUTHORIZED'] }),

  travel_transfer: method(TravelTransferArgs, 'a transfer (as money.transfer) carrying a travel-rule envelope: a JWE (General JSON) of the IVMS101 originator and beneficiary data to the payee\'s bank and a regulator, named by their travel keys\' kids; its SHA-256 is committed in the receipt (travel_data)', async (ctx, a) => {
    const env = readEnvelope(a.envelope);
    ctx.emit(TravelEvents.travel_data, { digest: env.digest, recipients: [...env.kids], from: ctx.signer, to: a.transfer.to, amount: a.transfer.amount, currency: a.transfer.currency });
    CARRIED.set(ctx, env);
    return await moneyMethods.transfer.handler(ctx, a.transfer);
  }, { fails: ['BAD_TRAVEL_ENVELOPE', ...(moneyMethods.transfer.fails ?? [])] }),
};
