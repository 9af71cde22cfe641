import type { Inventory, LogKind, LogRecord } from './types';
import type { TimelineEntry } from './report/timeline';

export type { TimelineEntry } from './report/timeline';
import { analyzeInventory, type AnalyzeOptions } from './analyze';
import { nodeClock } from './correlate/clock';
import { mergeRecords, type Backwards } from './correlate/merge';
import { fileRecords } from './ingest/records';
import type { Warn } from './ingest/decode';
import type { NodeEvent } from './correlate/events';

export interface TimelineFilter {
  from?: number;
  to?: number;
  nodes?: string[];
  kinds?: LogKind[];
  grep?: RegExp;
}

function keep(e: { time?: number; node: string; kind: LogKind; text: string }, f: TimelineFilter): boolean {
  if (f.from !== undefined && (e.time === undefined || e.time < f.from)) return false;
  if (f.to !== undefined && (e.time === undefined || e.time > f.to)) return false;
  if (f.nodes?.length && !f.nodes.includes(e.node)) return false;
  if (f.kinds?.length && !f.kinds.includes(e.kind)) return false;
  if (f.grep && !f.grep.test(e.text)) return false;
  return true;
}

function entry(r: LogRecord, event?: string): TimelineEntry {
  const out: TimelineEntry = { node: r.node, kind: r.kind, file: r.file, line: r.line, text: r.text };
  if (r.time !== undefined) out.time = new Date(r.time).toISOString();
  if (event) return { time: out.time, node: out.node, kind: out.kind, file: out.file, line: out.line, event, text: out.text };
  return out.time ? { time: out.time, node: out.node, kind: out.kind, file: out.file, line: out.line, text: out.text } : out;
}

/** A key event as a timeline row. */
export function eventEntry(e: NodeEvent): TimelineEntry {
  return entry(e, e.type);
}

/** Key events of both nodes (state changes, heartbeat trouble, takeover steps, faults), in order. */
export async function keyEvents(inv: Inventory, filter: TimelineFilter, opts: AnalyzeOptions): Promise<TimelineEntry[]> {
  const analysis = await analyzeInventory(inv, opts);
  return analysis.events.filter((e) => keep(e, filter)).map(eventEntry);
}

/** Every record of every file of both nodes, merged into one order as they stream. */
export async function* allRecords(inv: Inventory, filter: TimelineFilter, warn: Warn): AsyncGenerator<TimelineEntry> {
  const order = new Map(inv.nodes.map((n, i) => [n.name, i]));
  const files = inv.nodes.flatMap((n) => {
    const toUtc = nodeClock(n);
    return n.files
      .filter((f) => !filter.kinds?.length || filter.kinds.includes(f.kind))
      .filter((f) => !filter.nodes?.length || filter.nodes.includes(f.node))
      .map((f) => ({ f, toUtc }));
  });
  const streams = files.map(({ f, toUtc }) => fileRecords(f, toUtc, warn));
  const backwards = (i: number, b: Backwards): void => {
    const f = files[i].f;
    warn(
      `${f.node}: the clock of ${f.path} went backwards ${b.steps} time(s), by up to ${Math.round(b.largestMs / 1000)} s; its lines are shown in time order` +
        (b.unsorted ? `, except ${b.unsorted} that were too far out of place and stay where the file has them` : ''),
    );
  };
  for await (const r of mergeRecords(streams, (n) => order.get(n) ?? order.size, backwards)) {
    if (keep(r, filter)) yield entry(r);
  }
}
