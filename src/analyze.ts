import type { AnalysisReport, FileSummary, Inventory, LogFile, LogKind, NodeInput, NodeName, NodeReport } from './types';
import { scanFile, type Hit } from './ingest/scan';
import type { ParsedTime } from './ingest/timestamp';
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

export interface AnalyzeOptions {
  rules?: RuleSet;
  window?: Window;
  /** Offset (minutes east of UTC) for zone-less times on nodes without facts or --tz. */
  defaultOffsetMinutes: number;
}

export interface Analysis {
  report: AnalysisReport;
  /** Notable events of all nodes in total order (heartbeat replies only when slow). */
  events: NodeEvent[];
  nodeOrder: (n: NodeName) => number;
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

function keepEvent(e: NodeEvent, troubleTimes: number[]): boolean {
  if (e.type === 'heartbeat-reply') return Number(e.fields.ms) > 300;
  if (e.type === 'exception') {
    const t = e.time;
    return t !== undefined && troubleTimes.some((x) => t <= x && x - t <= EXCEPTION_CONTEXT_MS);
  }
  return true;
}

interface NodeResult {
  report: NodeReport;
  events: NodeEvent[];
  warnings: string[];
  bytes: number;
}

async function analyzeNode(node: NodeInput, rules: RuleSet, agg: FindingAggregator, opts: AnalyzeOptions): Promise<NodeResult> {
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  const offset = node.facts.utcOffsetMinutes ?? opts.defaultOffsetMinutes;
  const clock = node.facts.clockOffsetMs ?? 0;
  const toUtc = (pt: ParsedTime): number => (pt.zoned ? pt.ms : pt.ms - offset * 60_000) - clock;
  let sawZoneless = false;
  const events: NodeEvent[] = [];
  const troubleTimes: number[] = [];
  const files: FileSummary[] = [];
  let bytes = 0;
  let stateFromFile: string | undefined = node.facts.haState;
  let stateFileRef: { file: LogFile } | undefined;

  for (const kind of KIND_SEQUENCE) {
    const detectors = detectorsFor(kind);
    for (const file of node.files.filter((f) => f.kind === kind)) {
      const report = (o: Occurrence, template?: string): void => agg.add(o, template);
      const onHit = (hit: Hit): void => {
        if (hit.time && !hit.time.zoned) sawZoneless = true;
        const time = hit.time ? toUtc(hit.time) : undefined;
        for (const m of rules.match(kind, hit.text)) {
          const e: NodeEvent = { node: node.name, kind, type: m.rule.event ?? m.rule.condition!, time, fields: m.fields, file: file.path, fileOrder: file.order, line: hit.line, text: hit.text };
          if (m.rule.event) {
            for (const d of detectors) d.feed(e, report);
            if (keepEvent(e, troubleTimes)) events.push(e);
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
      if (stats.last) summary.last = isoTime(toUtc(stats.last));
      summary.records = stats.records;
      if (stats.bytes === 0 && file.size === 0) warn(`${node.name}: ${file.path} is empty`);
      files.push(summary);
    }
  }

  for (const file of node.files.filter((f) => f.kind === 'state')) {
    const s = await readStateFile(file, warn);
    if (s !== undefined) {
      stateFromFile = s;
      stateFileRef = { file };
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
    if (fileState === 'Failed' && stateFileRef && !agg.has('ha-failed', node.name)) {
      agg.add({
        condition: 'ha-failed',
        node: node.name,
        fields: {},
        evidence: [{ node: node.name, kind: 'state', type: 'state', fields: { state: 'Failed' }, file: stateFileRef.file.path, fileOrder: stateFileRef.file.order, line: 1, text: stateFromFile }],
      });
    }
  } else if (lastState) {
    report.state = lastState;
    report.stateSince = isoTime(since);
  }
  report.utcOffset = formatOffset(offset);
  report.files = files;
  return { report, events, warnings, bytes };
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
  const report: AnalysisReport = {
    version: 1,
    nodes: results.map((r) => r.report),
    findings: agg.findings(nodeOrder),
    incidents: [],
    warnings: [...inv.warnings, ...results.flatMap((r) => r.warnings)],
  };
  return { report, events, nodeOrder };
}
