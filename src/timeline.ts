import type { Inventory, LogFile } from './types';
import type { TimelineEntry, TimelineFormat } from './report/timeline';
import { nodeColumnWidth, writeRows } from './report/timeline';

export type { TimelineEntry } from './report/timeline';
import { analyzeInventory, type AnalyzeOptions } from './analyze';
import { clockSettings } from './correlate/clock';
import { mergeRows, type MergeSources, type RowBatch } from './correlate/merge';
import type { Warn } from './ingest/decode';
import type { NodeEvent } from './correlate/events';
import { entry, fileRows, firstRecord, keep, ofShownFile, type RowJob, type TimelineFilter } from './timeline-rows';
import { inThreads } from './file-threads';

export type { TimelineFilter } from './timeline-rows';
export { ofShownFile } from './timeline-rows';

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
 * Up to this many files are all opened when the merge starts. Of more, each is first read up to
 * its first rows, in this thread, to learn where they begin; a file that has no more rows than
 * that keeps them (up to HELD_BYTES in all), any other is let go of, and opened again when the
 * merge reaches its first row (in threads, OPEN_AHEAD files ahead of it). Every file open from
 * the start held its reading state and a batch of rows, and, in threads, up to RESULT_CREDIT of
 * rows waiting: 200 rotations of 2.7 MB took 1,020 MB (now about 250 MB), 200,000 one-line members
 * 540 MB (now 440 MB, but 15 s instead of 10: most of them are read twice).
 */
export const OPEN_AT_ONCE = 16;
/**
 * Files opened, in threads, before the merge reaches them, so that a worker has started on them
 * (the next rotation of each of two nodes): 200 rotations of 2.7 MB took as long with 4 as with 16,
 * at 240-258 MB against 291-307 MB.
 */
const OPEN_AHEAD = 4;
/** Rows of small files kept from their first reading, in bytes with their columns (see OPEN_AT_ONCE). */
export const HELD_BYTES = 16 << 20;

/**
 * What the first reading of a file (see OPEN_AT_ONCE) found: where its rows begin, if it has any,
 * and, when that reading was all of it, its rows (if any) and warnings.
 */
interface FirstLook {
  first?: { time: number; line: number };
  whole?: { rows?: RowBatch; warnings: string[] };
}

/** Memory a batch held takes, about: its bytes, its columns, its objects. */
function heldSize(b: RowBatch): number {
  return b.bytes.byteLength + 16 * b.ends.length + 512;
}

/** Rows the first look gathers before it asks whether there are more: where a file's rows begin is all it needs of a large one. */
const LOOK_BYTES = 16 << 10;

/**
 * Files up to this size (as stored) are looked into as they will be read, their rows made, and
 * kept when that was all of them: a small file is read whole at little cost. 200,000 one-line
 * members under a window that shows them all: 7.7-9.1 s and 370-384 MB all opened at once, 12.6 s
 * each read twice, 8.3-10.3 s and 307-323 MB so.
 */
const SMALL_FILE = 64 << 10;

/**
 * Where a file's rows begin, and its rows and warnings when that was all of them. A small file
 * (SMALL_FILE) read up to its first LOOK_BYTES of rows and one row more, its rows kept when that
 * was all and they fit in `room`. A larger one only up to its first record (firstRecord), whatever
 * the time window or pattern: that is no later than its first row shown, which is all the merge
 * needs to open it in time, and a file with nothing shown is not read to its end here, in this
 * thread (under a window, opening every file at once held 1 GB for 200 rotations shown).
 */
async function firstLook(file: LogFile, job: RowJob, room: number): Promise<FirstLook> {
  const warnings: string[] = [];
  if (file.size > SMALL_FILE) {
    const first = await firstRecord(file, job, (m) => warnings.push(m));
    return first ? { first } : { whole: { warnings } };
  }
  const it = fileRows(file, job, (m) => warnings.push(m), undefined, LOOK_BYTES);
  const a = await it.next();
  if (a.done) return { whole: { warnings } };
  const first = { time: a.value.times[0], line: a.value.lines[0] };
  const b = await it.next();
  if (b.done && heldSize(a.value) <= room) return { first, whole: { rows: a.value, warnings } };
  // Read again when the merge gets there: its warnings are said then.
  await it.return(undefined);
  return { first };
}

async function* fromHand(rows: RowBatch): AsyncGenerator<RowBatch> {
  yield rows;
}

/**
 * Every record of every file of both nodes, merged into one order as they stream and written to
 * `out`. With `threads` above 1, worker threads turn files into rows and this thread reads and
 * merges; the bytes written are the same either way. Warnings come per file, in file order.
 * `limits` are OPEN_AT_ONCE and HELD_BYTES unless a test sets them.
 */
export async function writeAllRecords(out: NodeJS.WritableStream, inv: Inventory, filter: TimelineFilter, format: Exclude<TimelineFormat, 'table'>, threads: number, warn: Warn, limits = { openAtOnce: OPEN_AT_ONCE, heldBytes: HELD_BYTES }): Promise<void> {
  const nodeWidth = nodeColumnWidth(inv.nodes.map((n) => n.name));
  const jobs: RowJob[] = inv.nodes.map((n) => ({ clock: clockSettings(n), format, nodeWidth, filter }));
  // Per file, columns: a bundle may hold 200,000 files, and objects for each were most of the memory.
  const files: LogFile[] = [];
  const nodeOf: number[] = [];
  inv.nodes.forEach((n, node) => {
    for (const f of n.files) {
      if (!ofShownFile(f, filter)) continue;
      files.push(f);
      nodeOf.push(node);
    }
  });
  const warnings = new Map<number, string[]>();
  const warnOf = (k: number): Warn => (m) => void (warnings.get(k) ?? warnings.set(k, []).get(k)!).push(m);
  const firstTime = new Float64Array(files.length).fill(Number.NaN);
  const firstLine = new Float64Array(files.length);
  /** Files read whole at the first look: their rows, if any. */
  const held = new Map<number, RowBatch | undefined>();
  if (files.length > limits.openAtOnce) {
    let room = limits.heldBytes;
    for (let k = 0; k < files.length; k++) {
      const look = await firstLook(files[k], jobs[nodeOf[k]], room);
      if (look.whole) {
        held.set(k, look.whole.rows);
        if (look.whole.warnings.length) warnings.set(k, look.whole.warnings);
        if (look.whole.rows) room -= heldSize(look.whole.rows);
      }
      if (look.first) {
        firstTime[k] = look.first.time;
        firstLine[k] = look.first.line;
      }
    }
  }
  const unread = files.length - held.size;
  const threaded = threads > 1 && unread ? inThreads(files.map((file, k) => ({ file, job: jobs[nodeOf[k]] })), threads) : undefined;
  const sources: MergeSources = {
    count: files.length,
    rank: (k) => ({ node: nodeOf[k], file: files[k].order }),
    firstTime: (k) => firstTime[k],
    firstLine: (k) => firstLine[k],
    ahead: threaded ? OPEN_AHEAD : 0,
    open(k) {
      if (held.has(k)) {
        const rows = held.get(k);
        held.delete(k);
        return rows && fromHand(rows);
      }
      return threaded ? threaded.open(k) : fileRows(files[k], jobs[nodeOf[k]], warnOf(k));
    },
  };
  try {
    await writeRows(out, format, (row) => mergeRows(sources, row));
  } finally {
    await threaded?.close();
    // Said even when the merge failed: they may say why. A worker's are said for the files it read.
    for (let k = 0; k < files.length; k++) (warnings.get(k) ?? threaded?.warnings[k])?.forEach(warn);
  }
}
