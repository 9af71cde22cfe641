import type { Severity } from '../types';

export interface Condition {
  id: string;
  severity: Severity;
  title: string;
  /** Default one-line summary; `{field}` placeholders are filled from the first occurrence. */
  summary: string;
  /** Where the detection lives: a rule in the pack, or a function over events. */
  detectedBy: 'rule' | 'sequence' | 'cluster';
}

/** The conditions of conditions.md, in its order. */
export const CONDITIONS: readonly Condition[] = [
  { id: 'ha-failed', severity: 'critical', title: 'HA Failed', summary: 'entered the HA Failed state', detectedBy: 'rule' },
  { id: 'passive-takeover', severity: 'critical', title: 'Passive takeover', summary: 'took over the cluster', detectedBy: 'rule' },
  { id: 'ha-degraded', severity: 'error', title: 'HA degraded', summary: 'reported DEGRADED HA', detectedBy: 'rule' },
  { id: 'java-oom', severity: 'error', title: 'Java out of memory', summary: 'Java ran out of memory', detectedBy: 'rule' },
  { id: 'db-corruption', severity: 'critical', title: 'Database corruption', summary: 'database corruption reported', detectedBy: 'rule' },
  { id: 'db-crash', severity: 'critical', title: 'Database crash', summary: 'the database server crashed', detectedBy: 'rule' },
  { id: 'replication-broken', severity: 'critical', title: 'Replication broken', summary: 'database replication is broken', detectedBy: 'rule' },
  { id: 'split-brain', severity: 'critical', title: 'Split brain (active/active)', summary: 'both nodes were Active at once', detectedBy: 'cluster' },
  { id: 'no-brain', severity: 'error', title: 'No active node', summary: 'neither node was Active', detectedBy: 'cluster' },
  { id: 'heartbeat-loss', severity: 'warning', title: 'Heartbeat loss', summary: 'heartbeats to the peer went unanswered', detectedBy: 'sequence' },
  { id: 'unclean-shutdown', severity: 'error', title: 'Unclean shutdown', summary: 'restarted without a clean stop', detectedBy: 'sequence' },
  { id: 'maintenance-under-ha', severity: 'error', title: 'Maintenance with HA enabled', summary: 'maintenance applied while HA was enabled ({what})', detectedBy: 'sequence' },
  { id: 'ipv6-unsupported', severity: 'error', title: 'IPv6 HA peer', summary: 'HA configured with an IPv6 peer address ({peer})', detectedBy: 'sequence' },
  { id: 'log-rollover-gap', severity: 'warning', title: 'Evidence lost to log rotation', summary: 'logs start after the incident time', detectedBy: 'cluster' },
  { id: 'clock-skew', severity: 'warning', title: 'Clock skew', summary: 'node clocks disagree', detectedBy: 'cluster' },
];

const BY_ID = new Map(CONDITIONS.map((c) => [c.id, c]));

export function conditionById(id: string): Condition {
  const c = BY_ID.get(id);
  if (!c) throw new Error(`unknown condition id ${id}`);
  return c;
}

export function isConditionId(id: string): boolean {
  return BY_ID.has(id);
}
