/**
 * Colour for a report already laid out as plain text: the words keep their places, so the
 * coloured and plain outputs read the same and wrap the same (escapes take no columns).
 */
const RESET = '\x1b[0m';
const STYLE = {
  heading: '\x1b[1m',
  critical: '\x1b[1;31m',
  error: '\x1b[31m',
  warning: '\x1b[33m',
  Failed: '\x1b[31m',
  Active: '\x1b[32m',
} as const;

/** A section heading: a line of capitals (NODES, FINDINGS (UTC), WHAT TO DO, a table's head). */
const HEADING = /^[A-Z][A-Z0-9 ()/,.?:'-]*[A-Z)]$/;
/** A severity or an HA state as a word of its own, where the reports put them. */
const MARKED = /(?<=^|\s)(critical|error|warning|Failed|Active)(?=[\s,;.)]|$)/g;

export function colourize(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (HEADING.test(line)) return `${STYLE.heading}${line}${RESET}`;
      return line.replace(MARKED, (w) => `${STYLE[w as keyof typeof STYLE]}${w}${RESET}`);
    })
    .join('\n');
}
