import type { NodeName } from '../types';
import type { Activity } from './activity';
import { canonicalState, type NodeEvent } from './events';

/**
 * Where a stretch of a node's state is known from:
 * - `log`: the node's own `Local state:` lines (and it was logging);
 * - `peer`: what its peer logged about it (`Peer state:`, a request to fail sent by it);
 * - `restart`: down, from silence that ended in the node starting up again;
 * - `held`: nothing since its log ended; the last known state, assumed to hold.
 */
export type StateSource = 'log' | 'peer' | 'restart' | 'held';
export type Confidence = 'high' | 'medium' | 'low';

/** The node was down, or its state is not known: states besides the HA ones. */
export const DOWN = 'Down';
export const UNKNOWN = 'unknown';

/** A node held `state` from `start` to `end` (epoch ms, corrected UTC). */
export interface StateInterval {
  node: NodeName;
  state: string;
  start: number;
  end: number;
  source: StateSource;
  confidence: Confidence;
  /** The line that opened the interval, where one did. */
  opened?: NodeEvent;
  /** True when the node fell back to this state because a transition failed. */
  reverted?: boolean;
}

/** A stretch the node was down: from its last sign of life to the start-up that followed. */
export interface DownSpan {
  node: NodeName;
  start: number;
  end: number;
  /** The start-up lines (HA service start, database start, crash recovery). */
  restart: NodeEvent[];
  /** The database ran crash recovery, or started with no clean stop before: not a clean shutdown. */
  unclean: boolean;
}

const CONFIDENCE: Record<StateSource, Confidence> = { log: 'high', peer: 'medium', restart: 'medium', held: 'low' };
const SYNC_STATES = new Set(['synchronization-source', 'synchronization-target']);

/** Start-up lines: a node-level one makes a silence before it a time the node was down. */
const NODE_START = new Set(['ha-start', 'boot']);
const ANY_START = new Set(['ha-start', 'boot', 'db-start', 'db-restarted', 'db-crash-recovery']);
/** Start-up lines this close together are one start-up. */
const STARTUP_SPAN_MS = 5 * 60_000;

/**
 * Times a node was down: a node-level start-up (its HA service starting, a boot), with the
 * database lines of the same start-up, preceded by more than `downGapMs` of silence.
 */
export function downSpans(node: NodeName, events: readonly NodeEvent[], life: Activity, downGapMs: number): DownSpan[] {
  const starts = events.filter((e) => e.node === node && e.time !== undefined && ANY_START.has(e.type));
  const out: DownSpan[] = [];
  let i = 0;
  while (i < starts.length) {
    const group = [starts[i]];
    while (i + 1 < starts.length && starts[i + 1].time! - group[group.length - 1].time! <= STARTUP_SPAN_MS) group.push(starts[++i]);
    i++;
    if (!group.some((e) => NODE_START.has(e.type))) continue;
    const begin = group[0].time!;
    const lastSeen = life.lastBefore(begin);
    if (lastSeen === undefined || begin - lastSeen < downGapMs) continue;
    const unclean = group.some((e) => e.type === 'db-crash-recovery' || e.type === 'db-restarted' || e.fields.unclean === 'yes');
    out.push({ node, start: lastSeen, end: begin, restart: group, unclean });
  }
  return out;
}

interface Point {
  time: number;
  state: string;
  source: StateSource;
  event?: NodeEvent;
  reverted?: boolean;
}

/**
 * One node's states over time, from all the evidence: its own state lines, what its peer logged
 * about it, the times it was down. A state holds until something contradicts it; a log that ends
 * is no contradiction, so after the node's last sign of life its state is `held` (low confidence)
 * up to `horizon`, the end of what any node logged. What its peer logs about it then counts.
 *
 * `ownLife` is the node's own logging; `life` adds what its peer heard from it.
 */
