import type { FileSummary, LogKind, NodeFacts, NodeName } from '../types';
import { canonicalState, type NodeEvent, type Occurrence } from './events';
import { evidenced, gaps, overlaps, UNKNOWN, type DownSpan, type StateInterval } from './states';
import { clockCorrectionMs } from './clock';
import type { Thresholds } from '../knowledge/thresholds';
import { duration } from '../knowledge/phrases';
import { formatOffset } from '../ingest/timestamp';

/** Both nodes' story after per-node analysis: what the cross-node checks read. */
export interface ClusterView {
  nodes: NodeName[];
  events: readonly NodeEvent[];
  intervals: Map<NodeName, StateInterval[]>;
  down: Map<NodeName, DownSpan[]>;
  facts: Map<NodeName, NodeFacts>;
  files: Map<NodeName, FileSummary[]>;
  /** Each node's state now (ha.state when collected, else its last logged state) and where it is from. */
  now: Map<NodeName, { state?: string; event?: NodeEvent }>;
  /** The end of what any node logged. */
  horizon: number;
}

export interface ClusterThresholds extends Thresholds {
  /** --incident: evidence older than the oldest retained entry was lost to rotation. */
  incident?: number;
}

/** The cluster-wide "node" name of findings that belong to neither node alone. */
export const CLUSTER = 'cluster';

const CONTEXT_MS = 10 * 60_000;
/** Zones lie at most 14 h from UTC: a takeover this long after the peer was told to fail may be its cause, read in the wrong zone. */
const ZONE_REACH_MS = 14 * 3_600_000;
/** Zones are whole quarter hours from UTC. */
const QUARTER_HOUR_MS = 15 * 60_000;

function seconds(ms: number): string {
  return String(Math.round(ms / 1000));
}

function inWindow(e: NodeEvent, from: number, to: number): boolean {
  return e.time !== undefined && e.time >= from && e.time <= to;
}

const activeEvidenced = (ivs: readonly StateInterval[]): StateInterval[] => ivs.filter((iv) => iv.state === 'Active' && evidenced(iv));

/**
 * Both nodes Active at once for longer than the threshold (after clock correction), each one's
 * Active shown by evidence — its own lines or its peer's — and not merely held after its log ended,
 * and neither one down: the guide's active-active needs both servers running.
 */
