import type { FileSummary, LogKind, NodeInput, NodeReport } from '../types';
import { scanFile, type Hit } from '../ingest/scan';
import { formatOffset } from '../ingest/timestamp';
import type { RuleSet } from '../rules/engine';
import { isoTime, type FindingAggregator } from './aggregate';
import { nodeClock } from './clock';
import type { NodeEvent, Occurrence } from './events';
import { notChecked } from './coverage';
import { currentState } from './ha-state';
import { Activity } from './activity';
import { databaseLifecycleDetector, heartbeatDetector, ipv6PeerDetector, maintenanceDetector, replicationDelayDetector, syncDetector, type SequenceDetector } from './sequences';
import type { Thresholds } from '../knowledge/thresholds';

/** What one node's files say, before the nodes are read together. */
export interface NodePass {
  report: NodeReport;
  /** The line (or ha.state) that says the node's state now. */
  stateEvidence?: NodeEvent;
  /** Notable events in file order (heartbeat replies only when slow, peer states only on change). */
  events: NodeEvent[];
  /** Restarts without a clean stop (their deciding lines), for the Failed cause. */
  unclean: NodeEvent[];
  /** Latest log time of the node. */
  lastTime?: number;
  /** When the node logged (its own signs of life). */
  ownLife: Activity;
  /** When the node heard from its peer (heartbeat replies, peer states): signs of the peer's life. */
  heardPeer: Activity;
  warnings: string[];
  bytes: number;
}

/** Exceptions are only kept this close before a node's own trouble (they explain it). */
const EXCEPTION_CONTEXT_MS = 15 * 60_000;
const TROUBLE_EVENTS = new Set(['degraded', 'takeover-considered', 'peer-requested-failed']);
/**
 * Kinds in the order they are read: ha.log first, so that by the time sms-info.log's exceptions
 * stream past, the node's trouble times are known and only the exceptions before one are kept.
 */
const READ_ORDER: readonly LogKind[] = ['ha', 'syslog', 'sms-info', 'tpt', 'mysqld'];

function detectorsFor(kind: LogKind, t: Thresholds): SequenceDetector[] {
  if (kind === 'ha' || kind === 'syslog') return [heartbeatDetector(t), maintenanceDetector(), ipv6PeerDetector(), replicationDelayDetector(t), syncDetector()];
  if (kind === 'mysqld') return [databaseLifecycleDetector()];
  return [];
}

/** Events that show the peer answered: its heartbeat replies, the state it reported. */
const HEARD_FROM_PEER = new Set(['heartbeat-reply', 'peer-state']);

function keepEvent(e: NodeEvent, troubleTimes: number[], lastPeerState: Map<string, string>, t: Thresholds): boolean {
  if (e.type === 'heartbeat-reply') return Number(e.fields.ms) > t.heartbeatSlowMs;
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

/**
 * One node's pass over its files: every rule match becomes an event (kept when notable) and every
 * condition match an occurrence in `agg`; the per-stream detectors see the events in order.
 */
export async function scanNode(node: NodeInput, rules: RuleSet, agg: FindingAggregator, t: Thresholds): Promise<NodePass> {
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  const toUtc = nodeClock(node);
  let sawZoneless = false;
  const events: NodeEvent[] = [];
  const troubleTimes: number[] = [];
  const files: FileSummary[] = [];
  let bytes = 0;
  const unclean: NodeEvent[] = [];
  let lastTime: number | undefined;
  const lastPeerState = new Map<string, string>();
  const ownLife = new Activity();
  const heardPeer = new Activity();
  /** Kinds that held at least one line: what the node could be checked for. */
  const present = new Set<LogKind>();

  for (const kind of READ_ORDER) {
    const detectors = detectorsFor(kind, t);
    for (const file of node.files.filter((f) => f.kind === kind)) {
      const report = (o: Occurrence): void => {
        if (o.condition === 'unclean-shutdown') unclean.push(o.evidence[o.evidence.length - 1]);
        agg.add(o);
      };
      const onHit = (hit: Hit): void => {
        if (hit.time && !hit.time.zoned) sawZoneless = true;
        const time = hit.time ? toUtc(hit.time) : undefined;
        if (time !== undefined && hit.timeSource !== 'mtime') ownLife.add(time);
        for (const m of rules.match(kind, hit.text)) {
          const e: NodeEvent = { node: node.name, kind, type: m.rule.event ?? m.rule.condition!, time, fields: m.fields, file: file.path, fileOrder: file.order, line: hit.line, text: hit.text };
          if (m.rule.event) {
            for (const d of detectors) d.feed(e, report);
            if (time !== undefined && HEARD_FROM_PEER.has(e.type)) heardPeer.add(time);
            if (keepEvent(e, troubleTimes, lastPeerState, t)) events.push(e);
            if (time !== undefined && (TROUBLE_EVENTS.has(e.type) || (e.type === 'state' && /^failed$/i.test(e.fields.state ?? '')))) troubleTimes.push(time);
          }
          if (m.rule.condition) {
            const merge = m.rule.mergeWithinMs ? { mergeKey: `${m.rule.id}|${node.name}|${file.path}`, mergeWithinMs: m.rule.mergeWithinMs } : {};
            report({ condition: m.rule.condition, node: node.name, severity: m.rule.severity, fields: m.fields, variant: m.rule.id, evidence: [e], ...merge });
          }
        }
      };
      const stats = await scanFile(file, { prefilter: rules.prefilter(kind), onHit, warn, onTime: (pt) => ownLife.add(toUtc(pt)) });
      bytes += stats.bytes;
      if (stats.textLines) present.add(kind);
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

  const offset = node.facts.utcOffsetMinutes ?? 0;
  const now = await currentState(node.name, node.files.filter((f) => f.kind === 'state'), node.facts.haState, events, agg, warn);
  for (const f of now.files) files.push({ kind: 'state', path: f.path, records: f.records });
  if (node.facts.haState !== undefined || now.files.some((f) => f.records)) present.add('state');
  if (sawZoneless && node.facts.utcOffsetAssumed) {
    warn(`${node.name}: times without a zone were read as UTC${formatOffset(offset)} (this machine's zone); use --tz ${node.name}=+HH:MM if the node ran in another`);
  }
  const report: NodeReport = { name: node.name, role: node.role };
  if (now.state !== undefined) report.state = now.state;
  if (now.stateSince !== undefined) report.stateSince = now.stateSince;
  report.utcOffset = formatOffset(offset);
  report.files = files;
  const unchecked = notChecked(present);
  if (unchecked.length) report.notChecked = unchecked;
  return { report, stateEvidence: now.evidence, events, unclean, lastTime, ownLife, heardPeer, warnings, bytes };
}
