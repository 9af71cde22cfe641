import type { LogKind, NodeName, Severity } from '../types';

/** Something a node's logs say happened, in corrected UTC time. */
export interface NodeEvent {
  node: NodeName;
  kind: LogKind;
  /** Rule event name: state, heartbeat-miss, takeover-considered, db-crash, … */
  type: string;
  time?: number;
  fields: Record<string, string>;
  file: string;
  fileOrder: number;
  line: number;
  text: string;
  /** The file had no time smsdiag understood: `time` is the file's modification time. */
  timeFromMtime?: true;
}

/** One sighting of a condition, before aggregation into a finding. */
export interface Occurrence {
  condition: string;
  node: NodeName;
  severity?: Severity;
  /** Occurrences of one rule on one node within this many ms are one occurrence. */
  mergeKey?: string;
  mergeWithinMs?: number;
  fields: Record<string, string>;
  /** Which wording of the condition's summary fits (knowledge/summaries.ts); a rule's is its id. */
  variant?: string;
  /** Occurrences of one variant that the summary tells apart (a replication thread): listed separately. */
  part?: string;
  evidence: NodeEvent[];
  cause?: string;
  /** When the occurrence has no evidence line to date it (e.g. a log that starts too late). */
  eventTime?: number;
  /** For conditions that last (both nodes Active, none Active): when it began. */
  startTime?: number;
}

/** Stable order: time (untimed last), node order, file order, line. */
export function compareEvents(a: NodeEvent, b: NodeEvent, nodeOrder: (n: NodeName) => number): number {
  const ta = a.time ?? Number.POSITIVE_INFINITY;
  const tb = b.time ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const n = nodeOrder(a.node) - nodeOrder(b.node);
  if (n !== 0) return n;
  if (a.fileOrder !== b.fileOrder) return a.fileOrder - b.fileOrder;
  return a.line - b.line;
}

/** Canonical spelling of an HA state name (logs.md accepts variants). */
export function canonicalState(raw: string): string {
  const s = raw.trim().toLowerCase().replace(/_/g, '-');
  switch (s) {
    case 'unconfigured':
    case 'un-configured':
      return 'Un-configured';
    case 'configured':
      return 'Configured';
    case 'synchronization-source':
    case 'sync-source':
    case 'synchronizationsource':
      return 'synchronization-source';
    case 'synchronization-target':
    case 'sync-target':
    case 'synchronizationtarget':
      return 'synchronization-target';
    case 'restart':
    case 'restarting':
      return 'Restart';
    case 'active':
      return 'Active';
    case 'passive':
      return 'Passive';
    case 'failed':
      return 'Failed';
    case 'degraded':
      return 'Degraded';
    default:
      return raw.trim();
  }
}
