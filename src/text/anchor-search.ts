/**
 * Where a rule kind's anchors (literal phrases, case-insensitive) occur in raw bytes: exactly what
 * the case-insensitive alternation of them (anchorAlternation) finds in the bytes' latin1 view, the
 * leftmost match first and, of two that start there, the one the alternation lists first; but
 * without making that string (a 64 KiB one per piece of text was a tenth of a worker's garbage).
 */
export interface AnchorSearch {
  /** Start of the leftmost anchor in buf[from, end), or -1; `length` is then the anchor's length. */
  next(buf: Buffer, from: number, end: number): number;
  length: number;
  /**
   * Which anchor that was, as its place in alternationOrder: -1 where this search cannot tell (the
   * alternation's fallback), and then a reader must find it again in the line's text.
   */
  anchor: number;
  /** How it searches: the pair table (Wu–Manber), the alternation over the latin1 view, or not at all (no anchors). */
  readonly method: 'pairs' | 'alternation' | 'none';
}

/** The alternation's order: sorted, each phrase once. */
export function alternationOrder(anchors: readonly string[]): string[] {
  return [...new Set(anchors)].sort();
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The anchors as one case-insensitive regular expression source (what the benchmark hands grep -E). */
export function alternationSource(anchors: readonly string[]): string {
  return alternationOrder(anchors).map(escapeRegex).join('|');
}

/**
 * The search for these anchors. Printable ASCII anchors of two bytes or more (every built-in one)
 * are found with the Wu–Manber method: a table over byte pairs says how far the window of the
 * shortest anchor's length may move on, so most bytes are never looked at (on the benchmark's
 * sms-info.log 2.2 times, on mysqld.err 2.4 times as fast as the alternation, which is about as
 * fast as grep -E there). Any other anchor falls back to the alternation over the latin1 view.
 */
export function anchorSearch(anchors: readonly string[]): AnchorSearch {
  const order = alternationOrder(anchors);
  if (!order.length) return { length: 0, anchor: -1, method: 'none', next: () => -1 };
  const wm = order.every((a) => a.length >= 2 && /^[\x20-\x7e]+$/.test(a));
  return wm ? wuManber(order) : regexSearch(order);
}

/** Byte → itself, A–Z folded to a–z: how /i compares ASCII. */
const FOLD = Uint8Array.from({ length: 256 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));

function wuManber(order: readonly string[]): AnchorSearch {
  const pats = order.map((a) => Uint8Array.from(a.toLowerCase(), (ch) => ch.charCodeAt(0)));
  // The window: the shortest anchor's length (shifts fit a byte).
  const m = Math.min(255, ...pats.map((p) => p.length));
  /** A folded byte as the text may spell it: a letter in either case. */
  const spellings = (c: number): number[] => (c >= 97 && c <= 122 ? [c, c - 32] : [c]);
  /** Every raw pair that folds to (a, b): the table is read with the text's bytes as they are (a fifth faster than folding them). */
  const pairs = (a: number, b: number): number[] => spellings(a).flatMap((x) => spellings(b).map((y) => (x << 8) | y));
  const shift = new Uint8Array(1 << 16).fill(m - 1);
  /** Per pair ending an anchor's first m bytes: those anchors, in the alternation's order. */
  const ending: Array<number[] | undefined> = new Array(1 << 16);
  for (const [k, p] of pats.entries()) {
    for (let j = 1; j < m; j++) for (const h of pairs(p[j - 1], p[j])) shift[h] = Math.min(shift[h], m - 1 - j);
    for (const h of pairs(p[m - 2], p[m - 1])) (ending[h] ??= []).push(k);
  }
  const search: AnchorSearch = {
    length: 0,
    anchor: -1,
    method: 'pairs',
    next(buf, from, end) {
      for (let i = from + m - 1; i < end; ) {
        const h = (buf[i - 1] << 8) | buf[i];
        const s = shift[h];
        if (s !== 0) {
          i += s;
          continue;
        }
        const start = i - m + 1;
        for (const k of ending[h]!) {
          const p = pats[k];
          if (start + p.length > end) continue;
          let q = 0;
          while (q < p.length && FOLD[buf[start + q]] === p[q]) q++;
          if (q === p.length) {
            search.length = p.length;
            search.anchor = k;
            return start;
          }
        }
        i++;
      }
      return -1;
    },
  };
  return search;
}

/**
 * The alternation itself, over the latin1 view of buf[0, end), made once per buffer and end: a
 * search goes on in the same piece from where the last one stopped (a reader never changes a
 * piece's bytes while it searches it).
 */
function regexSearch(order: readonly string[]): AnchorSearch {
  const re = new RegExp(alternationSource(order), 'gi');
  let seen: Buffer | undefined;
  let seenEnd = -1;
  let text = '';
  const search: AnchorSearch = {
    length: 0,
    anchor: -1,
    method: 'alternation',
    next(buf, from, end) {
      if (buf !== seen || end !== seenEnd) {
        seen = buf;
        seenEnd = end;
        text = buf.toString('latin1', 0, end);
      }
      re.lastIndex = from;
      const m = re.exec(text);
      if (!m) return -1;
      search.length = m[0].length;
      return m.index;
    },
  };
  return search;
}
