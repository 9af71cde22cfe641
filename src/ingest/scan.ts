import type { LogFile } from '../types';
import { decodedChunks, decodedInHand, type Warn } from './decode';
import { looksTimestamped, parseTimestamp, type ParsedTime, type TimeContext } from './timestamp';
import { displayText } from './text';
import { type LinePiece, MAX_LINE_BYTES, splitLines, splitLinesInHand } from '../text/lines';
import type { AnchorSearch } from '../text/anchor-search';

/**
 * How often the time a file has reached is reported (onTime): at every multiple of this many bytes
 * of its text. Fixed offsets, not the ends of the chunks read, so that the answer is the same
 * whether a file was read from disk in 1 MiB reads, from SSH in packets, or by a worker thread in
 * 64 KiB pieces (splitLines cuts pieces at newlines, wherever the reads ended).
 */
const TIME_SAMPLE = 64 << 10;

/** Bytes kept either side of an anchor found beyond the kept head of a cut line. */
const SNIPPET = 256;

export type TimeSource = 'own' | 'previous' | 'first' | 'mtime' | 'none';

/** A line the prefilter picked, with the time of the record it belongs to. */
export interface Hit {
  line: number;
  text: string;
  /** The line's own timestamp, if it starts with one. */
  own: ParsedTime | null;
  /** Own time, else the record's (nearest preceding timed line), else the file's first time. */
  time?: ParsedTime;
  timeSource: TimeSource;
  /**
   * The line's one anchor (its place in the kind's alternationOrder) and where it starts in `text`,
   * when the search knows which it was, no other follows it in the line, and the text's offsets
   * are its bytes': then the rules need not look for it again.
   */
  anchor?: number;
  anchorAt?: number;
}

export interface ScanStats {
  bytes: number;
  lines: number;
  /** Lines that start a record (carry a timestamp); lines when the file has no timestamps at all. */
  records: number;
  /** Lines with anything on them: a file (or a syslog view) with none holds no evidence. */
  textLines: number;
  first?: ParsedTime;
  last?: ParsedTime;
  cutLines: number;
  /**
   * Where lines with an explicit zone and lines without one stand next to each other: the offset
   * (minutes) that makes the zone-less ones agree, the first time it was seen, and how often.
   */
  mixedZones?: { offsetMinutes: number; line: number; count: number };
  /** Lines that start like a time (`12/`, `12-`, `12:`…) in a form smsdiag does not read: the first one and how many. */
  unreadTimes?: { line: number; text: string; count: number };
}

export interface ScanOptions {
  /** The rule anchors of the file's kind, searched in its bytes: a line is a hit when one starts in it. */
  anchors: AnchorSearch;
  onHit: (hit: Hit) => void;
  /**
   * How the file went on, cheaply: the time of the last timed line before each TIME_SAMPLE offset
   * of its text, and before its end.
   */
  onTime?: (t: ParsedTime) => void;
  warn: Warn;
  maxLine?: number;
  /**
   * The node's zone (minutes east of UTC) for zone-less times: a `HH:MM:SS UTC -` crash stamp is
   * dated by the line before it, which must first be read in UTC too.
   */
  zoneOffsetMinutes?: number;
}

/**
 * Streams one file and reports the lines its prefilter finds, without decoding or parsing the
 * lines that match nothing: the cost for those is one newline search and a few byte checks.
 */
