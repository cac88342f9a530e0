/**
 * The caller's own identity (public), and operator methods for API keys with the admin role:
 * connected peers, the mempool's fill and limits, and the loaded API keys (names, roles and
 * rates, never hashes). All cheap reads; nothing here changes the node.
 */
import { Type } from '@sinclair/typebox';
import type { MethodSpec } from '../registry.js';
import type { RpcContext } from './chain.js';

const Rate = Type.Object({ perSecond: Type.Number({ description: 'calls per second; 0: unlimited' }), burst: Type.Integer() });
const Roles = Type.Array(Type.Union([Type.Literal('bank'), Type.Literal('regulator'), Type.Literal('admin')]));
const ADMIN = ['admin'] as const;

export const adminMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'sov_whoami',
    summary: 'Who the node takes the caller for: the API key name (null for the public), its roles, the remote address, and the rate limit that applies.',
    params: [],
    result: Type.Object({ key: Type.Union([Type.String(), Type.Null()]), roles: Roles, address: Type.String(), rateLimit: Type.Union([Rate, Type.Null()]) }),
    handler: async (ctx) => {
      const c = ctx.caller ?? { key: null, roles: [], address: 'unknown' };
      const limiter = ctx.access?.opts.limiter;
      let rateLimit = null;
      if (limiter) rateLimit = c.key === null ? limiter.opts.perAddress : ctx.access!.describeKeys().find((k) => k.name === c.key)?.rateLimit ?? null;
      return { key: c.key, roles: c.roles, address: c.address, rateLimit };
    },
  },
  {
    name: 'admin_peers',
    summary: 'Connected peer nodes: libp2p id, remote address, validator or observer, and who dialled. Role: admin.',
    params: [],
    roles: ADMIN,
    result: Type.Array(Type.Object({
      id: Type.String(), address: Type.Union([Type.String(), Type.Null()]),
      role: Type.Union([Type.Literal('validator'), Type.Literal('observer')]), direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]),
    })),
    handler: (ctx) => ctx.facade.peers(),
  },
  {
    name: 'admin_mempool',
    summary: 'The mempool: transactions and bytes held, and its limits (config [mempool]). Role: admin.',
    params: [],
    roles: ADMIN,
    result: Type.Object({ count: Type.Integer(), bytes: Type.Integer(), maxTxs: Type.Integer(), maxBytes: Type.Integer(), maxPerAccount: Type.Integer() }),
    handler: (ctx) => ctx.facade.mempool(),
  },
  {
    name: 'admin_rpcAccess',
    summary: 'The RPC access control in force: the loaded API keys (names, roles, rates; never hashes), the per-address rate, and how many addresses are tracked. Role: admin.',
    params: [],
    roles: ADMIN,
    result: Type.Object({
      keys: Type.Array(Type.Object({ name: Type.String(), roles: Roles, rateLimit: Type.Union([Rate, Type.Null()]) })),
      perAddress: Type.Union([Rate, Type.Null()]),
      addressesTracked: Type.Integer(),
    }),
    handler: async (ctx) => {
      const limiter = ctx.access?.opts.limiter;
      return { keys: ctx.access?.describeKeys() ?? [], perAddress: limiter?.opts.perAddress ?? null, addressesTracked: limiter?.addressCount ?? 0 };
    },
  },
];
