import type { FileSummary, LogKind, NodeInput, NodeReport } from '../types';
import { scanFile } from '../ingest/scan';
import { formatOffset } from '../ingest/timestamp';
import type { RuleSet } from '../rules/engine';
import type { FindingAggregator } from './aggregate';
import { fileSummary } from './file-summary';
import { nodeClock } from './clock';
import type { NodeEvent, Occurrence } from './events';
import { notChecked } from './coverage';
import { currentState } from './ha-state';
import { Activity } from './activity';
import { databaseLifecycleDetector, replicationThreadDetector, heartbeatDetector, ipv6PeerDetector, maintenanceDetector, replicationDelayDetector, syncDetector, type SequenceDetector } from './sequences';
import type { Thresholds } from '../knowledge/thresholds';

/** What one node's files say, before the nodes are read together. */
export interface NodePass extends Pick<NodeRead, 'events' | 'unclean' | 'lastTime' | 'ownLife' | 'heardPeer' | 'warnings' | 'bytes'> {
  report: NodeReport;
  /** The line (or ha.state) that says the node's state now. */
  stateEvidence?: NodeEvent;
}

/**
 * Events kept per node, type and minute: the first ones and the latest. A log that repeats one line
 * a million times tells no more than this, and memory stays bounded however much of it matches.
 */
const EVENTS_PER_MINUTE = 6;
/** Text kept of a stored event's line: evidence is read by people, and a line may be 1 MiB. */
const EVENT_TEXT_CHARS = 2000;

/** Keeps events within EVENTS_PER_MINUTE per (type, minute), the latest replacing the last slot. */
function boundedEvents(events: NodeEvent[]): { keep(e: NodeEvent): void; dropped(): number } {
  const slots = new Map<string, { count: number; last: number }>();
  let dropped = 0;
  return {
    keep(e) {
      // Head and tail: the tail of a cut line says how much was cut.
      if (e.text.length > EVENT_TEXT_CHARS) e.text = `${e.text.slice(0, EVENT_TEXT_CHARS - 400)} … ${e.text.slice(-400)}`;
      const key = `${e.type}\u0000${e.time === undefined ? '' : Math.floor(e.time / 60_000)}`;
      const slot = slots.get(key);
      if (!slot) {
        // Only the current minute's keys matter for long; old ones are cleared as time moves on.
        if (slots.size > 10_000) slots.clear();
        slots.set(key, { count: 1, last: events.push(e) - 1 });
        return;
      }
      slot.count++;
      if (slot.count <= EVENTS_PER_MINUTE) slot.last = events.push(e) - 1;
      else {
        events[slot.last] = e;
        dropped++;
      }
    },
    dropped: () => dropped,
  };
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
  if (kind === 'mysqld') return [databaseLifecycleDetector(), replicationThreadDetector()];
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
  // Error lines are read only to say why a start-up failed; the finding cites the one that matters.
  if (e.type === 'db-error') return false;
  if (e.type === 'exception') {
    const t = e.time;
    // Trouble times are kept one a minute at most: an exception up to that minute after one still explains it.
    return t !== undefined && troubleTimes.some((x) => t <= x + 60_000 && x - t <= EXCEPTION_CONTEXT_MS);
  }
  return true;
}

/**
 * What a node's log files say, read in one pass: plain data (Activity aside), so that a worker
 * thread can read a node and hand this over.
 */
export interface NodeRead {
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
  files: FileSummary[];
  /** Kinds that held at least one line: what the node could be checked for. */
  present: LogKind[];
  /** Some time was read without a zone. */
  sawZoneless: boolean;
  /** Events counted but not kept (boundedEvents). */
  dropped: number;
}

/** Which of a node's files its pass reads, kind by kind, in the order it reads them. */
function byReadOrder<F extends { kind: LogKind }>(files: readonly F[]): Array<{ kind: LogKind; files: F[] }> {
  return READ_ORDER.map((kind) => ({ kind, files: files.filter((f) => f.kind === kind) }));
}

/** byReadOrder's files, one after another: the order their bytes are needed in. */
export function filesInReadOrder<F extends { kind: LogKind }>(files: readonly F[]): F[] {
  return byReadOrder(files).flatMap((g) => g.files);
}

/**
 * One node's pass over its log files: every rule match becomes an event (kept when notable) and
 * every condition match an occurrence in `agg`; the per-stream detectors see the events in order.
 */
