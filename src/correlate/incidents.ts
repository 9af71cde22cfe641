import type { Finding, Incident, NodeName } from '../types';
import { clock, later, phraseFor } from '../knowledge/phrases';
import type { NodeEvent } from './events';
import type { DownSpan } from './states';

const MAX_STEPS = 7;
const MAX_MEANWHILE = 4;
/** Steps that matter least to the story, dropped first when a chain is too long. */
const DROP_FIRST = ['takeover-complete', 'restart-active', 'heartbeat-fallback', 'db-crash-recovery', 'local-health-failed', 'admin'];

const MIN = 60_000;

/** Events that tell the story of an incident. */
const STORY_TYPES = new Set([
  'db-crash', 'db-corruption', 'db-resource', 'jvm-resource', 'oom', 'db-abort', 'local-health-failed', 'peer-health-failed', 'heartbeat-fallback', 'heartbeat-miss',
  'takeover-considered', 'restart-active', 'takeover-complete', 'peer-requested-failed', 'degraded', 'patch', 'upgrade',
  'db-replication-error', 'db-crash-recovery', 'replication-delay', 'admin', 'state', 'sync', 'node-down', 'node-up', 'backup', 'distribution', 'heartbeat-reply',
]);
const STORY_STATES = new Set(['active', 'failed', 'degraded']);

/** Replication delay (seconds) worth telling; smaller values are routine. */
const DELAY_WORTH_TELLING = 120;

function storyEvent(e: NodeEvent): boolean {
  if (!STORY_TYPES.has(e.type)) return false;
  if (e.type === 'state') return STORY_STATES.has((e.fields.state ?? '').toLowerCase());
  if (e.type === 'replication-delay') return Number(e.fields.seconds) > DELAY_WORTH_TELLING;
  if (e.type === 'sync') return /^failed$/i.test(e.fields.phase ?? '');
  return true;
}

/** `state:Active` for state events, the type for the rest: what the edges speak of. */
function key(e: NodeEvent): string {
  return e.type === 'state' ? `state:${(e.fields.state ?? '').toLowerCase()}` : e.type;
}

/**
 * How HA failures propagate, as smsdiag reads them: a step of a causal chain may only follow one
 * of these edges (`same` node, its `peer`, or `any`), within the time given. Events in the incident
 * that no edge links are told as "meanwhile", not joined by arrows.
 */
const EDGES: ReadonlyArray<{ from: string[]; to: string[]; who: 'same' | 'peer' | 'any'; withinMs: number }> = [
  { from: ['db-crash', 'db-corruption', 'db-resource', 'jvm-resource', 'oom', 'db-abort'], to: ['local-health-failed', 'degraded'], who: 'same', withinMs: 10 * MIN },
  { from: ['db-crash', 'db-corruption', 'db-resource', 'jvm-resource', 'oom', 'db-abort', 'local-health-failed', 'node-down', 'backup', 'distribution'], to: ['peer-health-failed', 'heartbeat-miss', 'heartbeat-fallback'], who: 'peer', withinMs: 10 * MIN },
  { from: ['db-crash', 'db-corruption', 'oom', 'local-health-failed', 'node-down'], to: ['takeover-considered'], who: 'peer', withinMs: 10 * MIN },
  { from: ['heartbeat-fallback'], to: ['heartbeat-miss'], who: 'same', withinMs: 2 * MIN },
  { from: ['backup', 'distribution'], to: ['heartbeat-reply'], who: 'peer', withinMs: 30 * MIN },
  { from: ['heartbeat-reply'], to: ['heartbeat-miss', 'heartbeat-fallback'], who: 'same', withinMs: 10 * MIN },
  { from: ['heartbeat-miss', 'heartbeat-fallback', 'peer-health-failed'], to: ['takeover-considered'], who: 'same', withinMs: 10 * MIN },
  { from: ['takeover-considered'], to: ['restart-active', 'state:active', 'takeover-complete'], who: 'same', withinMs: 10 * MIN },
  { from: ['restart-active'], to: ['state:active', 'takeover-complete'], who: 'same', withinMs: 10 * MIN },
  { from: ['state:active'], to: ['takeover-complete'], who: 'same', withinMs: MIN },
  { from: ['state:active', 'takeover-complete'], to: ['peer-requested-failed', 'state:failed'], who: 'peer', withinMs: 60 * MIN },
  { from: ['peer-requested-failed'], to: ['state:failed'], who: 'same', withinMs: MIN },
  { from: ['node-down'], to: ['node-up'], who: 'same', withinMs: Number.POSITIVE_INFINITY },
  { from: ['node-up', 'db-crash-recovery'], to: ['peer-requested-failed', 'state:failed'], who: 'same', withinMs: 30 * MIN },
  { from: ['db-crash'], to: ['db-crash-recovery'], who: 'same', withinMs: 30 * MIN },
  { from: ['patch', 'upgrade'], to: ['db-replication-error', 'replication-delay', 'degraded'], who: 'any', withinMs: 120 * MIN },
  { from: ['db-resource'], to: ['db-replication-error', 'replication-delay', 'db-crash'], who: 'same', withinMs: 30 * MIN },
  { from: ['db-replication-error'], to: ['replication-delay'], who: 'same', withinMs: 60 * MIN },
  { from: ['oom', 'local-health-failed', 'exception'], to: ['degraded'], who: 'same', withinMs: 15 * MIN },
  { from: ['local-health-failed'], to: ['state:failed'], who: 'same', withinMs: 10 * MIN },
  { from: ['replication-delay'], to: ['replication-delay'], who: 'same', withinMs: 60 * MIN },
  { from: ['admin'], to: ['state:active', 'state:failed', 'state:degraded'], who: 'any', withinMs: 15 * MIN },
  { from: ['sync'], to: ['state:active', 'state:failed'], who: 'any', withinMs: 15 * MIN },
];

