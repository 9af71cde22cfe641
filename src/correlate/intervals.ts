import type { NodeName } from '../types';
import { canonicalState, type NodeEvent } from './events';

/** A node held `state` from `start` to `end` (epoch ms, corrected UTC). */
export interface StateInterval {
  node: NodeName;
  state: string;
  start: number;
  end: number;
  /** The line that opened the interval. */
  opened: NodeEvent;
  /** True when the node fell back to this state because a transition failed. */
  reverted?: boolean;
}

const SYNC_STATES = new Set(['synchronization-source', 'synchronization-target']);

/**
 * One node's state machine over its events: each `Local state:` opens an interval; a failed
 * synchronization sends the node back to the state it had before synchronizing (the vendor's
 * "a failed transition reverts to the previous state"). The last interval runs to `until`.
 */
export function stateIntervals(events: readonly NodeEvent[], until: number): StateInterval[] {
  const out: StateInterval[] = [];
  let current: StateInterval | undefined;
  let previous: string | undefined;
  const open = (state: string, e: NodeEvent, reverted = false): void => {
    if (e.time === undefined) return;
    if (current) {
      if (current.state === state) return;
      current.end = e.time;
      previous = current.state;
      out.push(current);
    }
    current = { node: e.node, state, start: e.time, end: until, opened: e, ...(reverted ? { reverted } : {}) };
  };
  for (const e of events) {
    if (e.type === 'state') open(canonicalState(e.fields.state ?? ''), e);
    else if (e.type === 'sync' && e.fields.phase?.toLowerCase() === 'failed' && current && SYNC_STATES.has(current.state) && previous) {
      open(previous, e, true);
    }
  }
  if (current) {
    current.end = Math.max(current.start, until);
    out.push(current);
  }
  return out;
}

/** Spans where every list has an interval in one of `states` at once (each list one node). */
export function overlaps(a: readonly StateInterval[], b: readonly StateInterval[]): Array<{ start: number; end: number; a: StateInterval; b: StateInterval }> {
  const out: Array<{ start: number; end: number; a: StateInterval; b: StateInterval }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i].start, b[j].start);
    const end = Math.min(a[i].end, b[j].end);
    if (end > start) out.push({ start, end, a: a[i], b: b[j] });
    if (a[i].end < b[j].end) i++;
    else j++;
  }
  return out;
}

/** Spans inside [from, to] that none of the intervals cover. */
export function gaps(covered: readonly StateInterval[], from: number, to: number): Array<{ start: number; end: number }> {
  const sorted = [...covered].sort((x, y) => x.start - y.start);
  const out: Array<{ start: number; end: number }> = [];
  let cursor = from;
  for (const iv of sorted) {
    if (iv.end <= cursor) continue;
    if (iv.start > cursor) out.push({ start: cursor, end: Math.min(iv.start, to) });
    cursor = Math.max(cursor, iv.end);
    if (cursor >= to) break;
  }
  if (cursor < to) out.push({ start: cursor, end: to });
  return out.filter((g) => g.end > g.start);
}
