import type { Inventory, NodeInput } from './types';
import { InputError } from './errors';
import { builtinRules, type Match, type RuleSet } from './rules/engine';
import { FindingAggregator, type Window } from './correlate/aggregate';
import { correlateNodes, type Analysis } from './correlate/analysis';
import type { ClusterThresholds } from './correlate/cluster';
import { READ_ORDER, scanHere, scanNode, type NodePass, type Scanner, type ScanSink } from './correlate/node-pass';
import type { ScanStats } from './ingest/scan';
import { inThreads, TIME_SOURCES, type FileJob, type ScanPiece } from './file-threads';
import { thresholds } from './knowledge/thresholds';

export type { Analysis } from './correlate/analysis';

export interface AnalyzeOptions {
  rules?: RuleSet;
  window?: Window;
  /** --threshold values and --incident; the rest are the defaults. */
  thresholds?: Partial<ClusterThresholds>;
  /** Worker threads that scan the files; 1 (the default) scans in this one. The answer is the same. */
  threads?: number;
}

/** A file's scan from a worker, told to the node pass in the order the worker heard it. */
async function replay(pieces: AsyncIterable<ScanPiece>, rules: RuleSet, sink: ScanSink): Promise<ScanStats> {
  let stats: ScanStats | undefined;
  for await (const p of pieces) {
    let hit = 0;
    let match = 0;
    let time = 0;
    let warning = 0;
    for (const step of p.steps) {
      if (step === 0) {
        const found: Match[] = [];
        for (let n = p.matchCount[hit]; n > 0; n--, match++) found.push({ rule: rules.rules[p.matchRule[match]], fields: p.matchFields[match] });
        const ms = p.hitMs[hit];
        const flags = p.hitFlags[hit];
        sink.hit(p.hitLine[hit], p.hitText[hit], Number.isNaN(ms) ? undefined : { ms, zoned: (flags & 1) === 1 }, TIME_SOURCES[flags >> 1], found);
        hit++;
      } else if (step === 1) {
        sink.time({ ms: p.timeMs[time], zoned: p.timeZoned[time] === 1 });
        time++;
      } else sink.warn(p.warnings[warning++]);
    }
    stats = p.stats ?? stats;
  }
  if (!stats) throw new Error('a worker thread ended a scan without its statistics');
  return stats;
}

/**
 * Every file a node pass will scan, scanned (and its hits matched) ahead in worker threads: a pass
 * then replays each file's results when it comes to it, so its order, and the answer, are those
 * of one thread.
 */
function scanInThreads(inv: Inventory, rules: RuleSet, threads: number): { scanner(node: NodeInput): Scanner; close(): Promise<void> } {
  const jobs = inv.nodes.flatMap((n) =>
    n.files.filter((f) => READ_ORDER.includes(f.kind)).map((file) => ({ file, job: { t: 'scan', pack: rules.pack, zoneOffsetMinutes: n.facts.utcOffsetMinutes ?? 0 } as FileJob })),
  );
  const pool = inThreads<ScanPiece>(jobs, threads);
  const index = new Map(jobs.map(({ file }, k) => [file, k]));
  return {
    scanner: (node) => {
      const here = scanHere(rules, node.facts.utcOffsetMinutes ?? 0);
      return (file, sink) => {
        const k = index.get(file);
        return k === undefined ? here(file, sink) : replay(pool.streams[k], rules, sink);
      };
    },
    close: () => pool.close(),
  };
}

/** Everything `analyze` reports, from an inventory of both nodes' files: each node read, then both together. */
export async function analyzeInventory(inv: Inventory, opts: AnalyzeOptions = {}): Promise<Analysis> {
  const rules = opts.rules ?? builtinRules();
  const t = { ...thresholds(opts.thresholds), incident: opts.thresholds?.incident ?? inv.incident };
  const agg = new FindingAggregator(opts.window, t);
  const threaded = (opts.threads ?? 1) > 1 ? scanInThreads(inv, rules, opts.threads!) : undefined;
  let passes: NodePass[];
  try {
    passes = await Promise.all(inv.nodes.map((n) => scanNode(n, rules, agg, t, threaded?.scanner(n))));
  } finally {
    await threaded?.close();
  }
  if (passes.every((r) => r.bytes === 0 && (r.report.files ?? []).every((f) => !f.records))) {
    const why = [...inv.warnings, ...passes.flatMap((r) => r.warnings)];
    throw new InputError(`no readable log data in the given input${why.length ? `: ${why.join('; ')}` : ''}`);
  }
  return correlateNodes(inv, passes, agg, t);
}
