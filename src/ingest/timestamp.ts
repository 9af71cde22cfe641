/**
 * Timestamp families found at the start of SMS evidence lines (logs.md). Each line is detected on
 * its own because one file may mix families (MariaDB's crash report does).
 */
export type TimeFamily = 'iso' | 'mysql-short' | 'rfc3164' | 'rfc5424' | 'epoch' | 'slashed' | 'tomcat' | 'ctime' | 'time-of-day';

export interface ParsedTime {
  /** Epoch ms. When `zoned` is false this is the wall-clock reading taken as if it were UTC. */
  ms: number;
  zoned: boolean;
  family: TimeFamily;
  /** Index just past the timestamp (and its syslog header, for rfc5424). */
  end: number;
}

export interface TimeContext {
  /** mtime of the file (epoch ms), to give RFC 3164 lines a year. */
  mtimeMs?: number;
  /**
   * The time of the nearest timed line before, in UTC, to give a date to a line that only has the
   * time of day in UTC (`15:31:30 UTC - mysqld got signal 6 ;`); without it such a line has no time.
   */
  nearMs?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY_MS = 86_400_000;

/**
 * What the parsers return, filled in each time: an object per line was a sixth of what turning
 * every line into a timeline row allocated. parseTimestamp hands out a copy.
 */
const found: ParsedTime = { ms: 0, zoned: false, family: 'iso', end: 0 };

function stamp(ms: number, zoned: boolean, family: TimeFamily, end: number): ParsedTime {
  found.ms = ms;
  found.zoned = zoned;
  found.family = family;
  found.end = end;
  return found;
}

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function num(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = digit(s, i + k);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

function validClock(mo: number, d: number, h: number, mi: number, se: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && se >= 0 && se <= 60;
}

/** The last day asked for and where it starts (UTC ms): lines of a log come a day at a time. */
let lastDay = { y: -1, mo: -1, d: -1, ms: 0 };

/** Date.UTC of a day's midnight, remembered for the next line of the same day. */
function dayStart(y: number, mo: number, d: number): number {
  const last = lastDay;
  if (last.d === d && last.mo === mo && last.y === y) return last.ms;
  lastDay = { y, mo, d, ms: Date.UTC(y, mo - 1, d) };
  return lastDay.ms;
}

/** `YYYY-MM-DD[ T]HH:MM:SS[,.]fff[Z|±HH[:]MM]` starting at i: log4j, ISO 8601, MySQL 5.6+, MariaDB (space-padded hour too). */
function parseIsoLike(s: string, i: number): ParsedTime | null {
  const y = num(s, i, 4);
  if (y < 0 || s[i + 4] !== '-' || s[i + 7] !== '-' || s[i + 13] !== ':' || s[i + 16] !== ':') return null;
  const sep = s[i + 10];
  if (sep !== ' ' && sep !== 'T') return null;
  // MariaDB 10.x pads a one-digit hour with a space: `2026-11-24  0:25:39`.
  const h = sep === ' ' && s[i + 11] === ' ' ? num(s, i + 12, 1) : num(s, i + 11, 2);
  const mo = num(s, i + 5, 2), d = num(s, i + 8, 2), mi = num(s, i + 14, 2), se = num(s, i + 17, 2);
  if (!validClock(mo, d, h, mi, se)) return null;
  let p = i + 19;
  let frac = 0;
  if ((s[p] === ',' || s[p] === '.') && digit(s, p + 1) >= 0) {
    p++;
    let scale = 100;
    while (digit(s, p) >= 0) {
      frac += digit(s, p) * scale;
      scale /= 10;
      p++;
    }
  }
  let ms = dayStart(y, mo, d) + ((h * 60 + mi) * 60 + se) * 1000 + Math.floor(frac);
  let zoned = false;
  if (s[p] === 'Z') {
    zoned = true;
    p++;
  } else if ((s[p] === '+' || s[p] === '-') && sep === 'T') {
    const oh = num(s, p + 1, 2);
    const colon = s[p + 3] === ':' ? 1 : 0;
    const om = num(s, p + 3 + colon, 2);
    if (oh >= 0 && om >= 0) {
      const sign = s[p] === '+' ? 1 : -1;
      ms -= sign * (oh * 60 + om) * 60_000;
      zoned = true;
      p += 5 + colon;
    }
  }
  return stamp(ms, zoned, 'iso', p);
}

/** MySQL 5.1–5.5 and MariaDB crash reports: `YYMMDD HH:MM:SS` or `YYMMDD  H:MM:SS`. */
function parseMysqlShort(s: string, i: number): ParsedTime | null {
  const yy = num(s, i, 2), mo = num(s, i + 2, 2), d = num(s, i + 4, 2);
  if (yy < 0 || mo < 0 || d < 0 || s[i + 6] !== ' ') return null;
  let p = i + 7;
  let h: number;
  if (s[p] === ' ') {
    h = num(s, p + 1, 1);
    p += 2;
  } else if (s[p + 1] === ':') {
    h = num(s, p, 1);
    p += 1;
  } else {
    h = num(s, p, 2);
    p += 2;
  }
  if (h < 0 || s[p] !== ':' || s[p + 3] !== ':') return null;
  const mi = num(s, p + 1, 2), se = num(s, p + 4, 2);
  if (!validClock(mo, d, h, mi, se)) return null;
  const year = yy < 70 ? 2000 + yy : 1900 + yy;
  return stamp(Date.UTC(year, mo - 1, d, h, mi, se), false, 'mysql-short', p + 6);
}

/**
 * RFC 3164 `Mmm dd HH:MM:SS` has no year: take the file's year, and the year before when that would
 * put the line more than a day after the file was last written (a December line in a January file).
 */
function parseRfc3164(s: string, i: number, ctx: TimeContext): ParsedTime | null {
  const mo = MONTHS.indexOf(s.slice(i, i + 3)) + 1;
  if (mo === 0 || s[i + 3] !== ' ') return null;
  const d = s[i + 4] === ' ' ? num(s, i + 5, 1) : num(s, i + 4, 2);
  if (d < 0 || s[i + 6] !== ' ' || s[i + 9] !== ':' || s[i + 12] !== ':') return null;
  const h = num(s, i + 7, 2), mi = num(s, i + 10, 2), se = num(s, i + 13, 2);
  if (!validClock(mo, d, h, mi, se)) return null;
  const ref = ctx.mtimeMs ?? Date.UTC(1970, 0, 1);
  const year = new Date(ref).getUTCFullYear();
  let ms = Date.UTC(year, mo - 1, d, h, mi, se);
  if (ctx.mtimeMs !== undefined && ms > ref + DAY_MS) ms = Date.UTC(year - 1, mo - 1, d, h, mi, se);
  return stamp(ms, false, 'rfc3164', i + 15);
}

/** Seconds or milliseconds since 1970, ending the line (`to`) or followed by a blank. */
function parseEpoch(s: string, i: number, to: number): ParsedTime | null {
  let p = i;
  while (digit(s, p) >= 0) p++;
  // Seconds (10 digits) or milliseconds (13 digits) since 1970.
  if (p - i !== 10 && p - i !== 13) return null;
  let ms = p - i === 13 ? Number(s.slice(i, p)) : Number(s.slice(i, p)) * 1000;
  if (s[p] === '.' && digit(s, p + 1) >= 0) {
    let q = p + 1;
    while (digit(s, q) >= 0) q++;
    ms += Math.floor(Number(`0${s.slice(p, q)}`) * 1000);
    p = q;
  }
  const next = s.charCodeAt(p);
  if (p < to && next !== 32 && next !== 9) return null;
  return stamp(ms, true, 'epoch', p);
}

/** Fractional seconds after `p` when it holds `.` or `,` and digits: [ms, index past them]. */
function fraction(s: string, p: number): [number, number] {
  if ((s[p] !== '.' && s[p] !== ',') || digit(s, p + 1) < 0) return [0, p];
  let q = p + 1;
  let frac = 0;
  let scale = 100;
  while (digit(s, q) >= 0) {
    frac += digit(s, q) * scale;
    scale /= 10;
    q++;
  }
  return [Math.floor(frac), q];
}

/** `HH:MM:SS` at i: [h, m, s] or null. */
function clock(s: string, i: number): [number, number, number] | null {
  if (s[i + 2] !== ':' || s[i + 5] !== ':') return null;
  const h = num(s, i, 2), mi = num(s, i + 3, 2), se = num(s, i + 6, 2);
  return h < 0 || mi < 0 || se < 0 ? null : [h, mi, se];
}

/** Spark and Java wrappers: `yy/MM/dd HH:mm:ss` and `yyyy/MM/dd HH:mm:ss[.fff]`. */
function parseSlashed(s: string, i: number): ParsedTime | null {
  const long = s[i + 4] === '/';
  const w = long ? 4 : 2;
  const y = num(s, i, w), mo = num(s, i + w + 1, 2), d = num(s, i + w + 4, 2);
  if (y < 0 || mo < 0 || d < 0 || s[i + w + 3] !== '/' || s[i + w + 6] !== ' ') return null;
  const c = clock(s, i + w + 7);
  if (!c || !validClock(mo, d, ...c)) return null;
  const [frac, end] = fraction(s, i + w + 15);
  const year = long ? y : y < 70 ? 2000 + y : 1900 + y;
  return stamp(Date.UTC(year, mo - 1, d, ...c) + frac, false, 'slashed', end);
}

/** Tomcat: `15-Mar-2023 10:00:00.123`. */
function parseTomcat(s: string, i: number): ParsedTime | null {
  const d = num(s, i, 2);
  const mo = MONTHS.indexOf(s.slice(i + 3, i + 6)) + 1;
  const y = num(s, i + 7, 4);
  if (d < 0 || mo === 0 || y < 0 || s[i + 2] !== '-' || s[i + 6] !== '-' || s[i + 11] !== ' ') return null;
  const c = clock(s, i + 12);
  if (!c || !validClock(mo, d, ...c)) return null;
  const [frac, end] = fraction(s, i + 20);
  return stamp(Date.UTC(y, mo - 1, d, ...c) + frac, false, 'tomcat', end);
}

/** ctime, as C's asctime and Apache write it: `Wed Mar 15 10:00:00[.123456] 2023`. */
function parseCtime(s: string, i: number): ParsedTime | null {
  if (!WEEKDAYS.includes(s.slice(i, i + 3)) || s[i + 3] !== ' ') return null;
  const mo = MONTHS.indexOf(s.slice(i + 4, i + 7)) + 1;
  const d = s[i + 8] === ' ' ? num(s, i + 9, 1) : num(s, i + 8, 2);
  if (mo === 0 || d < 0 || s[i + 7] !== ' ' || s[i + 10] !== ' ') return null;
  const c = clock(s, i + 11);
  if (!c || !validClock(mo, d, ...c)) return null;
  const [frac, p] = fraction(s, i + 19);
  const y = num(s, p + 1, 4);
  if (s[p] !== ' ' || y < 0) return null;
  return stamp(Date.UTC(y, mo - 1, d, ...c) + frac, false, 'ctime', p + 5);
}

/**
 * MySQL 5.7+ crash reports: `15:31:30 UTC - mysqld got signal 6 ;` has the time of day in UTC and
 * no date. A crash report comes after the server's last words, so the date is the first that puts
 * it at or after the line before (a minute's leeway for stamps rounded differently); with no line
 * before there is no time.
 */
function parseTimeOfDay(s: string, i: number, ctx: TimeContext): ParsedTime | null {
  const c = clock(s, i);
  if (!c || !validClock(1, 1, ...c) || s.slice(i + 8, i + 14) !== ' UTC -' || ctx.nearMs === undefined) return null;
  const tod = (c[0] * 3600 + c[1] * 60 + c[2]) * 1000;
  const from = ctx.nearMs - 60_000;
  let ms = Math.floor(from / DAY_MS) * DAY_MS + tod;
  if (ms < from) ms += DAY_MS;
  return stamp(ms, true, 'time-of-day', i + 12);
}

/** Parse the timestamp a line starts with, or null when the line carries none of its own. */
export function parseTimestamp(line: string, ctx: TimeContext = {}): ParsedTime | null {
  const t = parseTimestampAt(line, 0, line.length, ctx);
  return t && { ...t };
}

/**
 * parseTimestamp of the line s[from, to) of a longer string (a piece of a file decoded at once),
 * `end` counted from `from`: it spares a string per line. What it returns is good until the next
 * call: it spares an object per line too. What comes after the line stops a stamp as the line's
 * end would: s[to] is a line break, which no character of a stamp matches, and every family checks
 * each character up to its end before it reads on.
 */
export function parseTimestampAt(s: string, from: number, to: number, ctx: TimeContext = {}): ParsedTime | null {
  const t = stampAt(s, from, to, ctx);
  if (t && from) t.end -= from;
  return t;
}

function stampAt(line: string, from: number, to: number, ctx: TimeContext): ParsedTime | null {
  let i = from;
  const c = line.charCodeAt(from);
  if (c === 60 /* < */) {
    // The priority's `>`, within the first 4 characters (a search on would run through the piece).
    let close = -1;
    for (let k = 1; k <= 4 && close < 0; k++) if (line[from + k] === '>') close = k;
    if (close < 2 || close > 4 || num(line, from + 1, close - 1) < 0) return null;
    i = from + close + 1;
    if (line[i] === '1' && line[i + 1] === ' ') {
      const t = parseIsoLike(line, i + 2);
      if (t) t.family = 'rfc5424';
      return t;
    }
    return parseRfc3164(line, i, ctx);
  }
  if (c >= 48 && c <= 57) {
    if (line[i + 4] === '-') return parseIsoLike(line, i);
    if (line[i + 6] === ' ') return parseMysqlShort(line, i);
    if (line[i + 2] === '/' || line[i + 4] === '/') return parseSlashed(line, i);
    if (line[i + 2] === '-') return parseTomcat(line, i);
    if (line[i + 2] === ':') return parseTimeOfDay(line, i, ctx);
    return parseEpoch(line, i, to);
  }
  if (c >= 65 && c <= 90) return parseRfc3164(line, i, ctx) ?? parseCtime(line, i);
  if (c === 91 /* [ */) {
    const t = parseCtime(line, i + 1);
    if (!t || line[t.end] !== ']') return null;
    t.end++;
    return t;
  }
  return null;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 48 && b <= 57;
}

/**
 * Cheap shape check on raw bytes at a line start, mirroring parseTimestamp's families without
 * decoding: the fast path uses it to count records and find the last timed line of a chunk.
 */
export function looksTimestamped(buf: Uint8Array, p: number): boolean {
  const b = buf[p];
  if (isDigit(b)) {
    if (buf[p + 4] === 45 /* - */) return isDigit(buf[p + 5]) && buf[p + 13] === 58;
    if (buf[p + 6] === 32) return isDigit(buf[p + 5]) && (buf[p + 9] === 58 || buf[p + 10] === 58);
    if (buf[p + 2] === 47 /* / */) return buf[p + 5] === 47 && buf[p + 11] === 58;
    if (buf[p + 4] === 47) return buf[p + 7] === 47 && buf[p + 13] === 58;
    if (buf[p + 2] === 45) return buf[p + 6] === 45 && buf[p + 14] === 58;
    if (buf[p + 2] === 58 /* : */) return buf[p + 5] === 58 && buf[p + 9] === 85 /* U */;
    let n = 0;
    while (n < 14 && isDigit(buf[p + n])) n++;
    return n === 10 || n === 13;
  }
  if (b === 60 /* < */) return isDigit(buf[p + 1]);
  if (b === 91 /* [ */) return buf[p + 4] === 32 && buf[p + 14] === 58 && isName(buf, p + 1, WEEKDAYS);
  if (b !== undefined && b >= 65 && b <= 90) {
    if (buf[p + 3] === 32 && buf[p + 9] === 58 && buf[p + 12] === 58 && isName(buf, p, MONTHS)) return true;
    return buf[p + 3] === 32 && buf[p + 13] === 58 && isName(buf, p, WEEKDAYS);
  }
  return false;
}

function isName(buf: Uint8Array, p: number, names: readonly string[]): boolean {
  return names.includes(String.fromCharCode(buf[p], buf[p + 1], buf[p + 2]));
}

/** `+02:00` style rendering of an offset in minutes. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Parse `+02:00`, `-0530`, `+2`, `Z`; null when malformed. */
export function parseOffset(text: string): number | null {
  if (text === 'Z' || text === 'UTC') return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const v = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (v > 14 * 60) return null;
  return m[1] === '-' ? -v : v;
}
