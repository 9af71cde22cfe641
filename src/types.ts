import type { Readable } from 'node:stream';

export type NodeName = string;
/** Every kind of evidence (docs/spec/logs.md), in the order reports list a node's files. */
export const LOG_KINDS = ['ha', 'sms-info', 'mysqld', 'tpt', 'state', 'syslog'] as const;
export type LogKind = (typeof LOG_KINDS)[number];
export type Severity = 'critical' | 'error' | 'warning' | 'info';
export type Role = 'primary' | 'secondary' | 'unknown';

export const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

/** Higher is more severe; used for sorting and --min-severity / --fail-on. */
export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

/** One file of evidence, wherever it lives (disk, bundle, remote copy). */
export interface LogFile {
  node: NodeName;
  kind: LogKind;
  /** Path shown to the user: relative to the node's directory, or the entry name in a bundle. */
  path: string;
  /** 0 = oldest rotation of this (node, kind); the current file has the highest number. */
  order: number;
  size: number;
  mtime: Date;
  /**
   * Raw bytes as stored (possibly gzip); decoding is ingest's job. Each call gives buffers of its
   * own, never ones the source keeps: a reader may move them to a worker thread, which empties them.
   */
  open(): Readable;
  /**
   * The raw bytes at once, read in this thread, where that costs less than a stream: a bundle's
   * small members (each file's stream and its iterator outlived it, 100 MB of garbage over 20,000
   * one-line files). A buffer of its own, as open's; absent for any other file. Readers prefer it.
   */
  bytes?(): Buffer;
}

/** What a collector learned about a node besides its logs (bundle facts, --tz, --clock). */
export interface NodeFacts {
  hostname?: string;
  /** Minutes east of UTC for timestamps that carry no zone. */
  utcOffsetMinutes?: number;
  /** True when utcOffsetMinutes is the default (this machine's zone), not known for the node. */
  utcOffsetAssumed?: boolean;
  /** How far the node's clock was ahead of the collector's, in ms (subtracted to correct). */
  clockOffsetMs?: number;
  /** 'user' when clockOffsetMs came from --clock; otherwise it was measured (bundle facts). */
  clockSource?: 'user' | 'sample';
  /** Round-trip bound of the clock sample, in ms. */
  clockUncertaintyMs?: number;
  /** Content of /etc/ha.state when it was collected as a fact rather than a log file. */
  haState?: string;
  /** File systems and how full they were when collected (`df -P`). */
  diskUse?: Array<{ mount: string; percent: number }>;
  /** Memory when collected (`free -m`). */
  memory?: { totalMb: number; availableMb: number };
}

export interface NodeInput {
  name: NodeName;
  role: Role;
  files: LogFile[];
  facts: NodeFacts;
  /** What a collection could not fetch of this node (the bundle's manifest): the node, or files. */
  collectionErrors?: Array<{ source?: string; message: string }>;
}

export interface Inventory {
  nodes: NodeInput[];
  warnings: string[];
  /** When the problem happened, as a bundle records it (epoch ms): the default for --incident. */
  incident?: number;
}

/** One timestamped line plus the untimestamped lines that follow it. */
export interface LogRecord {
  node: NodeName;
  kind: LogKind;
  file: string;
  /** File order within its node (rotation order), for the stable total order. */
  fileOrder: number;
  /** 1-based line number of the line this record is cited by. */
  line: number;
  /** UTC epoch ms after zone and clock correction; undefined when nothing gave a time. */
  time?: number;
  text: string;
}

export interface Evidence {
  node: NodeName;
  file: string;
  line: number;
  time?: string;
  text: string;
}

export interface Finding {
  id: string;
  severity: Severity;
  node: NodeName;
  first: string;
  last: string;
  count: number;
  cause?: string;
  /** How sure smsdiag is of the cause: the margin of its evidence over the next-best cause. */
  causeConfidence?: 'high' | 'medium' | 'low';
  summary: string;
  /** Set when no line of the finding carried a time smsdiag understood: first/last are file mtimes. */
  timeUnknown?: true;
  evidence: Evidence[];
}

export interface FileSummary {
  kind: LogKind;
  path: string;
  first?: string;
  last?: string;
  /** Set last, after first/last, to keep the contract's key order. */
  records?: number;
}

export interface NodeReport {
  name: NodeName;
  role: Role;
  /** 'logs' when the role was inferred from the node's synchronization lines, not its name. */
  roleBasis?: 'logs';
  state?: string;
  stateSince?: string;
  /** utcOffset and files are filled after state, to keep the contract's key order. */
  utcOffset?: string;
  files?: FileSummary[];
  /** Conditions this node's files could not show, grouped by the kinds of file that were missing. */
  notChecked?: NotChecked[];
}

export interface NotChecked {
  conditions: string[];
  /** None of these kinds held a line on the node. */
  missing: LogKind[];
}

export interface Incident {
  start: string;
  end: string;
  findings: string[];
  /** The causal chain: each step follows from the one before by a rule of how HA fails. */
  summary: string;
  /** Other trouble in the same span that no rule links to the chain. */
  meanwhile?: string[];
}

/** The `analyze --json` document (cli.md contract, version 1). */
export interface AnalysisReport {
  version: 1;
  nodes: NodeReport[];
  findings: Finding[];
  incidents: Incident[];
  warnings: string[];
}
