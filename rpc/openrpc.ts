/**
 * The OpenRPC document of every method, derived from the method declarations (served at
 * `rpc.discover`, and the source of docs/rpc.md): shared schemas (addresses, hashes,
 * heights) under `components.schemas` and referenced by `$ref`, the error codes under
 * `components.errors`, and each method's request and response example recorded from a real
 * node (rpc/examples.json, written by node/test/rpc-examples.ts).
 */
import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import type { MethodSpec } from './registry.js';
import { RPC_CODE_MEANINGS, RpcCodes } from './errors.js';
import { Address, Hash, Height } from './methods/chain.js';

/** A recorded example: the params sent and the result (or error) answered. */
export interface RpcExample {
  params: unknown;
  result?: unknown;
  error?: { code: number; message: string };
  note?: string;
}

let examples: Readonly<Record<string, RpcExample>> | null = null;
/** The recorded examples (rpc/examples.json), read once. */
export function rpcExamples(): Readonly<Record<string, RpcExample>> {
  examples ??= JSON.parse(readFileSync(new URL('../../rpc/examples.json', import.meta.url), 'utf8')) as Record<string, RpcExample>;
  return examples;
}

/** The schemas shared by many methods, by name (matched by identity in the declarations). */
export const SHARED_SCHEMAS: Readonly<Record<string, TSchema>> = { Address, Hash, Height };

/** `schema` with every shared schema replaced by a $ref to components.schemas. */
function withRefs(schema: unknown): unknown {
  for (const [name, s] of Object.entries(SHARED_SCHEMAS)) if (schema === s) return { $ref: `#/components/schemas/${name}` };
  if (Array.isArray(schema)) return schema.map(withRefs);
  if (schema !== null && typeof schema === 'object') return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, withRefs(v)]));
  return schema;
}

function exampleOf(name: string, m: MethodSpec<unknown>, ex: RpcExample | undefined): unknown[] {
  if (ex === undefined) return [];
  const params = Array.isArray(ex.params)
    ? ex.params.map((value, i) => ({ name: m.params[i]?.name ?? `p${i}`, value }))
    : Object.entries(ex.params as Record<string, unknown>).map(([k, value]) => ({ name: k, value }));
  return [{
    name: `${name} example`, ...(ex.note ? { description: ex.note } : {}), params,
    result: ex.error ? { name: 'error', value: ex.error } : { name: `${name}Result`, value: ex.result },
  }];
}

export function openRpcDocument<C>(methods: readonly MethodSpec<C>[], info: { title: string; version: string }): Record<string, unknown> {
  const ex = rpcExamples();
  return {
    openrpc: '1.2.6',
    info,
    methods: methods.map((m) => ({
      name: m.name,
      summary: m.summary,
      paramStructure: 'either',
      params: m.params.map((p) => ({ name: p.name, required: p.required, schema: withRefs(p.schema), ...(p.description ? { description: p.description } : {}) })),
      result: { name: `${m.name}Result`, schema: withRefs(m.result) },
      errors: [{ $ref: '#/components/errors/INVALID_PARAMS' }, { $ref: '#/components/errors/INTERNAL_ERROR' }, ...(m.roles?.length ? [{ $ref: '#/components/errors/UNAUTHORIZED' }] : [])],
      examples: exampleOf(m.name, m as MethodSpec<unknown>, ex[m.name]),
      ...(m.roles && m.roles.length ? { 'x-roles': m.roles } : {}),
    })),
    components: {
      schemas: SHARED_SCHEMAS,
      errors: Object.fromEntries(Object.entries(RpcCodes).map(([name, code]) => [name, { code, message: RPC_CODE_MEANINGS[name as keyof typeof RpcCodes] }])),
    },
  };
}
