import type { RowBatch } from '../correlate/merge';
import type { RecordSink } from '../ingest/records';
import type { LogKind, NodeName } from '../types';
import type { TimelineFormat } from './timeline';

/**
 * Rows of `timeline --all` written as bytes straight from the bytes of the log: with it every line
 * of every file becomes a row, and a string, an object and a JSON string per line (then encoded
 * again) kept the worker threads a third of their time in the garbage collector. The bytes are
 * those `ndjsonLine`, `rowFormat('json')` and `textLine` give for the same record (a test holds
 * them to it).
 */

/** Bytes a batch of rows gathers before it is handed on. */
export const BATCH_BYTES = 512 << 10;

/** Memory for a batch of `size` bytes: a buffer of its own, never a slice of a shared pool (a batch moves to another thread). */
export type BatchMemory = (size: number) => Uint8Array;

const ownMemory: BatchMemory = (size) => Buffer.allocUnsafeSlow(size);

/** Where a file's rows are staged; a row that does not fit starts the next, sized to fit it. */
const STAGE_BYTES = 512 << 10;
/**
 * A file's first stage, and the rows its columns and batch first have room for, are small: many
 * files may be open in the merge at once, and a bundle of 20,000 one-line members held 20,000
 * stages of 512 KiB and columns of 8,192 rows (434 MB at the peak). A large file grows them by
 * doubling, in a few steps.
 */
const FIRST_STAGE_BYTES = 2 << 10;

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
const dayBytes = Buffer.alloc(11);

/** `Date.toISOString` written into `buf` at `at` by arithmetic (the date part kept from the last call); returns where it ends. */
function putIso(buf: Buffer, at: number, ms: number): number {
  // Years outside 0000–9999 are written ±YYYYYY by toISOString: left to it.
  if (!Number.isInteger(ms) || !(ms >= 0 && ms < 253402300800000)) return at + buf.write(new Date(ms).toISOString(), at, 'latin1');
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    dayBytes.write(new Date(day * DAY_MS).toISOString().slice(0, 11), 'latin1');
  }
  for (let k = 0; k < 11; k++) buf[at + k] = dayBytes[k];
  // Under a day of ms: small integers from here on.
  let rest = (ms - day * DAY_MS) | 0;
  const milli = rest % 1000;
  rest = (rest / 1000) | 0;
  const sec = rest % 60;
  rest = (rest / 60) | 0;
  const min = rest % 60;
  const hour = (rest / 60) | 0;
  buf[at + 11] = 48 + ((hour / 10) | 0);
  buf[at + 12] = 48 + (hour % 10);
  buf[at + 13] = 58;
  buf[at + 14] = 48 + ((min / 10) | 0);
  buf[at + 15] = 48 + (min % 10);
  buf[at + 16] = 58;
  buf[at + 17] = 48 + ((sec / 10) | 0);
  buf[at + 18] = 48 + (sec % 10);
  buf[at + 19] = 46;
  buf[at + 20] = 48 + ((milli / 100) | 0);
  buf[at + 21] = 48 + (((milli / 10) | 0) % 10);
  buf[at + 22] = 48 + (milli % 10);
  buf[at + 23] = 90;
  return at + 24;
}

/** `Date.toISOString`, the fast way: timeline rows of key events. */
export function isoTime(ms: number): string {
  const b = Buffer.allocUnsafe(32);
  return b.toString('latin1', 0, putIso(b, 0, ms));
}

/** `n` (a line number) in decimal at `at`; returns where it ends. */
function putNumber(buf: Buffer, at: number, n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let k = at + digits - 1, v = n; k >= at; k--, v = Math.floor(v / 10)) buf[k] = 48 + (v % 10);
  return at + digits;
}

/** What a file's rows look like: the parts around a row's time, line number and text. */
export interface RowStyle {
  format: Exclude<TimelineFormat, 'table'>;
  node: NodeName;
  kind: LogKind;
  file: string;
  /** Width of the node column of text rows. */
  nodeWidth: number;
}

