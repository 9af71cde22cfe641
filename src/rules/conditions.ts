import type { LogKind, Severity } from '../types';

/**
 * The conditions of docs/spec/conditions.md: what is detected, how severe it is, where the
 * detection lives, and which kinds of evidence it reads. Their words (titles, summaries, advice)
 * are in knowledge/.
 */
export interface Condition {
  id: string;
  severity: Severity;
  /**
   * Where the detection lives: `rule` a line rule in rules/pack.json, `sequence` a detector over
   * one node's stream (correlate/sequences.ts), `cluster` code over both nodes (correlate/).
   */
  detectedBy: ReadonlyArray<'rule' | 'sequence' | 'cluster'>;
  /** The kinds of file that can show it; a node with none of them was not checked for it. */
  needs: readonly LogKind[];
}

export const CONDITIONS: readonly Condition[] = [
  { id: 'ha-failed', severity: 'critical', detectedBy: ['rule'], needs: ['ha', 'state'] },
  { id: 'passive-takeover', severity: 'critical', detectedBy: ['cluster'], needs: ['ha'] },
  { id: 'takeover-averted', severity: 'warning', detectedBy: ['cluster'], needs: ['ha'] },
  { id: 'no-active-node', severity: 'critical', detectedBy: ['cluster'], needs: ['ha', 'state'] },
  { id: 'sync-failed', severity: 'error', detectedBy: ['sequence'], needs: ['ha'] },
  { id: 'active-on-db-errors', severity: 'critical', detectedBy: ['cluster'], needs: ['mysqld'] },
  { id: 'resource-exhaustion', severity: 'error', detectedBy: ['rule', 'cluster'], needs: ['mysqld', 'sms-info', 'tpt'] },
  { id: 'ha-degraded', severity: 'error', detectedBy: ['rule'], needs: ['ha'] },
  { id: 'java-oom', severity: 'error', detectedBy: ['rule'], needs: ['sms-info', 'tpt'] },
  { id: 'db-corruption', severity: 'critical', detectedBy: ['rule'], needs: ['mysqld'] },
  { id: 'db-crash', severity: 'critical', detectedBy: ['rule'], needs: ['mysqld'] },
  { id: 'db-start-failed', severity: 'critical', detectedBy: ['sequence'], needs: ['mysqld'] },
  { id: 'replication-broken', severity: 'critical', detectedBy: ['sequence'], needs: ['mysqld', 'ha'] },
  { id: 'split-brain', severity: 'critical', detectedBy: ['cluster'], needs: ['ha'] },
  { id: 'no-brain', severity: 'error', detectedBy: ['cluster'], needs: ['ha'] },
  { id: 'heartbeat-loss', severity: 'warning', detectedBy: ['sequence'], needs: ['ha'] },
  { id: 'unclean-shutdown', severity: 'error', detectedBy: ['sequence'], needs: ['mysqld'] },
  { id: 'maintenance-under-ha', severity: 'error', detectedBy: ['sequence'], needs: ['ha'] },
  { id: 'ipv6-unsupported', severity: 'error', detectedBy: ['sequence'], needs: ['ha'] },
  { id: 'log-rollover-gap', severity: 'warning', detectedBy: ['cluster'], needs: ['ha', 'sms-info', 'mysqld', 'tpt'] },
  { id: 'clock-skew', severity: 'warning', detectedBy: ['cluster'], needs: ['ha'] },
  { id: 'not-collected', severity: 'error', detectedBy: ['sequence'], needs: [] },
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
