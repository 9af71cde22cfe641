import Table from 'cli-table3';
import type { LogKind, NodeName } from '../types';
import { BORDERLESS, shortTime, trimRight, WIDE, wrap, wrapVerbatim } from './format';
import { colourize } from './colour';
import { parseTimestamp } from '../ingest/timestamp';

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

export function ndjsonLine(e: TimelineEntry): string {
  return `${JSON.stringify(e)}\n`;
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
  const nodeWidth = Math.max(4, ...entries.map((e) => e.node.length));
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

/**
 * Writes timeline entries as they come: the table after collecting them (key events only, a
 * bounded list), every other format streaming in batches.
 */
export async function writeTimeline(out: NodeJS.WriteStream, entries: AsyncIterable<TimelineEntry> | TimelineEntry[], format: TimelineFormat, nodes: string[], opts: { width: number; colour: boolean }): Promise<void> {
  if (format === 'table') {
    const list: TimelineEntry[] = [];
    for await (const e of entries) list.push(e);
    const table = timelineTable(list, opts.width);
    out.write(opts.colour ? colourize(table) : table);
    return;
  }
  const nodeWidth = Math.max(4, ...nodes.map((n) => n.length));
  // One write per line costs a system call each (88 % of the time on a large --all): batch them.
  let batch: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    const ok = out.write(batch.join(''));
    batch = [];
    size = 0;
    if (!ok) await new Promise((r) => out.once('drain', r));
  };
  let first = true;
  if (format === 'json') batch.push('[');
  for await (const e of entries) {
    const line = format === 'ndjson' ? ndjsonLine(e) : format === 'json' ? `${first ? '\n' : ',\n'}  ${JSON.stringify(e)}` : textLine(e, nodeWidth);
    first = false;
    batch.push(line);
    size += line.length;
    if (size >= 256 * 1024) await flush();
  }
  if (format === 'json') batch.push(first ? ']\n' : '\n]\n');
  await flush();
}
