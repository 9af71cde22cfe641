import Table from 'cli-table3';
import type { LogKind, NodeName } from '../types';
import { BORDERLESS, shortTime, trimRight, WIDE, wrap, wrapVerbatim } from './format';
import { colourize } from './colour';
import { parseTimestamp } from '../ingest/timestamp';
import type { RowBatch } from '../correlate/merge';
import { fileKeys, rowBytes } from './rows';
import { writeTo } from './out';

/** The line without its leading timestamp: the time has its own column. */
function messageOf(line: string): string {
  const t = parseTimestamp(line);
  return t ? line.slice(t.end).trimStart() : line;
}

/** Characters of a message a table row wraps: the table is for reading; --format text has it all. */
const TABLE_TEXT_CHARS = 600;

function tableText(s: string): string {
  return s.length > TABLE_TEXT_CHARS ? `${s.slice(0, TABLE_TEXT_CHARS - 1)}…` : s;
}

/** One row of the timeline, as every output format carries it. */
export interface TimelineEntry {
  time?: string;
  node: NodeName;
  kind: LogKind;
  file: string;
  line: number;
  /** Event type for key events (state, heartbeat-miss, takeover-considered, …). */
  event?: string;
  text: string;
}

export type TimelineFormat = 'table' | 'text' | 'ndjson' | 'json';

/** `2017-10-12T13:48:02.000Z  secondary  ha.log:812  [takeover-considered]  text` */
export function textLine(e: TimelineEntry, nodeWidth: number): string {
  const tag = e.event ? `[${e.event}] ` : '';
  const text = e.text.replace(/\n/g, '\n    ');
  return `${e.time ?? '(no time)               '}  ${e.node.padEnd(nodeWidth)}  ${e.file}:${e.line}  ${tag}${text}\n`;
}

/**
 * The row as `JSON.stringify` writes it (keys in TimelineEntry's order, absent ones left out), by
 * hand: with `--all` this runs for every line of every file, and walking a fixed shape is most of
 * what the generic writer costs.
 */
export function ndjsonLine(e: TimelineEntry, keys = entryKeys(e)): string {
  let s = e.time === undefined ? '{' : `{"time":"${e.time}",`;
  s += `${keys}${e.line}`;
  if (e.event !== undefined) s += `,"event":${JSON.stringify(e.event)}`;
  return `${s},"text":${JSON.stringify(e.text)}}\n`;
}

/** An ndjson row's keys between its time and its line number: the same for every row of a file. */
function entryKeys(e: TimelineEntry): string {
  return fileKeys(e.node, e.kind, e.file);
}

/** Width of the node column of text rows: the longest node name, at least 4. */
export function nodeColumnWidth(nodes: string[]): number {
  return Math.max(4, ...nodes.map((n) => n.length));
}

/** Below WIDE: `2017-10-12 13:48:02  secondary  ha.log:812  takeover-considered`, the message wrapped under it. */
function timelineList(entries: TimelineEntry[], width: number): string {
  const lines = ['TIME (UTC)  NODE  WHERE  EVENT'];
  for (const e of entries) {
    lines.push(wrap(`${shortTime(e.time)}  ${e.node}  ${e.file}:${e.line}${e.event ? `  ${e.event}` : ''}`, width, '    ', ''));
    lines.push(wrapVerbatim(tableText(messageOf(e.text.split('\n')[0])), width, '    '));
  }
  return `${lines.join('\n')}\n`;
}

/** A bounded list as a table (key events); long texts wrap at words in the last column. */
export function timelineTable(entries: TimelineEntry[], width: number): string {
  if (!entries.length) return 'No events in the selected range.\n';
  if (width < WIDE) return timelineList(entries, width);
  const nodeWidth = nodeColumnWidth(entries.map((e) => e.node));
  const whereWidth = Math.max(5, ...entries.map((e) => `${e.file}:${e.line}`.length));
  const eventWidth = Math.max(5, ...entries.map((e) => (e.event ?? '').length));
  const fixed = [19, nodeWidth, whereWidth, eventWidth];
  const textWidth = Math.max(30, width - fixed.reduce((a, b) => a + b, 0) - 2 * fixed.length);
  const t = new Table({
    head: ['TIME (UTC)', 'NODE', 'WHERE', 'EVENT', 'MESSAGE'],
    colWidths: [...fixed, textWidth],
    wordWrap: true,
    ...BORDERLESS,
  });
  for (const e of entries) t.push([shortTime(e.time), e.node, `${e.file}:${e.line}`, e.event ?? '', tableText(messageOf(e.text.split('\n')[0]))]);
  return `${trimRight(t.toString())}\n`;
}

