import { canonicalState, type NodeEvent, type Occurrence } from './events';
import type { Thresholds } from '../knowledge/thresholds';
import { duration } from '../knowledge/phrases';

/**
 * Per-node detectors that need the order of one stream (a kind's files, oldest first) rather than
 * single lines. Each is fed every event of its stream in order and reports occurrences.
 */
export interface SequenceDetector {
  feed(e: NodeEvent, report: (o: Occurrence) => void): void;
  /** The stream ended: report what is still open (a log's end does not close it). */
  end?(report: (o: Occurrence) => void): void;
}

/**
 * Missed heartbeats in a row (critical at the takeover trigger, `heartbeatMisses`) and replies
 * slower than `heartbeatSlowMs`.
 */
export function heartbeatDetector(t: Thresholds): SequenceDetector {
  let run = 0;
  const runEvidence: NodeEvent[] = [];
  return {
    feed(e, report) {
      if (e.type === 'heartbeat-reply') {
        run = 0;
        runEvidence.length = 0;
        const ms = Number(e.fields.ms);
        if (ms > t.heartbeatSlowMs) {
          report({ condition: 'heartbeat-loss', node: e.node, severity: 'warning', fields: { slowMs: String(ms) }, evidence: [e] });
        }
        return;
      }
      if (e.type !== 'heartbeat-miss') return;
      run++;
      runEvidence.push(e);
      const critical = run >= t.heartbeatMisses;
      report({
        condition: 'heartbeat-loss',
        node: e.node,
        severity: critical ? 'critical' : 'warning',
        fields: { run: String(run) },
        evidence: critical && run === t.heartbeatMisses ? [...runEvidence] : [e],
      });
    },
  };
}

/**
 * mysqld.err as a run of the server: starting → running → ended (shutdown complete, crash report,
 * Aborting). A start while the previous run never ended, `mysqld_safe … restarted`, or crash
 * recovery after anything but a crash report is a restart without a clean stop, dated at the new
 * start. A start-up that gives up (Aborting) before it was ready is a failed start, with the first
 * error it logged as the reason. Start-up chatter (X Plugin or Admin interface "ready", XA
 * recovery) is not matched by the rules at all.
 */
export function databaseLifecycleDetector(): SequenceDetector {
  type Run = 'unknown' | 'starting' | 'running' | 'stopped' | 'crashed' | 'aborted';
  let run: Run = 'unknown';
  /** How the run before the current start-up ended (`unknown` when the log begins with it). */
  let before: Run = 'unknown';
  let start: NodeEvent | undefined;
  let errors: NodeEvent[] = [];
  let unclean: { evidence: NodeEvent[]; how: string[] } | undefined;
  let reported = false;

  const flush = (report: (o: Occurrence) => void): void => {
    if (!unclean) return;
    const first = unclean.evidence[0];
    report({ condition: 'unclean-shutdown', node: first.node, fields: { source: 'database', how: unclean.how.join('; ') }, startTime: first.time, evidence: unclean.evidence });
    unclean = undefined;
  };
  const noteUnclean = (e: NodeEvent, how: string, report: (o: Occurrence) => void): void => {
    if (reported) {
      if (unclean && unclean.evidence.length < 3) {
        unclean.evidence.push(e);
        if (!unclean.how.includes(how)) unclean.how.push(how);
      }
      return;
    }
    reported = true;
    unclean = { evidence: start && start !== e ? [start, e] : [e], how: [how] };
    if (run !== 'starting') flush(report);
  };
  const newStart = (e: NodeEvent): void => {
    before = run;
    run = 'starting';
    start = e;
    errors = [];
    reported = false;
  };
  return {
    feed(e, report) {
      switch (e.type) {
        case 'db-start':
          // mysqld_safe's restart line and the server's own start line are one start-up.
          if (run === 'starting') return;
          flush(report);
          newStart(e);
          if (before === 'running') noteUnclean(e, 'started again while it was running', report);
          return;
        case 'db-restarted':
          flush(report);
          newStart(e);
          if (before !== 'crashed') noteUnclean(e, 'mysqld_safe restarted it after it died', report);
          return;
        case 'db-crash-recovery':
          if (run !== 'starting' && run !== 'unknown') return;
          if (before !== 'crashed') noteUnclean(e, 'crash recovery at start-up', report);
          return;
        case 'db-error':
          // The "Aborting" line is an error line too: the reason is what came before it.
          if ((run === 'starting' || run === 'unknown') && errors.length < 3 && !/^Aborting\b/.test(e.fields.message ?? '')) errors.push(e);
          return;
        case 'db-ready':
          flush(report);
          run = 'running';
          return;
        case 'db-shutdown':
          flush(report);
          run = 'stopped';
          return;
        case 'db-crash':
          flush(report);
          run = 'crashed';
          return;
        case 'db-abort': {
          flush(report);
          if (run === 'starting' || run === 'unknown') {
            const reason = errors[0]?.fields.message;
            const evidence = [...(start ? [start] : []), ...errors.slice(0, 1), e];
            report({ condition: 'db-start-failed', node: e.node, fields: reason ? { reason: reason.replace(/\s+$/, '') } : {}, startTime: start?.time, evidence });
          }
          run = 'aborted';
          return;
        }
      }
    },
    end(report) {
      flush(report);
    },
  };
}

