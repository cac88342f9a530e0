/**
 * Subscriptions (WebSocket only): new blocks, an account's activity, events by module, and
 * compliance alerts. Each notification is
 * `{"method":"sov_subscription","params":{"subscription":id,"result":...}}` for one block, in
 * height order; with `fromHeight` the missed blocks come first, from the block store, then
 * live ones, each exactly once. docs/rpc.md describes the payloads. Alerts are supervisory
 * data: the `alerts` topic, and `events` of module comp, answer the regulator; a bank's key
 * bound to its institution may follow that institution's alerts.
 */
import { Type } from '@sinclair/typebox';
import { compQueriesOf, type CompAlertFilter } from '../comp-query.js';
import { RpcCodes, RpcError } from '../errors.js';
import { param, type MethodSpec } from '../registry.js';
import { Address, Height, type RpcContext, type SubscriptionHost } from './chain.js';

export type Topic = 'newBlocks' | 'account' | 'events' | 'alerts';
export interface SubscribeFilter extends CompAlertFilter {
  address?: string;
  module?: string;
  name?: string;
}
/** What the WebSocket server offers (ws-server.ts). */
export type Subscriptions = SubscriptionHost;

const host = (ctx: RpcContext): Subscriptions => {
  if (!ctx.subscriptions) throw new RpcError(RpcCodes.INVALID_REQUEST, 'subscriptions need a WebSocket connection');
  return ctx.subscriptions;
};

const FILTERS: Record<Topic, readonly (keyof SubscribeFilter)[]> = {
  newBlocks: [], account: ['address'], events: ['module', 'name'], alerts: ['institution', 'account', 'rule'],
};

export const subscribeMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'sov_subscribe',
    summary: "Subscribe (WebSocket only) to newBlocks, account (transactions an address signed or that mention it in an event), events (by module, optionally event name; module comp needs the regulator role) or alerts (compliance alerts and holds, optionally of one institution's customers, one account (payer or payee) or one rule; each notification `{height, blockHash, time, alerts, holds}` for a block with any that match: alerts as comp_alerts' items, holds as the `held` events `{id, rule, from, to, amount, currency, escrow, time, height, tx}`; role regulator, or a bank's key bound to its institution with `filter.institution` its own), from a height (default: the next block). Returns the subscription id.",
    params: [
      param('topic', Type.Union([Type.Literal('newBlocks'), Type.Literal('account'), Type.Literal('events'), Type.Literal('alerts')])),
      param('filter', Type.Object({
        address: Type.Optional(Address), module: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })), name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        institution: Type.Optional(Address), account: Type.Optional(Address), rule: Type.Optional(Type.String({ minLength: 3, maxLength: 60, description: 'name@version' })),
      }, { additionalProperties: false }), { required: false, description: 'account: {address}; events: {module, name?}; alerts: {institution?, account?, rule?}' }),
      param('fromHeight', Height, { required: false, description: 'first block to deliver (missed blocks are replayed from the store)' }),
    ],
    result: Type.String({ description: 'subscription id' }),
    handler: async (ctx, p) => {
      const topic = p.topic as Topic;
      const filter = (p.filter ?? {}) as SubscribeFilter;
      const h = host(ctx);
      const stray = Object.keys(filter).filter((k) => !FILTERS[topic].includes(k as keyof SubscribeFilter));
      if (stray.length > 0) throw new RpcError(RpcCodes.INVALID_PARAMS, `topic "${topic}" takes no filter.${stray.join(', filter.')}${FILTERS[topic].length ? ` (its filter: ${FILTERS[topic].join(', ')})` : ''}`);
      if (topic === 'account' && !filter.address) throw new RpcError(RpcCodes.INVALID_PARAMS, 'topic "account" needs filter.address');
      if (topic === 'events' && !filter.module) throw new RpcError(RpcCodes.INVALID_PARAMS, 'topic "events" needs filter.module');
      if (topic === 'events' && filter.module === 'comp' && !(ctx.caller?.roles ?? []).includes('regulator')) {
        throw new RpcError(RpcCodes.UNAUTHORIZED, 'events of module comp (compliance alerts, holds, rule decisions) are supervisory data: they need an API key with the regulator role', { roles: ['regulator'] });
      }
      if (topic === 'alerts') {
        const q = compQueriesOf(ctx.facade);
        await q.checkAlertFilter(filter);
        await q.ownOnly(await q.supervision(ctx.caller, 'the alerts topic'), filter.institution, 'alerts');
      }
      return h.subscribe(topic, filter, p.fromHeight as number | undefined);
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
