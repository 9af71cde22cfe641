import type { LogFile, LogRecord } from '../types';
import { decodedChunks, type Warn } from './decode';
import { MAX_LINE_BYTES } from './scan';
import { displayText } from './text';
import { parseTimestamp, type ParsedTime, type TimeContext } from './timestamp';

/** Lines held back while a file has shown no timestamp yet; past this they take the file's mtime. */
const MAX_EARLY_LINES = 10_000;

/** Every line of a file, decoded for display, with giant lines cut. */
export async function* fileLines(file: LogFile, warn: Warn): AsyncGenerator<{ line: number; text: string }> {
  let carry: Buffer | null = null;
  let giant: { head: Buffer; length: number } | null = null;
  let n = 0;
  let cut = 0;
  for await (const chunk of decodedChunks(file, warn)) {
    let data = chunk;
    if (giant) {
      const nl = data.indexOf(10);
      if (nl < 0) {
        giant.length += data.length;
        continue;
      }
      giant.length += nl;
      cut++;
      yield { line: ++n, text: displayText(giant.head, 0, giant.head.length, giant.length) };
      giant = null;
      data = data.subarray(nl + 1);
    }
    const buf: Buffer = carry ? Buffer.concat([carry, data]) : data;
    carry = null;
    let pos = 0;
    for (let nl = buf.indexOf(10, pos); nl >= 0; nl = buf.indexOf(10, pos)) {
      const len = nl - pos;
      if (len > MAX_LINE_BYTES) cut++;
      yield { line: ++n, text: displayText(buf, pos, Math.min(nl, pos + MAX_LINE_BYTES), len) };
      pos = nl + 1;
    }
    const tail = buf.subarray(pos);
    if (tail.length > MAX_LINE_BYTES) giant = { head: Buffer.from(tail.subarray(0, MAX_LINE_BYTES)), length: tail.length };
    else if (tail.length) carry = Buffer.from(tail);
  }
  if (giant) {
    cut++;
    yield { line: ++n, text: displayText(giant.head, 0, giant.head.length, giant.length) };
  }
  if (carry) yield { line: ++n, text: displayText(carry, 0, carry.length) };
  if (cut) warn(`${file.node}: ${cut} line(s) longer than 1 MiB in ${file.path} were cut for display`);
}

/**
 * A file's records: a timestamped line plus the untimed lines after it (stack traces, crash
 * dumps). Lines before the first timestamp take the file's first time; a file with none takes
 * its mtime. `toUtc` applies the node's zone and clock correction.
 */
export async function* fileRecords(file: LogFile, toUtc: (t: ParsedTime) => number, warn: Warn): AsyncGenerator<LogRecord> {
  const ctx: TimeContext = { mtimeMs: file.mtime.getTime() };
  let current: LogRecord | undefined;
  let early: LogRecord[] = [];
  let lastTime: number | undefined;
  const make = (line: number, text: string, time: number | undefined): LogRecord => ({
    node: file.node, kind: file.kind, file: file.path, fileOrder: file.order, line, time, text,
  });
  for await (const { line, text } of fileLines(file, warn)) {
    const t = parseTimestamp(text, ctx);
    if (t) {
      lastTime = toUtc(t);
      if (early.length) {
        for (const r of early) r.time = lastTime;
        yield* early;
        early = [];
      }
      if (current) yield current;
      current = make(line, text, lastTime);
    } else if (current) {
      current.text += `\n${text}`;
    } else {
      early.push(make(line, text, undefined));
      if (early.length >= MAX_EARLY_LINES) {
        for (const r of early) r.time = file.mtime.getTime();
        yield* early;
        early = [];
      }
    }
  }
  if (current) yield current;
  for (const r of early) r.time = lastTime ?? file.mtime.getTime();
  yield* early;
}