/**
 * Replication threads (I/O and SQL) as episodes: an error opens one, the thread running again
 * (connected, resumed, SQL thread initialized) closes it. A closed episode is a warning that says
 * how long it lasted; one still open when the log ends is critical: nothing shows it recovered.
 */
export function replicationThreadDetector(): SequenceDetector {
  const open = new Map<string, { first: NodeEvent; codes: string[] }>();
  // The thread is the word right after Slave/Replica, never a word elsewhere in the line (a host
  // named sms-sql); 5.0's `Slave: Error '…'` is the SQL thread; the rest (fatal error from master,
  // `Slave: connected … resumed`) is the I/O thread.
  const threadOf = (e: NodeEvent): string => {
    const m = /(?:Slave|Replica)\s+(SQL|I\/O)\b/i.exec(e.text);
    if (m) return m[1].toUpperCase();
    return /(?:Slave|Replica): Error '/i.test(e.text) ? 'SQL' : 'I/O';
  };
  const codeOf = (e: NodeEvent): string | undefined => /(?:error code|Error_code|Got fatal error|^Error)[: ]+(?:MY-)?0*(\d{3,5})\b/im.exec(e.text)?.[1];
  const occurrence = (thread: string, ep: { first: NodeEvent; codes: string[] }, closed?: NodeEvent): Occurrence =>
    replicationEpisode(ep.first, [ep.first], closed, { thread, ...(ep.codes.length ? { code: `error ${ep.codes[0]}` } : {}) }, ['stopped', 'resumed'], thread);
  return {
    feed(e, report) {
      if (e.type === 'db-replication-error') {
        const thread = threadOf(e);
        const ep = open.get(thread) ?? { first: e, codes: [] };
        const code = codeOf(e);
        if (code && !ep.codes.includes(code)) ep.codes.push(code);
        open.set(thread, ep);
        return;
      }
      if (e.type !== 'db-replication-running') return;
      const thread = threadOf(e);
      const ep = open.get(thread);
      if (!ep) return;
      open.delete(thread);
      report(occurrence(thread, ep, e));
    },
    end(report) {
      for (const [thread, ep] of [...open].sort((a, b) => a[1].first.line - b[1].first.line)) report(occurrence(thread, ep));
      open.clear();
    },
  };
}

/**
 * A replication episode as an occurrence: closed (`back` shows it running or caught up again), a
 * warning that says how long it lasted; still open when the log ends, critical.
 */
