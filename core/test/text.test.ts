/**
 * Text made safe to show (core/text.ts): control, bidi, separator and lone-surrogate
 * characters become visible escapes; everything else, surrogate pairs included, is kept;
 * JSON text stays the same value to a parser; log values are escaped deep inside.
 */
import t from 'tap';
import { escapeText, hasUnsafeText, safeJsonText, safeLogValue } from '../index.js';

const UNSAFE = ['\u0000', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f', '\u061c', '\u200e', '\u200f', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069', '\ud800', '\udfff'];

t.test('each unsafe character becomes \\uXXXX; safe text is the same string', (tt) => {
  for (const c of UNSAFE) {
    const out = escapeText(`a${c}b`);
    tt.equal(out, `a\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}b`, out); // (a raw U+2028 in a test name would break TAP's own lines)
    tt.ok(hasUnsafeText(c));
    tt.notOk(hasUnsafeText(out));
  }
  for (const s of ['plain', 'Ísland 🇮🇸 中文 עברית', '😀', 'tab-free text', '']) {
    tt.equal(escapeText(s), s, `${s} kept`);
    tt.notOk(hasUnsafeText(s));
  }
  tt.equal(escapeText('\ud83d\ude00\ud83d'), '\ud83d\ude00\\ud83d', 'a pair kept, the lone high surrogate after it escaped');
  tt.end();
});

t.test('safeJsonText: the same value to a parser, no raw bidi or separators', (tt) => {
  const v = { m: 'x\u202ey\u2028z\u0085', n: 1n, list: ['\u0000', '\ud800'] };
  const text = safeJsonText(v, 2);
  tt.notOk(hasUnsafeText(text.replace(/\n/g, '')), 'only the indentation newlines are raw');
  tt.same(JSON.parse(text), { m: 'x\u202ey\u2028z\u0085', n: '1', list: ['\u0000', '\ud800'] });
  tt.end();
});

t.test('safeLogValue: strings escaped at any depth, keys too; untouched values are the same objects', (tt) => {
  const clean = { a: 1, b: ['x', { c: 'y' }] };
  tt.equal(safeLogValue(clean), clean, 'nothing to escape: no copy');
  const dirty = { method: 'sov_\u202e', nested: [{ peer: 'p\n{"level":"fatal"}' }], ['k\u0007']: 2 };
  const out = safeLogValue(dirty) as Record<string, unknown>;
  tt.same(out, { method: 'sov_\\u202e', nested: [{ peer: 'p\\u000a{"level":"fatal"}' }], 'k\\u0007': 2 });
  tt.equal(dirty.method, 'sov_\u202e', 'the caller\'s object is not changed');
  const err = safeLogValue(Object.assign(new Error('bad \u202e'), { code: 'X' }));
  tt.same(err, { type: 'Error', message: 'bad \\u202e', code: 'X' });
  tt.end();
});
