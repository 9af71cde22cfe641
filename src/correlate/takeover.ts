import type { Occurrence } from './events';
import { CLUSTER, type ClusterView } from './cluster';

/**
 * passive-takeover from the state model: a node that became Active while its peer was Active took
 * over, whether or not it logged `considering cluster takeover`.
 */
export function activeWhilePeerActive(view: ClusterView): Occurrence[] {
  const out: Occurrence[] = [];
  for (const node of view.nodes) {
    for (const other of view.nodes.filter((n) => n !== node && n !== CLUSTER)) {
      const theirs = (view.intervals.get(other) ?? []).filter((iv) => iv.state === 'Active');
      for (const iv of (view.intervals.get(node) ?? []).filter((x) => x.state === 'Active')) {
        const peer = theirs.find((p) => p.start < iv.start && p.end > iv.start);
        if (peer) out.push({ condition: 'passive-takeover', node, fields: { other }, variant: 'active-while-peer-active', evidence: [iv.opened] });
      }
    }
  }
  return out;
}
