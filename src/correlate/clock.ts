import type { NodeInput } from '../types';
import type { ParsedTime } from '../ingest/timestamp';

/**
 * The node's reading of a timestamp as corrected UTC epoch ms: zone-less times shifted by the
 * node's UTC offset, then the node's clock error (how far it ran ahead) taken off.
 */
export function nodeClock(node: NodeInput, defaultOffsetMinutes: number): (t: ParsedTime) => number {
  const offset = node.facts.utcOffsetMinutes ?? defaultOffsetMinutes;
  const clock = node.facts.clockOffsetMs ?? 0;
  return (t) => (t.zoned ? t.ms : t.ms - offset * 60_000) - clock;
}
