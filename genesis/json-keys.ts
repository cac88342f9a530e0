/**
 * Duplicate keys in JSON text. JSON.parse keeps the last of two equal keys silently; a
 * genesis document with `"power"` twice in one validator must be refused, so genesis.json is
 * scanned for them first. Runs on text JSON.parse has accepted; returns each duplicate's path.
 */
import { at } from './errors.js';

export function duplicateJsonKeys(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      while (true) {
        ws();
        const k = str();
        if (seen.has(k)) out.push(at(path, k));
        seen.add(k);
        ws();
        i++; // colon
        value(at(path, k));
        ws();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(at(path, n));
        ws();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    }
  };
  value('');
  return out;
}
