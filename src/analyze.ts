import type { AnalysisReport, FileSummary, Inventory, LogKind, NodeInput, NodeName, NodeReport } from './types';
import { scanFile, type Hit } from './ingest/scan';
import { clockCorrectionMs, nodeClock } from './correlate/clock';
import { formatOffset } from './ingest/timestamp';
import { builtinRules, type RuleSet } from './rules/engine';
import { FindingAggregator, isoTime, type Window } from './correlate/aggregate';
import { canonicalState, compareEvents, type NodeEvent, type Occurrence } from './correlate/events';
import {
  databaseLifecycleDetector,
  heartbeatDetector,
  ipv6PeerDetector,
  maintenanceDetector,
  type SequenceDetector,
} from './correlate/sequences';
import { readStateFile } from './ingest/state-file';
import { InputError } from './sources/local';
import { stateIntervals, type StateInterval } from './correlate/intervals';
import { clockSkew, CLUSTER, DEFAULT_THRESHOLDS, noBrain, rolloverGaps, splitBrain, type ClusterThresholds, type ClusterView } from './correlate/cluster';
import { failedCause, takeoverCause, type CauseDecision } from './correlate/causes';
import { groupIncidents } from './correlate/incidents';

export interface AnalyzeOptions {
  rules?: RuleSet;
  window?: Window;
  /** Offset (minutes east of UTC) for zone-less times on nodes without facts or --tz. */
  defaultOffsetMinutes: number;
  thresholds?: Partial<ClusterThresholds>;
}

export interface Analysis {
  report: AnalysisReport;
  /** Notable events of all nodes in total order (heartbeat replies only when slow). */
  events: NodeEvent[];
  nodeOrder: (n: NodeName) => number;
  intervals: Map<NodeName, StateInterval[]>;
  causes: CauseDecision[];
}

/** Exceptions are only kept this close before a node's own trouble (they explain it). */
const EXCEPTION_CONTEXT_MS = 15 * 60_000;
const TROUBLE_EVENTS = new Set(['degraded', 'takeover-considered', 'peer-requested-failed']);
const KIND_SEQUENCE: readonly LogKind[] = ['ha', 'syslog', 'sms-info', 'tpt', 'mysqld'];

function detectorsFor(kind: LogKind): SequenceDetector[] {
  if (kind === 'ha' || kind === 'syslog') return [heartbeatDetector(), maintenanceDetector(), ipv6PeerDetector()];
  if (kind === 'mysqld') return [databaseLifecycleDetector()];
  return [];
}

function keepEvent(e: NodeEvent, troubleTimes: number[], lastPeerState: Map<string, string>): boolean {
  if (e.type === 'heartbeat-reply') return Number(e.fields.ms) > 300;
  if (e.type === 'peer-state') {
    // Only changes of the peer's state carry information; the same state logged each minute does not.
    const state = (e.fields.state ?? '').toLowerCase();
    if (lastPeerState.get(e.node) === state) return false;
    lastPeerState.set(e.node, state);
    return true;
  }
  if (e.type === 'exception') {
    const t = e.time;
    return t !== undefined && troubleTimes.some((x) => t <= x && x - t <= EXCEPTION_CONTEXT_MS);
  }
  return true;
}

interface NodeResult {
  report: NodeReport;
  events: NodeEvent[];
  /** Restarts without a clean stop (their deciding lines), for the Failed cause. */
  unclean: NodeEvent[];
  /** Latest log time of the node: where its last state interval ends. */
  lastTime?: number;
  warnings: string[];
  bytes: number;
}

