import { canonicalState, type NodeEvent, type Occurrence } from './events';
import type { Thresholds } from '../knowledge/thresholds';

/**
 * Per-node detectors that need the order of one stream (a kind's files, oldest first) rather than
 * single lines. Each is fed every event of its stream in order and reports occurrences.
 */
export interface SequenceDetector {
  feed(e: NodeEvent, report: (o: Occurrence) => void): void;
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
 * mysqld.err lifecycle: a "ready for connections" while the server was already up, with no
 * "Shutdown complete" and no crash in between, is a restart without a clean stop (power loss,
 * kill -9). Crashes are their own condition, so a restart after one is not counted again.
 */
export function databaseLifecycleDetector(): SequenceDetector {
  let running: boolean | undefined;
  let crashed = false;
  let recovery: NodeEvent | undefined;
  return {
    feed(e, report) {
      switch (e.type) {
        case 'db-shutdown':
          running = false;
          crashed = false;
          recovery = undefined;
          return;
        case 'db-crash':
          crashed = true;
          return;
        case 'db-crash-recovery':
          recovery ??= e;
          return;
        case 'db-ready': {
          const unclean = !crashed && (running === true || (running === undefined && recovery !== undefined));
          if (unclean) {
            report({
              condition: 'unclean-shutdown',
              node: e.node,
              fields: { source: 'database' },
              evidence: recovery ? [recovery, e] : [e],
            });
          }
          running = true;
          crashed = false;
          recovery = undefined;
          return;
        }
      }
    },
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

/** Replication further behind the active node than `replicationDelayMs` is broken. */
export function replicationDelayDetector(t: Thresholds): SequenceDetector {
  return {
    feed(e, report) {
      if (e.type !== 'replication-delay' || Number(e.fields.seconds) * 1000 <= t.replicationDelayMs) return;
      report({ condition: 'replication-broken', node: e.node, fields: { seconds: e.fields.seconds }, variant: 'delay', evidence: [e] });
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
