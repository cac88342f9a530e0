/**
 * Every RPC method is declared once: name, summary, named parameters and result as TypeBox
 * schemas (JSON Schema), and a handler. Validation (compiled TypeBox checkers) and the
 * OpenRPC document (openrpc.ts) both come from these declarations, so they cannot drift.
 * Parameters may be given by position (array) or by name (object), as JSON-RPC allows.
 */
import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { mayCall } from './access.js';
import { RpcCodes, RpcError } from './errors.js';

export interface ParamSpec {
  readonly name: string;
  readonly schema: TSchema;
  readonly required: boolean;
  readonly description?: string;
}

export interface MethodSpec<C> {
  readonly name: string;
  readonly summary: string;
  readonly params: readonly ParamSpec[];
  readonly result: TSchema;
  /** Roles allowed to call it; empty: public. */
  readonly roles?: readonly string[];
  /** Its answer, or a promise of it (reads that need no I/O answer at once). */
  readonly handler: (ctx: C, params: Record<string, unknown>) => unknown;
}

export const param = <S extends TSchema>(name: string, schema: S, opts: { required?: boolean; description?: string } = {}): ParamSpec => ({
  name,
  schema,
  required: opts.required ?? true,
  ...(opts.description ? { description: opts.description } : {}),
});

interface Compiled<C> {
  spec: MethodSpec<C>;
  checks: TypeCheck<TSchema>[];
}

export class MethodRegistry<C> {
  private readonly methods = new Map<string, Compiled<C>>();

  add(spec: MethodSpec<C>): this {
    if (this.methods.has(spec.name)) throw new Error(`RPC method ${spec.name} declared twice`);
    this.methods.set(spec.name, { spec, checks: spec.params.map((p) => TypeCompiler.Compile(p.schema)) });
    return this;
  }

  list(): MethodSpec<C>[] {
    return [...this.methods.values()].map((m) => m.spec).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  get(name: string): MethodSpec<C> | undefined {
    return this.methods.get(name)?.spec;
  }

  /**
   * Check that a caller with `roles` may call `name`, validate `raw` params, and run the
   * handler. Throws RpcError (synchronously, or through the handler's promise). The one place
   * where method roles are enforced. The result is a value or a promise of it.
   */
  call(ctx: C, name: string, raw: unknown, roles: readonly string[] = []): unknown {
    const m = this.methods.get(name);
    if (!m) throw new RpcError(RpcCodes.METHOD_NOT_FOUND, `method not found: ${name.slice(0, 100)}`);
    if (!mayCall(m.spec.roles, roles)) {
      throw new RpcError(RpcCodes.UNAUTHORIZED, `${name} needs an API key with one of the roles: ${m.spec.roles!.join(', ')}`, { roles: m.spec.roles });
    }
    return m.spec.handler(ctx, this.bind(m, raw));
  }

  private bind(m: Compiled<C>, raw: unknown): Record<string, unknown> {
    const specs = m.spec.params;
    const out: Record<string, unknown> = {};
    let values: unknown[];
    if (raw === undefined || raw === null) {
      values = [];
    } else if (Array.isArray(raw)) {
      if (raw.length > specs.length) throw invalid(`expected at most ${specs.length} params, got ${raw.length}`);
      values = raw;
    } else if (typeof raw === 'object') {
      const obj = raw as Record<string, unknown>;
      for (const k of Object.keys(obj)) if (!specs.some((p) => p.name === k)) throw invalid(`unknown param "${k.slice(0, 64)}"`);
      values = specs.map((p) => obj[p.name]);
    } else {
      throw invalid('params must be an array or an object');
    }
    specs.forEach((p, i) => {
      const v = values[i];
      if (v === undefined) {
        if (p.required) throw invalid(`missing param "${p.name}"`);
        return;
      }
      const check = m.checks[i]!;
      if (!check.Check(v)) {
        const first = check.Errors(v).First();
        throw invalid(`param "${p.name}"${first?.path ? ` at ${first.path}` : ''}: ${first?.message ?? 'invalid'}`);
      }
      out[p.name] = v;
    });
    return out;
  }
}

function invalid(message: string): RpcError {
  return new RpcError(RpcCodes.INVALID_PARAMS, message);
}

export type { Static };
