/**
 * Travel-rule envelopes for the SDK (module comp's travel rule: vm/modules/comp/travel.ts).
 * The payer's bank puts the originator and beneficiary data, an IVMS101 payload, in a JWE
 * (RFC 7516, General JSON serialization, built with `jose`): content encrypted once with
 * A256GCM, its key wrapped for each recipient with ECDH-ES+A256KW over X25519 (RFC 8037),
 * each recipient named by the `kid` of the travel key it published with comp.set_travel_key.
 * The payee's bank and the regulator open it with their private keys; the ledger commits the
 * envelope's SHA-256 (travel_data). IVMS101 here is the subset a payment needs: natural or
 * legal persons with names, account numbers, and optional national identification, address,
 * date and place of birth; `checkIvms101` checks what the standard requires of it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { GeneralEncrypt, generalDecrypt, type GeneralJWE } from 'jose';
import { sha256 } from '../../core/index.js';
import { comp } from '../../vm/index.js';

export interface Ivms101Name {
  readonly primaryIdentifier: string;
  readonly secondaryIdentifier?: string;
  /** LEGL (legal name), ALIA, BIRT, MAID, MISC for natural persons; LEGL, SHRT, TRAD for legal ones. */
  readonly nameIdentifierType: 'LEGL' | 'ALIA' | 'BIRT' | 'MAID' | 'MISC' | 'SHRT' | 'TRAD';
}
export interface Ivms101Person {
  readonly naturalPerson?: {
    readonly name: { readonly nameIdentifier: readonly Ivms101Name[] };
    readonly nationalIdentification?: { readonly nationalIdentifier: string; readonly nationalIdentifierType: string; readonly countryOfIssue?: string };
    readonly geographicAddress?: readonly { readonly addressType: string; readonly townName: string; readonly country: string; readonly streetName?: string; readonly postCode?: string }[];
    readonly dateAndPlaceOfBirth?: { readonly dateOfBirth: string; readonly placeOfBirth: string };
    readonly countryOfResidence?: string;
  };
  readonly legalPerson?: {
    readonly name: { readonly nameIdentifier: readonly { readonly legalPersonName: string; readonly legalPersonNameIdentifierType: 'LEGL' | 'SHRT' | 'TRAD' }[] };
    readonly nationalIdentification?: { readonly nationalIdentifier: string; readonly nationalIdentifierType: string; readonly countryOfIssue?: string };
    readonly countryOfRegistration?: string;
  };
}
/** The IVMS101 payload of one payment: originator, beneficiary and their institutions. */
export interface Ivms101Payload {
  readonly originator: { readonly originatorPersons: readonly Ivms101Person[]; readonly accountNumber: readonly string[] };
  readonly beneficiary: { readonly beneficiaryPersons: readonly Ivms101Person[]; readonly accountNumber: readonly string[] };
  readonly originatingVASP?: { readonly originatingVASP: Ivms101Person };
  readonly beneficiaryVASP?: { readonly beneficiaryVASP: Ivms101Person };
}

export class TravelRuleError extends Error {
  override name = 'TravelRuleError';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const COUNTRY = /^[A-Z]{2}$/;

/** The problems of an IVMS101 payload (empty: none): each person a natural or a legal one with a legal name, each party an account. */
export function checkIvms101(p: Ivms101Payload): string[] {
  const out: string[] = [];
  const person = (x: Ivms101Person, where: string) => {
    const n = x.naturalPerson;
    const l = x.legalPerson;
    if ((n === undefined) === (l === undefined)) return out.push(`${where}: a naturalPerson or a legalPerson, not both or neither`);
    if (n !== undefined) {
      if (!n.name?.nameIdentifier?.some((i) => i.nameIdentifierType === 'LEGL' && i.primaryIdentifier?.trim())) out.push(`${where}: a natural person needs a legal name (nameIdentifierType LEGL)`);
      if (n.dateAndPlaceOfBirth && !DATE.test(n.dateAndPlaceOfBirth.dateOfBirth)) out.push(`${where}: dateOfBirth is YYYY-MM-DD`);
      if (n.countryOfResidence !== undefined && !COUNTRY.test(n.countryOfResidence)) out.push(`${where}: countryOfResidence is ISO 3166 alpha-2`);
    } else if (!l!.name?.nameIdentifier?.some((i) => i.legalPersonNameIdentifierType === 'LEGL' && i.legalPersonName?.trim())) out.push(`${where}: a legal person needs a legal name (LEGL)`);
    return 0;
  };
  if (!p?.originator?.originatorPersons?.length) out.push('originator: at least one originatorPersons');
  else p.originator.originatorPersons.forEach((x, i) => person(x, `originator.originatorPersons[${i}]`));
  if (!p?.originator?.accountNumber?.length) out.push('originator: an accountNumber');
  if (!p?.beneficiary?.beneficiaryPersons?.length) out.push('beneficiary: at least one beneficiaryPersons');
  else p.beneficiary.beneficiaryPersons.forEach((x, i) => person(x, `beneficiary.beneficiaryPersons[${i}]`));
  if (!p?.beneficiary?.accountNumber?.length) out.push('beneficiary: an accountNumber');
  if (p?.originatingVASP) person(p.originatingVASP.originatingVASP, 'originatingVASP');
  if (p?.beneficiaryVASP) person(p.beneficiaryVASP.beneficiaryVASP, 'beneficiaryVASP');
  return out;
}

/** A new X25519 key pair for an institution's travel key: the raw public key (comp.set_travel_key) and the private key. */
export function travelKeyPair(): { publicKey: Uint8Array; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: rawX25519(publicKey), privateKey };
}

