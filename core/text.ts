/**
 * Text from outside (a caller, a peer, a file) made safe to show. A message that echoes what
 * a caller sent could otherwise carry control characters (a forged log line, a terminal
 * escape), Unicode bidirectional formatting characters (which reorder what a terminal or an
 * editor displays: "Trojan Source"), the line and paragraph separators, or lone UTF-16
 * surrogates (which no UTF-8 consumer can represent). `escapeText` replaces each with a
 * visible `\uXXXX`; `safeJsonText` does the same inside JSON text, where the escape is
 * JSON's own, so the value a parser reads is unchanged. Every RPC error message, CLI output
 * and log line goes through one of them.
 */

/** C0 and C1 controls and DEL, ALM, LRM/RLM, LS/PS and the embeddings/overrides, the isolates, lone surrogates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

const escapeChar = (c: string): string => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');

/** True when `s` holds a character `escapeText` would replace. */
export function hasUnsafeText(s: string): boolean {
  return UNSAFE.test(s);
}

/** `s` with every unsafe character replaced by `\uXXXX` (the same string when there is none). */
export function escapeText(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escapeChar) : s;
}

/**
 * JSON.stringify(value, null, indent) with the characters JSON leaves raw (C1 controls, bidi
 * formatting, LS/PS) written as JSON escapes: the same value to a parser, safe on a terminal.
 * (JSON.stringify already escapes C0 controls and lone surrogates.)
 */
export function safeJsonText(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent);
  // Raw C0 characters in JSON text are only its own whitespace (inside strings they are escaped already).
  return text === undefined ? 'null' : text.replace(JSON_RAW, escapeChar);
}

/** What JSON.stringify leaves raw inside strings that a terminal would act on. */
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * A value for a log line with every string in it escaped (objects and arrays copied only
 * where something changed; depth-bounded). An Error becomes { type, message, code }.
 */
export function safeLogValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return escapeText(v);
  if (v === null || typeof v !== 'object' || depth > 6) return v;
  if (v instanceof Error) {
    const code = (v as { code?: unknown }).code;
    return { type: v.name, message: escapeText(v.message), ...(typeof code === 'string' ? { code: escapeText(code) } : {}) };
  }
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    v.forEach((x, i) => {
      const y = safeLogValue(x, depth + 1);
      if (y !== x) (out ??= v.slice())[i] = y;
    });
    return out ?? v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
  let out: Record<string, unknown> | null = null;
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    const y = safeLogValue(x, depth + 1);
    const key = escapeText(k);
    if (y !== x || key !== k) {
      out ??= { ...(v as Record<string, unknown>) };
      if (key !== k) delete out[k];
      out[key] = y;
    }
  }
  return out ?? v;
}
