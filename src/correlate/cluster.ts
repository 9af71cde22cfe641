import type { FileSummary, LogKind, NodeFacts, NodeName } from '../types';
import type { NodeEvent, Occurrence } from './events';
import { gaps, overlaps, type StateInterval } from './intervals';
import { clockCorrectionMs } from './clock';

/** Both nodes' story after per-node analysis: what the cross-node checks read. */
export interface ClusterView {
  nodes: NodeName[];
  events: readonly NodeEvent[];
  intervals: Map<NodeName, StateInterval[]>;
  facts: Map<NodeName, NodeFacts>;
  files: Map<NodeName, FileSummary[]>;
}

export interface ClusterThresholds {
  /** Active/active shorter than this, ended by the peer's request, is the guard working. */
  splitBrainMs: number;
  /** No node Active for longer than this while HA is enabled. */
  noBrainMs: number;
  /** Clock difference worth reporting. */
  skewMs: number;
  /** --incident: evidence older than the oldest retained entry was lost to rotation. */
  incident?: number;
}

export const DEFAULT_THRESHOLDS: ClusterThresholds = { splitBrainMs: 60_000, noBrainMs: 5 * 60_000, skewMs: 10_000 };

/** The cluster-wide "node" name of findings that belong to neither node alone. */
export const CLUSTER = 'cluster';

const CONTEXT_MS = 10 * 60_000;

function seconds(ms: number): string {
  return String(Math.round(ms / 1000));
}

/** Both nodes Active at once for longer than the threshold (after clock correction). */
export function splitBrain(view: ClusterView, t: ClusterThresholds): Occurrence[] {
  if (view.nodes.length < 2) return [];
  const [a, b] = view.nodes;
  const active = (n: NodeName): StateInterval[] => (view.intervals.get(n) ?? []).filter((iv) => iv.state === 'Active');
  const out: Occurrence[] = [];
  for (const o of overlaps(active(a), active(b))) {
    const length = o.end - o.start;
    if (length <= t.splitBrainMs) continue;
    const ended = view.events.find((e) => e.type === 'peer-requested-failed' && e.time !== undefined && e.time >= o.end - 1000 && e.time <= o.end + 60_000);
    const missesA = view.events.filter((e) => e.node === a && e.type === 'heartbeat-miss' && inWindow(e, o.start - CONTEXT_MS, o.start + 1000));
    const missesB = view.events.filter((e) => e.node === b && e.type === 'heartbeat-miss' && inWindow(e, o.start - CONTEXT_MS, o.start + 1000));
    const cause = missesA.length || missesB.length ? 'heartbeat-path' : 'unknown';
    const evidence = [o.a.opened, o.b.opened, ...(ended ? [ended] : []), ...missesA.slice(-1), ...missesB.slice(-1)];
    out.push({
      condition: 'split-brain',
      node: CLUSTER,
      fields: { seconds: seconds(length), minutes: String(Math.round(length / 60_000)) },
      evidence: evidence.sort((x, y) => (x.time ?? 0) - (y.time ?? 0)),
      cause,
      startTime: o.start,
      eventTime: o.end,
    });
  }
  return out;
}

function inWindow(e: NodeEvent, from: number, to: number): boolean {
  return e.time !== undefined && e.time >= from && e.time <= to;
}

/** Spans when HA was configured and running, yet neither node was Active, beyond the threshold. */
export function noBrain(view: ClusterView, t: ClusterThresholds): Occurrence[] {
  if (view.nodes.length < 2) return [];
  const all = view.nodes.flatMap((n) => view.intervals.get(n) ?? []);
  const actives = all.filter((iv) => iv.state === 'Active');
  if (!actives.length) return [];
  // Only judge the span both nodes' logs cover, from the first time any node was Active.
  const from = Math.max(Math.min(...actives.map((iv) => iv.start)), ...view.nodes.map((n) => (view.intervals.get(n) ?? [])[0]?.start ?? Infinity));
  const to = Math.min(...view.nodes.map((n) => lastOf(view.intervals.get(n))));
  if (!(to > from)) return [];
  const disabled = haDisabledSpans(view.events, to);
  const out: Occurrence[] = [];
  for (const g of gaps([...actives, ...disabled], from, to)) {
    if (g.end - g.start <= t.noBrainMs) continue;
    const lastActive = all.filter((iv) => iv.state === 'Active' && iv.end <= g.start + 1000).sort((x, y) => y.end - x.end)[0];
    const stateAt = view.nodes.map((n) => (view.intervals.get(n) ?? []).find((iv) => iv.start <= g.start && iv.end > g.start)).filter((x): x is StateInterval => !!x);
    const swap = view.events.filter((e) => e.type === 'admin' && inWindow(e, g.start - CONTEXT_MS, g.start + 1000)).slice(-1);
    const nextActive = actives.find((iv) => iv.start >= g.end - 1000);
    const evidence = [...swap, ...stateAt.map((iv) => iv.opened), ...(nextActive ? [nextActive.opened] : [])];
    if (!evidence.length && lastActive) evidence.push(lastActive.opened);
    out.push({
      condition: 'no-brain',
      node: CLUSTER,
      fields: { seconds: seconds(g.end - g.start), minutes: String(Math.round((g.end - g.start) / 60_000)) },
      evidence: dedupe(evidence).sort((x, y) => (x.time ?? 0) - (y.time ?? 0)),
      startTime: g.start,
      eventTime: g.end,
    });
  }
  return out;
}

