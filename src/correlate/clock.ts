import type { NodeFacts, NodeInput } from '../types';
import type { ParsedTime } from '../ingest/timestamp';

/** What correcting a time needs of it: the reading, and whether it carried its zone. */
export type Reading = Pick<ParsedTime, 'ms' | 'zoned'>;

/**
 * The clock correction worth applying: a measured offset no larger than its own error bound
 * (half the sampling round trip) says nothing, and applying it would only add noise.
 */
export function clockCorrectionMs(facts: NodeFacts): number {
  const off = facts.clockOffsetMs ?? 0;
  return Math.abs(off) > (facts.clockUncertaintyMs ?? 0) ? off : 0;
}

/**
 * The node's reading of a timestamp as corrected UTC epoch ms: zone-less times shifted by the
 * node's UTC offset, then the node's clock error (how far it ran ahead) taken off.
 */
export function nodeClock(node: Pick<NodeInput, 'facts'>): (t: Reading) => number {
  return clockOf(clockSettings(node));
}

/** What nodeClock needs of a node, as plain data (it crosses to worker threads). */
export interface ClockSettings {
  utcOffsetMinutes: number;
  correctionMs: number;
}

export function clockSettings(node: Pick<NodeInput, 'facts'>): ClockSettings {
  return { utcOffsetMinutes: node.facts.utcOffsetMinutes ?? 0, correctionMs: clockCorrectionMs(node.facts) };
}

export function clockOf({ utcOffsetMinutes, correctionMs }: ClockSettings): (t: Reading) => number {
  return (t) => (t.zoned ? t.ms : t.ms - utcOffsetMinutes * 60_000) - correctionMs;
}
