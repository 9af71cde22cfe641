import type { Finding, Incident, NodeName } from '../types';
import type { NodeEvent } from './events';
import { later, phraseFor } from './phrases';

/** Findings closer than this belong to one incident. */
export const INCIDENT_GAP_MS = 10 * 60_000;
const MAX_STEPS = 7;

/** Events that tell the story of an incident, strongest first when steps must be dropped. */
const STORY_TYPES = new Set([
  'db-crash', 'db-corruption', 'oom', 'local-health-failed', 'peer-health-failed', 'heartbeat-fallback', 'heartbeat-miss',
  'takeover-considered', 'restart-active', 'takeover-complete', 'peer-requested-failed', 'degraded', 'patch', 'upgrade',
  'db-replication-error', 'admin', 'state',
]);
const STORY_STATES = new Set(['active', 'failed', 'degraded']);

function storyEvent(e: NodeEvent): boolean {
  if (!STORY_TYPES.has(e.type)) return false;
  if (e.type === 'state') return STORY_STATES.has((e.fields.state ?? '').toLowerCase());
  return true;
}

/** "primary's database crashed → secondary considered taking over 4 s later → …" */
export function causalChain(events: readonly NodeEvent[]): string {
  const steps: Array<{ time: number; text: string }> = [];
  for (const e of events) {
    if (e.time === undefined || !storyEvent(e)) continue;
    const text = phraseFor(e);
    if (!text || steps.some((s) => s.text === text)) continue;
    steps.push({ time: e.time, text });
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

function findingTimes(f: Finding): number[] {
  const ts = [f.first, f.last, ...f.evidence.map((e) => e.time)].filter((x): x is string => !!x).map((x) => Date.parse(x));
  return [...new Set(ts)];
}

/**
 * Incidents: runs of trouble events with no gap over INCIDENT_GAP_MS, kept when a finding falls
 * inside, each told as a causal chain of its key events.
 */
export function groupIncidents(findings: readonly Finding[], events: readonly NodeEvent[], nodeOrder: (n: NodeName) => number): Incident[] {
  const moments = [
    ...events.filter((e) => e.time !== undefined && troubleEvent(e)).map((e) => e.time!),
    ...findings.flatMap(findingTimes),
  ].sort((a, b) => a - b);
  const spans: Array<{ start: number; end: number }> = [];
  for (const t of moments) {
    const last = spans[spans.length - 1];
    if (last && t - last.end <= INCIDENT_GAP_MS) last.end = Math.max(last.end, t);
    else spans.push({ start: t, end: t });
  }
  const out: Incident[] = [];
  for (const span of spans) {
    const members = findings
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
