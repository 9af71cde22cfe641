import type { NodeFacts, NodeName } from '../types';
import { clock, phraseFor } from '../knowledge/phrases';
import { reason } from '../knowledge/reasons';
import type { Activity } from './activity';
import type { NodeEvent } from './events';
import type { DownSpan, StateInterval } from './states';
import type { Thresholds } from '../knowledge/thresholds';

/**
 * What the reasoning reads: every node's events, states, down times and signs of life, and the
 * facts collected about it.
 */
export interface CauseContext {
  nodes: NodeName[];
  events: readonly NodeEvent[];
  intervals: ReadonlyMap<NodeName, StateInterval[]>;
  down: ReadonlyMap<NodeName, DownSpan[]>;
  ownLife: ReadonlyMap<NodeName, Activity>;
  facts: ReadonlyMap<NodeName, NodeFacts>;
  /** Restarts of a node's database without a clean stop (their deciding lines). */
  unclean: readonly NodeEvent[];
  thresholds: Thresholds;
}

/** One thing that speaks for a cause: a line (or a stretch of silence) and how much it weighs. */
export interface Clue {
  weight: number;
  text: string;
  event?: NodeEvent;
}

/** A cause considered, with what speaks for it and against it. */
export interface Candidate {
  cause: string;
  score: number;
  for: Clue[];
  against: string[];
}

export type CauseConfidence = 'high' | 'medium' | 'low';

/** Why a condition happened on a node: the chosen cause, how sure, and the causes that lost. */
export interface CauseDecision {
  condition: string;
  node: NodeName;
  cause: string;
  confidence: CauseConfidence;
  why: string;
  evidence: NodeEvent[];
  /** Every cause considered, best first (the chosen one included). */
  candidates: Candidate[];
}

const SEC = 1000;
const MIN = 60 * SEC;

/** Windows, before the condition, in which a cause must show. smsdiag's choices. */
export const CAUSE_WINDOWS = {
  peerRequestMs: 2 * MIN,
  uncleanRestartMs: 30 * MIN,
  healthCheckMs: 10 * MIN,
  takeoverLookbackMs: 10 * MIN,
  resourceLookbackMs: 30 * MIN,
  maintenanceLookbackMs: 2 * 60 * MIN,
  upgradeLookbackMs: 24 * 60 * MIN,
};

function within(e: NodeEvent, from: number, to: number): boolean {
  return e.time !== undefined && e.time >= from && e.time <= to;
}

/** "primary's database crashed at 13:47:55 UTC (mysqld.err:41)" */
export function describe(e: NodeEvent): string {
  return `${phraseFor(e) ?? e.text.trim()} at ${clock(e.time)} (${e.file}:${e.line})`;
}

function clue(weight: number, e: NodeEvent): Clue {
  return { weight, text: describe(e), event: e };
}

function peerOf(ctx: CauseContext, node: NodeName): NodeName | undefined {
  const others = ctx.nodes.filter((n) => n !== node);
  return others.length === 1 ? others[0] : undefined;
}

/** Sum of weights, each kind of clue counted up to `cap`. */
function score(clues: Clue[]): number {
  return clues.reduce((a, c) => a + c.weight, 0);
}

/**
 * Chooses among candidates as an expert would argue: the strongest evidence wins; its margin over
 * the runner-up says how sure the choice is; with no evidence at all the cause is `unknown`.
 */
function decide(condition: string, node: NodeName, subject: NodeEvent, candidates: Candidate[], fields: Record<string, string>): CauseDecision {
  const ranked = candidates.filter((c) => c.score > 0).sort((a, b) => b.score - a.score || (a.cause < b.cause ? -1 : 1));
  const [top, second] = ranked;
  if (!top) {
    return { condition, node, cause: 'unknown', confidence: 'low', why: reason(`${condition}/unknown`, node, fields), evidence: [subject], candidates: [] };
  }
  const margin = top.score - (second?.score ?? 0);
  const confidence: CauseConfidence = top.score >= 3 && margin >= 3 ? 'high' : margin >= 1 ? 'medium' : 'low';
  const evidence = [...top.for.map((c) => c.event).filter((e): e is NodeEvent => !!e).slice(0, 5), subject];
  const said = reason(`${condition}/${top.cause}`, node, { ...fields, evidence: top.for.map((c) => c.text).slice(0, 4).join('; ') });
  const doubt = confidence === 'low' && second ? reason('uncertain', node, { first: top.cause, second: second.cause }) : '';
  return { condition, node, cause: top.cause, confidence, why: `${said}${doubt}`, evidence: [...new Set(evidence)], candidates: ranked };
}

function candidate(cause: string, clues: Clue[], against: string[] = []): Candidate {
  return { cause, score: against.length && clues.length ? Math.max(0, score(clues) - 2 * against.length) : score(clues), for: clues, against };
}

