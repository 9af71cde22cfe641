import { conditionById } from '../rules/conditions';
import { findingSummary, type SummaryPart } from '../knowledge/summaries';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../knowledge/thresholds';
import { severityRank, type Evidence, type Finding, type NodeName, type Severity } from '../types';
import type { NodeEvent, Occurrence } from './events';

/** Evidence lines kept per finding: the earliest ones plus the latest. */
export const EVIDENCE_LIMIT = 5;
/** Distinct values kept per field for a summary's `{all:field}`, and the length each is cut to. */
const MAX_VALUES = 8;
const MAX_VALUE_CHARS = 100;

/** One way (variant) a finding was reported, with the values its fields took. */
interface Part extends SummaryPart {
  fields: Record<string, string>;
  values: Record<string, string[]>;
  more: Record<string, number>;
  severity: Severity;
  first: number;
  order: number;
}

interface Aggregate {
  condition: string;
  node: NodeName;
  severity: Severity;
  count: number;
  first?: number;
  last?: number;
  parts: Map<string, Part>;
  /** Some evidence carried a time of its own (not a file's mtime). */
  timed: boolean;
  cause?: string;
  causeConfidence?: 'high' | 'medium' | 'low';
  causeEvidence: NodeEvent[];
  evidence: NodeEvent[];
  latest?: NodeEvent;
  maxRun: number;
  slowReplies: number;
  misses: number;
}

export interface Window {
  since?: number;
  until?: number;
}

export function isoTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function toEvidence(e: NodeEvent): Evidence {
  const ev: Evidence = { node: e.node, file: e.file, line: e.line, text: e.text };
  if (e.time !== undefined) ev.time = isoTime(e.time);
  return ev;
}

function eventTime(o: Occurrence): number | undefined {
  return o.eventTime ?? o.evidence[o.evidence.length - 1]?.time;
}

/**
 * What an aggregator holds, as plain data: a node read in a worker thread hands its aggregator's
 * state over, and this thread's absorbs it. Every key names its node, so two nodes' states never
 * share one.
 */
export interface AggregatorState {
  byKey: Map<string, Aggregate>;
  lastMerge: Map<string, number>;
}

/** Collects occurrences as they stream in and turns them into findings, one per (condition, node). */
export class FindingAggregator {
  private readonly byKey = new Map<string, Aggregate>();
  private readonly lastMerge = new Map<string, number>();

  constructor(
    private readonly window: Window = {},
    private readonly thresholds: Thresholds = DEFAULT_THRESHOLDS,
  ) {}

  inWindow(t: number | undefined): boolean {
    if (this.window.since === undefined && this.window.until === undefined) return true;
    if (t === undefined) return false;
    return (this.window.since === undefined || t >= this.window.since) && (this.window.until === undefined || t <= this.window.until);
  }

  add(o: Occurrence): void {
    const t = eventTime(o);
    if (!this.inWindow(t)) return;
    if (o.mergeKey && o.mergeWithinMs && t !== undefined) {
      const prev = this.lastMerge.get(o.mergeKey);
      this.lastMerge.set(o.mergeKey, t);
      if (prev !== undefined && t - prev <= o.mergeWithinMs) {
        const agg = this.byKey.get(`${o.condition}\u0000${o.node}`);
        if (agg) {
          agg.last = Math.max(agg.last ?? t, t);
          // One occurrence, but what its later lines say still counts (a crash report's signal).
          const part = agg.parts.get(partKey(o));
          if (part) noteValues(part, o.fields);
          for (const e of o.evidence) this.keepEvidence(agg, e);
        }
        return;
      }
    }
    const key = `${o.condition}\u0000${o.node}`;
    const cond = conditionById(o.condition);
    let agg = this.byKey.get(key);
    if (!agg) {
      agg = {
        condition: o.condition,
        node: o.node,
        severity: o.severity ?? cond.severity,
        count: 0,
        parts: new Map(),
        timed: false,
        causeEvidence: [],
        evidence: [],
        maxRun: 0,
        slowReplies: 0,
        misses: 0,
      };
      this.byKey.set(key, agg);
    }
    agg.count++;
    if (o.evidence.length === 0 || o.evidence.some((e) => !e.timeFromMtime)) agg.timed = true;
    if (o.cause && !agg.cause) agg.cause = o.cause;
    const sev = o.severity ?? cond.severity;
    if (severityRank(sev) > severityRank(agg.severity)) agg.severity = sev;
    const start = o.startTime ?? t;
    if (start !== undefined && (agg.first === undefined || start < agg.first)) agg.first = start;
    const at = start ?? Number.POSITIVE_INFINITY;
    let part = agg.parts.get(partKey(o));
    if (!part) {
      part = { variant: o.variant, fields: o.fields, values: {}, more: {}, count: 0, severity: sev, first: at, order: agg.parts.size };
      agg.parts.set(partKey(o), part);
    }
    part.count++;
    if (severityRank(sev) > severityRank(part.severity)) part.severity = sev;
    if (at < part.first) {
      part.first = at;
      part.fields = o.fields;
    }
    noteValues(part, o.fields);
    if (t !== undefined && (agg.last === undefined || t > agg.last)) agg.last = t;
    if (o.fields.run) {
      agg.misses++;
      agg.maxRun = Math.max(agg.maxRun, Number(o.fields.run));
    }
    if (o.fields.slowMs) agg.slowReplies++;
    for (const e of o.evidence) this.keepEvidence(agg, e);
  }

