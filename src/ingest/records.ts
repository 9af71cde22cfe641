import type { LogFile } from '../types';
import { decodedChunks, type Warn } from './decode';
import { MAX_LINE_BYTES, splitLines } from '../text/lines';
import { displayText } from './text';
import { parseTimestamp, parseTimestampAt, type ParsedTime, type TimeContext } from './timestamp';

/** Lines held back while a file has shown no timestamp yet; past this they take the file's mtime. */
const MAX_EARLY_LINES = 10_000;

/**
 * Where a file's records go as they are read (the timeline's row writer): a record opens at its
 * timestamped line, is given that line and each untimed line after it (stack traces, crash dumps),
 * and closes. A line comes as bytes when it is printable ASCII and tabs (most lines are: they are
 * never decoded), else as the text displayText makes of it.
 */
export interface RecordSink<R> {
  open(line: number, time: number): void;
  /** A line of bytes 32–126 and tabs: buf[start, end), its CR gone; `special` when it holds `"`, `\` or a tab. */
  plain(buf: Buffer, start: number, end: number, special: boolean): void;
  /** A line as people and JSON see it (it held other bytes, or was cut). */
  text(text: string): void;
  close(): R;
}

/** A byte other than a newline or printable ASCII other than `"` and `\`. */
function isOther(c: number): boolean {
  return c !== 10 && (c < 32 || c > 126 || c === 34 || c === 92);
}

const EMPTY_WORDS = new Uint32Array(0);

/**
 * Where buf[from, end) first holds an `isOther` byte; `end` when nowhere. Four bytes at a time,
 * each word tested for a byte below 32 or above 126, a `"` or a `\` with the bit tricks of
 * https://graphics.stanford.edu/~seander/bithacks.html#HasLessInWord (exact for "any byte"); a
 * word that has one (a newline, mostly) is looked at byte by byte. A regular expression over the
 * piece took 2.5 times as long, a loop over the bytes 3 times.
 */
function nextOther(buf: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && (buf.byteOffset + i) & 3) {
    if (isOther(buf[i])) return i;
    i++;
  }
  const count = i < end ? (end - i) >>> 2 : 0;
  const words = count ? new Uint32Array(buf.buffer, buf.byteOffset + i, count) : EMPTY_WORDS;
  for (let w = 0; w < count; w++) {
    const x = words[w];
    const q = x ^ 0x22222222;
    const b = x ^ 0x5c5c5c5c;
    if ((((x - 0x20202020) & ~x) | (x + 0x01010101) | x | ((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080) {
      const at = i + 4 * w;
      for (let k = at; k < at + 4; k++) if (isOther(buf[k])) return k;
    }
  }
  for (i += 4 * count; i < end; i++) if (isOther(buf[i])) return i;
  return end;
}

/** Node's own latin1 decoder, without the checks and the dispatch on the encoding of Buffer#toString. */
function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);
}

/** The timestamp the line str[start, end) of a piece starts with. */
function lineTime(str: string, start: number, end: number, ctx: TimeContext): ParsedTime | null {
  const c = str.charCodeAt(start);
  // parseTimestamp gives up at once on a line that starts with anything but a digit, `<`, `[` or A-Z.
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 91) || c === 60 ? parseTimestampAt(str, start, end, ctx) : null;
}

/**
 * A file's records given to `sink`: a timestamped line plus the untimed lines after it. Lines before
 * the first timestamp take the file's first time; a file with none takes its mtime. `toUtc` applies
 * the node's zone and clock correction. What the sink made of the records closed, a batch per piece
 * read: an async generator pays a promise per `yield`, and a record is too small to carry that.
 */
