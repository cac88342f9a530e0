/**
 * The recorded request and response examples (rpc/examples.json, written from a real node by
 * node/test/rpc-examples.ts) against the method declarations: every method has one; its
 * params fit the method's param schemas (each required one present, none unknown); a result
 * fits the result schema and an error carries one of the documented codes. So an API change
 * that leaves an example stale fails here until the examples are recorded again.
 */
import t from 'tap';
import { Value } from '@sinclair/typebox/value';
import { buildRegistry, RpcCodes } from '../index.js';
import { rpcExamples } from '../openrpc.js';

const reg = buildRegistry('test');
const ex = rpcExamples();

t.test('every method has an example that fits its schemas', async (tt) => {
  for (const m of reg.list()) {
    const e = ex[m.name];
    if (!tt.ok(e, `${m.name} has an example`)) continue;
    const named: Record<string, unknown> = Array.isArray(e!.params) ? Object.fromEntries((e!.params as unknown[]).map((v, i) => [m.params[i]?.name ?? `#${i}`, v])) : (e!.params as Record<string, unknown>);
    for (const p of m.params) {
      if (named[p.name] === undefined) tt.notOk(p.required, `${m.name}: required param ${p.name} given`);
      else tt.ok(Value.Check(p.schema, named[p.name]), `${m.name}: param ${p.name} fits its schema`);
    }
    for (const k of Object.keys(named)) tt.ok(m.params.some((p) => p.name === k), `${m.name}: param ${k} is declared`);
    if (e!.error) tt.ok((Object.values(RpcCodes) as number[]).includes(e!.error.code), `${m.name}: its error code ${e!.error.code} is documented`);
    else {
      const errors = [...Value.Errors(m.result, e!.result)].slice(0, 3).map((x) => `${x.path}: ${x.message}`);
      tt.same(errors, [], `${m.name}: its result fits the result schema`);
    }
  }
  for (const name of Object.keys(ex)) tt.ok(reg.list().some((m) => m.name === name), `the example of ${name} is of a method that exists`);
});