  private keepEvidence(agg: Aggregate, e: NodeEvent): void {
    if (!agg.latest || (e.time ?? 0) >= (agg.latest.time ?? 0)) agg.latest = e;
    if (agg.evidence.length < EVIDENCE_LIMIT - 1) {
      agg.evidence.push(e);
      return;
    }
    let worst = 0;
    for (let i = 1; i < agg.evidence.length; i++) if ((agg.evidence[i].time ?? 0) > (agg.evidence[worst].time ?? 0)) worst = i;
    if ((e.time ?? 0) < (agg.evidence[worst].time ?? 0)) agg.evidence[worst] = e;
  }

  state(): AggregatorState {
    return { byKey: this.byKey, lastMerge: this.lastMerge };
  }

  /** Takes over another aggregator's findings about other nodes (state()). */
  absorb(other: AggregatorState): void {
    for (const [key, a] of other.byKey) {
      if (this.byKey.has(key)) throw new Error(`two node passes reported ${a.condition} of ${a.node}`);
      this.byKey.set(key, a);
    }
    for (const [key, t] of other.lastMerge) this.lastMerge.set(key, t);
  }

  /** Attach the concluded cause of a node's condition, with the events that decided it. */
  setCause(condition: string, node: NodeName, cause: string, evidence: NodeEvent[], confidence?: 'high' | 'medium' | 'low'): void {
    const agg = this.byKey.get(`${condition}\u0000${node}`);
    if (!agg) return;
    agg.cause = cause;
    agg.causeConfidence = confidence;
    agg.causeEvidence = evidence;
  }

  has(condition: string, node?: NodeName): boolean {
    for (const a of this.byKey.values()) if (a.condition === condition && (node === undefined || a.node === node)) return true;
    return false;
  }

  findings(nodeOrder: (n: NodeName) => number): Finding[] {
    const out: Array<Finding & { _first: number }> = [];
    for (const a of this.byKey.values()) {
      // Several rules can match one line, each with its own event: cite each line once.
      const seen = new Set<string>();
      const evidence = [...a.evidence, ...(a.latest ? [a.latest] : []), ...a.causeEvidence].filter((e) => {
        const key = `${e.node}\u0000${e.file}\u0000${e.line}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      evidence.sort((x, y) => (x.time ?? 0) - (y.time ?? 0) || nodeOrder(x.node) - nodeOrder(y.node) || x.fileOrder - y.fileOrder || x.line - y.line);
      const f: Finding & { _first: number } = {
        id: a.condition,
        severity: a.severity,
        node: a.node,
        first: isoTime(a.first) ?? '',
        last: isoTime(a.last) ?? '',
        count: a.count,
        summary: a.timed ? summarize(a, this.thresholds) : `${summarize(a, this.thresholds)} (time unknown: file mtime)`,
        evidence: evidence.map(toEvidence),
        _first: a.first ?? Number.POSITIVE_INFINITY,
      };
      if (!a.timed) f.timeUnknown = true;
      if (a.cause) f.cause = a.cause;
      // An unknown cause has no confidence to speak of.
      if (a.cause && a.cause !== 'unknown' && a.causeConfidence) f.causeConfidence = a.causeConfidence;
      out.push(f);
    }
    out.sort(
      (x, y) =>
        x._first - y._first ||
        severityRank(y.severity) - severityRank(x.severity) ||
        (x.id < y.id ? -1 : x.id > y.id ? 1 : 0) ||
        nodeOrder(x.node) - nodeOrder(y.node),
    );
    return out.map(({ _first, ...f }) => f);
  }
}

function partKey(o: Occurrence): string {
  return `${o.variant ?? ''}\u0000${o.part ?? ''}`;
}

/** Each distinct value of each field, bounded in number and length; the rest only counted. */
function noteValues(part: Part, fields: Readonly<Record<string, string>>): void {
  for (const [k, raw] of Object.entries(fields)) {
    const v = raw.length > MAX_VALUE_CHARS ? `${raw.slice(0, MAX_VALUE_CHARS - 1)}…` : raw;
    if (!v) continue;
    const seen = (part.values[k] ??= []);
    if (seen.includes(v)) continue;
    if (seen.length < MAX_VALUES) seen.push(v);
    else part.more[k] = (part.more[k] ?? 0) + 1;
  }
}

function summarize(a: Aggregate, t: Thresholds): string {
  const parts = [...a.parts.values()].sort((x, y) => severityRank(y.severity) - severityRank(x.severity) || x.order - y.order);
  return findingSummary({ condition: a.condition, node: a.node, parts, misses: a.misses, maxRun: a.maxRun, slowReplies: a.slowReplies, slowLimitMs: t.heartbeatSlowMs });
}
