/**
 * `s[from..]` as a string of its own. V8 makes a slice of 13 or more characters a view that keeps
 * the whole string alive; for a name kept per file of a bundle (200,000 members) that is the
 * whole entry name again for each one.
 */
export function ownSlice(s: string, from: number): string {
  return Buffer.from(s.slice(from), 'utf8').toString('utf8');
}