/** The raw 32 bytes of an X25519 public key object. */
function rawX25519(k: KeyObject): Uint8Array {
  const jwk = k.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
}

/** An X25519 public key object from its raw 32 bytes (as comp_travel_key records hold it). */
export function travelPublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TravelRuleError('an X25519 public key is 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** A private travel key from a PKCS#8 PEM (as an institution keeps it). */
export function travelPrivateKey(pem: string): KeyObject {
  const k = createPrivateKey(pem);
  if (k.asymmetricKeyType !== 'x25519') throw new TravelRuleError(`a travel key is X25519, not ${k.asymmetricKeyType}`);
  return k;
}

/** A recipient of an envelope: an institution's address and its published travel key. */
export interface TravelRecipient {
  readonly institution: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * Seal `payload` to `recipients` (the payee's bank and a regulator, at least): the envelope's
 * bytes (UTF-8 JSON of the General JWE), to send with comp.travel_transfer. Refuses a payload
 * that checkIvms101 finds wanting.
 */
export async function sealTravelRule(payload: Ivms101Payload, recipients: readonly TravelRecipient[]): Promise<Uint8Array> {
  const problems = checkIvms101(payload);
  if (problems.length > 0) throw new TravelRuleError(`not an IVMS101 payload: ${problems.join('; ')}`);
  if (recipients.length === 0 || recipients.length > comp.MAX_ENVELOPE_RECIPIENTS) throw new TravelRuleError(`1 to ${comp.MAX_ENVELOPE_RECIPIENTS} recipients`);
  const enc = new GeneralEncrypt(new TextEncoder().encode(JSON.stringify({ ivms101: payload }))).setProtectedHeader({ enc: 'A256GCM', cty: 'application/ivms101+json' });
  for (const r of recipients) enc.addRecipient(travelPublicKey(r.publicKey)).setUnprotectedHeader({ alg: 'ECDH-ES+A256KW', kid: comp.travelKid(r.institution, r.publicKey) });
  const bytes = new TextEncoder().encode(JSON.stringify(await enc.encrypt()));
  if (bytes.length > comp.MAX_ENVELOPE_BYTES) throw new TravelRuleError(`the envelope is ${bytes.length} bytes; at most ${comp.MAX_ENVELOPE_BYTES}`);
  return bytes;
}

/** Open an envelope with a recipient's private key: the IVMS101 payload. */
export async function openTravelRule(envelope: Uint8Array, privateKey: KeyObject): Promise<Ivms101Payload> {
  let jwe: GeneralJWE;
  try {
    jwe = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(envelope)) as GeneralJWE;
  } catch {
    throw new TravelRuleError('the envelope is not UTF-8 JSON');
  }
  try {
    const { plaintext } = await generalDecrypt(jwe, privateKey);
    return (JSON.parse(new TextDecoder().decode(plaintext)) as { ivms101: Ivms101Payload }).ivms101;
  } catch (e) {
    throw new TravelRuleError(`the envelope does not open with this key: ${(e as Error).message}`);
  }
}

/** The digest the ledger commits for an envelope (travel_data). */
export const travelDigest = (envelope: Uint8Array): Uint8Array => sha256(envelope);