/** The ndjson keys between a row's time and its line number: the same for every row of a file. */
export function fileKeys(node: NodeName, kind: LogKind, file: string): string {
  return `"node":${JSON.stringify(node)},"kind":"${kind}","file":${JSON.stringify(file)},"line":`;
}

const BACKSLASH = 92;

/**
 * A file's rows as they wait in its reorder window, then go out in batches. A record is its row's
 * number; what is known of a row is kept in columns by that number (an object per row outlived the
 * young generation of a worker thread while it waited, and collecting the old one then took a
 * fifth of the thread's time). A number is used again once its row has gone out.
 */
export interface RowStage {
  /** Where the records go as they are read: each record's row is written in one piece of a stage buffer, its head when it opens, its text a line at a time, its tail when it closes. */
  sink: RecordSink<number>;
  time(row: number): number;
  /** Length of the row's record as a string, what the reorder window counts. */
  chars(row: number): number;
  /** The record's text, kept only when a text filter needs it (`keepText`). */
  text(row: number): string;
  /** Row `row` goes out next: a batch when that filled one. */
  add(row: number): RowBatch | undefined;
  /** Row `row` is left out. */
  drop(row: number): void;
  /** The rows added since the last batch, if any. */
  finish(): RowBatch | undefined;
}

/** A stage buffer and how many of its rows still need its bytes; retired once rows go to the next. */
interface Stage {
  bytes: Buffer;
  live: number;
  retired: boolean;
}

/**
 * Stage buffers let go of, to be used again: a new one for every 512 KiB of rows cost page faults,
 * and those let go of waited for a full collection to be freed (80 MB more at the peak of a
 * 256 MB timeline).
 */
const spareStages: Buffer[] = [];
const MAX_SPARE_STAGES = 8;

function newStage(size: number): Stage {
  // A first stage is a slice of Node's shared pool: a buffer of its own for each file was a fifth
  // of the time of a timeline of many one-line files. It never leaves this thread (a batch is a copy).
  const bytes = size === FIRST_STAGE_BYTES ? Buffer.allocUnsafe(size) : (size === STAGE_BYTES && spareStages.pop()) || Buffer.allocUnsafeSlow(size);
  return { bytes, live: 0, retired: false };
}

/** `rows` rows of the stage need it no more. */
function letGo(stage: Stage, rows: number): void {
  stage.live -= rows;
  if (stage.retired && stage.live === 0 && stage.bytes.length === STAGE_BYTES && spareStages.length < MAX_SPARE_STAGES) spareStages.push(stage.bytes);
}

/** A copy of `a` twice as long. */
function grown<T extends Float64Array | Uint32Array>(a: T, make: new (n: number) => T): T {
  const b = new make(2 * a.length);
  b.set(a);
  return b;
}

/**
 * Rows a stage first has room for (see FIRST_STAGE_BYTES); it doubles when more wait. Columns of 8
 * numbers are 64 bytes, which V8 keeps in its heap: one of its own for each file was a third of
 * the time of a timeline of many one-line files.
 */
const FIRST_SLOTS = 8;

/** The parts of a row that are the same for every file, by format. */
const PARTS = Object.fromEntries(
  (['json', 'ndjson', 'text'] as const).map((format) => {
    const json = format !== 'text';
    const parts = {
      before: Buffer.from(format === 'json' ? '  {"time":"' : json ? '{"time":"' : ''),
      after: Buffer.from(json ? ',"text":"' : '  '),
      tail: Buffer.from(format === 'json' ? '"}' : json ? '"}\n' : '\n'),
      joiner: Buffer.from(json ? '\\n' : '\n    '),
    };
    return [format, parts];
  }),
) as Record<RowStyle['format'], { before: Buffer; after: Buffer; tail: Buffer; joiner: Buffer }>;

