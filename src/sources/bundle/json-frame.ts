import { BundleError } from '../../errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * A cursor over JSON bytes for reading a large document piece by piece: the caller walks the
 * objects and arrays it wants to see item by item (`object`, `array`) and takes every other value
 * whole (`value`, one JSON.parse of its bytes). The bytes come in chunks and only those of the
 * item being read are held: JSON.parse of a 60 MB manifest needed its 60 MB of text and all of
 * its objects at once. Malformed bytes are a BundleError naming `where` and the byte offset.
 */
export interface JsonFrame {
  /** The next byte after white space (the cursor moves past the space), or -1 at the end. */
  peek(): number;
  /** The object at the cursor, each member's value read by `member` (called with the cursor on it). */
  object(member: (key: string) => unknown): Record<string, unknown>;
  /**
   * The array at the cursor, each item read by `item` (called with the cursor on it) and kept
   * unless it gives undefined (which no JSON value is).
   */
  array(item: (index: number) => unknown): unknown[];
  /** The value at the cursor, parsed whole. */
  value(): unknown;
  /** Fails unless only white space is left. */
  end(): void;
}

export const OPEN_OBJECT = LBRACE;
export const OPEN_ARRAY = LBRACKET;

export function jsonFrame(chunks: Iterator<Buffer>, where: string): JsonFrame {
  /** The bytes held, b[0, len): absolute offsets [base, base + len). */
  let b = Buffer.alloc(0);
  let len = 0;
  let base = 0;
  let done = false;
  /** Absolute offset of the cursor; nothing before it is needed again. */
  let pos = 0;
  /** True when absolute offset k is held, after taking in chunks as needed; false past the end. */
  const has = (k: number): boolean => {
    while (k - base >= len) {
      if (done) return false;
      const r = chunks.next();
      if (r.done) {
        done = true;
        return false;
      }
      const c = r.value;
      const drop = Math.min(pos, base + len) - base;
      if (drop > 0) {
        b.copyWithin(0, drop, len);
        len -= drop;
        base += drop;
      }
      // Room doubled, not made to measure: a large value read whole (a node's facts) would be
      // copied again at every chunk.
      if (len + c.length > b.length) b = Buffer.concat([b.subarray(0, len)], Math.max(2 * b.length, len + c.length));
      c.copy(b, len);
      len += c.length;
    }
    return true;
  };
  const bad = (why: string, at = pos): never => {
    throw new BundleError(`${where} is not valid JSON (${why} at byte ${at}); the bundle is damaged`);
  };
  const peek = (): number => {
    while (has(pos) && isSpace(b[pos - base])) pos++;
    return has(pos) ? b[pos - base] : -1;
  };
  const parse = (start: number, end: number): unknown => {
    try {
      return JSON.parse(b.toString('utf8', start - base, end - base));
    } catch (err) {
      return bad((err as Error).message, start);
    }
  };
  /** Just past the string whose opening quote is at `at`. */
  const stringEnd = (at: number): number => {
    for (let k = at + 1; k - base < len || has(k); k++) {
      const c = b[k - base];
      if (c === QUOTE) return k + 1;
      if (c === BACKSLASH) k++;
    }
    return bad('a string is not closed', at);
  };
  /** Just past the value at the cursor: brackets are counted, strings skipped; JSON.parse checks the rest. */
  const valueEnd = (): number => {
    let depth = 0;
    let k = pos;
    while (k - base < len || has(k)) {
      const c = b[k - base];
      if (c === QUOTE) {
        k = stringEnd(k);
        if (depth === 0) return k;
        continue;
      }
      if (c === LBRACE || c === LBRACKET) depth++;
      else if (c === RBRACE || c === RBRACKET) {
        if (depth === 0) return k;
        if (--depth === 0) return k + 1;
      } else if (depth === 0 && (c === COMMA || isSpace(c))) return k;
      k++;
    }
    return depth > 0 ? bad('the text ends inside a value', pos) : k;
  };
  const value = (): unknown => {
    peek();
    const start = pos;
    const end = valueEnd();
    if (end === start) bad('a value is missing');
    const v = parse(start, end);
    pos = end;
    return v;
  };
  /** Items between an opening bracket and `close`, separated by commas, each read by `one`. */
  const items = (close: number, one: (index: number) => void): void => {
    pos++;
    if (peek() === close) {
      pos++;
      return;
    }
    for (let i = 0; ; i++) {
      one(i);
      const c = peek();
      pos++;
      if (c === close) return;
      if (c !== COMMA) bad(`"," or "${String.fromCharCode(close)}" is expected`, pos - 1);
    }
  };
  return {
    peek,
    value,
    object(member) {
      if (peek() !== LBRACE) bad('an object is expected');
      const out: Record<string, unknown> = {};
      items(RBRACE, () => {
        if (peek() !== QUOTE) bad('a key is expected');
        const keyAt = pos;
        const keyEnd = stringEnd(keyAt);
        const key = parse(keyAt, keyEnd) as string;
        pos = keyEnd;
        if (peek() !== COLON) bad('":" is expected');
        pos++;
        peek();
        // JSON.parse keeps the last of repeated keys; here the values read item by item (a
        // node's files) would all have been checked and kept, so a repeat is refused instead.
        if (Object.hasOwn(out, key)) bad(`the key ${JSON.stringify(key)} is repeated`, keyAt);
        // defineProperty: a key "__proto__" is a member, as JSON.parse makes it, not the prototype.
        Object.defineProperty(out, key, { value: member(key), enumerable: true, writable: true, configurable: true });
      });
      return out;
    },
    array(item) {
      if (peek() !== LBRACKET) bad('an array is expected');
      const out: unknown[] = [];
      items(RBRACKET, (i) => {
        peek();
        const v = item(i);
        if (v !== undefined) out.push(v);
      });
      return out;
    },
    end() {
      if (peek() !== -1) bad('text follows the end of the document');
    },
  };
}
