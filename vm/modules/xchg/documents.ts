/**
 * Documents signed by several institutions (as EthSign does for contracts): an institution
 * registers a document's digest with the institutions that must sign it, in groups signed
 * one after another (the members of one group in any order), and a deadline. Each signer
 * signs with its own transaction, or anyone submits the signer's Ed25519 signature over the
 * document's signing bytes (core signFor, tag DOC_SIGN_TAG: the id and the digest), checked
 * against the signer's key under the project's one verification rule. The last signature
 * completes the document; a signer may refuse it (with a reason); after the deadline anyone
 * may close it as expired. Completion, refusal and expiry are events, and the document
 * record (every signature with its key, the block that closed it) is what its offline
 * proof proves.
 */
import { addressField, bytes32, encode, equalBytes, list, optional, signatureField, str, struct, toHex, uint, verifyFor } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { AccountKeys, AccountSchema } from '../account/records.js';
import { GovKeys, InstitutionSchema } from '../gov/records.js';
import {
  DOC_SIGN_TAG, DocCounterSchema, DocSignPayload, DocStatus, DocumentSchema, MAX_DOC_GROUPS, MAX_DOC_SIGNERS, u64, XchgIndexes, XchgIndexKey, XchgKeys, type XchgDocument,
} from './records.js';

const hex = toHex;

export const RegisterDocArgs = struct('XchgRegisterDoc', {
  digest: bytes32,
  title: str(128),
  groups: list(list(addressField, MAX_DOC_SIGNERS), MAX_DOC_GROUPS),
  deadline: uint,
  legalRef: str(128),
});
export const DocIdResult = struct('XchgDocId', { id: uint });
export const SignDocArgs = struct('XchgSignDoc', { id: uint, signer: addressField, signature: optional(signatureField) });
export const RefuseDocArgs = struct('XchgRefuseDoc', { id: uint, reason: str(256) });
export const ExpireDocArgs = struct('XchgExpireDoc', { id: uint });

export const DocRegisteredEvent = struct('XchgDocRegistered', { id: uint, digest: bytes32, registrant: addressField, deadline: uint });
export const DocSignedEvent = struct('XchgDocSigned', { id: uint, signer: addressField, group: uint });
export const DocClosedEvent = struct('XchgDocClosed', { id: uint, digest: bytes32, by: optional(addressField), reason: str(256) });

export const DocumentEvents = {
  doc_registered: event('xchg', 'doc_registered', DocRegisteredEvent, 'a document registered for signing by several institutions'),
  doc_signed: event('xchg', 'doc_signed', DocSignedEvent, 'a signer signed a document (group: its group, signed in order)'),
  doc_completed: event('xchg', 'doc_completed', DocClosedEvent, 'the last signature completed a document'),
  doc_refused: event('xchg', 'doc_refused', DocClosedEvent, 'a signer refused a document, with its reason'),
  doc_expired: event('xchg', 'doc_expired', DocClosedEvent, 'a document closed unsigned after its deadline'),
};
const E = DocumentEvents;

/** The bytes a signer signs off chain for document `id` (core signFor(DOC_SIGN_TAG, chainId, these)). */
export const docSignPayload = (id: number, digest: Uint8Array): Uint8Array => encode(DocSignPayload, { id, digest });

async function openDoc(ctx: TxContext, id: number): Promise<XchgDocument> {
  const d = await ctx.get(DocumentSchema, XchgKeys.doc(id));
  if (d === undefined) fail('DOC_NOT_FOUND', `no document ${id}`);
  if (d.status !== DocStatus.OPEN) fail('DOC_CLOSED', `document ${id} is closed (${['open', 'complete', 'refused', 'expired'][d.status]})`);
  return d;
}

/** The group of `who` in the document, or -1. */
const groupOf = (d: XchgDocument, who: Uint8Array): number => d.groups.findIndex((g) => g.some((a) => equalBytes(a, who)));
const hasSigned = (d: XchgDocument, who: Uint8Array): boolean => d.signatures.some((s) => equalBytes(s.signer, who));
/** The first group with a member yet to sign (groups.length when all have). */
const currentGroup = (d: XchgDocument): number => {
  const i = d.groups.findIndex((g) => g.some((a) => !hasSigned(d, a)));
  return i < 0 ? d.groups.length : i;
};