function replicationEpisode(first: NodeEvent, evidence: NodeEvent[], back: NodeEvent | undefined, fields: Record<string, string>, [open, closed]: [string, string], part?: string): Occurrence {
  const all: Record<string, string> = { ...fields };
  if (back?.time !== undefined && first.time !== undefined) all.after = duration(Math.max(0, back.time - first.time));
  return {
    condition: 'replication-broken',
    node: first.node,
    severity: back ? 'warning' : 'critical',
    variant: back ? closed : open,
    ...(part ? { part } : {}),
    fields: all,
    startTime: first.time,
    evidence: back ? [...evidence, back] : evidence,
  };
}

/**
 * Patches with database changes and upgrades break replication when HA is enabled; HA counts as
 * enabled unless the log shows it being disabled (and not re-enabled) before the maintenance.
 */
export function maintenanceDetector(): SequenceDetector {
  let haEnabled = true;
  return {
    feed(e, report) {
      if (e.type === 'admin') {
        const a = (e.fields.action ?? '').toLowerCase();
        if (a === 'ha disabled') haEnabled = false;
        if (a === 'ha enabled') haEnabled = true;
        return;
      }
      if (!haEnabled) return;
      if (e.type === 'patch' && (e.fields.db ?? '').toLowerCase() === 'yes') {
        report({ condition: 'maintenance-under-ha', node: e.node, fields: { what: `patch ${e.fields.name}` }, evidence: [e] });
      }
      if (e.type === 'upgrade') {
        report({ condition: 'maintenance-under-ha', node: e.node, fields: { what: `upgrade to ${e.fields.version}` }, evidence: [e] });
      }
    },
  };
}

/** HA over IPv6 is not supported: a peer address with a colon is an IPv6 address. */
export function ipv6PeerDetector(): SequenceDetector {
  return {
    feed(e, report) {
      if (e.type === 'peer-configured' && (e.fields.peer ?? '').includes(':')) {
        report({ condition: 'ipv6-unsupported', node: e.node, fields: { peer: e.fields.peer }, evidence: [e] });
      }
    },
  };
}

/**
 * Replication further behind the active node than `replicationDelayMs` is broken: one episode from
 * the first lag over the limit to the first back under it (a warning that says how long and how far
 * behind it fell), or to the end of the log (critical: nothing shows it caught up).
 */
export function replicationDelayDetector(t: Thresholds): SequenceDetector {
  let episode: { first: NodeEvent; worst: NodeEvent } | undefined;
  const occurrence = (ep: { first: NodeEvent; worst: NodeEvent }, back?: NodeEvent): Occurrence =>
    replicationEpisode(ep.first, ep.worst === ep.first ? [ep.first] : [ep.first, ep.worst], back, { seconds: ep.worst.fields.seconds ?? '' }, ['delay', 'delay-recovered']);
  return {
    feed(e, report) {
      if (e.type !== 'replication-delay') return;
      const over = Number(e.fields.seconds) * 1000 > t.replicationDelayMs;
      if (over) {
        if (!episode) episode = { first: e, worst: e };
        else if (Number(e.fields.seconds) > Number(episode.worst.fields.seconds)) episode.worst = e;
        return;
      }
      if (episode) report(occurrence(episode, e));
      episode = undefined;
    },
    end(report) {
      if (episode) report(occurrence(episode));
      episode = undefined;
    },
  };
}

const SYNC_STATES = new Set(['synchronization-source', 'synchronization-target']);

/**
 * A synchronization that fails sends the node back to the state it had before (the guide: a failed
 * transition reverts to the previous state); the cluster is then not formed.
 */
export function syncDetector(): SequenceDetector {
  let current: string | undefined;
  let before: string | undefined;
  return {
    feed(e, report) {
      if (e.type === 'state') {
        const s = canonicalState(e.fields.state ?? '');
        if (s !== current) {
          before = current;
          current = s;
        }
        return;
      }
      if (e.type !== 'sync' || !/^failed$/i.test(e.fields.phase ?? '')) return;
      const back = current && SYNC_STATES.has(current) ? before : current;
      report({ condition: 'sync-failed', node: e.node, fields: { reason: (e.fields.reason ?? '').trim() || 'no reason logged', state: back ?? 'its previous state' }, evidence: [e] });
      if (back) {
        before = current;
        current = back;
      }
    },
  };
}
