/**
 * Checking a credential's claims against the JSON Schema its type is registered with, with
 * ajv 8 and ajv-formats (date, email, uri, ...). The dialect follows the schema's `$schema`:
 * draft-07 (also when absent), 2019-09 or 2020-12. ajv runs strict about schemas (an unknown
 * keyword or format is refused, not silently ignored) and lenient about type-keyword style; a
 * schema it cannot compile is CRED_SCHEMA_INVALID. Compiling generates code, so it happens
 * once per schema: compiled validators are cached by the schema's canonical (JCS) text, at
 * most SCHEMA_CACHE_LIMIT of them, least recently used dropped first (a schema that failed is
 * remembered too). ajv's own registry is emptied after each compile, so schemas sharing an
 * `$id` do not collide and memory stays bounded. Schemas come from the registry's
 * governance-approved credential types, not from anonymous callers (ajv warns that untrusted
 * schemas can be slow to validate: a pathological `pattern`, for one).
 */
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { CredError } from './errors.js';
import { assertJson, assertJsonObject, jcs } from './json.js';

/** The most compiled schemas kept. */
export const SCHEMA_CACHE_LIMIT = 256;
/** The most error lines returned for one validation. */
export const MAX_CLAIM_ERRORS = 100;

type AjvLike = Ajv | Ajv2019 | Ajv2020;
type Dialect = 'draft-07' | '2019-09' | '2020-12';

const DIALECTS: Record<string, Dialect> = {
  'http://json-schema.org/draft-07/schema': 'draft-07',
  'http://json-schema.org/draft-07/schema#': 'draft-07',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
};

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext typing.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: AjvLike) => AjvLike;

const OPTIONS = { allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, allowUnionTypes: true, logger: false } as const;
const instances = new Map<Dialect, AjvLike>();

function ajvFor(dialect: Dialect): AjvLike {
  let ajv = instances.get(dialect);
  if (ajv === undefined) {
    ajv = dialect === '2020-12' ? new Ajv2020(OPTIONS) : dialect === '2019-09' ? new Ajv2019(OPTIONS) : new Ajv(OPTIONS);
    addFormats(ajv);
    instances.set(dialect, ajv);
  }
  return ajv;
}

const cache = new Map<string, ValidateFunction | CredError>();

function compiled(schema: object): ValidateFunction {
  assertJsonObject(schema, 'schema');
  const key = jcs(schema);
  let hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key); // most recently used last
    cache.set(key, hit);
  } else {
    hit = compile(schema as AnySchemaObject);
    if (cache.size >= SCHEMA_CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, hit);
  }
  if (hit instanceof CredError) throw new CredError(hit.code, hit.message, { ...hit.meta });
  return hit;
}

function compile(schema: AnySchemaObject): ValidateFunction | CredError {
  const declared = schema.$schema;
  const dialect = declared === undefined ? 'draft-07' : typeof declared === 'string' ? DIALECTS[declared] : undefined;
  if (dialect === undefined) return new CredError('CRED_SCHEMA_INVALID', `unsupported $schema ${JSON.stringify(declared)} (draft-07, 2019-09 or 2020-12)`);
  const ajv = ajvFor(dialect);
  try {
    return ajv.compile(schema);
  } catch (e) {
    return new CredError('CRED_SCHEMA_INVALID', `the schema does not compile: ${(e as Error).message}`);
  } finally {
    ajv.removeSchema(); // every schema but the meta-schemas: the compiled function keeps what it needs
  }
}

function describe(e: ErrorObject): string {
  return `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? e.keyword}`;
}

/** Check claims against a JSON Schema: ok, or the errors (at most MAX_CLAIM_ERRORS lines). Throws CRED_SCHEMA_INVALID for a bad schema. */
export function validateClaims(schema: object, claims: object): { ok: true } | { ok: false; errors: string[] } {
  const validate = compiled(schema);
  assertJson(claims, 'claims');
  if (validate(claims)) return { ok: true };
  const errors = (validate.errors ?? []).slice(0, MAX_CLAIM_ERRORS).map(describe);
  return { ok: false, errors: errors.length > 0 ? errors : ['/ does not match the schema'] };
}

const byText = new Map<string, (claims: object) => { ok: true } | { ok: false; errors: string[] }>();

/**
 * validateClaims for a schema given as JSON text (a ledger schema record's), the text parsed
 * and compiled once: a verifier checks many credentials of one schema. Throws
 * CRED_SCHEMA_INVALID for text that is not a JSON object or a schema that does not compile.
 */
export function claimsValidator(schemaText: string): (claims: object) => { ok: true } | { ok: false; errors: string[] } {
  let hit = byText.get(schemaText);
  if (hit === undefined) {
    let schema: unknown;
    try {
      schema = JSON.parse(schemaText);
    } catch {
      throw new CredError('CRED_SCHEMA_INVALID', 'the schema is not JSON');
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new CredError('CRED_SCHEMA_INVALID', 'the schema is not a JSON object');
    const validate = compiled(schema);
    hit = (claims: object) => {
      assertJson(claims, 'claims');
      if (validate(claims)) return { ok: true };
      const errors = (validate.errors ?? []).slice(0, MAX_CLAIM_ERRORS).map(describe);
      return { ok: false, errors: errors.length > 0 ? errors : ['/ does not match the schema'] };
    };
    if (byText.size >= SCHEMA_CACHE_LIMIT) byText.delete(byText.keys().next().value!);
    byText.set(schemaText, hit);
  }
  return hit;
}

/** Throw CRED_SCHEMA_INVALID unless ajv compiles the schema (e.g. when a credential type is registered). */
export function checkSchema(schema: object): void {
  compiled(schema);
}

/** Forget the compiled schemas (tests). */
export function clearSchemaCache(): void {
  cache.clear();
  byText.clear();
}
