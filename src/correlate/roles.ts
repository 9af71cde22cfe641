import type { NodeName, NodeReport, Role } from '../types';
import { canonicalState, type NodeEvent } from './events';

/** A role read from the logs, and the sentence that says how. */
export interface InferredRole {
  node: NodeName;
  role: Role;
  basis: string;
}

const ROLE_OF_SYNC: Record<string, Role> = { 'synchronization-source': 'primary', 'synchronization-target': 'secondary' };

/**
 * Roles of nodes whose folder names do not say: the guide's HA enabling steps have the primary
 * enter synchronization-source and the secondary synchronization-target, so the first
 * synchronization a node logged names it. With two nodes, one named role gives the other its
 * complement. It stays an inference: a later resynchronization may have been run the other way.
 */
export function inferRoles(nodes: readonly NodeReport[], events: readonly NodeEvent[]): InferredRole[] {
  const out: InferredRole[] = [];
  for (const n of nodes) {
    if (n.role !== 'unknown') continue;
    const sync = events.find((e) => e.node === n.name && e.type === 'state' && ROLE_OF_SYNC[canonicalState(e.fields.state ?? '')]);
    if (!sync) continue;
    const state = canonicalState(sync.fields.state ?? '');
    const at = sync.time === undefined ? '' : ` at ${new Date(sync.time).toISOString()}`;
    out.push({ node: n.name, role: ROLE_OF_SYNC[state], basis: `its first synchronization (${sync.file}:${sync.line}${at}) was as ${state}, which the guide gives the ${ROLE_OF_SYNC[state]}` });
  }
  if (nodes.length !== 2) return out;
  const roleOf = (n: NodeReport): Role => out.find((r) => r.node === n.name)?.role ?? n.role;
  const [a, b] = nodes;
  for (const [x, y] of [[a, b], [b, a]]) {
    if (roleOf(x) !== 'unknown' || roleOf(y) === 'unknown') continue;
    const other: Role = roleOf(y) === 'primary' ? 'secondary' : 'primary';
    out.push({ node: x.name, role: other, basis: `its peer ${y.name} is the ${roleOf(y)}` });
  }
  // Both read as the same role: the logs contradict each other, so neither is claimed.
  if (nodes.every((n) => roleOf(n) !== 'unknown') && roleOf(a) === roleOf(b)) return [];
  return out;
}