/** Writes key events (a bounded list) in any format. */
export function writeTimeline(out: NodeJS.WritableStream, entries: TimelineEntry[], format: TimelineFormat, nodes: string[], opts: { width: number; colour: boolean }): void {
  if (format === 'table') {
    const table = timelineTable(entries, opts.width);
    out.write(opts.colour ? colourize(table) : table);
    return;
  }
  const row = rowFormat(format, nodeColumnWidth(nodes));
  const rows = entries.map(row);
  out.write(format === 'json' ? (rows.length ? `[\n${rows.join(',\n')}\n]\n` : '[]\n') : rows.join(''));
}

/** One row as a stream format writes it; json rows are the array's members, without their commas. */
export function rowFormat(format: Exclude<TimelineFormat, 'table'>, nodeWidth: number): (e: TimelineEntry) => string {
  if (format === 'ndjson') {
    // The file's keys kept while node, kind and file stay the same: rows come a file at a time
    // (a syslog file is one file of several kinds).
    let last: TimelineEntry | undefined;
    let keys = '';
    return (e) => {
      if (e.node !== last?.node || e.kind !== last.kind || e.file !== last.file) keys = entryKeys(e);
      last = e;
      return ndjsonLine(e, keys);
    };
  }
  if (format === 'json') return (e) => `  ${JSON.stringify(e)}`;
  return (e) => textLine(e, nodeWidth);
}

/** Output is gathered to this size before a write: one write per row cost a system call each. */
const WRITE_BYTES = 256 * 1024;

/**
 * Writes serialised rows in the order `merge` hands them over, as one stream: a json array's
 * brackets and commas added here, the rest copied as the rows were made.
 */
export async function writeRows(out: NodeJS.WritableStream, format: Exclude<TimelineFormat, 'table'>, merge: (row: (b: RowBatch, i: number) => void | Promise<void>) => Promise<void>): Promise<void> {
  // A reader that goes away (`| head`) ends the merge there, as a pipe's writer would.
  await writeTo(out, async (write) => {
    // Buffers the stream is done with are used again: a new one per write was half of what this
    // thread allocated outside the heap (the rows' batches are the other half), and each such
    // growth hastens a full collection.
    const spare: Buffer[] = [];
    let buf: Buffer = Buffer.allocUnsafe(WRITE_BYTES);
    let used = 0;
    const flush = (): Promise<void> => {
      const full = buf;
      const written = write(full.subarray(0, used), () => spare.push(full));
      buf = spare.pop() ?? Buffer.allocUnsafe(WRITE_BYTES);
      used = 0;
      return written;
    };
    const json = format === 'json';
    let first = true;
    const put = (bytes: Uint8Array): Promise<void> | undefined => {
      if (used + bytes.length <= buf.length) {
        buf.set(bytes, used);
        used += bytes.length;
        return undefined;
      }
      return flush().then(() => (bytes.length > buf.length ? write(bytes) : void put(bytes)));
    };
    /** Row i of b; the common case (it fits) without a view of it: one per row was most of this thread's garbage. */
    const putRow = (b: RowBatch, i: number): Promise<void> | undefined => {
      const from = i ? b.ends[i - 1] : 0;
      const length = b.ends[i] - from;
      if (used + length > buf.length) return put(rowBytes(b, i));
      buf.set(new Uint8Array(b.bytes.buffer, b.bytes.byteOffset + from, length), used);
      used += length;
      return undefined;
    };
    if (json) put(OPEN);
    await merge((b, i) => {
      if (json) {
        const sep = put(first ? NEWLINE : COMMA);
        first = false;
        if (sep) return sep.then(() => putRow(b, i));
      }
      return putRow(b, i);
    });
    if (json) await put(first ? EMPTY_CLOSE : CLOSE);
    if (used) await flush();
  });
}

const OPEN = Buffer.from('[');
const NEWLINE = Buffer.from('\n');
const COMMA = Buffer.from(',\n');
const CLOSE = Buffer.from('\n]\n');
const EMPTY_CLOSE = Buffer.from(']\n');
