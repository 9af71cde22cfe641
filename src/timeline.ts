import type { Inventory } from './types';
import type { TimelineEntry, TimelineFormat } from './report/timeline';
import { nodeColumnWidth, writeRows } from './report/timeline';

export type { TimelineEntry } from './report/timeline';
import { analyzeInventory, type AnalyzeOptions } from './analyze';
import { clockSettings } from './correlate/clock';
import { mergeRows, type RowBatch } from './correlate/merge';
import type { Warn } from './ingest/decode';
import type { NodeEvent } from './correlate/events';
import { entry, fileRows, keep, type RowJob, type TimelineFilter } from './timeline-rows';
import { inThreads } from './file-threads';

export type { TimelineFilter } from './timeline-rows';

/** A key event as a timeline row. */
export function eventEntry(e: NodeEvent): TimelineEntry {
  return entry(e, e.type);
}

/** Key events of both nodes (state changes, heartbeat trouble, takeover steps, faults), in order. */
export async function keyEvents(inv: Inventory, filter: TimelineFilter, opts: AnalyzeOptions): Promise<TimelineEntry[]> {
  const analysis = await analyzeInventory(inv, opts);
  return analysis.events.filter((e) => keep(e, filter)).map(eventEntry);
}

/**
 * Every record of every file of both nodes, merged into one order as they stream and written to
 * `out`. With `threads` above 1, worker threads turn files into rows and this thread reads and
 * merges; the bytes written are the same either way. Warnings come per file, in file order.
 */
export async function writeAllRecords(out: NodeJS.WritableStream, inv: Inventory, filter: TimelineFilter, format: Exclude<TimelineFormat, 'table'>, threads: number, warn: Warn): Promise<void> {
  const nodeWidth = nodeColumnWidth(inv.nodes.map((n) => n.name));
  const files = inv.nodes.flatMap((n, node) => {
    const job: RowJob = { clock: clockSettings(n), format, nodeWidth, filter };
    return n.files
      .filter((f) => (!filter.kinds?.length || filter.kinds.includes(f.kind)) && (!filter.nodes?.length || filter.nodes.includes(f.node)))
      .map((file) => ({ file, job, rank: { node, file: file.order } }));
  });
  const ranks = files.map((f) => f.rank);
  let streams: AsyncIterable<RowBatch>[];
  let warnings: string[][];
  let close = async (): Promise<void> => {};
  if (threads > 1 && files.length) {
    ({ streams, warnings, close } = inThreads(files, threads));
  } else {
    warnings = files.map(() => []);
    streams = files.map(({ file, job }, k) => fileRows(file, job, (m) => warnings[k].push(m)));
  }
  try {
    await writeRows(out, format, (row) => mergeRows(streams, ranks, row));
  } finally {
    await close();
    // Said even when the merge failed: they may say why.
    for (const ws of warnings) ws.forEach(warn);
  }
}