function lastOf(ivs: StateInterval[] | undefined): number {
  return ivs && ivs.length ? ivs[ivs.length - 1].end : -Infinity;
}

function haDisabledSpans(events: readonly NodeEvent[], to: number): StateInterval[] {
  const out: StateInterval[] = [];
  let open: NodeEvent | undefined;
  for (const e of events) {
    if (e.type !== 'admin' || e.time === undefined) continue;
    const action = (e.fields.action ?? '').toLowerCase();
    if (action === 'ha disabled' && !open) open = e;
    if (action === 'ha enabled' && open) {
      out.push({ node: open.node, state: 'HA disabled', start: open.time!, end: e.time, opened: open });
      open = undefined;
    }
  }
  if (open) out.push({ node: open.node, state: 'HA disabled', start: open.time!, end: to, opened: open });
  return out;
}

function dedupe<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/**
 * Clock differences: from collected facts (measured against the collector), and as lower bounds
 * from cause/effect pairs across nodes — a node cannot be told to fail before its peer took over,
 * and cannot be seen in a state before it logged entering it.
 */
export function clockSkew(view: ClusterView, t: ClusterThresholds): Occurrence[] {
  const out: Occurrence[] = [];
  for (const n of view.nodes) {
    const facts = view.facts.get(n);
    const off = facts ? clockCorrectionMs(facts) : 0;
    // A correction the user typed (--clock) is known already; a measured one is worth reporting.
    if (off && Math.abs(off) > t.skewMs && facts?.clockSource !== 'user') {
      out.push({ condition: 'clock-skew', node: n, fields: { seconds: seconds(Math.abs(off)), direction: off > 0 ? 'ahead of' : 'behind', source: 'facts' }, variant: 'facts', evidence: [] });
    }
  }
  if (view.nodes.length < 2) return out;
  const [a, b] = view.nodes;
  const bounds = [...pairBounds(view, a, b), ...pairBounds(view, b, a)];
  const worst = bounds.sort((x, y) => y.ms - x.ms)[0];
  if (worst && worst.ms > t.skewMs) {
    out.push({
      condition: 'clock-skew',
      variant: 'events',
      node: worst.ahead,
      fields: { seconds: seconds(worst.ms), direction: 'ahead of', other: worst.behind, source: 'events' },
      evidence: worst.evidence,
    });
  }
  return out;
}

interface SkewBound {
  ahead: NodeName;
  behind: NodeName;
  ms: number;
  evidence: NodeEvent[];
}

/** Lower bounds on how far `x`'s clock runs ahead of `y`'s. */
function pairBounds(view: ClusterView, x: NodeName, y: NodeName): SkewBound[] {
  const out: SkewBound[] = [];
  const ev = (n: NodeName, type: string): NodeEvent[] => view.events.filter((e) => e.node === n && e.type === type && e.time !== undefined);
  // y was told to fail because x took over: x's takeover truly came first.
  for (const told of ev(y, 'peer-requested-failed')) {
    const takeover = [...ev(x, 'takeover-complete'), ...ev(x, 'takeover-considered')]
      .filter((e) => Math.abs(e.time! - told.time!) < CONTEXT_MS)
      .sort((p, q) => p.time! - q.time!)[0];
    if (takeover && takeover.time! > told.time!) out.push({ ahead: x, behind: y, ms: takeover.time! - told.time!, evidence: [told, takeover] });
  }
  // y saw x in state S at time t: x entered S truly before then.
  const xIntervals = view.intervals.get(x) ?? [];
  for (const seen of ev(y, 'peer-state')) {
    const state = seen.fields.state ?? '';
    const at = xIntervals.find((iv) => iv.start <= seen.time! && iv.end > seen.time!);
    if (!at || at.state.toLowerCase() === state.toLowerCase()) continue;
    const next = xIntervals.find((iv) => iv.start > seen.time! && iv.state.toLowerCase() === state.toLowerCase());
    if (next && next.start - seen.time! < CONTEXT_MS) out.push({ ahead: x, behind: y, ms: next.start - seen.time!, evidence: [seen, next.opened] });
  }
  return out;
}

/** Kinds whose oldest retained entry is younger than the incident: the evidence rotated away. */
export function rolloverGaps(view: ClusterView, t: ClusterThresholds): Occurrence[] {
  if (t.incident === undefined) return [];
  const out: Occurrence[] = [];
  for (const n of view.nodes) {
    const byKind = new Map<LogKind, FileSummary[]>();
    for (const f of view.files.get(n) ?? []) {
      if (f.kind === 'state' || !f.first) continue;
      byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
    }
    for (const [kind, files] of byKind) {
      const oldest = files.reduce((p, q) => (Date.parse(q.first!) < Date.parse(p.first!) ? q : p));
      const first = Date.parse(oldest.first!);
      if (first <= t.incident) continue;
      out.push({
        condition: 'log-rollover-gap',
        node: n,
        fields: { kind, file: oldest.path, oldest: oldest.first!, incident: new Date(t.incident).toISOString() },
        evidence: [],
        eventTime: first,
      });
    }
  }
  return out;
}
