import { Activity } from '../../src/correlate/activity';
import { clusterStory } from '../../src/correlate/analysis';
import type { ClusterThresholds } from '../../src/correlate/cluster';
import type { NodeEvent } from '../../src/correlate/events';
import { DEFAULT_THRESHOLDS } from '../../src/knowledge/thresholds';
import type { NodeFacts } from '../../src/types';

export const NODES = ['primary', 'secondary'];

/**
 * Both nodes' story from a list of events, as analyze builds it from a node pass: every event is a
 * sign of its node's life; heartbeat replies and peer states are also the peer heard from.
 */
export function story(events: NodeEvent[], opts: { now?: Record<string, string>; facts?: Record<string, NodeFacts>; thresholds?: Partial<ClusterThresholds>; unclean?: NodeEvent[] } = {}) {
  const sorted = [...events].sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
  const ownLife = new Map(NODES.map((n) => [n, new Activity()]));
  const heardPeer = new Map(NODES.map((n) => [n, new Activity()]));
  for (const e of sorted) {
    if (e.time === undefined) continue;
    ownLife.get(e.node)!.add(e.time);
    if (e.type === 'heartbeat-reply' || e.type === 'peer-state') heardPeer.get(e.node)!.add(e.time);
  }
  const last = (n: string): number | undefined => sorted.filter((e) => e.node === n && e.time !== undefined).pop()?.time;
  return clusterStory(
    {
      nodes: NODES,
      events: sorted,
      ownLife,
      heardPeer,
      lastTime: new Map(NODES.map((n) => [n, last(n)])),
      facts: new Map(NODES.map((n) => [n, opts.facts?.[n] ?? {}])),
      files: new Map(),
      now: new Map(NODES.map((n) => [n, { state: opts.now?.[n] }])),
      unclean: opts.unclean ?? [],
    },
    { ...DEFAULT_THRESHOLDS, ...opts.thresholds },
  );
}

/** A minute-by-minute stream of one event, from..to (ISO minutes of one day, "13:05"). */
export function every(node: string, type: string, day: string, from: string, to: string, fields: Record<string, string> = {}, make: (n: string, t: string, i: string, f: Record<string, string>) => NodeEvent): NodeEvent[] {
  const out: NodeEvent[] = [];
  for (let t = Date.parse(`${day}T${from}:00Z`); t <= Date.parse(`${day}T${to}:00Z`); t += 60_000) out.push(make(node, type, new Date(t).toISOString(), fields));
  return out;
}
