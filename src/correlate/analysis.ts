import type { AnalysisReport, Inventory, NodeName } from '../types';
import { formatOffset } from '../ingest/timestamp';
import type { FindingAggregator } from './aggregate';
import { failedCause, takeoverCause, type CauseDecision } from './causes';
import { clockCorrectionMs } from './clock';
import { clockSkew, DEFAULT_THRESHOLDS, noBrain, rolloverGaps, splitBrain, type ClusterThresholds, type ClusterView } from './cluster';
import { compareEvents, type NodeEvent } from './events';
import { groupIncidents } from './incidents';
import { stateIntervals, type StateInterval } from './intervals';
import type { NodePass } from './node-pass';
import { activeWhilePeerActive } from './takeover';

/** Everything the reports draw from: the `analyze --json` document plus the story behind it. */
export interface Analysis {
  report: AnalysisReport;
  /** Notable events of all nodes in total order (heartbeat replies only when slow). */
  events: NodeEvent[];
  nodeOrder: (n: NodeName) => number;
  intervals: Map<NodeName, StateInterval[]>;
  causes: CauseDecision[];
}

/**
 * Reads the nodes together: each node's state intervals, the conditions only both nodes show
 * (split brain, no brain, clock skew, evidence lost to rotation, takeovers seen in the states),
 * the cause of each Failed and each takeover, and the incidents.
 */
export function correlateNodes(inv: Inventory, passes: NodePass[], agg: FindingAggregator, thresholds: Partial<ClusterThresholds> = {}): Analysis {
  const order = new Map(inv.nodes.map((n, i) => [n.name, i]));
  const nodeOrder = (n: NodeName): number => order.get(n) ?? order.size;
  const events = passes.flatMap((r) => r.events).sort((a, b) => compareEvents(a, b, nodeOrder));
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const view: ClusterView = {
    nodes: inv.nodes.map((n) => n.name),
    events,
    intervals: new Map(passes.map((r) => [r.report.name, stateIntervals(events.filter((e) => e.node === r.report.name), r.lastTime ?? -Infinity)])),
    facts: new Map(inv.nodes.map((n) => [n.name, n.facts])),
    files: new Map(passes.map((r) => [r.report.name, r.report.files ?? []])),
  };
  const causes = crossNodeFindings(view, t, agg, passes.flatMap((r) => r.unclean));
  const findings = agg.findings(nodeOrder);
  const report: AnalysisReport = {
    version: 1,
    nodes: passes.map((r) => r.report),
    findings,
    incidents: groupIncidents(findings, events, nodeOrder),
    warnings: [...inv.warnings, ...passes.flatMap((r) => r.warnings), ...corrections(inv)],
  };
  return { report, events, nodeOrder, intervals: view.intervals, causes };
}

/** Cluster conditions and causes, which need both nodes' events; returns the cause decisions. */
function crossNodeFindings(view: ClusterView, t: ClusterThresholds, agg: FindingAggregator, unclean: NodeEvent[]): CauseDecision[] {
  const cluster = [...splitBrain(view, t), ...noBrain(view, t), ...clockSkew(view, t), ...rolloverGaps(view, t)];
  for (const o of cluster) agg.add(o);
  const takeovers = activeWhilePeerActive(view);
  for (const o of takeovers) {
    if (!agg.has('passive-takeover', o.node)) agg.add(o);
  }
  const decisions: CauseDecision[] = [];
  for (const node of view.nodes) {
    const mine = view.events.filter((e) => e.node === node && agg.inWindow(e.time));
    const failed = mine.find((e) => e.type === 'state' && /^failed$/i.test(e.fields.state ?? ''));
    if (failed) decisions.push(failedCause(node, failed, view.events, unclean));
    const considered = mine.find((e) => e.type === 'takeover-considered') ?? takeovers.find((o) => o.node === node)?.evidence[0];
    if (considered) decisions.push(takeoverCause(node, considered, view.events));
  }
  for (const d of decisions) agg.setCause(d.condition, d.node, d.cause, d.evidence);
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
