import type { AnalysisReport, FileSummary, Inventory, NodeFacts, NodeName } from '../types';
import { formatOffset } from '../ingest/timestamp';
import { Activity } from './activity';
import type { FindingAggregator } from './aggregate';
import { crashCause, degradedCause, failedCause, replicationCause, takeoverCause, type CauseContext, type CauseDecision } from './causes';
import { clockCorrectionMs } from './clock';
import { activeOnDbErrors, clockSkew, factsResources, noActiveNode, noBrain, rolloverGaps, splitBrain, type ClusterThresholds, type ClusterView } from './cluster';
import { compareEvents, type NodeEvent } from './events';
import { groupIncidents } from './incidents';
import type { NodePass } from './node-pass';
import { downSpans, nodeStates, type DownSpan, type StateInterval } from './states';
import { takeovers } from './takeover';
import { inferRoles } from './roles';

/** Everything the reports draw from: the `analyze --json` document plus the story behind it. */
export interface Analysis {
  report: AnalysisReport;
  /** Notable events of all nodes in total order (heartbeat replies only when slow). */
  events: NodeEvent[];
  nodeOrder: (n: NodeName) => number;
  intervals: Map<NodeName, StateInterval[]>;
  down: Map<NodeName, DownSpan[]>;
  causes: CauseDecision[];
}

/**
 * Reads the nodes together: each node's states from all the evidence (its own lines, its peer's,
 * the times it was down), the conditions only both nodes show (split brain, no brain, no node
 * Active now, takeovers, clock skew, evidence lost to rotation), the cause of each condition that
 * has one, and the incidents.
 */
export function correlateNodes(inv: Inventory, passes: NodePass[], agg: FindingAggregator, t: ClusterThresholds): Analysis {
  const order = new Map(inv.nodes.map((n, i) => [n.name, i]));
  const nodeOrder = (n: NodeName): number => order.get(n) ?? order.size;
  const events = passes.flatMap((r) => r.events).sort((a, b) => compareEvents(a, b, nodeOrder));
  const { view, ctx } = clusterStory(
    {
      nodes: passes.map((p) => p.report.name),
      events,
      ownLife: new Map(passes.map((p) => [p.report.name, p.ownLife])),
      heardPeer: new Map(passes.map((p) => [p.report.name, p.heardPeer])),
      lastTime: new Map(passes.map((p) => [p.report.name, p.lastTime])),
      facts: new Map(inv.nodes.map((n) => [n.name, n.facts])),
      files: new Map(passes.map((r) => [r.report.name, r.report.files ?? []])),
      now: new Map(passes.map((p) => [p.report.name, { state: p.report.state, event: p.stateEvidence }])),
      unclean: passes.flatMap((r) => r.unclean),
    },
    t,
  );
  const causes = crossNodeFindings(view, ctx, t, agg);
  const findings = agg.findings(nodeOrder);
  const inferred = inferRoles(passes.map((r) => r.report), events);
  const report: AnalysisReport = {
    version: 1,
    nodes: passes.map((r) => {
      const guess = inferred.find((x) => x.node === r.report.name);
      if (!guess) return r.report;
      const { name, role: _named, ...rest } = r.report;
      return { name, role: guess.role, roleBasis: 'logs' as const, ...rest };
    }),
    findings,
    incidents: groupIncidents(findings, events, view.down, nodeOrder, t.incidentGapMs),
    warnings: [...inv.warnings, ...passes.flatMap((r) => r.warnings), ...corrections(inv), ...inferred.map((x) => `${x.node}: taken to be the ${x.role} (smsdiag's inference; its folder name does not say): ${x.basis}`)],
  };
  return { report, events, nodeOrder, intervals: view.intervals, down: view.down, causes };
}

/** What one pass over each node leaves for reading them together. */
export interface StoryInput {
  nodes: NodeName[];
  /** Every node's notable events, in total order. */
  events: NodeEvent[];
  ownLife: Map<NodeName, Activity>;
  heardPeer: Map<NodeName, Activity>;
  lastTime: Map<NodeName, number | undefined>;
  facts: Map<NodeName, NodeFacts>;
  files: Map<NodeName, FileSummary[]>;
  now: Map<NodeName, { state?: string; event?: NodeEvent }>;
  unclean: NodeEvent[];
}

/**
 * Each node's life (its own logging, and its peer hearing from it), the times it was down, and its
 * states from all that evidence, up to the end of what any node logged.
 */
