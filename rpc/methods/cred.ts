/**
 * Credential methods: the ledger's proofs for verifying a credential offline (`cred_proofs`:
 * one bundle of proven records at one height, rpc/cred-proofs.ts), and verification on the
 * node (`cred_verify`: the SDK's checks run here against this node's state, answering which
 * check failed).
 */
import { Type } from '@sinclair/typebox';
import { decodeAddress, fromHex, ValidatorSet } from '../../core/index.js';
import { param, type MethodSpec } from '../registry.js';
import { credProofBundle } from '../cred-proofs.js';
import { RpcCodes, RpcError } from '../errors.js';
import { ledgerRefOf, verifyCredentialPackage, type CredentialPackage } from '../client/credentials.js';
import { Address, CommitView, HeaderView, Hex, type RpcContext } from './chain.js';

const Index = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const CredProofBundleView = Type.Object({
  height: Type.Integer(),
  header: HeaderView,
  commit: CommitView,
  records: Type.Array(Type.Object({ query: Type.Record(Type.String(), Type.Union([Type.String(), Type.Integer()])), raw: Type.Union([Hex, Type.Null()]), proof: Hex })),
});

export const credMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'cred_proofs',
    summary: "The ledger's proofs for verifying a credential offline, at the latest height: the issuer's accreditation and its accreditor's, the issuer's account and key history, the anchor of the credential's batch and its schema, the chunks holding its revocation and suspension bits; with that height's header and commit certificate.",
    params: [
      param('issuer', Address, { description: "the issuer's ledger account" }),
      param('batch', Index, { description: "the batch's first status index (the anchor's key)" }),
      param('index', Index, { description: "the credential's status index" }),
    ],
    result: CredProofBundleView,
    handler: async (ctx, p) => {
      const h = ctx.facade.head();
      return credProofBundle((q, height) => Promise.resolve(ctx.facade.record(q, height, true)) as never, p.issuer as string, p.batch as number, p.index as number, h);
    },
  },
  {
    name: 'cred_verify',
    summary: "Verify a presented credential (a package: the credential, VC JSON or an SD-JWT VC, with its position and Merkle path in its batch) against this node's latest state, as the SDK does offline: the signature, the issuer's key, accreditation, anchor, schema and claims, validity and status. Answers which check failed.",
    params: [
      param('package', Type.Object({
        format: Type.Union([Type.Literal('vc'), Type.Literal('sd-jwt')]),
        credential: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.String({ maxLength: 256 * 1024 })]),
        inclusion: Type.Object({ position: Type.Integer({ minimum: 0 }), count: Type.Integer({ minimum: 1, maximum: 10_000 }), path: Type.Array(Hex, { maxItems: 64 }) }),
      })),
      param('aud', Type.String({ maxLength: 256 }), { required: false, description: "an SD-JWT presentation's audience (its key binding must name it)" }),
      param('nonce', Type.String({ maxLength: 256 }), { required: false, description: "the nonce the holder's key binding must carry" }),
      param('requireDisclosed', Type.Array(Type.String({ maxLength: 128 }), { maxItems: 64 }), { required: false, description: 'claims an SD-JWT presentation must disclose' }),
    ],
    result: Type.Object({
      valid: Type.Boolean(), code: Type.Union([Type.String(), Type.Null()]), message: Type.Union([Type.String(), Type.Null()]),
      issuer: Type.Union([Type.String(), Type.Null()]), index: Type.Union([Type.Integer(), Type.Null()]), height: Type.Integer(),
      claims: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    }),
    handler: async (ctx, p) => {
      const pkg = p.package as CredentialPackage;
      const status = await ctx.facade.status();
      const h = ctx.facade.head();
      let ref;
      try {
        ref = ledgerRefOf(pkg);
      } catch (e) {
        return { valid: false, code: 'CRED_MALFORMED', message: (e as Error).message, issuer: null, index: null, height: h, claims: null };
      }
      let bundle;
      try {
        bundle = await credProofBundle((q, height) => Promise.resolve(ctx.facade.record(q, height, true)) as never, ref.issuer, ref.batch, ref.index, h);
      } catch (e) {
        if (e instanceof RpcError && e.rpcCode === RpcCodes.INVALID_PARAMS) return { valid: false, code: 'CRED_MALFORMED', message: e.message, issuer: ref.issuer, index: ref.index, height: h, claims: null };
        throw e;
      }
      const v = await ctx.facade.validators(h);
      const validators = new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, status.addressPrefix), publicKey: fromHex(x.publicKey, 32), power: x.power })));
      const verdict = verifyCredentialPackage(pkg, bundle, {
        chainId: status.chainId, addressPrefix: status.addressPrefix, validators,
        ...(p.aud !== undefined ? { aud: p.aud as string } : {}), ...(p.nonce !== undefined ? { nonce: p.nonce as string } : {}),
        ...(p.requireDisclosed !== undefined ? { requireDisclosed: p.requireDisclosed as string[] } : {}),
      });
      return verdict.valid
        ? { valid: true, code: null, message: null, issuer: verdict.issuer, index: verdict.index, height: verdict.height, claims: verdict.claims }
        : { valid: false, code: verdict.code, message: verdict.message, issuer: ref.issuer, index: ref.index, height: h, claims: null };
    },
  },
];