export function rowStage(style: RowStyle, keepText: boolean, memory: BatchMemory = ownMemory, batchBytes = BATCH_BYTES): RowStage {
  const json = style.format !== 'text';
  const { before, after, tail, joiner } = PARTS[style.format];
  const mid = Buffer.from(json ? `",${fileKeys(style.node, style.kind, style.file)}` : `  ${style.node.padEnd(style.nodeWidth)}  ${style.file}:`);
  // An ISO time takes 24 bytes, 27 beyond the year 9999; a line number at most 16.
  const headRoom = before.length + 27 + mid.length + 16 + after.length;
  let current = newStage(FIRST_STAGE_BYTES);
  let stage = current.bytes;
  let used = 0;
  let start = 0;
  // The open row's time in a cell of its own: a number changed in a closure's variable is a new object each time.
  const time = new Float64Array(1);
  let line = 0;
  let chars = 0;
  let first = true;
  let text: string | undefined;

  /** Room for `n` more bytes of the open row: it moves, alone, to a new stage when it would not fit. */
  const room = (n: number): void => {
    if (used + n <= stage.length) return;
    const next = newStage(Math.max(STAGE_BYTES, 2 * (used - start + n)));
    stage.copy(next.bytes, 0, start, used);
    used -= start;
    start = 0;
    current.retired = true;
    letGo(current, 0);
    current = next;
    stage = next.bytes;
  };
  const put = (b: Buffer): void => {
    // Locals, not the closure's variables, in the loop: those are loaded and stored at every byte.
    const to = stage;
    let at = used;
    for (let k = 0; k < b.length; k++) to[at++] = b[k];
    used = at;
  };
  /** The record's text so far, with line `t` (a text filter reads it). */
  const keep = (t: string): void => {
    text = text === undefined ? t : `${text}\n${t}`;
  };
  /** Before each line of the record: the line break joining it to the one before. */
  const lineStart = (length: number, room_: number): void => {
    room(room_ + joiner.length + tail.length);
    if (first) {
      first = false;
      chars = length;
    } else {
      put(joiner);
      chars += 1 + length;
    }
  };

  const sink: RecordSink<number> = {
    open(lineNo, t) {
      time[0] = t;
      line = lineNo;
      first = true;
      text = undefined;
      room(headRoom);
      start = used;
      put(before);
      used = putIso(stage, used, t);
      stage.set(mid, used);
      used += mid.length;
      used = putNumber(stage, used, lineNo);
      put(after);
    },
    plain(buf, s, e, special) {
      const length = e - s;
      lineStart(length, json && special ? 2 * length : length);
      if (keepText) keep(buf.toString('latin1', s, e));
      if (!json || !special) {
        // A view and a native copy: Buffer#copy costs several times as much for a line.
        stage.set(new Uint8Array(buf.buffer, buf.byteOffset + s, length), used);
        used += length;
        return;
      }
      const to = stage;
      let at = used;
      for (let k = s; k < e; k++) {
        const c = buf[k];
        if (c === 34 || c === BACKSLASH) {
          to[at++] = BACKSLASH;
          to[at++] = c;
        } else if (c === 9) {
          to[at++] = BACKSLASH;
          to[at++] = 116;
        } else to[at++] = c;
      }
      used = at;
    },
    text(t) {
      const s = json ? JSON.stringify(t).slice(1, -1) : t;
      lineStart(t.length, 3 * s.length);
      if (keepText) keep(t);
      used += stage.write(s, used);
    },
    close() {
      put(tail);
      const row = slot();
      times[row] = time[0];
      lines[row] = line;
      charsOf[row] = chars;
      starts[row] = start;
      ends[row] = used;
      stageOf[row] = current;
      current.live++;
      if (keepText) texts[row] = text;
      return row;
    },
  };

  let times = new Float64Array(FIRST_SLOTS);
  let lines = new Uint32Array(FIRST_SLOTS);
  let charsOf = new Float64Array(FIRST_SLOTS);
  let starts = new Float64Array(FIRST_SLOTS);
  let ends = new Float64Array(FIRST_SLOTS);
  const stageOf: Array<Stage | undefined> = [];
  const texts: Array<string | undefined> = [];
  let free = new Int32Array(FIRST_SLOTS);
  for (let k = 0; k < FIRST_SLOTS; k++) free[k] = FIRST_SLOTS - 1 - k;
  let nFree = FIRST_SLOTS;
  const slot = (): number => {
    if (!nFree) {
      // Every number is taken: twice as many, the new ones free.
      const size = times.length;
      times = grown(times, Float64Array);
      lines = grown(lines, Uint32Array);
      charsOf = grown(charsOf, Float64Array);
      starts = grown(starts, Float64Array);
      ends = grown(ends, Float64Array);
      free = new Int32Array(2 * size);
      for (let k = 0; k < size; k++) free[k] = 2 * size - 1 - k;
      nFree = size;
    }
    return free[--nFree];
  };
  const release = (row: number): void => {
    stageOf[row] = undefined;
    if (keepText) texts[row] = undefined;
    free[nFree++] = row;
  };

  // The batch being gathered: its rows' bytes as runs of stage bytes (rows that lie one after the
  // other in a stage, a file in time order, are copied as one), where each row ends, its time and
  // line, in arrays kept from batch to batch (arrays grown a row at a time were a fifth of what a
  // worker allocated).
  const runStages: Stage[] = [];
  const runRows: number[] = [];
  const runFroms: number[] = [];
  const runTos: number[] = [];
  let total = 0;
  let count = 0;
  let batchEnds = new Uint32Array(FIRST_SLOTS);
  let batchTimes = new Float64Array(FIRST_SLOTS);
  let batchLines = new Uint32Array(FIRST_SLOTS);
  const finish = (): RowBatch | undefined => {
    if (!count) return undefined;
    const bytes = memory(total);
    for (let k = 0, at = 0; k < runStages.length; k++) {
      const from = runStages[k].bytes;
      bytes.set(new Uint8Array(from.buffer, from.byteOffset + runFroms[k], runTos[k] - runFroms[k]), at);
      at += runTos[k] - runFroms[k];
      letGo(runStages[k], runRows[k]);
    }
    const batch: RowBatch = { bytes, ends: batchEnds.slice(0, count), times: batchTimes.slice(0, count), lines: batchLines.slice(0, count) };
    runStages.length = 0;
    runRows.length = 0;
    runFroms.length = 0;
    runTos.length = 0;
    total = 0;
    count = 0;
    return batch;
  };

  return {
    sink,
    time: (row) => times[row],
    chars: (row) => charsOf[row],
    text: (row) => texts[row]!,
    add(row) {
      const from = starts[row];
      const to = ends[row];
      const rowStage = stageOf[row]!;
      const last = runStages.length - 1;
      if (last >= 0 && runStages[last] === rowStage && runTos[last] === from) {
        runTos[last] = to;
        runRows[last]++;
      } else {
        runStages.push(rowStage);
        runRows.push(1);
        runFroms.push(from);
        runTos.push(to);
      }
      total += to - from;
      if (count === batchEnds.length) {
        batchEnds = grown(batchEnds, Uint32Array);
        batchTimes = grown(batchTimes, Float64Array);
        batchLines = grown(batchLines, Uint32Array);
      }
      batchEnds[count] = total;
      batchTimes[count] = times[row];
      batchLines[count] = lines[row];
      count++;
      // Its stage is let go of when the batch has copied it.
      release(row);
      return total >= batchBytes ? finish() : undefined;
    },
    drop(row) {
      letGo(stageOf[row]!, 1);
      release(row);
    },
    finish,
  };
}

/** The bytes of row `i` of a batch. */
export function rowBytes(b: RowBatch, i: number): Uint8Array {
  return b.bytes.subarray(i ? b.ends[i - 1] : 0, b.ends[i]);
}
