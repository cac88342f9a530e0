/**
 * Subscriptions (WebSocket only): new blocks, an account's activity, events by module. Each
 * notification is `{"method":"sov_subscription","params":{"subscription":id,"result":...}}`
 * for one block, in height order; with `fromHeight` the missed blocks come first, from the
 * block store, then live ones, each exactly once. docs/rpc.md describes the payloads.
 */
import { Type } from '@sinclair/typebox';
import { RpcCodes, RpcError } from '../errors.js';
import { param, type MethodSpec } from '../registry.js';
import { Address, Height, type RpcContext, type SubscriptionHost } from './chain.js';

const host = (ctx: RpcContext): SubscriptionHost => {
  if (!ctx.subscriptions) throw new RpcError(RpcCodes.INVALID_REQUEST, 'subscriptions need a WebSocket connection');
  return ctx.subscriptions;
};

export const subscribeMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'sov_subscribe',
    summary: 'Subscribe (WebSocket only) to newBlocks, account (transactions an address signed or that mention it in an event) or events (by module, optionally event name), from a height (default: the next block). Returns the subscription id.',
    params: [
      param('topic', Type.Union([Type.Literal('newBlocks'), Type.Literal('account'), Type.Literal('events')])),
      param('filter', Type.Object({
        address: Type.Optional(Address), module: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })), name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      }, { additionalProperties: false }), { required: false, description: 'account: {address}; events: {module, name?}' }),
      param('fromHeight', Height, { required: false, description: 'first block to deliver (missed blocks are replayed from the store)' }),
    ],
    result: Type.String({ description: 'subscription id' }),
    handler: async (ctx, p) => {
      const topic = p.topic as 'newBlocks' | 'account' | 'events';
      const filter = (p.filter ?? {}) as { address?: string; module?: string; name?: string };
      if (topic === 'account' && !filter.address) throw new RpcError(RpcCodes.INVALID_PARAMS, 'topic "account" needs filter.address');
      if (topic === 'events' && !filter.module) throw new RpcError(RpcCodes.INVALID_PARAMS, 'topic "events" needs filter.module');
      return host(ctx).subscribe(topic, filter, p.fromHeight as number | undefined);
    },
  },
  {
    name: 'sov_unsubscribe',
    summary: 'Cancel a subscription of this WebSocket connection. Returns whether it existed.',
    params: [param('subscription', Type.String({ maxLength: 64 }))],
    result: Type.Boolean(),
    handler: async (ctx, p) => host(ctx).unsubscribe(p.subscription as string),
  },
];
