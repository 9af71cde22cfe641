import type { NodeName } from '../types';
import type { NodeEvent } from './events';
import { clock, phraseFor } from '../knowledge/phrases';
import { reason } from '../knowledge/reasons';

/** Why a condition happened on a node, and the lines that decided it. */
export interface CauseDecision {
  condition: string;
  node: NodeName;
  cause: string;
  why: string;
  evidence: NodeEvent[];
}

const SEC = 1000;
const MIN = 60 * SEC;

/** Windows, before the condition, in which a cause must show. */
export const CAUSE_WINDOWS = {
  peerRequestMs: 2 * MIN,
  uncleanRestartMs: 30 * MIN,
  healthCheckMs: 10 * MIN,
  takeoverLookbackMs: 10 * MIN,
};

function within(e: NodeEvent, from: number, to: number): boolean {
  return e.time !== undefined && e.time >= from && e.time <= to;
}

function describe(events: NodeEvent[]): string {
  return events.map((e) => `${phraseFor(e) ?? e.text} at ${clock(e.time)} (${e.file}:${e.line})`).join('; ');
}

/**
 * ha-failed: asked to fail by an active peer (by design), a restart without a clean stop, a failed
 * local health check, or unknown — in that order, since the first is the direct trigger.
 */
export function failedCause(node: NodeName, failed: NodeEvent, events: readonly NodeEvent[], unclean: readonly NodeEvent[]): CauseDecision {
  const t = failed.time ?? 0;
  const mine = events.filter((e) => e.node === node);
  const request = mine.filter((e) => e.type === 'peer-requested-failed' && within(e, t - CAUSE_WINDOWS.peerRequestMs, t + 5 * SEC)).pop();
  if (request) {
    const peerActive = events.filter((e) => e.node !== node && (e.type === 'takeover-complete' || (e.type === 'state' && /^active$/i.test(e.fields.state ?? ''))) && within(e, t - CAUSE_WINDOWS.takeoverLookbackMs, t)).pop();
    const evidence = [request, ...(peerActive ? [peerActive] : []), failed];
    return {
      condition: 'ha-failed',
      node,
      cause: 'peer-requested',
      why: reason('ha-failed/peer-requested', node, { evidence: describe(evidence) }),
      evidence,
    };
  }
  const restart = unclean.filter((e) => e.node === node && within(e, t - CAUSE_WINDOWS.uncleanRestartMs, t)).pop();
  if (restart) {
    return {
      condition: 'ha-failed',
      node,
      cause: 'improper-shutdown',
      why: reason('ha-failed/improper-shutdown', node, { restart: `${restart.text.trim()} at ${clock(restart.time)}, ${restart.file}:${restart.line}`, failedAt: clock(t) }),
      evidence: [restart, failed],
    };
  }
  const check = mine.filter((e) => e.type === 'local-health-failed' && within(e, t - CAUSE_WINDOWS.healthCheckMs, t)).pop();
  if (check) {
    const what = (check.fields.check ?? 'unknown').toLowerCase();
    return {
      condition: 'ha-failed',
      node,
      cause: `local-health-check:${what}`,
      why: reason('ha-failed/local-health-check', node, { check: what, at: clock(check.time), where: `${check.file}:${check.line}`, failedAt: clock(t) }),
      evidence: [check, failed],
    };
  }
  return {
    condition: 'ha-failed',
    node,
    cause: 'unknown',
    why: reason('ha-failed/unknown', node, { minutes: String(CAUSE_WINDOWS.healthCheckMs / MIN), failedAt: clock(t) }),
    evidence: [failed],
  };
}

interface Signal {
  category: string;
  event: NodeEvent;
}

const SERVER_CHECKS: Record<string, string> = { database: 'database', db: 'database', mysql: 'database', jboss: 'jboss', application: 'jboss', memory: 'oom', overload: 'overload', load: 'overload', cpu: 'overload' };
const NETWORK_CHECKS = new Set(['heartbeat', 'interface', 'network', 'link']);

function classify(e: NodeEvent, takerNode: NodeName): Signal | undefined {
  const check = (e.fields.check ?? '').toLowerCase();
  const onTaker = e.node === takerNode;
  switch (e.type) {
    case 'db-crash':
    case 'db-corruption':
      return onTaker ? undefined : { category: 'server:database', event: e };
    case 'oom':
      return onTaker ? undefined : { category: 'server:oom', event: e };
    case 'local-health-failed':
      if (onTaker) return undefined;
      if (SERVER_CHECKS[check]) return { category: `server:${SERVER_CHECKS[check]}`, event: e };
      return NETWORK_CHECKS.has(check) ? { category: 'network', event: e } : undefined;
    case 'peer-health-failed':
      if (!onTaker) return undefined;
      if (SERVER_CHECKS[check]) return { category: `server:${SERVER_CHECKS[check]}`, event: e };
      return NETWORK_CHECKS.has(check) ? { category: 'network', event: e } : undefined;
    case 'heartbeat-miss':
    case 'heartbeat-fallback':
      return onTaker ? { category: 'network', event: e } : undefined;
  }
  return undefined;
}

/**
 * passive-takeover: a server fault on the old active node (database, JBoss, memory, overload)
 * or the network between them. Server evidence wins when both show — a dead server also stops
 * answering heartbeats — and among server faults the earliest is the root.
 */
export function takeoverCause(node: NodeName, considered: NodeEvent, events: readonly NodeEvent[]): CauseDecision & { restartAttempted: boolean } {
  const t = considered.time ?? 0;
  const signals = events
    .filter((e) => within(e, t - CAUSE_WINDOWS.takeoverLookbackMs, t + 5 * SEC))
    .map((e) => classify(e, node))
    .filter((s): s is Signal => !!s);
  const restart = events.find((e) => e.node === node && e.type === 'restart-active' && within(e, t, t + 5 * MIN));
  const server = signals.filter((s) => s.category.startsWith('server:'));
  const network = signals.filter((s) => s.category === 'network');
  const triedRestart = restart ? reason('passive-takeover/tried-restart', node, { where: `${restart.file}:${restart.line}` }) : '';
  if (server.length) {
    const root = server[0];
    const evidence = [...server.slice(0, 4).map((s) => s.event), considered];
    const alsoNetwork = network.length ? reason('passive-takeover/also-network', node, { count: String(network.length) }) : '';
    return {
      condition: 'passive-takeover',
      node,
      cause: root.category,
      why: reason('passive-takeover/server', node, { at: clock(t), evidence: describe(server.slice(0, 4).map((s) => s.event)), alsoNetwork, triedRestart }),
      evidence: restart ? [...evidence, restart] : evidence,
      restartAttempted: !!restart,
    };
  }
  if (network.length) {
    const evidence = [...network.slice(-4).map((s) => s.event), considered];
    return {
      condition: 'passive-takeover',
      node,
      cause: 'network',
      why: reason('passive-takeover/network', node, { at: clock(t), evidence: describe(network.slice(-4).map((s) => s.event)), triedRestart }),
      evidence: restart ? [...evidence, restart] : evidence,
      restartAttempted: !!restart,
    };
  }
  return {
    condition: 'passive-takeover',
    node,
    cause: 'unknown',
    why: reason('passive-takeover/unknown', node, { minutes: String(CAUSE_WINDOWS.takeoverLookbackMs / MIN), at: clock(t), triedRestart }),
    evidence: restart ? [considered, restart] : [considered],
    restartAttempted: !!restart,
  };
}
