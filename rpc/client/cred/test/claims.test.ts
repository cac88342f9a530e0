/** Claims against JSON Schemas: results, dialects, formats, refusals, the bounded cache and ajv's registry kept empty. */
import t from 'tap';
import { checkSchema, clearSchemaCache, SCHEMA_CACHE_LIMIT, validateClaims } from '../index.js';

const licence = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    birthdate: { type: 'string', format: 'date' },
    email: { type: 'string', format: 'email' },
    classes: { type: 'array', items: { enum: ['A', 'B', 'C1', 'D'] }, minItems: 1, uniqueItems: true },
    points: { type: 'integer', minimum: 0, maximum: 12 },
  },
  required: ['name', 'birthdate', 'classes'],
  additionalProperties: false,
};

t.test('valid and invalid claims (draft-07 by default)', async (tt) => {
  tt.same(validateClaims(licence, { name: 'Ada', birthdate: '1815-12-10', classes: ['B'], points: 3 }), { ok: true });
  const r = validateClaims(licence, { name: '', birthdate: '1815-13-10', classes: ['Z'], points: 13, email: 'nope', extra: 1 });
  tt.equal(r.ok, false);
  const errors = r.ok ? [] : r.errors;
  tt.ok(errors.includes('/name must NOT have fewer than 1 characters'), errors.join('; '));
  tt.ok(errors.includes('/birthdate must match format "date"'));
  tt.ok(errors.includes('/email must match format "email"'));
  tt.ok(errors.includes('/points must be <= 12'));
  tt.ok(errors.some((e) => e.startsWith('/classes/0 must be equal to one of the allowed values')));
  tt.ok(errors.includes('/ must NOT have additional properties'));
  const missing = validateClaims(licence, {});
  tt.same(missing.ok ? [] : missing.errors.sort(), ["/ must have required property 'birthdate'", "/ must have required property 'classes'", "/ must have required property 'name'"]);
  tt.throws(() => validateClaims(licence, { name: new Date() }), { code: 'CRED_MALFORMED' }, 'claims that are not JSON');
});

t.test('2020-12 and 2019-09 dialects by $schema', async (tt) => {
  const s2020 = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false };
  tt.same(validateClaims(s2020, ['a', 1]), { ok: true });
  tt.equal(validateClaims(s2020, ['a', 1, 2]).ok, false, 'items: false after prefixItems');
  const s2019 = { $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'object', properties: { a: { type: 'string' } }, unevaluatedProperties: false };
  tt.same(validateClaims(s2019, { a: 'x' }), { ok: true });
  tt.equal(validateClaims(s2019, { a: 'x', b: 1 }).ok, false);
});

t.test('schemas ajv cannot compile are CRED_SCHEMA_INVALID', async (tt) => {
  const bad: [string, object][] = [
    ['an unknown type', { type: 'nonsense' }],
    ['an unknown keyword (strict)', { type: 'object', mustHave: ['a'] }],
    ['an unknown format (strict)', { type: 'string', format: 'licence-number' }],
    ['a bad $ref', { $ref: '#/definitions/missing' }],
    ['a keyword of the wrong type', { type: 'string', minLength: 'three' }],
    ['an unsupported dialect', { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }],
    ['a bad pattern', { type: 'string', pattern: '(' }],
  ];
  for (const [what, schema] of bad) {
    tt.throws(() => validateClaims(schema, {}), { code: 'CRED_SCHEMA_INVALID' }, what);
    tt.throws(() => checkSchema(schema), { code: 'CRED_SCHEMA_INVALID' }, `${what} (cached failure)`);
  }
  tt.throws(() => validateClaims('schema' as unknown as object, {}), { code: 'CRED_MALFORMED' }, 'a schema that is not an object');
  tt.doesNotThrow(() => checkSchema(licence));
});

t.test("$id, $ref and recursion work with ajv's registry emptied after each compile", async (tt) => {
  const v1 = { $id: 'https://registry.example/schemas/person', type: 'object', properties: { age: { $ref: '#/definitions/age' } }, definitions: { age: { type: 'integer', minimum: 0 } } };
  const v2 = { ...v1, definitions: { age: { type: 'integer', minimum: 18 } } };
  tt.same(validateClaims(v1, { age: 5 }), { ok: true }, 'the first schema with an $id');
  tt.equal(validateClaims(v2, { age: 5 }).ok, false, 'a second, different schema with the same $id compiles and applies its own rule');
  tt.same(validateClaims(v1, { age: 5 }), { ok: true }, 'and the first still applies its own');
  const tree = { $id: 'https://registry.example/schemas/tree', type: 'object', properties: { children: { type: 'array', items: { $ref: '#' } }, name: { type: 'string' } }, required: ['name'] };
  tt.same(validateClaims(tree, { name: 'a', children: [{ name: 'b', children: [{ name: 'c' }] }] }), { ok: true });
  tt.equal(validateClaims(tree, { name: 'a', children: [{ children: [] }] }).ok, false, 'recursion checks every level');
});

t.test('the cache is bounded and key order does not matter', async (tt) => {
  clearSchemaCache();
  let ok = 0;
  for (let i = 0; i < SCHEMA_CACHE_LIMIT + 50; i++) {
    const schema = { type: 'object', properties: { n: { const: i } } };
    if (validateClaims(schema, { n: i }).ok && !validateClaims(schema, { n: i + 1 }).ok) ok++;
  }
  tt.equal(ok, SCHEMA_CACHE_LIMIT + 50, 'more schemas than the cache holds, each applying its own rule');
  const reordered = Object.fromEntries(Object.entries(licence).reverse());
  tt.same(validateClaims(reordered, { name: 'Ada', birthdate: '1815-12-10', classes: ['B'] }), { ok: true });
  const many = validateClaims({ type: 'array', items: { type: 'string' } }, Array.from({ length: 500 }, () => 1));
  tt.equal(many.ok ? 0 : many.errors.length, 100, 'at most MAX_CLAIM_ERRORS lines');
});