export function nodeStates(
  node: NodeName,
  peer: NodeName | undefined,
  events: readonly NodeEvent[],
  ownLife: Activity,
  life: Activity,
  down: readonly DownSpan[],
  horizon: number,
  stateNow?: string,
): StateInterval[] {
  const points: Point[] = [];
  for (const e of events) {
    if (e.time === undefined) continue;
    if (e.node === node) {
      if (e.type === 'state') points.push({ time: e.time, state: canonicalState(e.fields.state ?? ''), source: 'log', event: e });
      else if (e.type === 'takeover-complete') points.push({ time: e.time, state: 'Active', source: 'log', event: e });
      else if (e.type === 'sync' && /^failed$/i.test(e.fields.phase ?? '')) points.push({ time: e.time, state: '', source: 'log', event: e, reverted: true });
    } else if (e.node === peer) {
      // What the peer logged about this node counts where this node's own log is silent.
      const seen = e.type === 'peer-state' ? canonicalState(e.fields.state ?? '') : e.type === 'peer-requested-failed' ? 'Active' : undefined;
      if (seen && !ownLife.within(e.time - 60_000, e.time + 60_000)) points.push({ time: e.time, state: seen, source: 'peer', event: e });
    }
  }
  for (const d of down) {
    points.push({ time: d.start, state: DOWN, source: 'restart', event: undefined });
    points.push({ time: d.end, state: UNKNOWN, source: 'restart', event: d.restart[0] });
  }
  points.sort((a, b) => a.time - b.time || rank(a) - rank(b));

  const out: StateInterval[] = [];
  let current: StateInterval | undefined;
  let previous: string | undefined;
  const inDown = (t: number): boolean => down.some((d) => t > d.start && t < d.end);
  for (const p of points) {
    if (p.source !== 'restart' && inDown(p.time)) continue;
    let state = p.state;
    if (p.reverted) {
      // A failed synchronization: back to the state before it (the guide's "reverts to the previous state").
      if (!current || !SYNC_STATES.has(current.state) || !previous) continue;
      state = previous;
    }
    if (current && current.state === state) {
      // Same state: a peer's or a restart's view yields to the node's own line.
      if (p.source === 'log' && current.source !== 'log') {
        current.end = p.time;
        out.push(current);
        current = { node, state, start: p.time, end: horizon, source: 'log', confidence: 'high', opened: p.event };
      }
      continue;
    }
    if (current) {
      current.end = p.time;
      if (current.end > current.start || current.state !== UNKNOWN) out.push(current);
      previous = current.state === UNKNOWN || current.state === DOWN ? previous : current.state;
    }
    current = { node, state, start: p.time, end: horizon, source: p.source, confidence: CONFIDENCE[p.source], opened: p.event, ...(p.reverted ? { reverted: true } : {}) };
  }
  if (current) out.push(current);
  return holdAfterLastSign(out, life.last, horizon, stateNow);
}

/** Own lines first at one instant, then the peer's, then start-up marks. */
function rank(p: Point): number {
  return p.source === 'log' ? 0 : p.source === 'peer' ? 1 : 2;
}

/**
 * After the node's last sign of life nothing is known: the last state is held (low confidence);
 * if its ha.state, read when the logs were collected, says otherwise, it changed at some unknown time.
 */
function holdAfterLastSign(intervals: StateInterval[], lastSign: number | undefined, horizon: number, stateNow?: string): StateInterval[] {
  const last = intervals[intervals.length - 1];
  if (!last || lastSign === undefined || last.state === DOWN || lastSign >= horizon) return intervals;
  const cut = Math.max(last.start, lastSign);
  if (cut >= horizon) return intervals;
  const changed = stateNow !== undefined && canonicalState(stateNow) !== last.state;
  last.end = cut;
  const tail: StateInterval = { node: last.node, state: changed ? UNKNOWN : last.state, start: cut, end: horizon, source: 'held', confidence: 'low' };
  // The node's last line opened the state it then held: one stretch, opened by that line.
  return last.end > last.start ? [...intervals, tail] : [...intervals.slice(0, -1), { ...tail, start: last.start, opened: last.opened, ...(last.reverted ? { reverted: true } : {}) }];
}

/** Spans where both lists have an interval at once (each list one node's, sorted). */
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
export function gaps(covered: ReadonlyArray<{ start: number; end: number }>, from: number, to: number): Array<{ start: number; end: number }> {
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

/** Evidenced, not assumed: from the node's log, its peer's, or a restart. */
export function evidenced(iv: StateInterval): boolean {
  return iv.source !== 'held' && iv.state !== UNKNOWN;
}

/** The interval a node was in at time t, if any. */
export function stateAt(intervals: readonly StateInterval[], t: number): StateInterval | undefined {
  return intervals.find((iv) => iv.start <= t && iv.end > t);
}