const SERVER_CHECKS: Record<string, string> = { database: 'server:database', db: 'server:database', mysql: 'server:database', jboss: 'server:jboss', application: 'server:jboss', memory: 'server:oom' };
const NETWORK_CHECKS = new Set(['heartbeat', 'interface', 'network', 'link']);

/** Where a database and the SMS keep their data: a full one of these speaks for a cause. */
const DATA_MOUNTS = /^\/(?:$|var|opt|data)/;

/** A resource the node ran out of, from its facts: data file systems at 95 % or more, or under 5 % of memory available, when collected. */
function fullDisks(facts: NodeFacts | undefined): string[] {
  const disks = (facts?.diskUse ?? []).filter((d) => d.percent >= 95 && DATA_MOUNTS.test(d.mount)).map((d) => `${d.mount} ${d.percent}% full when collected`);
  const m = facts?.memory;
  return m && m.availableMb < m.totalMb * 0.05 ? [...disks, `${m.availableMb} of ${m.totalMb} MiB of memory available when collected`] : disks;
}

/**
 * Why the passive node `node` took over (or considered it) at `subject`: the old active's server
 * failed (database, Java, resources, load), it was down (power, hang), the link between them failed,
 * or an operator acted. Server evidence on the old active outweighs heartbeat misses, which a
 * failing server causes too; the old active logging through the misses is what points to the network.
 */
export function takeoverCause(ctx: CauseContext, node: NodeName, subject: NodeEvent, condition: 'passive-takeover' | 'takeover-averted' = 'passive-takeover'): CauseDecision {
  const t = subject.time ?? 0;
  const from = t - CAUSE_WINDOWS.takeoverLookbackMs;
  const active = peerOf(ctx, node);
  const near = ctx.events.filter((e) => within(e, from, t + 5 * SEC));
  const onActive = (types: string[]): NodeEvent[] => near.filter((e) => e.node === active && types.includes(e.type));
  const onTaker = (types: string[]): NodeEvent[] => near.filter((e) => e.node === node && types.includes(e.type));

  const misses = onTaker(['heartbeat-miss', 'heartbeat-fallback']);
  const peerChecks = onTaker(['peer-health-failed']);
  const server = new Map<string, Clue[]>();
  const add = (cause: string, c: Clue): void => void server.set(cause, [...(server.get(cause) ?? []), c]);
  for (const e of onActive(['db-crash', 'db-corruption', 'db-abort'])) add('server:database', clue(3, e));
  for (const e of onActive(['oom'])) add(/native thread/i.test(e.fields.variant ?? '') ? 'server:resources' : 'server:oom', clue(3, e));
  for (const e of onActive(['local-health-failed'])) {
    const c = SERVER_CHECKS[(e.fields.check ?? '').toLowerCase()];
    if (c) add(c, clue(3, e));
  }
  for (const e of peerChecks) {
    const c = SERVER_CHECKS[(e.fields.check ?? '').toLowerCase()];
    if (c) add(c, clue(2, e));
  }
  const longFrom = t - CAUSE_WINDOWS.resourceLookbackMs;
  for (const e of ctx.events.filter((x) => x.node === active && within(x, longFrom, t) && (x.type === 'db-resource' || x.type === 'jvm-resource'))) add('server:resources', clue(3, e));
  for (const d of fullDisks(active ? ctx.facts.get(active) : undefined)) add('server:resources', { weight: 1, text: `${active}: ${d}` });
  const load = ctx.events.filter((x) => x.node === active && within(x, longFrom, t) && (x.type === 'backup' || x.type === 'distribution')).slice(-2);
  for (const e of load) add('server:load', clue(3, e));
  for (const e of ctx.events.filter((x) => x.node === node && within(x, longFrom, t) && x.type === 'heartbeat-reply').slice(-2)) add('server:load', clue(1, e));
  // Out of memory is why an application server stops answering: its JBoss failures count for it.
  if (server.has('server:oom') && server.has('server:jboss')) {
    server.set('server:oom', [...server.get('server:oom')!, ...server.get('server:jboss')!]);
    server.delete('server:jboss');
  }

  // Was the old active down, or silent, while the passive missed it?
  const downs = (active ? ctx.down.get(active) ?? [] : []).filter((d) => d.start <= t && d.end >= from);
  const life = active ? ctx.ownLife.get(active) : undefined;
  const firstMiss = misses[0]?.time ?? t - 3 * MIN;
  const activeLogged = !!life && life.within(firstMiss, t);
  const lastSeen = life?.lastBefore(t);
  const downClues: Clue[] = downs.map((d) => ({
    weight: d.unclean ? 5 : 4,
    text: reason('clue/down', active ?? '', { from: clock(d.start), to: clock(d.end), how: d.unclean ? reason('clue/unclean', active ?? '', {}) : '' }),
    event: d.restart[0],
  }));
  if (!downs.length && active && !activeLogged && lastSeen !== undefined && lastSeen < firstMiss) {
    downClues.push({ weight: 2, text: reason('clue/silent', active, { from: clock(lastSeen) }) });
  }
  const networkClues = [...misses.slice(-3).map((e) => clue(1, e)), ...peerChecks.filter((e) => NETWORK_CHECKS.has((e.fields.check ?? '').toLowerCase())).map((e) => clue(1, e))];
  // The deciding clue first, so that the sentence names it. A loaded server keeps logging too: then it decides nothing.
  if (networkClues.length && activeLogged && active) networkClues.unshift({ weight: load.length ? 0 : 3, text: reason('clue/kept-logging', active, { from: clock(firstMiss), to: clock(t) }) });
  const networkAgainst = [
    ...(networkClues.length && !activeLogged && active ? [reason('against/network-silent', active, {})] : []),
    ...(networkClues.length && load.length && active ? [reason('against/network-busy', active, {})] : []),
  ];
  const operator = near.filter((e) => e.type === 'admin' && /swap|disabled/i.test(e.fields.action ?? '')).map((e) => clue(5, e));

  const candidates = [
    ...[...server.entries()].map(([cause, clues]) => candidate(cause, clues)),
    candidate('node-down', downClues),
    candidate('network', networkClues, networkAgainst),
    candidate('operator', operator),
  ];
  const acted = condition === 'passive-takeover' ? 'took over' : 'considered taking over';
  return decide(condition, node, subject, candidates, { at: clock(t), acted, active: active ?? 'the active node', minutes: String(CAUSE_WINDOWS.takeoverLookbackMs / MIN) });
}

