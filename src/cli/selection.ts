import { dataSpan } from '../report/format';
import type { NodeReport } from '../types';

/**
 * When a --since/--until window selected nothing because it lies outside the logs, the sentence
 * that says so: an empty answer must not read as "checked, nothing wrong".
 */
export function emptySelectionNote(window: { since?: number; until?: number }, nodes: readonly NodeReport[]): string | undefined {
  if (window.since === undefined && window.until === undefined) return undefined;
  const { first, last } = dataSpan(nodes);
  if (!first || !last) return undefined;
  const before = window.until !== undefined && window.until < Date.parse(first);
  const after = window.since !== undefined && window.since > Date.parse(last);
  if (!before && !after) return undefined;
  const show = (ms: number | undefined): string => (ms === undefined ? '…' : new Date(ms).toISOString());
  return `the selected window (${show(window.since)} to ${show(window.until)}) lies ${after ? 'after' : 'before'} all of the logs, which span ${first} to ${last}; widen or drop --since/--until`;
}