export const documentMethods = {
  register_doc: method(RegisterDocArgs, 'an institution registers a document digest with the institutions that must sign it: groups signed in order, members of a group in any order, by a deadline (block time, ms)', async (ctx, a) => {
    if ((await ctx.get(InstitutionSchema, GovKeys.institution(ctx.signer))) === undefined) fail('NOT_AUTHORIZED', `${hex(ctx.signer)} is not an institution`);
    if (a.groups.length === 0 || a.groups.some((g) => g.length === 0)) fail('DOC_BAD_SIGNERS', 'a document needs at least one group, and no group is empty');
    const all = a.groups.flat();
    if (all.length > MAX_DOC_SIGNERS) fail('DOC_BAD_SIGNERS', `at most ${MAX_DOC_SIGNERS} signers`);
    const seen = new Set<string>();
    for (const s of all) {
      const id = hex(s);
      if (seen.has(id)) fail('DOC_BAD_SIGNERS', `${id} is listed twice`);
      seen.add(id);
      if ((await ctx.get(InstitutionSchema, GovKeys.institution(s))) === undefined) fail('DOC_BAD_SIGNERS', `signer ${id} is not an institution`);
    }
    if (a.deadline <= ctx.block.time) fail('DOC_BAD_DEADLINE', `the deadline ${a.deadline} is not after this block (${ctx.block.time})`);
    const counter = (await ctx.get(DocCounterSchema, XchgKeys.docCounter())) ?? { next: 1 };
    const id = counter.next;
    ctx.put(DocCounterSchema, XchgKeys.docCounter(), { next: id + 1 });
    ctx.put(DocumentSchema, XchgKeys.doc(id), {
      ...a, registrant: ctx.signer, status: DocStatus.OPEN, signatures: [], refusedBy: null, reason: '', closedHeight: 0, time: ctx.block.time, height: ctx.block.height,
    });
    ctx.emit(E.doc_registered, { id, digest: a.digest, registrant: ctx.signer, deadline: a.deadline });
    ctx.index(XchgIndexes.doc, XchgIndexKey.doc(a.digest), u64(id));
    return encode(DocIdResult, { id });
  }, { fails: ['NOT_AUTHORIZED', 'DOC_BAD_SIGNERS', 'DOC_BAD_DEADLINE'], result: DocIdResult }),

  sign_doc: method(SignDocArgs, "a listed signer signs a document with its own transaction (no signature), or anyone submits the signer's signature over the document's signing bytes; in group order, before the deadline", async (ctx, a) => {
    const d = await openDoc(ctx, a.id);
    if (ctx.block.time > d.deadline) fail('DOC_DEADLINE_PASSED', `document ${a.id}'s deadline ${d.deadline} has passed`);
    const g = groupOf(d, a.signer);
    if (g < 0) fail('DOC_NOT_SIGNER', `${hex(a.signer)} is not a signer of document ${a.id}`);
    if (hasSigned(d, a.signer)) fail('DOC_ALREADY_SIGNED', `${hex(a.signer)} has signed document ${a.id} already`);
    const current = currentGroup(d);
    if (g !== current) fail('DOC_OUT_OF_ORDER', `${hex(a.signer)} signs in group ${g}; group ${current} has not finished signing`, { group: g, current });
    let publicKey: Uint8Array | null = null;
    if (a.signature === null) {
      if (!equalBytes(a.signer, ctx.signer)) fail('DOC_BAD_SIGNATURE', "without a signature only the signer's own transaction signs");
    } else {
      const acct = await ctx.get(AccountSchema, AccountKeys.account(a.signer));
      if (acct === undefined || acct.threshold !== 1) fail('DOC_BAD_SIGNATURE', `${hex(a.signer)} is not an account of one key: it signs with its own transaction`);
      const payload = docSignPayload(a.id, d.digest);
      publicKey = acct.keys.find((k) => verifyFor(DOC_SIGN_TAG, ctx.block.chainId, payload, a.signature!, k)) ?? null;
      if (publicKey === null) fail('DOC_BAD_SIGNATURE', `the signature is not ${hex(a.signer)}'s over document ${a.id}`);
    }
    const signatures = [...d.signatures, { signer: a.signer, publicKey, signature: a.signature, txHash: ctx.txHash, time: ctx.block.time, height: ctx.block.height }];
    const done = signatures.length === d.groups.reduce((n, grp) => n + grp.length, 0);
    ctx.put(DocumentSchema, XchgKeys.doc(a.id), { ...d, signatures, ...(done ? { status: DocStatus.COMPLETE, closedHeight: ctx.block.height } : {}) });
    ctx.emit(E.doc_signed, { id: a.id, signer: a.signer, group: g });
    if (done) ctx.emit(E.doc_completed, { id: a.id, digest: d.digest, by: null, reason: '' });
  }, { fails: ['DOC_NOT_FOUND', 'DOC_CLOSED', 'DOC_DEADLINE_PASSED', 'DOC_NOT_SIGNER', 'DOC_ALREADY_SIGNED', 'DOC_OUT_OF_ORDER', 'DOC_BAD_SIGNATURE'] }),

  refuse_doc: method(RefuseDocArgs, 'a listed signer that has not signed refuses a document, with its reason: the document closes refused', async (ctx, a) => {
    const d = await openDoc(ctx, a.id);
    if (ctx.block.time > d.deadline) fail('DOC_DEADLINE_PASSED', `document ${a.id}'s deadline ${d.deadline} has passed`);
    if (groupOf(d, ctx.signer) < 0) fail('DOC_NOT_SIGNER', `${hex(ctx.signer)} is not a signer of document ${a.id}`);
    if (hasSigned(d, ctx.signer)) fail('DOC_ALREADY_SIGNED', `${hex(ctx.signer)} has signed document ${a.id}`);
    ctx.put(DocumentSchema, XchgKeys.doc(a.id), { ...d, status: DocStatus.REFUSED, refusedBy: ctx.signer, reason: a.reason, closedHeight: ctx.block.height });
    ctx.emit(E.doc_refused, { id: a.id, digest: d.digest, by: ctx.signer, reason: a.reason });
  }, { fails: ['DOC_NOT_FOUND', 'DOC_CLOSED', 'DOC_DEADLINE_PASSED', 'DOC_NOT_SIGNER', 'DOC_ALREADY_SIGNED'] }),

  expire_doc: method(ExpireDocArgs, 'anyone closes an open document whose deadline has passed: it closes expired', async (ctx, a) => {
    const d = await openDoc(ctx, a.id);
    if (ctx.block.time <= d.deadline) fail('DOC_NOT_EXPIRED', `document ${a.id}'s deadline ${d.deadline} has not passed (block time ${ctx.block.time})`);
    ctx.put(DocumentSchema, XchgKeys.doc(a.id), { ...d, status: DocStatus.EXPIRED, closedHeight: ctx.block.height });
    ctx.emit(E.doc_expired, { id: a.id, digest: d.digest, by: null, reason: '' });
  }, { fails: ['DOC_NOT_FOUND', 'DOC_CLOSED', 'DOC_NOT_EXPIRED'] }),
};