/**
 * Why `node` entered Failed at `subject`: by design after its peer took over (asked, or the peer
 * became Active just before), after an improper shutdown, after a failed local health check, or
 * an operator.
 */
export function failedCause(ctx: CauseContext, node: NodeName, subject: NodeEvent): CauseDecision {
  const t = subject.time ?? 0;
  const peer = peerOf(ctx, node);
  const mine = ctx.events.filter((e) => e.node === node);
  const byDesign: Clue[] = mine.filter((e) => e.type === 'peer-requested-failed' && within(e, t - CAUSE_WINDOWS.peerRequestMs, t + 5 * SEC)).slice(-1).map((e) => clue(5, e));
  const requested = byDesign.length > 0;
  // The peer's own line saying it became Active (held or not after it: the line is what counts).
  const peerActive = (peer ? ctx.intervals.get(peer) ?? [] : []).find((iv) => iv.state === 'Active' && iv.opened?.node === peer && iv.start >= t - CAUSE_WINDOWS.peerRequestMs && iv.start <= t);
  // Without the request line, the peer turning Active just before is the by-design case inferred.
  if (peerActive?.opened) byDesign.push(clue(requested ? 1 : t - peerActive.start <= 60_000 ? 4 : 3, peerActive.opened));
  // One restart, however many lines show it: the node down and back uncleanly, else the database's unclean start.
  const downUnclean = (ctx.down.get(node) ?? []).filter((d) => d.unclean && d.end <= t && d.end >= t - CAUSE_WINDOWS.uncleanRestartMs).slice(-1);
  const improper: Clue[] = downUnclean.length
    ? downUnclean.map((d) => ({ weight: 4, text: reason('clue/down', node, { from: clock(d.start), to: clock(d.end), how: reason('clue/unclean', node, {}) }), event: d.restart[0] }))
    : ctx.unclean.filter((e) => e.node === node && within(e, t - CAUSE_WINDOWS.uncleanRestartMs, t)).slice(-1).map((e) => clue(3, e));
  const checks = new Map<string, Clue[]>();
  for (const e of mine.filter((x) => x.type === 'local-health-failed' && within(x, t - CAUSE_WINDOWS.healthCheckMs, t))) {
    const what = (e.fields.check ?? 'unknown').toLowerCase();
    checks.set(what, [...(checks.get(what) ?? []), clue(3, e)]);
  }
  const operator = mine.filter((e) => e.type === 'admin' && within(e, t - CAUSE_WINDOWS.healthCheckMs, t)).map((e) => clue(2, e));
  const candidates = [
    candidate('peer-requested', byDesign),
    candidate('improper-shutdown', improper),
    ...[...checks.entries()].map(([what, clues]) => candidate(`local-health-check:${what}`, clues.slice(-1))),
    candidate('operator', operator),
  ];
  const d = decide('ha-failed', node, subject, candidates, { failedAt: clock(t), minutes: String(CAUSE_WINDOWS.healthCheckMs / MIN), peer: peer ?? 'its peer' });
  // Inferred, not read: without the peer's request in the log, never more than medium.
  return d.cause === 'peer-requested' && !requested && d.confidence === 'high' ? { ...d, confidence: 'medium' } : d;
}

