/**
 * Every number smsdiag judges by. Three come from the vendor's guide (a heartbeat a minute, three
 * missed ones start a takeover, a link delay under 300 ms); the rest are smsdiag's own choices.
 * All can be changed with `--threshold NAME=VALUE`, and explanations say which kind each one is.
 */
export interface Thresholds {
  /** A heartbeat reply slower than this is reported (the guide's link delay, applied per reply). */
  heartbeatSlowMs: number;
  /** Heartbeats missed in a row that start a takeover (the guide: three). */
  heartbeatMisses: number;
  /** Replication this far behind the active node is broken. */
  replicationDelayMs: number;
  /** Both nodes Active for longer than this is split brain; shorter is a takeover in progress. */
  splitBrainMs: number;
  /** Neither node Active for longer than this, with HA enabled, is no brain. */
  noBrainMs: number;
  /** Node clocks further apart than this are reported. */
  skewMs: number;
  /** Silence before a restart longer than this means the node was down. */
  downGapMs: number;
  /** Events closer than this belong to one incident. */
  incidentGapMs: number;
}

export interface ThresholdSpec {
  name: string;
  key: keyof Thresholds;
  unit: 'duration' | 'count';
  default: number;
  /** The guide's number, or smsdiag's own choice. */
  basis: 'guide' | 'smsdiag';
}

export const THRESHOLD_SPECS: readonly ThresholdSpec[] = [
  { name: 'heartbeat-slow', key: 'heartbeatSlowMs', unit: 'duration', default: 300, basis: 'guide' },
  { name: 'heartbeat-misses', key: 'heartbeatMisses', unit: 'count', default: 3, basis: 'guide' },
  { name: 'replication-delay', key: 'replicationDelayMs', unit: 'duration', default: 120_000, basis: 'smsdiag' },
  { name: 'split-brain', key: 'splitBrainMs', unit: 'duration', default: 60_000, basis: 'smsdiag' },
  { name: 'no-brain', key: 'noBrainMs', unit: 'duration', default: 300_000, basis: 'smsdiag' },
  { name: 'clock-skew', key: 'skewMs', unit: 'duration', default: 10_000, basis: 'smsdiag' },
  { name: 'down-gap', key: 'downGapMs', unit: 'duration', default: 60_000, basis: 'smsdiag' },
  { name: 'incident-gap', key: 'incidentGapMs', unit: 'duration', default: 600_000, basis: 'smsdiag' },
];

export const DEFAULT_THRESHOLDS: Thresholds = Object.fromEntries(THRESHOLD_SPECS.map((t) => [t.key, t.default])) as unknown as Thresholds;

/** The defaults with what was given on the command line. */
export function thresholds(overrides: Partial<Thresholds> = {}): Thresholds {
  return { ...DEFAULT_THRESHOLDS, ...overrides };
}

/** `2 min`, `300 ms`, `3`: a threshold's value as people read it. */
export function formatThreshold(spec: ThresholdSpec, value = spec.default): string {
  if (spec.unit === 'count') return String(value);
  if (value < 1000) return `${value} ms`;
  if (value < 120_000) return `${value / 1000} s`;
  return `${value / 60_000} min`;
}
