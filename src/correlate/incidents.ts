import type { Finding, Incident, NodeName } from '../types';
import type { NodeEvent } from './events';
import { later, phraseFor } from '../knowledge/phrases';

/** Findings closer than this belong to one incident. */
export const INCIDENT_GAP_MS = 10 * 60_000;
const MAX_STEPS = 7;
/** Steps that matter least to the story, dropped first when a chain is too long. */
const DROP_FIRST = ['takeover-complete', 'restart-active', 'heartbeat-fallback', 'db-crash-recovery', 'local-health-failed', 'admin'];

/** Events that tell the story of an incident, strongest first when steps must be dropped. */
const STORY_TYPES = new Set([
  'db-crash', 'db-corruption', 'oom', 'local-health-failed', 'peer-health-failed', 'heartbeat-fallback', 'heartbeat-miss',
  'takeover-considered', 'restart-active', 'takeover-complete', 'peer-requested-failed', 'degraded', 'patch', 'upgrade',
  'db-replication-error', 'db-crash-recovery', 'replication-delay', 'admin', 'state',
]);
const STORY_STATES = new Set(['active', 'failed', 'degraded']);

/** Replication delay (seconds) worth telling; smaller values are routine. */
const DELAY_WORTH_TELLING = 120;

function storyEvent(e: NodeEvent): boolean {
  if (!STORY_TYPES.has(e.type)) return false;
  if (e.type === 'state') return STORY_STATES.has((e.fields.state ?? '').toLowerCase());
  if (e.type === 'replication-delay') return Number(e.fields.seconds) > DELAY_WORTH_TELLING;
  return true;
}

/** "primary's database crashed → secondary considered taking over 4 s later → …" */
export function causalChain(events: readonly NodeEvent[]): string {
  const steps: Array<{ time: number; text: string; type: string }> = [];
  for (const e of events) {
    if (e.time === undefined || !storyEvent(e)) continue;
    const text = phraseFor(e);
    if (!text || steps.some((s) => s.text === text)) continue;
    steps.push({ time: e.time, text, type: e.type });
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
  return kept
    .map((s, i) => {
      if (i === 0) return s.text;
      const gap = s.time - kept[i - 1].time;
      return gap >= 1000 ? `${s.text} ${later(gap)}` : s.text;
    })
    .join(' → ');
}

/** Events that mark trouble (not routine state changes): what incidents are cut from. */
function troubleEvent(e: NodeEvent): boolean {
  if (!storyEvent(e)) return false;
  if (e.type === 'state') return (e.fields.state ?? '').toLowerCase() !== 'active';
  return e.type !== 'admin' || /swap|disabled/i.test(e.fields.action ?? '');
}

/** Conditions that last from their first to their last time rather than happen at moments. */
const LASTING = new Set(['split-brain', 'no-brain']);

/** Conditions about the evidence itself (its clocks, its retention), not events of an incident. */
const META_CONDITIONS = new Set(['clock-skew', 'log-rollover-gap']);

/** When a finding happened: first, last, and the evidence between them (earlier context lines excluded). */
function findingTimes(f: Finding): number[] {
  if (!f.first) return [];
  const first = Date.parse(f.first);
  const last = Date.parse(f.last || f.first);
  const inside = f.evidence.map((e) => (e.time ? Date.parse(e.time) : NaN)).filter((t) => t >= first && t <= last);
  return [...new Set([first, last, ...inside])];
}

/**
 * Incidents: runs of trouble events with no gap over INCIDENT_GAP_MS, kept when a finding falls
 * inside, each told as a causal chain of its key events.
 */
export function groupIncidents(findings: readonly Finding[], events: readonly NodeEvent[], nodeOrder: (n: NodeName) => number): Incident[] {
  const real = findings.filter((f) => !META_CONDITIONS.has(f.id));
  // Points in time, except conditions that last (both or neither Active), which hold their span.
  const pieces = [
    ...events.filter((e) => e.time !== undefined && troubleEvent(e)).map((e) => ({ start: e.time!, end: e.time! })),
    ...real.flatMap((f) => (LASTING.has(f.id) ? [{ start: Date.parse(f.first), end: Date.parse(f.last) }] : findingTimes(f).map((t) => ({ start: t, end: t })))),
  ].sort((a, b) => a.start - b.start || a.end - b.end);
  const spans: Array<{ start: number; end: number }> = [];
  for (const p of pieces) {
    const last = spans[spans.length - 1];
    if (last && p.start - last.end <= INCIDENT_GAP_MS) last.end = Math.max(last.end, p.end);
    else spans.push({ ...p });
  }
  const out: Incident[] = [];
  for (const span of spans) {
    const members = real
      .filter((f) => findingTimes(f).some((t) => t >= span.start && t <= span.end))
      .sort((a, b) => Date.parse(a.first) - Date.parse(b.first) || nodeOrder(a.node) - nodeOrder(b.node));
    if (!members.length) continue;
    const ids = [...new Set(members.map((f) => f.id))];
    const inside = events.filter((e) => e.time !== undefined && e.time >= span.start && e.time <= span.end);
    const chain = causalChain(inside);
    out.push({ start: new Date(span.start).toISOString(), end: new Date(span.end).toISOString(), findings: ids, summary: chain || ids.join(', ') });
  }
  return out;
}