/** The edges from one key to another, looked up once per pair rather than searched per pair of events. */
const EDGES_BETWEEN = new Map<string, Array<(typeof EDGES)[number]>>();
/** For each key, the keys a step of that key may follow. */
const FOLLOWS = new Map<string, string[]>();
for (const edge of EDGES) {
  for (const from of edge.from) {
    for (const to of edge.to) {
      EDGES_BETWEEN.set(`${from}>${to}`, [...(EDGES_BETWEEN.get(`${from}>${to}`) ?? []), edge]);
      if (!FOLLOWS.get(to)?.includes(from)) FOLLOWS.set(to, [...(FOLLOWS.get(to) ?? []), from]);
    }
  }
}

function linked(a: NodeEvent, keyA: string, b: NodeEvent, keyB: string): boolean {
  const edges = EDGES_BETWEEN.get(`${keyA}>${keyB}`);
  if (!edges) return false;
  const gap = (b.time ?? 0) - (a.time ?? 0);
  return edges.some((edge) => gap >= 0 && gap <= edge.withinMs && (edge.who === 'any' || (edge.who === 'same') === (a.node === b.node)));
}

/**
 * How many earlier story events a step may follow. Real incidents hold tens of story events; a
 * flood (a node logging Failed ten times a second for a day) holds hundreds of thousands, where
 * looking back over all of them is quadratic and tells no better story.
 */
const LOOKBACK = 1000;

interface Step {
  time: number;
  text: string;
  type: string;
}

function phrase(e: NodeEvent): string | undefined {
  if (e.type === 'node-down') return `${e.node} went down after ${clock(e.time)} (its last sign of life)`;
  if (e.type === 'node-up') return `${e.node} started again`;
  return phraseFor(e);
}

/**
 * The longest chain of events in which every step follows from the one before along an edge, and
 * the rest; both in time order, each phrase once.
 */
export function causalStory(events: readonly NodeEvent[]): { chain: string; meanwhile: string[] } {
  const story = events.filter((e) => e.time !== undefined && storyEvent(e) && phrase(e) !== undefined);
  const keys = story.map(key);
  const best = story.map(() => 1);
  const prev = story.map(() => -1);
  // Only earlier steps of a key this one may follow are candidates; of the longest chains they
  // end, the earliest step wins.
  const atKey = new Map<string, number[]>();
  for (let i = 0; i < story.length; i++) {
    for (const from of FOLLOWS.get(keys[i]) ?? []) {
      const list = atKey.get(from) ?? [];
      for (let k = list.length - 1; k >= 0 && list[k] >= i - LOOKBACK; k--) {
        const j = list[k];
        if ((best[j] + 1 > best[i] || (best[j] + 1 === best[i] && prev[i] > j)) && linked(story[j], keys[j], story[i], keys[i])) {
          best[i] = best[j] + 1;
          prev[i] = j;
        }
      }
    }
    const mine = atKey.get(keys[i]);
    if (mine) mine.push(i);
    else atKey.set(keys[i], [i]);
  }
  let end = -1;
  for (let i = 0; i < story.length; i++) if (end < 0 || best[i] > best[end]) end = i;
  const onChain = new Set<number>();
  for (let i = end; i >= 0; i = prev[i]) onChain.add(i);
  const steps: Step[] = [];
  for (const i of [...onChain].sort((a, b) => a - b)) {
    const text = phrase(story[i])!;
    if (!steps.some((s) => s.text === text)) steps.push({ time: story[i].time!, text, type: story[i].type });
  }
  // Too long to read: drop the steps that add least to the story, then cut the middle.
  for (const type of DROP_FIRST) {
    while (steps.length > MAX_STEPS) {
      const i = steps.findIndex((s) => s.type === type);
      if (i < 0) break;
      steps.splice(i, 1);
    }
  }
  const kept = steps.length > MAX_STEPS ? [...steps.slice(0, MAX_STEPS - 1), steps[steps.length - 1]] : steps;
  const chain = kept
    .map((s, i) => {
      if (i === 0) return s.text;
      const gap = s.time - kept[i - 1].time;
      return gap >= 1000 ? `${s.text} ${later(gap)}` : s.text;
    })
    .join(' → ');
  const told = new Set(steps.map((s) => s.text));
  const meanwhile: string[] = [];
  for (let i = 0; i < story.length && meanwhile.length < MAX_MEANWHILE; i++) {
    const text = phrase(story[i])!;
    if (onChain.has(i) || told.has(text) || meanwhile.includes(text)) continue;
    meanwhile.push(text);
  }
  return { chain, meanwhile };
}