async function analyzeNode(node: NodeInput, rules: RuleSet, agg: FindingAggregator, opts: AnalyzeOptions): Promise<NodeResult> {
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  const offset = node.facts.utcOffsetMinutes ?? opts.defaultOffsetMinutes;
  const toUtc = nodeClock(node, opts.defaultOffsetMinutes);
  let sawZoneless = false;
  const events: NodeEvent[] = [];
  const troubleTimes: number[] = [];
  const files: FileSummary[] = [];
  let bytes = 0;
  let stateFromFile: string | undefined = node.facts.haState;
  // Where the state word came from: a collected fact unless an ha.state file is read below.
  let stateSource = { path: 'facts/ha.state', order: node.files.length };
  const unclean: NodeEvent[] = [];
  let lastTime: number | undefined;
  const lastPeerState = new Map<string, string>();

  for (const kind of KIND_SEQUENCE) {
    const detectors = detectorsFor(kind);
    for (const file of node.files.filter((f) => f.kind === kind)) {
      const report = (o: Occurrence, template?: string): void => {
        if (o.condition === 'unclean-shutdown') unclean.push(o.evidence[o.evidence.length - 1]);
        agg.add(o, template);
      };
      const onHit = (hit: Hit): void => {
        if (hit.time && !hit.time.zoned) sawZoneless = true;
        const time = hit.time ? toUtc(hit.time) : undefined;
        for (const m of rules.match(kind, hit.text)) {
          const e: NodeEvent = { node: node.name, kind, type: m.rule.event ?? m.rule.condition!, time, fields: m.fields, file: file.path, fileOrder: file.order, line: hit.line, text: hit.text };
          if (m.rule.event) {
            for (const d of detectors) d.feed(e, report);
            if (keepEvent(e, troubleTimes, lastPeerState)) events.push(e);
            if (time !== undefined && (TROUBLE_EVENTS.has(e.type) || (e.type === 'state' && /^failed$/i.test(e.fields.state ?? '')))) troubleTimes.push(time);
          }
          if (m.rule.condition) {
            report(
              { condition: m.rule.condition, node: node.name, severity: m.rule.severity, fields: m.fields, evidence: [e], mergeKey: m.rule.mergeWithinMs ? `${m.rule.id}|${node.name}|${file.path}` : undefined, mergeWithinMs: m.rule.mergeWithinMs },
              m.rule.summary,
            );
          }
        }
      };
      const stats = await scanFile(file, { prefilter: rules.prefilter(kind), onHit, warn });
      bytes += stats.bytes;
      if (stats.cutLines) warn(`${node.name}: ${stats.cutLines} line(s) longer than 1 MiB in ${file.path} were cut for display`);
      if (stats.first && !stats.first.zoned) sawZoneless = true;
      const summary: FileSummary = { kind, path: file.path };
      if (stats.first) summary.first = isoTime(toUtc(stats.first));
      if (stats.last) {
        summary.last = isoTime(toUtc(stats.last));
        lastTime = Math.max(lastTime ?? -Infinity, toUtc(stats.last));
      }
      summary.records = stats.records;
      if (stats.bytes === 0 && file.size === 0) warn(`${node.name}: ${file.path} is empty`);
      files.push(summary);
    }
  }

  for (const file of node.files.filter((f) => f.kind === 'state')) {
    const s = await readStateFile(file, warn);
    if (s !== undefined) {
      stateFromFile = s;
      stateSource = { path: file.path, order: file.order };
    }
    files.push({ kind: 'state', path: file.path, records: s === undefined ? 0 : 1 });
  }

  if (sawZoneless && node.facts.utcOffsetMinutes === undefined) {
    warn(`${node.name}: times without a zone were read as UTC${formatOffset(offset)} (this machine's zone); use --tz ${node.name}=+HH:MM if the node ran in another`);
  }

  const report: NodeReport = { name: node.name, role: node.role };
  const states = events.filter((e) => e.type === 'state' && e.time !== undefined).sort((a, b) => compareEvents(a, b, () => 0));
  const lastState = states.length ? canonicalState(states[states.length - 1].fields.state ?? '') : undefined;
  let since: number | undefined;
  for (let i = states.length - 1; i >= 0 && canonicalState(states[i].fields.state ?? '') === lastState; i--) since = states[i].time;
  if (stateFromFile !== undefined) {
    const fileState = canonicalState(stateFromFile);
    report.state = fileState;
    if (fileState === lastState) report.stateSince = isoTime(since);
    if (fileState === 'Failed' && !agg.has('ha-failed', node.name)) {
      agg.add({
        condition: 'ha-failed',
        node: node.name,
        fields: {},
        evidence: [{ node: node.name, kind: 'state', type: 'state', fields: { state: 'Failed' }, file: stateSource.path, fileOrder: stateSource.order, line: 1, text: stateFromFile }],
      });
    }
  } else if (lastState) {
    report.state = lastState;
    report.stateSince = isoTime(since);
  }
  report.utcOffset = formatOffset(offset);
  report.files = files;
  return { report, events, unclean, lastTime, warnings, bytes };
}

