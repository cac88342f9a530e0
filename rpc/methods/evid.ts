/**
 * Equivocation methods (vm evid): the double-sign evidence recorded in state, with the state
 * proofs of the records it was read from at one height, verifiable offline against a commit
 * certificate and the validator set (rpc/evid-query.ts verifyEquivocations). Equivocations
 * are public: the validators are public bodies.
 */
import { Type } from '@sinclair/typebox';
import { param, type MethodSpec } from '../registry.js';
import { equivocations, MAX_EQUIVOCATIONS, type EquivocationsQuery } from '../evid-query.js';
import { Address, Hash, Height, Hex, type RpcContext } from './chain.js';
import { CredProofBundleView } from './cred.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const VoteTypeView = Type.Union([Type.Literal('prevote'), Type.Literal('precommit'), Type.Integer()]);
const VoteView = Type.Object({ type: VoteTypeView, height: Type.Integer(), round: Type.Integer(), blockHash: Nullable(Hash), validator: Address, signature: Hex });
const Item = Type.Object({
  validator: Address, publicKey: Hex, height: Type.Integer({ description: 'the height it signed twice at' }), round: Type.Integer(), voteType: VoteTypeView,
  voteA: VoteView, voteB: VoteView, evidenceHash: Hash, power: Type.Integer({ description: 'its power in the set in effect at that height' }),
  recordedHeight: Type.Integer({ description: 'the block that carried the evidence' }), recordedTime: Type.Integer(),
  suspendedFrom: Nullable(Type.Integer({ description: 'the height its automatic suspension took effect from' })),
  decision: Type.Union([Type.Literal('pending'), Type.Literal('remove'), Type.Literal('reweight'), Type.Literal('reinstate')]),
  decidedPower: Nullable(Type.Integer({ description: 'the power the decision left it with (0: removed)' })), legalRef: Type.String(), decidedHeight: Nullable(Type.Integer()),
});

export const evidMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'evid_equivocations',
    summary: `The equivocations recorded in state (module evid: double-sign evidence a block carried, verified against the validator set of its height): each validator's two conflicting votes, its power then, the height its automatic suspension took effect from, and the council's decision (resolve_equivocation) with its legal reference; of one validator or all, by evidence height; with the proofs of the list of equivocations and of each record, so the answer is complete and verifiable offline. At most ${MAX_EQUIVOCATIONS} per answer (\`truncated\` says more matched).`,
    params: [
      param('validator', Address, { required: false, description: 'one validator (default: all)' }),
      param('from', Height, { required: false, description: 'evidence heights from (inclusive)' }),
      param('to', Height, { required: false, description: 'evidence heights to (inclusive)' }),
      param('limit', Type.Integer({ minimum: 1, maximum: MAX_EQUIVOCATIONS }), { required: false, description: 'most items (default 100)' }),
    ],
    result: Type.Object({ height: Type.Integer(), items: Type.Array(Item), truncated: Type.Boolean(), proofs: CredProofBundleView }),
    handler: (ctx, p) => equivocations(ctx.facade, p as unknown as EquivocationsQuery),
  },
];
