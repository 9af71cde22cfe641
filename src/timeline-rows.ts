import type { LogFile, LogKind, LogRecord } from './types';
import type { Warn } from './ingest/decode';
import { fileRecords } from './ingest/records';
import { clockOf, type ClockSettings } from './correlate/clock';
import { inTimeOrder, type Backwards, type RowBatch } from './correlate/merge';
import { rowFormat, type TimelineEntry, type TimelineFormat } from './report/timeline';
import { rowWriter } from './report/rows';

export interface TimelineFilter {
  from?: number;
  to?: number;
  nodes?: string[];
  kinds?: LogKind[];
  grep?: RegExp;
}

export function keep(e: { time?: number; node: string; kind: LogKind; text: string }, f: TimelineFilter): boolean {
  if (f.from !== undefined && (e.time === undefined || e.time < f.from)) return false;
  if (f.to !== undefined && (e.time === undefined || e.time > f.to)) return false;
  if (f.nodes?.length && !f.nodes.includes(e.node)) return false;
  if (f.kinds?.length && !f.kinds.includes(e.kind)) return false;
  if (f.grep && !f.grep.test(e.text)) return false;
  return true;
}

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let dayPrefix = '';

/**
 * `Date.toISOString` by arithmetic, the date part kept from the last call: with `--all` it runs for
 * every record, and the generic one was a sixth of the time.
 */
function iso(ms: number): string {
  // Years outside 0000–9999 are written ±YYYYYY by toISOString: left to it.
  if (!Number.isInteger(ms) || !(ms >= 0 && ms < 253402300800000)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    dayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  const hour = (rest - min) / 60;
  return `${dayPrefix}${TWO[hour]}:${TWO[min]}:${TWO[sec]}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** A record as a row; keys in the order every output format writes them. */
export function entry(r: LogRecord, event?: string): TimelineEntry {
  if (r.time === undefined) return event ? { node: r.node, kind: r.kind, file: r.file, line: r.line, event, text: r.text } : { node: r.node, kind: r.kind, file: r.file, line: r.line, text: r.text };
  const time = iso(r.time);
  return event ? { time, node: r.node, kind: r.kind, file: r.file, line: r.line, event, text: r.text } : { time, node: r.node, kind: r.kind, file: r.file, line: r.line, text: r.text };
}

/** What it takes to turn one file into rows, as plain data: it crosses to worker threads. */
export interface RowJob {
  clock: ClockSettings;
  format: Exclude<TimelineFormat, 'table'>;
  nodeWidth: number;
  filter: TimelineFilter;
}

function backwardsMessage(f: LogFile, b: Backwards): string {
  return (
    `${f.node}: the clock of ${f.path} went backwards ${b.steps} time(s), by up to ${Math.round(b.largestMs / 1000)} s; its lines are shown in time order` +
    (b.unsorted ? `, except ${b.unsorted} that were too far out of place and stay where the file has them` : '')
  );
}

/**
 * One file's records as serialised rows, in the file's own time order (a clock that went back is
 * put right within a window, and said). Runs in a worker thread, or in this one with --threads 1.
 */
export async function* fileRows(file: LogFile, job: RowJob, warn: Warn): AsyncGenerator<RowBatch> {
  const next = inTimeOrder(fileRecords(file, clockOf(job.clock), warn)[Symbol.asyncIterator](), (b) => warn(backwardsMessage(file, b)));
  const format = rowFormat(job.format, job.nodeWidth);
  const rows = rowWriter();
  for (;;) {
    const pending = next();
    const r = pending instanceof Promise ? await pending : pending;
    if (!r) break;
    if (!keep(r, job.filter)) continue;
    const full = rows.add(format(entry(r)), r.time ?? Number.POSITIVE_INFINITY, r.line);
    if (full) yield full;
  }
  const last = rows.finish();
  if (last) yield last;
}