/** Everything `analyze` reports, from an inventory of both nodes' files. */
export async function analyzeInventory(inv: Inventory, opts: AnalyzeOptions): Promise<Analysis> {
  const rules = opts.rules ?? builtinRules();
  const agg = new FindingAggregator(opts.window);
  const order = new Map(inv.nodes.map((n, i) => [n.name, i]));
  const nodeOrder = (n: NodeName): number => order.get(n) ?? order.size;
  const results = await Promise.all(inv.nodes.map((n) => analyzeNode(n, rules, agg, opts)));
  if (results.every((r) => r.bytes === 0 && (r.report.files ?? []).every((f) => !f.records))) {
    const why = [...inv.warnings, ...results.flatMap((r) => r.warnings)];
    throw new InputError(`no readable log data in the given input${why.length ? `: ${why.join('; ')}` : ''}`);
  }
  const events = results.flatMap((r) => r.events).sort((a, b) => compareEvents(a, b, nodeOrder));
  const thresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  const view: ClusterView = {
    nodes: inv.nodes.map((n) => n.name),
    events,
    intervals: new Map(results.map((r) => [r.report.name, stateIntervals(events.filter((e) => e.node === r.report.name), r.lastTime ?? -Infinity)])),
    facts: new Map(inv.nodes.map((n) => [n.name, n.facts])),
    files: new Map(results.map((r) => [r.report.name, r.report.files ?? []])),
  };
  const causes = crossNodeFindings(view, thresholds, agg, results.flatMap((r) => r.unclean));
  const findings = agg.findings(nodeOrder);
  const report: AnalysisReport = {
    version: 1,
    nodes: results.map((r) => r.report),
    findings,
    incidents: groupIncidents(findings, events, nodeOrder),
    warnings: [...inv.warnings, ...results.flatMap((r) => r.warnings), ...corrections(inv)],
  };
  return { report, events, nodeOrder, intervals: view.intervals, causes };
}

const CLUSTER_SUMMARIES: Record<string, (o: Occurrence) => string> = {
  'split-brain': () => 'both nodes were Active at once for {minutes} min ({seconds} s)',
  'no-brain': () => 'neither node was Active for {minutes} min while HA was enabled',
  'clock-skew': (o) =>
    o.fields.source === 'facts'
      ? "clock was {seconds} s {direction} the collector's when the bundle was made; times were corrected"
      : "clock at least {seconds} s {direction} {other}'s, judged from events logged on both nodes; correct with --clock",
  'log-rollover-gap': () => 'oldest {kind} entry ({oldest}, {file}) is later than the incident time {incident}: earlier evidence was rotated away',
};

/** Cluster conditions and causes, which need both nodes' events; returns the cause decisions. */
function crossNodeFindings(view: ClusterView, t: ClusterThresholds, agg: FindingAggregator, unclean: NodeEvent[]): CauseDecision[] {
  const cluster = [...splitBrain(view, t), ...noBrain(view, t), ...clockSkew(view, t), ...rolloverGaps(view, t)];
  for (const o of cluster) agg.add(o, CLUSTER_SUMMARIES[o.condition]?.(o));
  for (const o of activeWhilePeerActive(view)) {
    if (!agg.has('passive-takeover', o.node)) agg.add(o, 'became Active while {other} was Active');
  }
  const decisions: CauseDecision[] = [];
  for (const node of view.nodes) {
    const mine = view.events.filter((e) => e.node === node && agg.inWindow(e.time));
    const failed = mine.find((e) => e.type === 'state' && /^failed$/i.test(e.fields.state ?? ''));
    if (failed) decisions.push(failedCause(node, failed, view.events, unclean));
    const considered = mine.find((e) => e.type === 'takeover-considered') ?? activeWhilePeerActive(view).find((o) => o.node === node)?.evidence[0];
    if (considered) decisions.push(takeoverCause(node, considered, view.events));
  }
  for (const d of decisions) agg.setCause(d.condition, d.node, d.cause, d.evidence);
  return decisions;
}

/** A node that became Active while its peer was Active: the passive took over, logged or not. */
function activeWhilePeerActive(view: ClusterView): Occurrence[] {
  const out: Occurrence[] = [];
  for (const node of view.nodes) {
    for (const other of view.nodes.filter((n) => n !== node && n !== CLUSTER)) {
      const theirs = (view.intervals.get(other) ?? []).filter((iv) => iv.state === 'Active');
      for (const iv of (view.intervals.get(node) ?? []).filter((x) => x.state === 'Active')) {
        const peer = theirs.find((p) => p.start < iv.start && p.end > iv.start);
        if (peer) out.push({ condition: 'passive-takeover', node, fields: { other }, evidence: [iv.opened] });
      }
    }
  }
  return out;
}

/** What was applied to each node's times, so a reader knows how the timeline was aligned. */
function corrections(inv: Inventory): string[] {
  const out: string[] = [];
  for (const n of inv.nodes) {
    const parts: string[] = [];
    if (n.facts.utcOffsetMinutes !== undefined) parts.push(`read zone-less times as UTC${formatOffset(n.facts.utcOffsetMinutes)}`);
    const clock = clockCorrectionMs(n.facts);
    if (clock) parts.push(`moved its times by ${-clock / 1000} s to correct its clock`);
    else if (n.facts.clockOffsetMs) parts.push(`left its clock as it was (measured ${n.facts.clockOffsetMs} ms, within the ±${n.facts.clockUncertaintyMs} ms of the sample)`);
    if (parts.length) out.push(`${n.name}: ${parts.join(' and ')}`);
  }
  return out;
}