export function splitBrain(view: ClusterView, t: ClusterThresholds): Occurrence[] {
  if (view.nodes.length < 2) return [];
  const [a, b] = view.nodes;
  const out: Occurrence[] = [];
  for (const o of overlaps(activeEvidenced(view.intervals.get(a) ?? []), activeEvidenced(view.intervals.get(b) ?? []))) {
    const length = o.end - o.start;
    if (length <= t.splitBrainMs) continue;
    const ended = view.events.find((e) => e.type === 'peer-requested-failed' && e.time !== undefined && e.time >= o.end - 1000 && e.time <= o.end + 60_000);
    const missesA = view.events.filter((e) => e.node === a && e.type === 'heartbeat-miss' && inWindow(e, o.start - CONTEXT_MS, o.start + 1000));
    const missesB = view.events.filter((e) => e.node === b && e.type === 'heartbeat-miss' && inWindow(e, o.start - CONTEXT_MS, o.start + 1000));
    const cause = missesA.length || missesB.length ? 'heartbeat-path' : 'unknown';
    const opened = [o.a.opened, o.b.opened].filter((e): e is NodeEvent => !!e);
    const evidence = [...opened, ...(ended ? [ended] : []), ...missesA.slice(-1), ...missesB.slice(-1)];
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

/**
 * Spans when HA was configured and running, yet neither node was Active, beyond the threshold:
 * only where both nodes are evidenced not Active (their own or their peer's lines, or down), from
 * the first time the cluster had an Active node.
 */
export function noBrain(view: ClusterView, t: ClusterThresholds): Occurrence[] {
  if (view.nodes.length < 2) return [];
  const all = view.nodes.flatMap((n) => view.intervals.get(n) ?? []);
  const actives = all.filter((iv) => iv.state === 'Active');
  if (!actives.length) return [];
  const from = Math.min(...actives.map((iv) => iv.start));
  // Where a node's state is not evidenced (held after its log ends, unknown), nothing is concluded.
  const blind = all.filter((iv) => !evidenced(iv));
  const disabled = haDisabledSpans(view.events, view.horizon);
  const out: Occurrence[] = [];
  for (const g of gaps([...actives, ...disabled, ...blind], from, view.horizon)) {
    // One still going at the end of the logs is the present: no-active-node tells it.
    if (g.end - g.start <= t.noBrainMs || g.end >= view.horizon) continue;
    const stateAt = view.nodes.map((n) => (view.intervals.get(n) ?? []).find((iv) => iv.start <= g.start && iv.end > g.start)).filter((x): x is StateInterval => !!x);
    const swap = view.events.filter((e) => e.type === 'admin' && inWindow(e, g.start - CONTEXT_MS, g.start + 1000)).slice(-1);
    const nextActive = actives.find((iv) => iv.start >= g.end - 1000);
    const evidence = [...swap, ...stateAt.map((iv) => iv.opened), ...(nextActive ? [nextActive.opened] : [])].filter((e): e is NodeEvent => !!e);
    out.push({
      condition: 'no-brain',
      node: CLUSTER,
      fields: { seconds: seconds(g.end - g.start), minutes: String(Math.round((g.end - g.start) / 60_000)) },
      evidence: [...new Set(evidence)].sort((x, y) => (x.time ?? 0) - (y.time ?? 0)),
      startTime: g.start,
      eventTime: g.end,
    });
  }
  return out;
}

function haDisabledSpans(events: readonly NodeEvent[], to: number): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let open: NodeEvent | undefined;
  for (const e of events) {
    if (e.type !== 'admin' || e.time === undefined) continue;
    const action = (e.fields.action ?? '').toLowerCase();
    if (action === 'ha disabled' && !open) open = e;
    if (action === 'ha enabled' && open) {
      out.push({ start: open.time!, end: e.time });
      open = undefined;
    }
  }
  if (open) out.push({ start: open.time!, end: to });
  return out;
}

/**
 * No node is Active now: every node's present state (ha.state when collected, else its last state)
 * is known and none of them is Active. Nothing serves clients or manages devices.
 */
export function noActiveNode(view: ClusterView): Occurrence[] {
  if (view.nodes.length < 2) return [];
  const now = view.nodes.map((n) => ({ n, ...view.now.get(n) }));
  if (now.some((x) => !x.state || x.state === UNKNOWN || x.state === 'Active')) return [];
  // A cluster that never formed, or nodes all back to standalone states, is not one without an
  // Active node: the failed synchronization or HA being disabled is the story then.
  const formed = view.nodes.some((n) => (view.intervals.get(n) ?? []).some((iv) => iv.state === 'Active'));
  if (!formed || now.every((x) => FORMING.has(x.state!))) return [];
  // Since when: the end of the last time any node was Active.
  const lastActive = Math.max(...view.nodes.flatMap((n) => (view.intervals.get(n) ?? []).filter((iv) => iv.state === 'Active').map((iv) => iv.end)));
  return [
    {
      condition: 'no-active-node',
      node: CLUSTER,
      fields: { states: now.map((x) => `${x.n} ${x.state}`).join(', '), since: Number.isFinite(lastActive) ? new Date(lastActive).toISOString().slice(0, 19).replace('T', ' ') : '' },
      evidence: now.map((x) => x.event).filter((e): e is NodeEvent => !!e),
      ...(Number.isFinite(lastActive) ? { startTime: lastActive } : {}),
      eventTime: view.horizon,
    },
  ];
}

/** States of a node outside a formed cluster. */
const FORMING = new Set(['Un-configured', 'Configured']);

/** File systems at 95 % or more when the bundle was collected: a resource running out. */
export function factsResources(view: ClusterView): Occurrence[] {
  const out: Occurrence[] = [];
  for (const n of view.nodes) {
    for (const d of (view.facts.get(n)?.diskUse ?? []).filter((x) => x.percent >= 95)) {
      out.push({ condition: 'resource-exhaustion', node: n, variant: 'facts-disk', fields: { percent: `${d.percent}%`, mount: d.mount }, evidence: [], eventTime: view.horizon });
    }
    const m = view.facts.get(n)?.memory;
    if (m && m.availableMb < m.totalMb * 0.05) {
      out.push({ condition: 'resource-exhaustion', node: n, variant: 'facts-memory', fields: { available: String(m.availableMb), total: String(m.totalMb) }, evidence: [], eventTime: view.horizon });
    }
  }
  return out;
}

/** A node that took over while its own database had just reported errors: the data it serves is suspect. */
export function activeOnDbErrors(view: ClusterView, takeovers: ReadonlyArray<{ node: NodeName; time: number; event: NodeEvent }>): Occurrence[] {
  const out: Occurrence[] = [];
  for (const tk of takeovers) {
    // Losing the old active as replication source is the takeover itself, not damage: connection errors do not count.
    const errors = view.events.filter(
      (e) => e.node === tk.node && ['db-replication-error', 'db-corruption', 'db-crash', 'db-resource'].includes(e.type) && inWindow(e, tk.time - 30 * 60_000, tk.time + CONTEXT_MS) && !(e.type === 'db-replication-error' && /connect/i.test(e.text)),
    );
    if (!errors.length) continue;
    const what = [...new Set(errors.map((e) => e.type.replace(/^db-/, '').replace('replication-error', 'replication')))].join(', ');
    out.push({ condition: 'active-on-db-errors', node: tk.node, fields: { what }, evidence: [...errors.slice(0, 3), tk.event].sort((x, y) => (x.time ?? 0) - (y.time ?? 0)) });
  }
  return out;
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
  const bounds = [...pairBounds(view, a, b), ...pairBounds(view, b, a), ...syncPairs(view, a, b)];
  const worst = bounds.sort((x, y) => y.ms - x.ms)[0];
  if (worst && worst.ms > t.skewMs) {
    const zoned = worst.ms >= QUARTER_HOUR_MS;
    out.push({
      condition: 'clock-skew',
      variant: zoned ? 'zone' : 'events',
      node: worst.ahead,
      fields: { seconds: seconds(worst.ms), span: duration(worst.ms), measure: worst.measure, basis: worst.basis, direction: 'ahead of', other: worst.behind, source: 'events', fix: correction(worst, view.facts.get(worst.ahead) ?? {}, t.skewMs) },
      evidence: worst.evidence,
    });
  }
  return out;
}

/**
 * The flags that would make the story consistent, for a node whose times run `ms` ahead: whole
 * quarter hours are most likely a zone read wrong (--tz), the rest its clock (--clock). Both
 * start from what the node was read with, so the advice replaces the current values.
 */
function correction(bound: SkewBound, facts: NodeFacts, skewMs: number): string {
  const zone = Math.round(bound.ms / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const rest = bound.ms - zone;
  const flags: string[] = [];
  if (zone) flags.push(`--tz ${bound.ahead}=${formatOffset((facts.utcOffsetMinutes ?? 0) + zone / 60_000)}`);
  if (Math.abs(rest) > skewMs) {
    const clock = Math.round((clockCorrectionMs(facts) + rest) / 1000);
    flags.push(`--clock ${bound.ahead}=${clock >= 0 ? '+' : ''}${clock}`);
  }
  return flags.join(' ');
}

interface SkewBound {
  ahead: NodeName;
  behind: NodeName;
  ms: number;
  /** A lower bound (an effect logged before its cause), or an estimate (one operation logged by both). */
  measure: 'at least' | 'about';
  /** How it is known, a phrase after "judged from". */
  basis: string;
  evidence: NodeEvent[];
}

/** Seconds two lines of one operation may lie apart on true clocks. */
const SAME_OPERATION_MS = 5000;

/**
 * One synchronization is logged by both nodes: the guide's enabling steps have one node enter
 * synchronization-source while the other enters synchronization-target. When both logged the same
 * number of synchronizations, each k-th pair is one operation, and the gaps between them estimate
 * how far one clock runs ahead — if all pairs agree, else nothing is claimed.
 */
function syncPairs(view: ClusterView, a: NodeName, b: NodeName): SkewBound[] {
  const syncs = (n: NodeName): NodeEvent[] => view.events.filter((e) => e.node === n && e.type === 'state' && e.time !== undefined && canonicalState(e.fields.state ?? '').startsWith('synchronization-'));
  const [sa, sb] = [syncs(a), syncs(b)];
  const role = (e: NodeEvent): string => canonicalState(e.fields.state ?? '');
  if (!sa.length || sa.length !== sb.length || sa.some((e, k) => role(e) === role(sb[k]))) return [];
  const gaps = sa.map((e, k) => e.time! - sb[k].time!);
  const ms = gaps[0];
  if (gaps.some((g) => Math.abs(g - ms) > SAME_OPERATION_MS) || Math.abs(ms) >= ZONE_REACH_MS) return [];
  const [ahead, behind] = ms >= 0 ? [a, b] : [b, a];
  return [{ ahead, behind, ms: Math.abs(ms), measure: 'about', basis: 'the synchronization both logged (source on one, target on the other)', evidence: [sa[0], sb[0]].sort((p, q) => p.time! - q.time!) }];
}

/** Lower bounds on how far `x`'s clock runs ahead of `y`'s. */
function pairBounds(view: ClusterView, x: NodeName, y: NodeName): SkewBound[] {
  const out: SkewBound[] = [];
  const ev = (n: NodeName, type: string): NodeEvent[] => view.events.filter((e) => e.node === n && e.type === type && e.time !== undefined);
  // y was told to fail because x took over (or was Active already): x's takeover truly came first.
  // A takeover in the minutes before, or x's own lines saying it was Active, make it consistent.
  // Otherwise the first takeover after is the cause logged ahead — within minutes a clock, and
  // up to a zone's reach only when x's own lines place it in another state when y was told.
  const xLogged = (view.intervals.get(x) ?? []).filter((iv) => iv.source === 'log');
  const takeovers = [...ev(x, 'takeover-complete'), ...ev(x, 'takeover-considered')].sort((p, q) => p.time! - q.time!);
  for (const told of ev(y, 'peer-requested-failed')) {
    if (takeovers.some((e) => e.time! <= told.time! && e.time! > told.time! - CONTEXT_MS)) continue;
    const then = xLogged.find((iv) => iv.start <= told.time! && iv.end > told.time!);
    if (then?.state === 'Active') continue;
    const reach = then ? ZONE_REACH_MS : CONTEXT_MS;
    const takeover = takeovers.find((e) => e.time! > told.time! && e.time! - told.time! < reach);
    if (takeover) out.push({ ahead: x, behind: y, ms: takeover.time! - told.time!, measure: 'at least', basis: `${y} told to fail before ${x} took over`, evidence: [told, takeover] });
  }
  // y saw x in state S at time t: x entered S truly before then.
  // Only x's own lines (xLogged) say when it truly entered a state.
  for (const seen of ev(y, 'peer-state')) {
    const state = seen.fields.state ?? '';
    const at = xLogged.find((iv) => iv.start <= seen.time! && iv.end > seen.time!);
    if (!at || at.state.toLowerCase() === state.toLowerCase()) continue;
    const next = xLogged.find((iv) => iv.start > seen.time! && iv.state.toLowerCase() === state.toLowerCase());
    if (next?.opened && next.start - seen.time! < CONTEXT_MS) out.push({ ahead: x, behind: y, ms: next.start - seen.time!, measure: 'at least', basis: `${y} seeing ${x} ${state} before ${x} logged entering it`, evidence: [seen, next.opened] });
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
