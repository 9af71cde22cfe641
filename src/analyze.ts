import type { Inventory } from './types';
import { InputError } from './errors';
import { builtinRules, type RuleSet } from './rules/engine';
import { FindingAggregator, type Window } from './correlate/aggregate';
import { correlateNodes, type Analysis } from './correlate/analysis';
import type { ClusterThresholds } from './correlate/cluster';
import { finishNode, scanNode, type NodePass } from './correlate/node-pass';
import { Activity } from './correlate/activity';
import { readNodesInThreads } from './file-threads';
import { thresholds } from './knowledge/thresholds';

export type { Analysis } from './correlate/analysis';

export interface AnalyzeOptions {
  rules?: RuleSet;
  window?: Window;
  /** --threshold values and --incident; the rest are the defaults. */
  thresholds?: Partial<ClusterThresholds>;
  /**
   * Worker threads that read the nodes, a node each at a time, at most one per node (a single
   * node gets one worker); 1, the default, reads them in this thread. The answer is the same.
   */
  threads?: number;
}

/** Everything `analyze` reports, from an inventory of both nodes' files: each node read, then both together. */
export async function analyzeInventory(inv: Inventory, opts: AnalyzeOptions = {}): Promise<Analysis> {
  const rules = opts.rules ?? builtinRules();
  const t = { ...thresholds(opts.thresholds), incident: opts.thresholds?.incident ?? inv.incident };
  const agg = new FindingAggregator(opts.window, t);
  let passes: NodePass[];
  if ((opts.threads ?? 1) > 1) {
    const results = await readNodesInThreads(inv.nodes, { pack: rules.pack, thresholds: t, window: opts.window }, opts.threads!);
    passes = [];
    for (const [k, node] of inv.nodes.entries()) {
      const { read, agg: found } = results[k];
      agg.absorb(found);
      passes.push(await finishNode(node, { ...read, ownLife: Activity.fromSpans(read.ownLife), heardPeer: Activity.fromSpans(read.heardPeer) }, agg));
    }
  } else passes = await Promise.all(inv.nodes.map((n) => scanNode(n, rules, agg, t)));
  if (passes.every((r) => r.bytes === 0 && (r.report.files ?? []).every((f) => !f.records))) {
    const why = [...inv.warnings, ...passes.flatMap((r) => r.warnings)];
    throw new InputError(`no readable log data in the given input${why.length ? `: ${why.join('; ')}` : ''}`);
  }
  return correlateNodes(inv, passes, agg, t);
}