/**
 * Why replication broke on `node`: maintenance with HA enabled, its disk (or another resource)
 * ran out, its source went down, changes conflicted, or the link between them failed.
 */
export function replicationCause(ctx: CauseContext, node: NodeName, subject: NodeEvent): CauseDecision {
  const t = subject.time ?? 0;
  const peer = peerOf(ctx, node);
  const maintenance = ctx.events.filter((e) => within(e, t - CAUSE_WINDOWS.maintenanceLookbackMs, t) && ((e.type === 'patch' && /^yes$/i.test(e.fields.db ?? '')) || e.type === 'upgrade')).map((e) => clue(5, e));
  const resources = [
    ...ctx.events.filter((e) => e.node === node && e.type === 'db-resource' && within(e, t - CAUSE_WINDOWS.resourceLookbackMs, t + 5 * MIN)).slice(0, 2).map((e) => clue(5, e)),
    ...fullDisks(ctx.facts.get(node)).map((d) => ({ weight: 2, text: `${node}: ${d}` })),
  ];
  const mine = ctx.events.filter((e) => e.node === node && e.type === 'db-replication-error' && within(e, t - 5 * MIN, t + 5 * MIN));
  const conflict = mine.filter((e) => /Duplicate entry|1062|conflict|already exists/i.test(e.text)).slice(0, 1).map((e) => clue(2, e));
  const connect = mine.filter((e) => /connect/i.test(e.text)).slice(0, 1).map((e) => clue(2, e));
  const sourceDown = [
    ...(peer ? ctx.down.get(peer) ?? [] : []).filter((d) => d.start <= t + MIN && d.end >= t - 10 * MIN).map((d) => ({ weight: 3, text: reason('clue/down', peer ?? '', { from: clock(d.start), to: clock(d.end), how: '' }), event: d.restart[0] })),
    ...ctx.events.filter((e) => e.node === peer && e.type === 'db-crash' && within(e, t - 10 * MIN, t + MIN)).map((e) => clue(3, e)),
  ];
  const candidates = [
    candidate('maintenance-under-ha', maintenance),
    candidate('server:resources', resources),
    candidate('source-down', sourceDown.length ? [...sourceDown, ...connect] : []),
    candidate('data-conflict', conflict),
    candidate('network', sourceDown.length ? [] : connect),
  ];
  return decide('replication-broken', node, subject, candidates, { at: clock(t) });
}

/** Why the database crashed: a resource ran out just before, or (unknown) a fault of its own. */
export function crashCause(ctx: CauseContext, node: NodeName, subject: NodeEvent): CauseDecision {
  const t = subject.time ?? 0;
  const resources = [
    ...ctx.events.filter((e) => e.node === node && (e.type === 'db-resource' || e.type === 'jvm-resource' || (e.type === 'oom' && /native thread/i.test(e.fields.variant ?? ''))) && within(e, t - CAUSE_WINDOWS.resourceLookbackMs, t)).slice(-2).map((e) => clue(4, e)),
    ...fullDisks(ctx.facts.get(node)).map((d) => ({ weight: 1, text: `${node}: ${d}` })),
  ];
  return decide('db-crash', node, subject, [candidate('server:resources', resources)], { at: clock(t) });
}

/**
 * Why HA became degraded: the two nodes on different versions after an upgrade of one, the Java
 * server out of memory, the database failing, or the exceptions logged before it.
 */
export function degradedCause(ctx: CauseContext, node: NodeName, subject: NodeEvent): CauseDecision {
  const t = subject.time ?? 0;
  const mine = ctx.events.filter((e) => e.node === node && within(e, t - 15 * MIN, t));
  const upgrades = ctx.events.filter((e) => e.type === 'upgrade' && within(e, t - CAUSE_WINDOWS.upgradeLookbackMs, t));
  const upgradedNodes = new Set(upgrades.map((e) => e.node));
  const mismatch = upgrades.length && upgradedNodes.size < ctx.nodes.length ? upgrades.slice(-1).map((e) => clue(4, e)) : [];
  const candidates = [
    candidate('version-mismatch', mismatch),
    candidate('server:oom', mine.filter((e) => e.type === 'oom').slice(0, 1).map((e) => clue(3, e))),
    candidate('server:database', mine.filter((e) => e.type === 'db-crash' || e.type === 'db-corruption' || (e.type === 'local-health-failed' && /database/i.test(e.fields.check ?? ''))).slice(0, 2).map((e) => clue(3, e))),
    candidate('exceptions', mine.filter((e) => e.type === 'exception').slice(0, 3).map((e) => clue(1, e))),
  ];
  return decide('ha-degraded', node, subject, candidates, { at: clock(t) });
}
