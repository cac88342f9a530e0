/**
 * The OpenRPC document of every method, derived from the method declarations (served at
 * `rpc.discover`, and the source of docs/rpc.md).
 */
import type { MethodSpec } from './registry.js';

export function openRpcDocument<C>(methods: readonly MethodSpec<C>[], info: { title: string; version: string }): Record<string, unknown> {
  return {
    openrpc: '1.2.6',
    info,
    methods: methods.map((m) => ({
      name: m.name,
      summary: m.summary,
      paramStructure: 'either',
      params: m.params.map((p) => ({ name: p.name, required: p.required, schema: p.schema, ...(p.description ? { description: p.description } : {}) })),
      result: { name: `${m.name}Result`, schema: m.result },
      ...(m.roles && m.roles.length ? { 'x-roles': m.roles } : {}),
    })),
  };
}
