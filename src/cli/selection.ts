import type { NodeReport } from '../types';

/** The first and last time any file of the nodes holds, ISO 8601. */
export function dataSpan(nodes: readonly NodeReport[]): { first?: string; last?: string } {
  const files = nodes.flatMap((n) => n.files ?? []);
  const firsts = files.map((f) => f.first).filter((t): t is string => !!t).sort();
  const lasts = files.map((f) => f.last).filter((t): t is string => !!t).sort();
  return { first: firsts[0], last: lasts[lasts.length - 1] };
}

/**
 * When a --since/--until window selected nothing because it lies outside the logs, the sentence
 * that says so: an empty answer must not read as "checked, nothing wrong".
 */
export function emptySelectionNote(window: { since?: number; until?: number }, nodes: readonly NodeReport[]): string | undefined {
  const { first, last } = dataSpan(nodes);
  if (!first || !last) return undefined;
  const before = window.until !== undefined && window.until < Date.parse(first);
  const after = window.since !== undefined && window.since > Date.parse(last);
  if (!before && !after) return undefined;
  const show = (ms: number | undefined): string => (ms === undefined ? '…' : new Date(ms).toISOString());
  return `the selected window (${show(window.since)} to ${show(window.until)}) lies ${after ? 'after' : 'before'} all of the logs, which span ${first} to ${last}; widen or drop --since/--until`;
}
