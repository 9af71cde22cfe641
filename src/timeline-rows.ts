import type { LogFile, LogKind, LogRecord } from './types';
import type { Warn } from './ingest/decode';
import { fileRecords, type RecordSink } from './ingest/records';
import { clockOf, type ClockSettings } from './correlate/clock';
import { inTimeOrder, type Backwards, type RowBatch } from './correlate/merge';
import type { TimelineEntry, TimelineFormat } from './report/timeline';
import { isoTime, rowStage, type BatchMemory, type RowStage } from './report/rows';

export interface TimelineFilter {
  from?: number;
  to?: number;
  nodes?: string[];
  kinds?: LogKind[];
  grep?: RegExp;
}

/** A time within the range asked for (none is within no range). */
function inRange(time: number | undefined, f: TimelineFilter): boolean {
  if (f.from !== undefined && (time === undefined || time < f.from)) return false;
  return f.to === undefined || (time !== undefined && time <= f.to);
}

/** A file (or an event of one) of the nodes and kinds asked for. */
export function ofShownFile(e: { node: string; kind: LogKind }, f: TimelineFilter): boolean {
  return (!f.nodes?.length || f.nodes.includes(e.node)) && (!f.kinds?.length || f.kinds.includes(e.kind));
}

export function keep(e: { time?: number; node: string; kind: LogKind; text: string }, f: TimelineFilter): boolean {
  return inRange(e.time, f) && ofShownFile(e, f) && (!f.grep || f.grep.test(e.text));
}

/** A record as a row; keys in the order every output format writes them. */
export function entry(r: LogRecord, event?: string): TimelineEntry {
  if (r.time === undefined) return event ? { node: r.node, kind: r.kind, file: r.file, line: r.line, event, text: r.text } : { node: r.node, kind: r.kind, file: r.file, line: r.line, text: r.text };
  const time = isoTime(r.time);
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

/** A record's time and text within the range and matching the pattern asked for. */
function keepRow(rows: RowStage, r: number, f: TimelineFilter): boolean {
  return inRange(rows.time(r), f) && (!f.grep || f.grep.test(rows.text(r)));
}

/**
 * One file's records as serialised rows, in the file's own time order (a clock that went back is
 * put right within a window, and said). Runs in a worker thread, or in this one with --threads 1.
 * `memory` gives each batch its bytes; a batch goes when it holds `batchBytes` (BATCH_BYTES).
 */
export async function* fileRows(file: LogFile, job: RowJob, warn: Warn, memory?: BatchMemory, batchBytes?: number): AsyncGenerator<RowBatch> {
  const f = job.filter;
  if (!ofShownFile(file, f)) return;
  // The last batch is yielded from here, once the reading is over: a file waits, maybe long, for the
  // merge to take its last rows (a small file: its only ones), and it then holds only those.
  const last = yield* fullBatches(file, job, warn, memory, batchBytes);
  if (last) yield last;
}

/**
 * Where fileRows' rows of `file` begin before any filter, at the latest: the time and line of its
 * first record in time order, found without making rows (timeline's first look at a large file,
 * where rows were a third of its time). Its window of records is inTimeOrder's counted in records
 * alone: the text limit can only end the real one sooner, so what comes first here is no later
 * than what comes first there. Undefined for a file with no records.
 */
export async function firstRecord(file: LogFile, job: RowJob, warn: Warn): Promise<{ time: number; line: number } | undefined> {
  let r = { time: 0, line: 0 };
  const sink: RecordSink<{ time: number; line: number }> = {
    open: (line, time) => void (r = { time, line }),
    plain: () => undefined,
    text: () => undefined,
    close: () => r,
  };
  const records = fileRecords(file, clockOf(job.clock), sink, warn)[Symbol.asyncIterator]();
  try {
    const next = inTimeOrder(records, (x) => x.time, () => 0, () => undefined);
    const first = next();
    return first instanceof Promise ? await first : first;
  } finally {
    await records.return?.(undefined);
  }
}

/** The rows of fileRows in full batches; the rest is returned. */
async function* fullBatches(file: LogFile, job: RowJob, warn: Warn, memory?: BatchMemory, batchBytes?: number): AsyncGenerator<RowBatch, RowBatch | undefined> {
  const f = job.filter;
  const rows = rowStage({ format: job.format, node: file.node, kind: file.kind, file: file.path, nodeWidth: job.nodeWidth }, !!f.grep, memory, batchBytes);
  const records = fileRecords(file, clockOf(job.clock), rows.sink, warn)[Symbol.asyncIterator]();
  const next = inTimeOrder(records, rows.time, rows.chars, (b) => warn(backwardsMessage(file, b)));
  try {
    for (;;) {
      const pending = next();
      const r = pending instanceof Promise ? await pending : pending;
      if (r === undefined) break;
      if (!keepRow(rows, r, f)) {
        rows.drop(r);
        continue;
      }
      const full = rows.add(r);
      if (full) yield full;
    }
    return rows.finish();
  } finally {
    // Let go of before its end (the merge looked at its first rows only): the file is closed.
    await records.return?.(undefined);
  }
}