export async function scanFile(file: LogFile, opts: ScanOptions): Promise<ScanStats> {
  const maxLine = opts.maxLine ?? MAX_LINE_BYTES;
  const ctx: TimeContext = { mtimeMs: file.mtime.getTime() };
  const anchors = opts.anchors;
  const stats: ScanStats = { bytes: 0, lines: 0, records: 0, textLines: 0, cutLines: 0 };
  let lastTimed: ParsedTime | undefined;
  const early: Hit[] = [];

  /** The context with the last time known so far; one object, updated, not one per line. */
  const zoneMs = (opts.zoneOffsetMinutes ?? 0) * 60_000;
  const near = (): TimeContext => {
    ctx.nearMs = lastTimed === undefined ? undefined : lastTimed.zoned ? lastTimed.ms : lastTimed.ms - zoneMs;
    return ctx;
  };
  const emit = (buf: Buffer, start: number, end: number, fullLength: number, anchor = -1, anchorAt = 0): void => {
    const text = displayText(buf, start, end, fullLength);
    const own = looksTimestamped(buf, start) ? parseTimestamp(text, near()) : null;
    if (own) {
      lastTimed = own;
      stats.first ??= own;
    }
    const time = own ?? lastTimed;
    // UTF-8 decoding never gives more UTF-16 units than bytes, and as many only when each byte
    // gave one (ASCII, or an invalid byte's U+FFFD): then an offset in the text is one in the bytes.
    const faithful = anchor >= 0 && text.length === (buf[end - 1] === 13 ? end - 1 : end) - start;
    // Every hit has the same fields (one object shape for the code that reads them).
    const hit: Hit = { line: stats.lines, text, own, time, timeSource: own ? 'own' : time ? 'previous' : 'none', anchor: faithful ? anchor : undefined, anchorAt: faithful ? anchorAt : undefined };
    if (time) opts.onHit(hit);
    else early.push(hit);
  };

  const timeOfLine = (buf: Buffer, start: number, end: number): ParsedTime | null =>
    parseTimestamp(buf.toString('latin1', start, Math.min(end, start + 64)), near());

  /** The previous timed line, while the zone class of timed lines is watched for a change. */
  let prevZone: { zoned: boolean; buf: Buffer; start: number; end: number } | undefined;
  const watchZone = (buf: Buffer, start: number, end: number): void => {
    const zoned = zonedShape(buf, start);
    if (zoned === undefined) return;
    const prev = prevZone;
    // Where the line is, not its text: the common case (no change of class) copies nothing.
    prevZone = { zoned, buf, start, end };
    if (prev === undefined || prev.zoned === zoned) return;
    // The class changed: only now are both lines parsed.
    const here = timeOfLine(buf, start, end);
    const before = timeOfLine(prev.buf, prev.start, prev.end);
    if (!here || !before || here.zoned === before.zoned) return;
    const wall = here.zoned ? before : here;
    const utc = here.zoned ? here : before;
    const offset = Math.round((wall.ms - utc.ms) / 900_000) * 15;
    if (Math.abs(offset) > 14 * 60) return;
    if (stats.mixedZones) stats.mixedZones.count++;
    else stats.mixedZones = { offsetMinutes: offset, line: stats.lines, count: 1 };
  };

  /** Bytes of text walked before the current piece, and the next offset to report the time at. */
  let walked = 0;
  let nextSample = TIME_SAMPLE;

  /** Walks the complete lines in buf[0, end) (end is just past a newline). */
  const region = (buf: Buffer, end: number): void => {
    /** Where each line's first anchor starts, and how long it is. */
    const hits: number[] = [];
    const hitLengths: number[] = [];
    /** The hit's anchor when it is the only one of its line (the rest of the line searched as the rules would), else -1. */
    const hitAnchors: number[] = [];
    for (let at = anchors.next(buf, 0, end); at >= 0; ) {
      hits.push(at);
      hitLengths.push(anchors.length);
      const anchor = anchors.anchor;
      const found = buf.indexOf(10, at);
      const nl = found < 0 || found >= end ? end : found;
      // Another anchor may start within this one ("state" in "local state"): looked for from the next byte.
      hitAnchors.push(anchor >= 0 && anchors.next(buf, at + 1, nl) < 0 ? anchor : -1);
      at = nl >= end ? -1 : anchors.next(buf, nl + 1, end);
    }
    let h = 0;
    let pos = 0;
    let lastTimedStart = -1;
    let lastTimedEnd = -1;
    /** The timed line before that one: what dates a hit that is itself a time-of-day-only line. */
    let prevTimedStart = -1;
    let prevTimedEnd = -1;
    /**
     * The last timed line parsed now. A time-of-day-only one (`15:31:30 UTC -`) is dated by the
     * timed line before it, so that one is parsed first: otherwise the date came from whichever line
     * was parsed last, which depended on where the chunks read ended.
     */
    const settle = (): void => {
      if (lastTimedStart < 0) return;
      if (prevTimedStart >= 0 && buf[lastTimedStart + 2] === 58 /* : */) lastTimed = timeOfLine(buf, prevTimedStart, prevTimedEnd) ?? lastTimed;
      lastTimed = timeOfLine(buf, lastTimedStart, lastTimedEnd) ?? lastTimed;
      lastTimedStart = -1;
      prevTimedStart = -1;
    };
    while (pos < end) {
      if (walked + pos >= nextSample) {
        // The time reached before this line: the last timed line is parsed now, as a hit would.
        settle();
        if (lastTimed) opts.onTime?.(lastTimed);
        while (nextSample <= walked + pos) nextSample += TIME_SAMPLE;
      }
      const nl = buf.indexOf(10, pos);
      const lineEnd = nl < 0 || nl >= end ? end : nl;
      stats.lines++;
      const length = lineEnd - pos;
      if (length > 1 || (length === 1 && buf[pos] !== 13)) stats.textLines++;
      if (length > maxLine) stats.cutLines++;
      if (!looksTimestamped(buf, pos)) {
        if (startsLikeTime(buf, pos)) {
          if (stats.unreadTimes) stats.unreadTimes.count++;
          else stats.unreadTimes = { line: stats.lines, text: buf.toString('latin1', pos, Math.min(lineEnd, pos + 40)), count: 1 };
        }
      } else {
        stats.records++;
        watchZone(buf, pos, lineEnd);
        if (stats.first === undefined) stats.first = timeOfLine(buf, pos, lineEnd) ?? undefined;
        prevTimedStart = lastTimedStart;
        prevTimedEnd = lastTimedEnd;
        lastTimedStart = pos;
        lastTimedEnd = lineEnd;
      }
      if (h < hits.length && hits[h] <= lineEnd) {
        const firstHit = hits[h];
        const hitEnd = firstHit + hitLengths[h];
        const anchor = hitAnchors[h];
        while (h < hits.length && hits[h] <= lineEnd) h++;
        if (lastTimedStart >= 0 && lastTimedStart !== pos) settle();
        else if (lastTimedStart === pos && prevTimedStart >= 0 && buf[pos + 2] === 58 /* : */) {
          // A time-of-day-only stamp (`15:31:30 UTC -`) is dated by the timed line before it.
          lastTimed = timeOfLine(buf, prevTimedStart, prevTimedEnd) ?? lastTimed;
        }
        lastTimedStart = -1;
        prevTimedStart = -1;
        if (hitEnd <= pos + maxLine) emit(buf, pos, Math.min(lineEnd, pos + maxLine), length, length > maxLine ? -1 : anchor, firstHit - pos);
        else {
          // The anchor ends past the kept head of a cut line: show the text around it too, as
          // giantPiece keeps it (whether a long line comes whole or in pieces depends on the reads).
          const joined = Buffer.concat([buf.subarray(pos, pos + maxLine), Buffer.from(' … '), buf.subarray(firstHit - SNIPPET, Math.min(lineEnd, hitEnd + SNIPPET))]);
          emit(joined, 0, joined.length, length + 5);
        }
      }
      pos = lineEnd + 1;
    }
    settle();
    if (lastTimed) stats.last = lastTimed;
    walked += end;
  };

  /**
   * A line longer than maxLine, while its pieces stream past: its head, whether a piece hit, the
   * text around the hit (SNIPPET bytes either side, completed from the next pieces when the hit is
   * near a piece's end) and the end of the piece before, so that an anchor cut in two by a piece
   * boundary is still seen. What is kept depends on the line, not on where the pieces were cut.
   */
  let giant: { head: Buffer; length: number; hit: boolean; snippet: Buffer[]; need: number; tail: Buffer } | null = null;

  const giantPiece = (g: NonNullable<typeof giant>, piece: Buffer): void => {
    /** Where in the line the text searched starts: the kept end of the piece before, then this one. */
    const offset = g.length - g.tail.length;
    g.length += piece.length;
    if (g.need > 0) {
      const more = Buffer.from(piece.subarray(0, g.need));
      g.snippet.push(more);
      g.need -= more.length;
      return;
    }
    if (g.hit) return;
    const seen = g.tail.length ? Buffer.concat([g.tail, piece]) : piece;
    // Twice the snippet: a hit that ends in this piece then has SNIPPET bytes before it here.
    g.tail = Buffer.from(seen.subarray(Math.max(0, seen.length - 2 * SNIPPET)));
    const at = anchors.next(seen, 0, seen.length);
    if (at < 0) return;
    g.hit = true;
    // A hit past the kept head: keep the text around it, so rules can read the match.
    if (offset + at + anchors.length > maxLine) {
      const to = at + anchors.length + SNIPPET;
      g.snippet.push(Buffer.from(seen.subarray(Math.max(0, at - SNIPPET), to)));
      g.need = Math.max(0, to - seen.length);
    }
  };
  const endGiant = (g: NonNullable<typeof giant>, length: number): void => {
    walked += length + 1;
    stats.lines++;
    stats.textLines++;
    stats.cutLines++;
    if (looksTimestamped(g.head, 0)) {
      stats.records++;
      const t = timeOfLine(g.head, 0, g.head.length);
      if (t) {
        lastTimed = t;
        stats.first ??= t;
        stats.last = t;
        opts.onTime?.(t);
      }
    }
    if (!g.hit) return;
    if (!g.snippet.length) emit(g.head, 0, g.head.length, length);
    else {
      const joined = Buffer.concat([g.head, Buffer.from(' … '), ...g.snippet]);
      emit(joined, 0, joined.length, length + 5);
    }
  };

  const take = (p: LinePiece): void => {
    if (p.type === 'lines') region(p.buf, p.end);
    else if (p.type === 'long-start') giant = { head: p.head, length: 0, hit: false, snippet: [], need: 0, tail: Buffer.alloc(0) };
    else if (p.type === 'long-piece') giantPiece(giant!, p.piece);
    else {
      endGiant(giant!, p.length);
      giant = null;
    }
  };
  const inHand = decodedInHand(file, opts.warn);
  if (inHand) {
    for (const chunk of inHand) stats.bytes += chunk.length;
    splitLinesInHand(inHand, maxLine, take);
  } else {
    const counted = async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of decodedChunks(file, opts.warn)) {
        stats.bytes += chunk.length;
        yield chunk;
      }
    };
    for await (const p of splitLines(counted(), maxLine)) take(p);
  }
  if (lastTimed) opts.onTime?.(lastTimed);
  if (stats.records === 0) stats.records = stats.lines;

  const fallback = stats.first ?? (early.length ? mtimeAsTime(file) : undefined);
  for (const hit of early) {
    hit.time = fallback;
    hit.timeSource = stats.first ? 'first' : 'mtime';
    opts.onHit(hit);
  }
  return stats;
}

