/**
 * XML in and out for the bank adapter, through fast-xml-parser: a well-formedness check
 * whose failure names the element and position, the root `Document`'s namespace (the
 * message type and version: `urn:iso:std:iso:20022:tech:xsd:camt.054.001.08`), and a small
 * reader over the parsed tree that names the path of any missing or malformed element.
 * Values stay strings (no number parsing: amounts are decimals read exactly); namespace
 * prefixes are dropped; a DOCTYPE is refused (no entity expansion); a business application
 * header envelope (`<Envelope><AppHdr/><Document/></Envelope>`) is looked through.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { bankFail } from './errors.js';

/** The largest message read (bytes of text). */
export const MAX_MESSAGE_CHARS = 8 * 1024 * 1024;
export const ISO_NS_PREFIX = 'urn:iso:std:iso:20022:tech:xsd:';

/** A parsed element: text, attributes ('@Name'), children by name (an array when repeated). */
export type XNode = { [name: string]: XValue };
export type XValue = string | XNode | XValue[];

const parser = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false, parseAttributeValue: false,
  trimValues: true, processEntities: true, textNodeName: '#text', ignoreDeclaration: true, ignorePiTags: true, commentPropName: false,
});
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text', format: true, indentBy: '  ', suppressEmptyNode: true });

export interface ParsedDocument {
  /** The message identifier from the namespace, e.g. `camt.054.001.08`. */
  readonly messageId: string;
  readonly namespace: string;
  /** The Document element's tree. */
  readonly document: XNode;
}

/** Parse a message: well-formed, one Document (possibly inside an envelope), an ISO 20022 namespace. */
export function parseIsoDocument(xml: string): ParsedDocument {
  if (typeof xml !== 'string') bankFail('BANK_BAD_XML', 'the message is not text');
  if (xml.length > MAX_MESSAGE_CHARS) bankFail('BANK_BAD_XML', `the message is longer than ${MAX_MESSAGE_CHARS} characters`);
  const text = xml.replace(/^\uFEFF/, '');
  if (/<!DOCTYPE/i.test(text)) bankFail('BANK_BAD_XML', 'a DOCTYPE is not allowed in a bank message', { element: 'DOCTYPE' });
  const ok = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (ok !== true) {
    const { msg, line, col } = ok.err;
    const element = /'([^']+)'/.exec(msg)?.[1] ?? null;
    bankFail('BANK_BAD_XML', `malformed XML at line ${line}, column ${col}${element ? ` (element ${element})` : ''}: ${msg}`, { element, line, col });
  }
  const m = /<(?:([A-Za-z_][\w.-]*):)?Document\b([^>]*)>/.exec(text);
  if (m === null) bankFail('BANK_MISSING_ELEMENT', 'no Document element', { element: 'Document' });
  const attr = m[1] ? `xmlns:${m[1]}` : 'xmlns';
  const ns = new RegExp(`\\s${attr.replace('.', '\\.')}\\s*=\\s*["']([^"']*)["']`).exec(m[2] ?? '')?.[1];
  // A prefix declared on an enclosing element (an envelope) is looked up in the whole text.
  const namespace = ns ?? new RegExp(`\\s${attr.replace('.', '\\.')}\\s*=\\s*["'](${ISO_NS_PREFIX}[^"']*)["']`).exec(text)?.[1];
  if (namespace === undefined || !namespace.startsWith(ISO_NS_PREFIX)) {
    bankFail('BANK_UNSUPPORTED_MESSAGE', `the Document's namespace is not an ISO 20022 one (${namespace ?? 'none'})`, { element: 'Document' });
  }
  const tree = parser.parse(text) as XNode;
  const document = findDocument(tree);
  if (document === null) bankFail('BANK_MISSING_ELEMENT', 'no Document element', { element: 'Document' });
  return { messageId: namespace.slice(ISO_NS_PREFIX.length), namespace, document };
}

function findDocument(tree: XNode): XNode | null {
  for (const [k, v] of Object.entries(tree)) {
    if (k === 'Document' && isNode(v)) return v;
    if (isNode(v) && !k.startsWith('@')) {
      const inner = v['Document'];
      if (isNode(inner)) return inner;
    }
  }
  return null;
}

const isNode = (v: XValue | undefined): v is XNode => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A reader over one element, naming its path in every error. */
export class El {
  constructor(readonly node: XNode | string, readonly path: string) {}

  /** The children named `name` (none, one or many). */
  all(name: string): El[] {
    if (typeof this.node === 'string') return [];
    const v = this.node[name];
    if (v === undefined) return [];
    const list = Array.isArray(v) ? v : [v];
    return list.map((n, i) => new El(typeof n === 'string' || isNode(n) ? n : '', Array.isArray(v) ? `${this.path}/${name}[${i}]` : `${this.path}/${name}`));
  }
  opt(name: string): El | null {
    const a = this.all(name);
    if (a.length > 1) bankFail('BANK_BAD_VALUE', `${this.path}/${name} occurs ${a.length} times; at most once`, { element: `${this.path}/${name}` });
    return a[0] ?? null;
  }
  need(name: string): El {
    return this.opt(name) ?? bankFail('BANK_MISSING_ELEMENT', `${this.path}/${name} is missing`, { element: `${this.path}/${name}` });
  }
  /** The element's text ('' when it has none). */
  text(): string {
    if (typeof this.node === 'string') return this.node;
    const t = this.node['#text'];
    return typeof t === 'string' ? t : '';
  }
  attr(name: string): string | null {
    if (typeof this.node === 'string') return null;
    const a = this.node[`@${name}`];
    return typeof a === 'string' ? a : null;
  }
  /** The text of child `name`, or null. */
  optText(name: string): string | null {
    const e = this.opt(name);
    return e === null ? null : e.text();
  }
  needText(name: string): string {
    const e = this.need(name);
    const t = e.text();
    if (t === '') bankFail('BANK_BAD_VALUE', `${e.path} is empty`, { element: e.path });
    return t;
  }
  bad(why: string, child?: string): never {
    const element = child ? `${this.path}/${child}` : this.path;
    return bankFail('BANK_BAD_VALUE', `${element}: ${why}`, { element });
  }
}

/** The root reader of a parsed document, at its message element (e.g. `FIToFICstmrCdtTrf`). */
export function messageRoot(doc: ParsedDocument, element: string): El {
  return new El(doc.document, 'Document').need(element);
}

/** A document's XML: `body` in schema order (object key order), in namespace `messageId`. */
export function buildIsoDocument(messageId: string, element: string, body: XNode): string {
  return builder.build({ '?xml': { '@version': '1.0', '@encoding': 'UTF-8' }, Document: { '@xmlns': ISO_NS_PREFIX + messageId, [element]: body } }) as string;
}
