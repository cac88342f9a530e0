/**
 * Read methods for wallets, banks and regulators: transactions with receipts, commit
 * certificates, validators, any vm state record (optionally with its proof, header and
 * certificate), and an account's transactions and events, paged.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { RpcCodes, RpcError } from '../errors.js';
import { param, type MethodSpec } from '../registry.js';
import { BUILTIN, type Registry } from '../../vm/index.js';
import { Address, CommitView, Hash, HeaderView, Height, Hex, type RpcContext } from './chain.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()]);
const Fields = Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'decoded by the module\'s schema, with field names (null: no schema for it)' }));
const EventView = Type.Object({ module: Type.String(), name: Type.String(), data: Hex, fields: Fields });
const ReceiptView = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('failed')]), code: Type.Integer(), codeName: Nullable(Type.String()),
  message: Type.String(), work: Type.Integer(), events: Type.Array(EventView), result: Hex,
});
const Cursor = Type.Object({
  height: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), index: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
  event: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
}, { additionalProperties: false });
const PageParams = [
  param('after', Cursor, { required: false, description: 'cursor: the `next` of the previous page' }),
  param('limit', Type.Integer({ minimum: 1, maximum: 1000 }), { required: false, description: 'items per page (default 100)' }),
  param('order', Type.Union([Type.Literal('asc'), Type.Literal('desc')]), { required: false, description: 'oldest first (default) or newest first' }),
];
/** The `query` param of sov_getRecord under `reg`: a record kind, and every key field any kind takes (each with its form). */
export function recordQuerySchema(reg: Registry = BUILTIN) {
  const fields: Record<string, TSchema> = {};
  for (const [name, f] of reg.keyFields) {
    fields[name] = Type.Optional(
      f.kind === 'address' ? Address
        : f.kind === 'id' ? Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
          : f.pattern ? Type.String({ pattern: f.pattern.source, description: `matches ${f.pattern.source}` })
            : Type.String({ minLength: 1, maxLength: f.kind === 'hashedText' ? 256 : 64 }),
    );
  }
  return Type.Object({
    kind: Type.Union(reg.records.map((r) => Type.Literal(r.name)), { description: 'record kind' }),
    ...fields,
  }, { additionalProperties: false });
}
export const RecordQuery = recordQuerySchema(BUILTIN);
export const ProofView = Type.Object({ proof: Hex, header: HeaderView, commit: CommitView });
export const RecordView = Type.Object({
  kind: Type.String(), key: Hex, height: Type.Integer(), value: Type.Unknown(), raw: Nullable(Hex), proof: Type.Optional(ProofView),
});

/** The read methods, for a chain of the modules of `reg`. */
export const queryMethods = (reg: Registry = BUILTIN): MethodSpec<RpcContext>[] => [
  {
    name: 'sov_getTransaction',
    summary: 'A committed transaction by hash: where it is, its bytes, signer, module and method, and its receipt with events.',
    params: [param('hash', Hash)],
    result: Type.Object({
      hash: Hash, height: Type.Integer(), index: Type.Integer(), tx: Hex, signer: Type.String(), nonce: Type.Integer(), module: Type.String(), method: Type.String(), args: Fields, receipt: ReceiptView,
    }),
    handler: async (ctx, p) => {
      const t = await ctx.facade.txByHash(p.hash as string);
      if (!t) throw new RpcError(RpcCodes.NOT_FOUND, `no committed transaction ${p.hash}`);
      return t;
    },
  },
  {
    name: 'sov_getCommit',
    summary: 'The commit certificate of a height: more than 2/3 of the voting power precommitting its block.',
    params: [param('height', Height)],
    result: CommitView,
    handler: async (ctx, p) => {
      const c = await ctx.facade.commitByHeight(p.height as number);
      if (!c) throw new RpcError(RpcCodes.NOT_FOUND, `no commit at height ${p.height}`);
      return c;
    },
  },
  {
    name: 'sov_getValidators',
    summary: 'The validator set held in state at a height (default: the latest), with addresses, public keys, voting powers and the node keys their libp2p nodes are admitted by.',
    params: [param('height', Height, { required: false })],
    result: Type.Object({
      height: Type.Integer(), totalPower: Type.Integer(),
      validators: Type.Array(Type.Object({ address: Type.String(), publicKey: Hex, power: Type.Integer(), nodeKey: Type.Union([Hex, Type.Null()]) })),
    }),
    handler: (ctx, p) => ctx.facade.validators(p.height as number | undefined),
  },
  {
    name: 'sov_getRecord',
    summary: 'Any vm state record by kind and key fields (account, balance, currency, institution, proposal, ...), at a height; with prove=true also its state proof, header and commit certificate.',
    params: [
      param('query', recordQuerySchema(reg)),
      param('height', Height, { required: false, description: 'state height (default: the latest)' }),
      param('prove', Type.Boolean(), { required: false, description: 'include the proof, header and commit (default false)' }),
    ],
    result: RecordView,
    handler: (ctx, p) => ctx.facade.record(p.query as never, p.height as number | undefined, p.prove === true),
  },
  {
    name: 'sov_getAccountTransactions',
    summary: 'Transactions of an account: those it signed and those that changed its balances (payments to it, mints, payouts), paged by (height, index).',
    params: [param('address', Address), ...PageParams],
    result: Type.Object({ items: Type.Array(Type.Object({ height: Type.Integer(), index: Type.Integer(), hash: Hash })), next: Nullable(Cursor) }),
    handler: (ctx, p) => ctx.facade.txsByAccount(p.address as string, p as never),
  },
  {
    name: 'sov_getAccountEvents',
    summary: "Events of an account's transactions (as sov_getAccountTransactions lists them), paged by (height, index, event).",
    params: [param('address', Address), ...PageParams],
    result: Type.Object({
      items: Type.Array(Type.Object({ height: Type.Integer(), index: Type.Integer(), event: Type.Integer(), module: Type.String(), name: Type.String(), data: Hex, fields: Fields })),
      next: Nullable(Cursor),
    }),
    handler: (ctx, p) => ctx.facade.eventsByAccount(p.address as string, p as never),
  },
];
