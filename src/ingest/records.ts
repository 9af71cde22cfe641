import type { LogFile, LogRecord } from '../types';
import { decodedChunks, type Warn } from './decode';
import { MAX_LINE_BYTES } from '../text/lines';
import { displayText } from './text';
import { eachLine, splitLines } from '../text/lines';
import { parseTimestamp, type ParsedTime, type TimeContext } from './timestamp';

/** Lines held back while a file has shown no timestamp yet; past this they take the file's mtime. */
const MAX_EARLY_LINES = 10_000;

export interface FileLine {
  line: number;
  text: string;
}

/**
 * Every line of a file, decoded for display, with giant lines cut; a batch per chunk read, because
 * an async generator pays a promise per `yield` and a line is too small to carry that.
 */
export async function* fileLines(file: LogFile, warn: Warn): AsyncGenerator<FileLine[]> {
  let n = 0;
  let cut = 0;
  let head: Buffer | null = null;
  for await (const p of splitLines(decodedChunks(file, warn), MAX_LINE_BYTES)) {
    if (p.type === 'lines') {
      const out: FileLine[] = [];
      eachLine(p.buf, p.end, (start, end) => {
        const len = end - start;
        if (len > MAX_LINE_BYTES) cut++;
        out.push({ line: ++n, text: displayText(p.buf, start, Math.min(end, start + MAX_LINE_BYTES), len) });
      });
      yield out;
    } else if (p.type === 'long-start') head = p.head;
    else if (p.type === 'long-end') {
      cut++;
      yield [{ line: ++n, text: displayText(head!, 0, head!.length, p.length) }];
      head = null;
    }
  }
  if (cut) warn(`${file.node}: ${cut} line(s) longer than 1 MiB in ${file.path} were cut for display`);
}

/**
 * A file's records: a timestamped line plus the untimed lines after it (stack traces, crash
 * dumps). Lines before the first timestamp take the file's first time; a file with none takes
 * its mtime. `toUtc` applies the node's zone and clock correction. In batches, as fileLines.
 */
export async function* fileRecords(file: LogFile, toUtc: (t: ParsedTime) => number, warn: Warn): AsyncGenerator<LogRecord[]> {
  const ctx: TimeContext = { mtimeMs: file.mtime.getTime() };
  let current: LogRecord | undefined;
  let early: LogRecord[] = [];
  let lastTime: number | undefined;
  const make = (line: number, text: string, time: number | undefined): LogRecord => ({
    node: file.node, kind: file.kind, file: file.path, fileOrder: file.order, line, time, text,
  });
  for await (const lines of fileLines(file, warn)) {
    const out: LogRecord[] = [];
    for (const { line, text } of lines) {
      // In UTC: the one family that needs it (`HH:MM:SS UTC -`) is in UTC.
      ctx.nearMs = lastTime;
      const t = parseTimestamp(text, ctx);
      if (t) {
        lastTime = toUtc(t);
        if (early.length) {
          for (const r of early) r.time = lastTime;
          out.push(...early);
          early = [];
        }
        if (current) out.push(current);
        current = make(line, text, lastTime);
      } else if (current) {
        current.text += `\n${text}`;
      } else {
        early.push(make(line, text, undefined));
        if (early.length >= MAX_EARLY_LINES) {
          for (const r of early) r.time = file.mtime.getTime();
          out.push(...early);
          early = [];
        }
      }
    }
    // `current` stays: the lines of the next batch may still belong to it.
    if (out.length) yield out;
  }
  for (const r of early) r.time = lastTime ?? file.mtime.getTime();
  const last = current ? [current, ...early] : early;
  if (last.length) yield last;
}
