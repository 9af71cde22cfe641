import { fileNameOf } from '../sources/catalog';
import type { NodeReport, NotChecked } from '../types';

/** "db-corruption, db-crash (no mysqld.err)": conditions a node could not be checked for, and why. */
export function notCheckedText(n: NotChecked): string {
  return `${n.conditions.join(', ')} (no ${n.missing.map(fileNameOf).join(' or ')})`;
}

/** The first and last time any file of the nodes holds, ISO 8601 (which sorts as text). */
export function dataSpan(nodes: readonly NodeReport[]): { first?: string; last?: string } {
  let first: string | undefined;
  let last: string | undefined;
  for (const n of nodes) {
    for (const f of n.files ?? []) {
      const a = f.first;
      const z = f.last;
      if (a && (first === undefined || a < first)) first = a;
      if (z && (last === undefined || z > last)) last = z;
    }
  }
  return { first, last };
}

/** `2017-10-12 13:48:02` (UTC, to the second) for table cells; `-` when unknown. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '-';
  return iso.slice(0, 19).replace('T', ' ');
}

/** cli-table3 settings for a borderless, uncoloured table: easy to read and to grep, same bytes on a terminal or not. */
export const BORDERLESS = {
  chars: {
    top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
    left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
  },
  style: { head: [] as string[], border: [] as string[], 'padding-left': 0, 'padding-right': 0 },
};

/** Column gap of BORDERLESS tables. */
export const GAP = 2;

/** Below this width tables become lists: a heading line each, the long text wrapped under it. */
export const WIDE = 110;

/** cli-table3 pads every cell; trailing blanks only make diffs noisy. */
export function trimRight(s: string): string {
  return s.replace(/[ ]+$/gm, '');
}

/** Word-wrap `text` to `width` columns; the first line starts with `first`, the rest with `indent`. */
export function wrap(text: string, width: number, indent: string, first = indent): string {
  const out: string[] = [];
  let line = '';
  let lead = first;
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (line && lead.length + line.length + 1 + w.length > width) {
      out.push(lead + line);
      lead = indent;
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(lead + line);
  return out.join('\n');
}

/**
 * `head` and `tail` on one line when they fit (columns kept as laid out); otherwise `tail` on
 * lines of its own under the head, wrapped at words.
 */
export function fit(head: string, tail: string, width: number, indent: string, joiner = '  '): string {
  if (head.length + joiner.length + tail.length <= width) return `${head}${joiner}${tail}`;
  return `${head}\n${wrap(tail, width, indent)}`;
}

/**
 * A quoted log line broken to `width` at spaces, its own spacing kept (`INFO  [`): the pieces
 * joined with single spaces give the line back. A word longer than the line stays whole.
 */
export function wrapVerbatim(text: string, width: number, indent: string, first = indent): string {
  const out: string[] = [];
  let rest = text;
  let lead = first;
  while (lead.length + rest.length > width) {
    const room = width - lead.length;
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= 0) cut = rest.indexOf(' ', room);
    if (cut <= 0) break;
    out.push(lead + rest.slice(0, cut));
    rest = rest.slice(cut + 1);
    lead = indent;
  }
  out.push(lead + rest);
  return out.join('\n');
}

/** A node's role for reading: `primary?` when smsdiag inferred it from the logs (the warnings say how). */
export function roleText(n: Pick<NodeReport, 'role' | 'roleBasis'>): string {
  return n.roleBasis ? `${n.role}?` : n.role;
}