/** Events that mark trouble (not routine state changes): what incidents are cut from. */
function troubleEvent(e: NodeEvent): boolean {
  if (!storyEvent(e)) return false;
  if (e.type === 'state') return (e.fields.state ?? '').toLowerCase() !== 'active';
  return e.type !== 'admin' || /swap|disabled/i.test(e.fields.action ?? '');
}

/** Conditions that last from their first to their last time rather than happen at moments. */
const LASTING = new Set(['split-brain', 'no-brain']);

/** Conditions about the evidence itself (its clocks, its retention) or the present, not events of an incident. */
const META_CONDITIONS = new Set(['clock-skew', 'log-rollover-gap', 'no-active-node']);

/** When a finding happened: first, last, and the evidence between them (earlier context lines excluded). */
function findingTimes(f: Finding): number[] {
  if (!f.first) return [];
  const first = Date.parse(f.first);
  const last = Date.parse(f.last || f.first);
  const inside = f.evidence.map((e) => (e.time ? Date.parse(e.time) : NaN)).filter((t) => t >= first && t <= last);
  return [...new Set([first, last, ...inside])];
}

/** The times a node was down, as story events: when it was last seen and when it started again. */
function downEvents(down: ReadonlyMap<NodeName, readonly DownSpan[]>): NodeEvent[] {
  return [...down.values()].flat().flatMap((d) => {
    const at = d.restart[0];
    const base = { node: d.node, kind: at.kind, fields: {}, file: at.file, fileOrder: at.fileOrder, line: at.line, text: at.text };
    return [
      { ...base, type: 'node-down', time: d.start },
      { ...base, type: 'node-up', time: d.end },
    ];
  });
}

/** The first index of events sorted by time (no time as 0) whose time is at or after `t`. */
function firstAtOrAfter(sorted: readonly NodeEvent[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid].time ?? 0) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Incidents: runs of trouble events with no gap over `gapMs`, kept when a finding falls inside,
 * each told as a causal chain of its key events and what happened meanwhile.
 */
export function groupIncidents(findings: readonly Finding[], events: readonly NodeEvent[], down: ReadonlyMap<NodeName, readonly DownSpan[]>, nodeOrder: (n: NodeName) => number, gapMs: number): Incident[] {
  const all = [...events, ...downEvents(down)].sort((a, b) => (a.time ?? 0) - (b.time ?? 0) || nodeOrder(a.node) - nodeOrder(b.node));
  const real = findings.filter((f) => !META_CONDITIONS.has(f.id));
  // Points in time, except conditions that last (both or neither Active), which hold their span.
  const pieces = [
    ...all.filter((e) => e.time !== undefined && troubleEvent(e)).map((e) => ({ start: e.time!, end: e.time! })),
    ...real.flatMap((f) => (LASTING.has(f.id) ? [{ start: Date.parse(f.first), end: Date.parse(f.last) }] : findingTimes(f).map((t) => ({ start: t, end: t })))),
  ].sort((a, b) => a.start - b.start || a.end - b.end);
  const spans: Array<{ start: number; end: number }> = [];
  for (const p of pieces) {
    const last = spans[spans.length - 1];
    if (last && p.start - last.end <= gapMs) last.end = Math.max(last.end, p.end);
    else spans.push({ ...p });
  }
  const out: Incident[] = [];
  for (const span of spans) {
    const members = real
      .filter((f) => findingTimes(f).some((t) => t >= span.start && t <= span.end))
      .sort((a, b) => Date.parse(a.first) - Date.parse(b.first) || nodeOrder(a.node) - nodeOrder(b.node));
    if (!members.length) continue;
    const ids = [...new Set(members.map((f) => f.id))];
    const inside: NodeEvent[] = [];
    for (let i = firstAtOrAfter(all, span.start); i < all.length && (all[i].time ?? 0) <= span.end; i++) if (all[i].time !== undefined) inside.push(all[i]);
    const { chain, meanwhile } = causalStory(inside);
    const incident: Incident = { start: new Date(span.start).toISOString(), end: new Date(span.end).toISOString(), findings: ids, summary: chain || ids.join(', ') };
    if (meanwhile.length) incident.meanwhile = meanwhile;
    out.push(incident);
  }
  return out;
}
