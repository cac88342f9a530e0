/**
 * XML Schema validation of a message against its ISO 20022 XSD, through xmllint-wasm
 * (libxml2 compiled to WebAssembly: no native build, runs on Node 20). The adapter does not
 * ship the XSDs; the caller gives the schema text (the repository keeps the official ones as
 * test fixtures, rpc/test/fixtures/iso20022/). A failure is a BANK_SCHEMA_INVALID error
 * naming the first offending element and its line.
 */
import { validateXML } from 'xmllint-wasm';
import { bankFail } from './errors.js';

export interface SchemaProblem { readonly element: string | null; readonly line: number | null; readonly message: string }

/** The schema problems of `xml` against `xsd` (empty: valid). */
export async function schemaProblems(xml: string, xsd: string, names: { xml?: string; xsd?: string } = {}): Promise<SchemaProblem[]> {
  const r = await validateXML({ xml: [{ fileName: names.xml ?? 'message.xml', contents: xml }], schema: [{ fileName: names.xsd ?? 'schema.xsd', contents: xsd }] });
  if (r.valid) return [];
  const problems = r.errors.map((e) => ({
    element: /Element '(?:\{[^}]*\})?([^']+)'/.exec(e.message)?.[1] ?? null, line: e.loc?.lineNumber ?? null, message: e.message.trim(),
  }));
  return problems.length ? problems : [{ element: null, line: null, message: r.rawOutput.trim().slice(0, 500) || 'invalid' }];
}

/** Throw BANK_SCHEMA_INVALID unless `xml` is valid against `xsd`. */
export async function checkSchema(xml: string, xsd: string, what = 'the message'): Promise<void> {
  const p = await schemaProblems(xml, xsd);
  if (p.length === 0) return;
  const first = p[0]!;
  bankFail('BANK_SCHEMA_INVALID', `${what} fails its schema${first.line !== null ? ` at line ${first.line}` : ''}${first.element ? ` (element ${first.element})` : ''}: ${first.message}`, {
    element: first.element, ...(first.line !== null ? { line: first.line } : {}), problems: p.slice(0, 10),
  });
}
