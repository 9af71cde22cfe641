import type { AnalysisReport } from '../types';

/** About this many characters in each piece jsonPieces gives. */
const PIECE_CHARS = 64 * 1024;

/** The `--json` document: key order is fixed by construction, so equal input gives equal bytes. */
export function renderJson(report: AnalysisReport): string {
  return [...jsonPieces(report)].join('');
}

/**
 * renderJson's document in pieces of about PIECE_CHARS, to write one by one: the whole of it at
 * once (a bundle of 200,000 files lists each one: 40 MB) was, with its copy on the way out, a
 * fifth of analyze's peak memory. The same bytes as JSON.stringify(report, null, 2) and a newline,
 * for plain data (a report is: no boxed primitives, BigInts or functions with toJSON).
 */
export function* jsonPieces(report: AnalysisReport): Generator<string> {
  let out = '';
  // A stack of what is being written, not recursion: the pieces are yielded from this one generator.
  // An array is walked in place (the files of a bundle: 200,000), an object by its kept entries.
  const stack: Array<{ indent: string; of: object; entries?: Array<[string, unknown]>; next: number }> = [];
  // As JSON.stringify, a container inside itself is refused, not written without end.
  const within = new Set<object>();
  const open = (value: unknown, indent: string): string => {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
    if (within.has(value)) throw new TypeError('Converting circular structure to JSON');
    if (Array.isArray(value)) {
      if (!value.length) return '[]';
      within.add(value);
      stack.push({ indent, of: value, next: 0 });
      return '[';
    }
    const entries = Object.keys(value).flatMap((k) => {
      const v = jsonValue((value as Record<string, unknown>)[k], k);
      return v === undefined ? [] : [[k, v] as [string, unknown]];
    });
    if (!entries.length) return '{}';
    within.add(value);
    stack.push({ indent, of: value, entries, next: 0 });
    return '{';
  };
  out = open(jsonValue(report, ''), '');
  while (stack.length) {
    const top = stack[stack.length - 1];
    const indent = `${top.indent}  `;
    const k = top.next++;
    const array = top.entries ? undefined : (top.of as unknown[]);
    if (k === (array ?? top.entries!).length) {
      out += `\n${top.indent}${array ? ']' : '}'}`;
      within.delete(top.of);
      stack.pop();
      continue;
    }
    // What JSON.stringify leaves out of an object is null in an array.
    if (array) out += `${k ? ',' : ''}\n${indent}${open(jsonValue(array[k], String(k)) ?? null, indent)}`;
    else out += `${k ? ',' : ''}\n${indent}${JSON.stringify(top.entries![k][0])}: ${open(top.entries![k][1], indent)}`;
    if (out.length >= PIECE_CHARS) {
      yield out;
      out = '';
    }
  }
  yield `${out}\n`;
}

/** What JSON.stringify writes for a value under `key`: its toJSON's, and undefined for what it leaves out. */
function jsonValue(v: unknown, key: string): unknown {
  const value = v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(k: string): unknown }).toJSON(key) : v;
  return value === undefined || typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
}