export function clusterStory(input: StoryInput, t: ClusterThresholds): { view: ClusterView; ctx: CauseContext } {
  const names = input.nodes;
  const peerOf = (n: NodeName): NodeName | undefined => (names.length === 2 ? names.find((x) => x !== n) : undefined);
  const life = new Map(
    names.map((n) => {
      const l = new Activity();
      l.merge(input.ownLife.get(n)!);
      const peer = peerOf(n);
      if (peer) l.merge(input.heardPeer.get(peer)!);
      return [n, l] as const;
    }),
  );
  const horizon = Math.max(...names.map((n) => Math.max(input.lastTime.get(n) ?? -Infinity, life.get(n)!.last ?? -Infinity)));
  const down = new Map(names.map((n) => [n, downSpans(n, input.events, life.get(n)!, t.downGapMs)]));
  const intervals = new Map(
    names.map((n) => [n, Number.isFinite(horizon) ? nodeStates(n, peerOf(n), input.events, input.ownLife.get(n)!, life.get(n)!, down.get(n)!, horizon, input.now.get(n)?.state) : []]),
  );
  const view: ClusterView = { nodes: names, events: input.events, intervals, down, facts: input.facts, files: input.files, now: input.now, horizon };
  const ctx: CauseContext = { nodes: names, events: input.events, intervals, down, ownLife: input.ownLife, facts: input.facts, unclean: input.unclean, thresholds: t };
  return { view, ctx };
}

/** Cluster conditions and the causes of conditions that have one; returns the cause decisions. */
function crossNodeFindings(view: ClusterView, ctx: CauseContext, t: ClusterThresholds, agg: FindingAggregator): CauseDecision[] {
  for (const o of [...splitBrain(view, t), ...noBrain(view, t), ...noActiveNode(view), ...clockSkew(view, t), ...rolloverGaps(view, t), ...factsResources(view)]) agg.add(o);
  const found = takeovers(view);
  for (const tk of found) agg.add(tk.occurrence);
  const took = found.filter((tk) => !tk.averted).map((tk) => ({ node: tk.occurrence.node, time: tk.occurrence.evidence[tk.occurrence.evidence.length - 1].time ?? 0, event: tk.occurrence.evidence[tk.occurrence.evidence.length - 1] }));
  for (const o of activeOnDbErrors(view, took)) agg.add(o);

  const decisions: CauseDecision[] = [];
  const first = (node: NodeName, test: (e: NodeEvent) => boolean): NodeEvent | undefined => view.events.find((e) => e.node === node && agg.inWindow(e.time) && test(e));
  for (const node of view.nodes) {
    const failed = first(node, (e) => e.type === 'state' && /^failed$/i.test(e.fields.state ?? ''));
    if (failed) decisions.push(failedCause(ctx, node, failed));
    const takeover = found.find((tk) => tk.occurrence.node === node && !tk.averted && agg.inWindow(tk.subject.time));
    if (takeover) decisions.push(takeoverCause(ctx, node, takeover.subject));
    const averted = found.find((tk) => tk.occurrence.node === node && tk.averted && agg.inWindow(tk.subject.time));
    if (averted) decisions.push(takeoverCause(ctx, node, averted.subject, 'takeover-averted'));
    const replication = first(node, (e) => e.type === 'db-replication-error' || (e.type === 'replication-delay' && Number(e.fields.seconds) * 1000 > t.replicationDelayMs));
    if (replication && agg.has('replication-broken', node)) decisions.push(replicationCause(ctx, node, replication));
    const crash = first(node, (e) => e.type === 'db-crash');
    if (crash) decisions.push(crashCause(ctx, node, crash));
    const degraded = first(node, (e) => e.type === 'degraded');
    if (degraded) decisions.push(degradedCause(ctx, node, degraded));
  }
  for (const d of decisions) agg.setCause(d.condition, d.node, d.cause, d.evidence, d.confidence);
  return decisions;
}

/** What was applied to each node's times, so a reader knows how the timeline was aligned. */
function corrections(inv: Inventory): string[] {
  const out: string[] = [];
  for (const n of inv.nodes) {
    const parts: string[] = [];
    if (n.facts.utcOffsetMinutes !== undefined && !n.facts.utcOffsetAssumed) parts.push(`read zone-less times as UTC${formatOffset(n.facts.utcOffsetMinutes)}`);
    const clock = clockCorrectionMs(n.facts);
    if (clock) parts.push(`moved its times by ${-clock / 1000} s to correct its clock`);
    else if (n.facts.clockOffsetMs) parts.push(`left its clock as it was (measured ${n.facts.clockOffsetMs} ms, within the ±${n.facts.clockUncertaintyMs} ms of the sample)`);
    if (parts.length) out.push(`${n.name}: ${parts.join(' and ')}`);
  }
  return out;
}