export async function readNodeFiles(node: Pick<NodeInput, 'name' | 'facts' | 'files'>, rules: RuleSet, agg: FindingAggregator, t: Thresholds): Promise<NodeRead> {
  const warnings: string[] = [];
  // One sentence once: a file read in two views (a syslog file per kind) says the same thing twice.
  const warn = (m: string): void => void (warnings.includes(m) || warnings.push(m));
  const toUtc = nodeClock(node);
  const offset = node.facts.utcOffsetMinutes ?? 0;
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
  const present = new Set<LogKind>();

  const kept = boundedEvents(events);
  const reportOccurrence = (o: Occurrence): void => {
    if (o.condition === 'unclean-shutdown') unclean.push(o.evidence[o.evidence.length - 1]);
    agg.add(o);
  };
  for (const { kind, files: ofKind } of byReadOrder(node.files)) {
    const detectors = detectorsFor(kind, t);
    for (const file of ofKind) {
      const stats = await scanFile(file, {
        anchors: rules.search(kind),
        zoneOffsetMinutes: offset,
        onHit: (hit) => {
          const { line, text, time: hitTime, timeSource: source } = hit;
          if (hitTime && !hitTime.zoned) sawZoneless = true;
          const time = hitTime ? toUtc(hitTime) : undefined;
          if (time !== undefined && source !== 'mtime') ownLife.add(time);
          for (const m of rules.match(kind, text, hit)) {
            const e: NodeEvent = { node: node.name, kind, type: m.rule.event ?? m.rule.condition!, time, fields: m.fields, file: file.path, fileOrder: file.order, line, text };
            if (source === 'mtime') e.timeFromMtime = true;
            if (m.rule.event) {
              for (const d of detectors) d.feed(e, reportOccurrence);
              if (time !== undefined && HEARD_FROM_PEER.has(e.type)) heardPeer.add(time);
              if (keepEvent(e, troubleTimes, lastPeerState, t)) kept.keep(e);
              // Minute resolution is all the exception window needs, and keeps the list short.
              if (time !== undefined && (TROUBLE_EVENTS.has(e.type) || (e.type === 'state' && /^failed$/i.test(e.fields.state ?? '')))) {
                if (troubleTimes.length === 0 || time - troubleTimes[troubleTimes.length - 1] >= 60_000) troubleTimes.push(time);
              }
            }
            if (m.rule.condition) {
              const merge = m.rule.mergeWithinMs ? { mergeKey: `${m.rule.id}|${node.name}|${file.path}`, mergeWithinMs: m.rule.mergeWithinMs } : {};
              reportOccurrence({ condition: m.rule.condition, node: node.name, severity: m.rule.severity, fields: m.fields, variant: m.rule.id, evidence: [e], ...merge });
            }
          }
        },
        onTime: (pt) => ownLife.add(toUtc(pt)),
        warn,
      });
      bytes += stats.bytes;
      if (stats.textLines) present.add(kind);
      if (!stats.first && stats.textLines) {
        warn(`${node.name}: no line of ${file.path} starts with a time smsdiag understands (${stats.textLines} line(s)); what it shows is dated by the file's modification time`);
      }
      if (stats.first?.family === 'rfc3164' || stats.last?.family === 'rfc3164') {
        warn(`${node.name}: ${file.path} has syslog times without a year; the year was taken from the file's modification time (${file.mtime.getUTCFullYear()}). If the file was copied without its time (scp without -p), its dates may be a year off`);
      }
      if (stats.unreadTimes) {
        const u = stats.unreadTimes;
        warn(`${node.name}: ${u.count} line(s) of ${file.path} start with a time in a form smsdiag does not read (first at line ${u.line}: "${u.text}"); each was read as part of the timed line before it`);
      }
      if (stats.mixedZones) {
        const mz = stats.mixedZones;
        if (mz.offsetMinutes !== offset) {
          warn(`${node.name}: ${file.path} mixes times with a zone and times without one; next to each other (line ${mz.line}) they agree only if the zone-less times are UTC${formatOffset(mz.offsetMinutes)}, while smsdiag read them as UTC${formatOffset(offset)}; use --tz ${node.name}=${formatOffset(mz.offsetMinutes)} if that is the node's zone`);
        }
      }
      if (stats.cutLines) warn(`${node.name}: ${stats.cutLines} line(s) longer than 1 MiB in ${file.path} were cut for display`);
      if (stats.first && !stats.first.zoned) sawZoneless = true;
      if (stats.last) lastTime = Math.max(lastTime ?? -Infinity, toUtc(stats.last));
      const summary = fileSummary(kind, file.path, stats.first && toUtc(stats.first), stats.last && toUtc(stats.last), stats.records);
      if (stats.bytes === 0 && file.size === 0) warn(`${node.name}: ${file.path} is empty`);
      files.push(summary);
    }
    for (const d of detectors) d.end?.(reportOccurrence);
  }

  return { events, unclean, lastTime, ownLife, heardPeer, warnings, bytes, files, present: [...present], sawZoneless, dropped: kept.dropped() };
}

/**
 * What is left of a node's pass once its log files are read: what its collection missed, its state
 * now (ha.state, or its last state line), and the warnings about the whole node.
 */
export async function finishNode(node: NodeInput, read: NodeRead, agg: FindingAggregator): Promise<NodePass> {
  const { events, unclean, lastTime, ownLife, heardPeer, warnings, bytes, files } = read;
  const warn = (m: string): void => void (warnings.includes(m) || warnings.push(m));
  const offset = node.facts.utcOffsetMinutes ?? 0;
  const present = new Set(read.present);
  // A partial collection is said as a finding, not only in the manifest: "nothing found" there is "not read".
  if (node.collectionErrors?.length) {
    const errs = node.collectionErrors;
    const why = errs[0].source ? `${errs[0].source}: ${errs[0].message}` : errs[0].message;
    const whole = node.files.length === 0;
    agg.add({ condition: 'not-collected', node: node.name, variant: whole ? 'node' : 'files', fields: { why, count: String(errs.length) }, evidence: [] });
  }
  if (read.dropped) warn(`${node.name}: ${read.dropped} repeated line(s) were counted but not kept as separate events (at most ${EVENTS_PER_MINUTE} of a kind per minute, the latest among them)`);
  const now = await currentState(node.name, node.files.filter((f) => f.kind === 'state'), node.facts.haState, events, agg, warn);
  for (const f of now.files) files.push({ kind: 'state', path: f.path, records: f.records });
  if (node.facts.haState !== undefined || now.files.some((f) => f.records)) present.add('state');
  if (read.sawZoneless && node.facts.utcOffsetAssumed) {
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

/** Both parts of a node's pass, in this thread. */
export async function scanNode(node: NodeInput, rules: RuleSet, agg: FindingAggregator, t: Thresholds): Promise<NodePass> {
  return finishNode(node, await readNodeFiles(node, rules, agg, t), agg);
}
