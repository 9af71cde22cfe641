import type { NodeName } from '../types';
import type { NodeEvent, Occurrence } from './events';
import type { StateInterval } from './states';

const MIN = 60_000;
/** A passive node that considers a takeover and becomes Active within this took over. */
const TAKEOVER_SPAN_MS = 10 * MIN;

export interface TakeoverView {
  nodes: NodeName[];
  events: readonly NodeEvent[];
  intervals: ReadonlyMap<NodeName, StateInterval[]>;
}

/** A takeover or a takeover considered and averted, with the line that opened it. */
export interface Takeover {
  occurrence: Occurrence;
  /** The line the cause is decided for: where the node considered it, else where it became Active. */
  subject: NodeEvent;
  averted: boolean;
}

/** Where the node itself logged becoming Active (held after that or not: its line is what counts). */
function activeStarts(node: NodeName, intervals: readonly StateInterval[]): StateInterval[] {
  return intervals.filter((iv, i) => iv.state === 'Active' && iv.opened?.node === node && (i === 0 || intervals[i - 1].state !== 'Active'));
}

/**
 * Takeovers, from what the nodes logged and their states: a passive node that considered taking
 * over (the guide's `considering cluster takeover`) and became Active took over; one that
 * considered it and did not, averted it. A node that went from Passive to Active without logging
 * that, or became Active while its peer was Active, took over too — unless an administrator swapped
 * the roles just before.
 */
export function takeovers(view: TakeoverView): Takeover[] {
  const out: Takeover[] = [];
  for (const node of view.nodes) {
    const mine = view.intervals.get(node) ?? [];
    const starts = activeStarts(node, mine);
    const explained = new Set<StateInterval>();
    for (const c of view.events.filter((e) => e.node === node && e.type === 'takeover-considered' && e.time !== undefined)) {
      const t = c.time!;
      const active = starts.find((iv) => iv.start >= t - 5000 && iv.start <= t + TAKEOVER_SPAN_MS);
      if (active) {
        explained.add(active);
        out.push({ occurrence: { condition: 'passive-takeover', node, fields: {}, variant: 'considered', evidence: [c, active.opened!] }, subject: c, averted: false });
        continue;
      }
      const restart = view.events.find((e) => e.node === node && e.type === 'restart-active' && e.time !== undefined && e.time >= t && e.time <= t + 5 * MIN);
      const after = mine.find((iv) => iv.start <= t + TAKEOVER_SPAN_MS && iv.end > t + TAKEOVER_SPAN_MS) ?? mine.filter((iv) => iv.start <= t).pop();
      out.push({
        occurrence: {
          condition: 'takeover-averted',
          node,
          fields: { state: after?.state ?? 'Passive', restart: restart ? ' after trying to restart the active node' : '' },
          evidence: restart ? [c, restart] : [c],
        },
        subject: c,
        averted: true,
      });
    }
    const others = view.nodes.filter((n) => n !== node);
    for (const iv of starts) {
      if (explained.has(iv)) continue;
      const t = iv.start;
      const before = mine[mine.indexOf(iv) - 1];
      const swapped = view.events.some((e) => e.type === 'admin' && /swap|disabled|enabled/i.test(e.fields.action ?? '') && e.time !== undefined && e.time >= t - TAKEOVER_SPAN_MS && e.time <= t);
      if (swapped) continue;
      const peerActive = others.find((o) => (view.intervals.get(o) ?? []).some((p) => p.state === 'Active' && p.source !== 'held' && p.start < t && p.end > t));
      if (before?.state === 'Passive') {
        out.push({ occurrence: { condition: 'passive-takeover', node, fields: {}, variant: 'from-passive', evidence: [iv.opened!] }, subject: iv.opened!, averted: false });
      } else if (peerActive) {
        out.push({ occurrence: { condition: 'passive-takeover', node, fields: { other: peerActive }, variant: 'active-while-peer-active', evidence: [iv.opened!] }, subject: iv.opened!, averted: false });
      }
    }
  }
  return out;
}
