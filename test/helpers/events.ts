import type { NodeEvent } from '../../src/correlate/events';

/** A NodeEvent at an ISO time, for correlation tests. */
export function ev(node: string, type: string, iso: string, fields: Record<string, string> = {}, line = 1): NodeEvent {
  return { node, kind: 'ha', type, time: Date.parse(iso), fields, file: 'ha.log', fileOrder: 0, line, text: `${type} ${JSON.stringify(fields)}` };
}
