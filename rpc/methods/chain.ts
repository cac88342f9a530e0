/**
 * The first methods: chain status, blocks, submitting a transaction, account lookup.
 */
import { Type } from '@sinclair/typebox';
import { fromHex } from '../../core/index.js';
import { RpcCodes, RpcError } from '../errors.js';
import { param, type MethodSpec } from '../registry.js';
import type { NodeFacade } from '../facade.js';
import type { AccessControl, Caller } from '../access.js';

/** What sov_subscribe / sov_unsubscribe act on: the WebSocket connection they came over. */
export interface SubscriptionHost {
  subscribe(
    topic: 'newBlocks' | 'account' | 'events' | 'alerts',
    filter: { address?: string; module?: string; name?: string; institution?: string; account?: string; rule?: string },
    fromHeight: number | undefined,
  ): string;
  unsubscribe(id: string): boolean;
}

export interface RpcContext {
  facade: NodeFacade;
  /** Present on WebSocket connections only. */
  subscriptions?: SubscriptionHost;
  /** Who is calling (absent: the public, unidentified). */
  caller?: Caller;
  /** The node's access control, when it has one (for sov_whoami and admin_rpcAccess). */
  access?: AccessControl;
}

export const Hex = Type.String({ pattern: '^0x([0-9a-fA-F]{2})*$', description: 'bytes as 0x-prefixed hex' });
export const Hash = Type.String({ pattern: '^0x[0-9a-f]{64}$', description: '32-byte hash, 0x-hex' });
export const Height = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'block height' });
export const Address = Type.String({ minLength: 4, maxLength: 90, description: 'bech32m address with the chain prefix' });

export const CommitView = Type.Object({
  height: Type.Integer(),
  round: Type.Integer(),
  blockHash: Hash,
  signatures: Type.Array(Type.Object({ validator: Hex, signature: Hex })),
});
export const HeaderView = Type.Object({
  version: Type.Integer(), chainId: Type.String(), height: Type.Integer(), time: Type.Integer(), lastBlockHash: Hash, lastCommitHash: Hash,
  txRoot: Hash, txCount: Type.Integer(), stateRoot: Hash, resultsRoot: Hash, validatorsHash: Hash, nextValidatorsHash: Hash, evidenceHash: Hash, proposer: Hex,
});

export const chainMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'sov_status',
    summary: "The node's chain, latest committed height, block hash, state root and peers.",
    params: [],
    result: Type.Object({
      chainId: Type.String(), addressPrefix: Type.String(), moniker: Type.String(), nodeId: Type.String(), height: Type.Integer(), blockHash: Type.Union([Hash, Type.Null()]),
      stateRoot: Type.Union([Hash, Type.Null()]), time: Type.Union([Type.Integer(), Type.Null()]), peers: Type.Integer(),
      validator: Type.Union([Type.String(), Type.Null()]), syncing: Type.Boolean(),
    }),
    handler: (ctx) => ctx.facade.status(),
  },
  {
    name: 'sov_getBlock',
    summary: 'A block by height, with its header, transaction hashes and commit certificate.',
    params: [param('height', Height)],
    result: Type.Object({ hash: Hash, header: HeaderView, txs: Type.Array(Hash), lastCommit: Type.Union([CommitView, Type.Null()]), commit: Type.Union([CommitView, Type.Null()]) }),
    handler: async (ctx, p) => {
      const b = await ctx.facade.blockByHeight(p.height as number);
      if (!b) throw new RpcError(RpcCodes.NOT_FOUND, `no block at height ${p.height}`);
      return b;
    },
  },
  {
    name: 'sov_getBlockByHash',
    summary: 'A block by its hash (the hash of its header), as sov_getBlock answers it.',
    params: [param('hash', Hash)],
    result: Type.Object({ hash: Hash, header: HeaderView, txs: Type.Array(Hash), lastCommit: Type.Union([CommitView, Type.Null()]), commit: Type.Union([CommitView, Type.Null()]) }),
    handler: async (ctx, p) => {
      const height = await ctx.facade.blockHeightOf(fromHex(p.hash as string));
      const b = height === null ? null : await ctx.facade.blockByHeight(height);
      if (!b) throw new RpcError(RpcCodes.NOT_FOUND, `no block with hash ${p.hash as string} on this node`);
      return b;
    },
  },
  {
    name: 'sov_sendTransaction',
    summary: 'Submit a signed transaction (canonical bytes). Returns its hash at once, or with wait=true once it is committed.',
    params: [
      param('tx', Type.String({ pattern: '^0x([0-9a-fA-F]{2})+$', maxLength: 2 * 1024 * 1024 + 2 }), { description: 'the signed transaction, 0x-hex' }),
      param('wait', Type.Boolean(), { required: false, description: 'wait until committed (default false); after the node\'s rpc.tx_wait_timeout_ms (default 60 s) the answer is status pending' }),
    ],
    result: Type.Object({
      hash: Hash, status: Type.Union([Type.Literal('pending'), Type.Literal('committed'), Type.Literal('failed')]),
      height: Type.Union([Type.Integer(), Type.Null()]), code: Type.Union([Type.Integer(), Type.Null()]), message: Type.Union([Type.String(), Type.Null()]),
      relayedTo: Type.Optional(Type.Integer({ minimum: 0, description: 'on a pending answer: the peers this node relayed it to; 0: no peer was linked, and it waits here, offered to every peer that connects' })),
    }),
    handler: (ctx, p) => ctx.facade.submitTx(fromHex(p.tx as string), p.wait === true),
  },
  {
    name: 'sov_getAccount',
    summary: "An account's state (keys, nonce, balances) by address.",
    params: [param('address', Address)],
    result: Type.Object({ address: Type.String(), nonce: Type.Integer() }, { additionalProperties: true }),
    handler: async (ctx, p) => {
      const a = await ctx.facade.account(p.address as string);
      if (!a) throw new RpcError(RpcCodes.NOT_FOUND, `no account ${p.address}`);
      return a;
    },
  },
];