export async function* fileRecords<R>(file: LogFile, toUtc: (t: ParsedTime) => number, sink: RecordSink<R>, warn: Warn): AsyncGenerator<R[]> {
  const mtime = file.mtime.getTime();
  // In UTC: the one family that needs it (`HH:MM:SS UTC -`) is in UTC.
  const ctx: TimeContext = { mtimeMs: mtime };
  let n = 0;
  let cut = 0;
  let open = false;
  let early: Array<{ line: number; text: string }> = [];
  let out: R[] = [];
  let head: Buffer | null = null;

  const closeEarly = (time: number): void => {
    for (const e of early) {
      sink.open(e.line, time);
      sink.text(e.text);
      out.push(sink.close());
    }
    early = [];
  };
  /**
   * A line with a time of its own starts a record. Its time is the last time, kept in `ctx` alone:
   * the time of day of a crash report is dated by it (and a number changed in a closure's variable
   * is a new object each time).
   */
  const start = (t: ParsedTime): void => {
    const time = toUtc(t);
    ctx.nearMs = time;
    if (early.length) closeEarly(time);
    if (open) out.push(sink.close());
    sink.open(n, time);
    open = true;
  };
  const untimed = (text: string): void => {
    early.push({ line: n, text });
    if (early.length >= MAX_EARLY_LINES) closeEarly(mtime);
  };
  const textLine = (text: string): void => {
    n++;
    const t = parseTimestamp(text, ctx);
    if (t) start(t);
    else if (!open) return untimed(text);
    sink.text(text);
  };
  /** A plain line, buf[s, e); `str` is the piece decoded. */
  const plainLine = (buf: Buffer, str: string, s: number, e: number, special: boolean): void => {
    n++;
    const t = lineTime(str, s, e, ctx);
    if (t) start(t);
    else if (!open) return untimed(latin1(buf, s, e));
    sink.plain(buf, s, e, special);
  };

  /** A line longer than MAX_LINE_BYTES, of which buf[start, start + MAX_LINE_BYTES) is at hand. */
  const cutLine = (buf: Buffer, start: number, length: number): void => {
    cut++;
    textLine(displayText(buf, start, start + MAX_LINE_BYTES, length));
  };

  /** A line holding a byte other than printable ASCII: plain (with tabs, a CR before its end) or text. */
  const otherLine = (buf: Buffer, str: string, pos: number, end: number): number => {
    let i = pos;
    let special = false;
    let c = 0;
    for (; i < end; i++) {
      c = buf[i];
      if (c >= 32 && c <= 126) {
        if (c === 34 || c === 92) special = true;
      } else if (c === 9) special = true;
      else break;
    }
    let lineEnd: number;
    let plainEnd = -1;
    if (i === end || c === 10) plainEnd = lineEnd = i;
    else if (c === 13 && i + 1 < end && buf[i + 1] === 10) {
      plainEnd = i;
      lineEnd = i + 1;
    } else {
      const nl = buf.indexOf(10, i);
      lineEnd = nl < 0 || nl >= end ? end : nl;
    }
    // A line longer than the splitter's limit can come whole, carried over a chunk boundary.
    if (lineEnd - pos > MAX_LINE_BYTES) cutLine(buf, pos, lineEnd - pos);
    else if (plainEnd >= 0) plainLine(buf, str, pos, plainEnd, special);
    else textLine(displayText(buf, pos, lineEnd));
    return lineEnd;
  };
  /**
   * The lines of a `lines` piece, decoded at once for their timestamps (a string per line was most
   * of what a worker thread allocated). Most lines are printable ASCII without `"` or `\`: a search
   * of the piece for the next other byte (nextOther) leaves the lines before it to be cut at their
   * newlines, with no look at each of their bytes.
   */
  const lines = (buf: Buffer, end: number): void => {
    const str = latin1(buf, 0, end);
    let other = nextOther(buf, 0, end);
    let pos = 0;
    while (pos < end) {
      const nl = buf.indexOf(10, pos);
      const lineEnd = nl < 0 || nl >= end ? end : nl;
      if (other >= lineEnd) {
        if (lineEnd - pos > MAX_LINE_BYTES) cutLine(buf, pos, lineEnd - pos);
        else plainLine(buf, str, pos, lineEnd, false);
        pos = lineEnd + 1;
      } else {
        pos = otherLine(buf, str, pos, end) + 1;
        other = nextOther(buf, pos, end);
      }
    }
  };

  for await (const p of splitLines(decodedChunks(file, warn), MAX_LINE_BYTES)) {
    if (p.type === 'lines') lines(p.buf, p.end);
    else if (p.type === 'long-start') head = p.head;
    else if (p.type === 'long-end') {
      cutLine(head!, 0, p.length);
      head = null;
    } else continue;
    // The open record stays: the lines of the next piece may still belong to it.
    if (out.length) {
      yield out;
      out = [];
    }
  }
  if (cut) warn(`${file.node}: ${cut} line(s) longer than 1 MiB in ${file.path} were cut for display`);
  if (open) out.push(sink.close());
  if (early.length) closeEarly(ctx.nearMs ?? mtime);
  if (out.length) yield out;
}