/**
 * Whether a timed line's stamp names its zone, from its bytes: ISO with `Z` or an offset, and
 * epoch seconds, do; MySQL's short form, syslog without a year, and ISO without an offset do not.
 * Undefined for shapes not told apart here.
 */
function zonedShape(buf: Buffer, p: number): boolean | undefined {
  if (buf[p + 4] === 45 /* - */) {
    let q = p + 19;
    if (buf[q] === 46 || buf[q] === 44) for (q++; buf[q] >= 48 && buf[q] <= 57; q++);
    return buf[q] === 90 /* Z */ || (buf[p + 10] === 84 /* T */ && (buf[q] === 43 || buf[q] === 45));
  }
  if (buf[p + 6] === 32) return false;
  if (buf[p] >= 65 && buf[p] <= 90) return false;
  return undefined;
}

/** Two digits and a date or clock separator: a line that starts like a time, read or not. */
function startsLikeTime(buf: Buffer, p: number): boolean {
  const d = (i: number): boolean => buf[i] >= 48 && buf[i] <= 57;
  const sep = buf[p + 2];
  return d(p) && d(p + 1) && (sep === 45 || sep === 47 || sep === 58 || sep === 46) && d(p + 3);
}

function mtimeAsTime(file: LogFile): ParsedTime {
  return { ms: file.mtime.getTime(), zoned: true, family: 'epoch', end: 0 };
}
