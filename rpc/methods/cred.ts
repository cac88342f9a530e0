/**
 * Credential methods: the ledger's proofs for verifying a credential offline (`cred_proofs`:
 * one bundle of proven records at one height, rpc/cred-proofs.ts), and verification on the
 * node (`cred_verify`: the SDK's checks run here against this node's state, answering which
 * check failed).
 */
import { Type } from '@sinclair/typebox';
import { param, type MethodSpec } from '../registry.js';
import { credProofBundle } from '../cred-proofs.js';
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
];
