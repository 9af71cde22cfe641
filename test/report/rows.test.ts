import { strict as assert } from 'node:assert';
import { displayText } from '../../src/ingest/text';
import { parseTimestamp, type TimeContext } from '../../src/ingest/timestamp';
import { MAX_LINE_BYTES } from '../../src/text/lines';
import { ndjsonLine, textLine, type TimelineEntry } from '../../src/report/timeline';
import { isoTime } from '../../src/report/rows';
import { fileRows } from '../../src/timeline-rows';
import { memoryFile } from '../helpers/memory-file';

type Format = 'ndjson' | 'json' | 'text';
const MTIME = new Date('2017-10-20T00:00:00Z');

/**
 * The rows of a file as the timeline made them before it wrote bytes from bytes: every line
 * decoded on its own, its timestamp parsed from that string, records joined as strings, each
 * serialised by the string writers of key events; in time order, ties in file order (the
 * reordering window gives that for a clock that steps back by less than it holds).
 */
function referenceRows(bytes: Buffer, format: Format, nodeWidth: number): string {
  const texts: string[] = [];
  for (let start = 0; start < bytes.length; ) {
    const nl = bytes.indexOf(10, start);
    const end = nl < 0 ? bytes.length : nl;
    texts.push(displayText(bytes, start, Math.min(end, start + MAX_LINE_BYTES), end - start));
    start = end + 1;
  }
  const records: Array<{ line: number; time?: number; lines: string[] }> = [];
  const ctx: TimeContext = { mtimeMs: MTIME.getTime() };
  let early: Array<{ line: number; time?: number; lines: string[] }> = [];
  texts.forEach((text, i) => {
    const t = parseTimestamp(text, ctx);
    if (t) {
      ctx.nearMs = t.ms;
      for (const r of early) r.time = t.ms;
      records.push(...early);
      early = [];
      records.push({ line: i + 1, time: t.ms, lines: [text] });
    } else if (records.length) records[records.length - 1].lines.push(text);
    else early.push({ line: i + 1, lines: [text] });
  });
  for (const r of early) records.push({ ...r, time: MTIME.getTime() });
  return records
    .sort((a, b) => a.time! - b.time!)
    .map((r) => {
      const e: TimelineEntry = { time: isoTime(r.time!), node: 'n1', kind: 'ha', file: 'ha.log', line: r.line, text: r.lines.join('\n') };
      return format === 'ndjson' ? ndjsonLine(e) : format === 'json' ? `  ${JSON.stringify(e)}` : textLine(e, nodeWidth);
    })
    .join('');
}

async function rows(bytes: Buffer, format: Format, chunk: number): Promise<string> {
  const out: Buffer[] = [];
  const file = memoryFile(bytes, { chunk, mtime: MTIME });
  for await (const b of fileRows(file, { clock: { utcOffsetMinutes: 0, correctionMs: 0 }, format, nodeWidth: 7, filter: {} }, () => {})) out.push(Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.length));
  return Buffer.concat(out).toString();
}

/** Lines that make writing rows from bytes hard. */
function hardLines(): Buffer {
  const parts: Array<string | Buffer> = [
    'a line before any time, with "quotes"',
    'Caused by: java.lang.OutOfMemoryError: Java heap space and a line long enough to pass sixty-four bytes',
    '2017-10-12 13:45:01,123 INFO plain',
    '2017-10-12 13:45:01,124 INFO "quoted" \\back\\slash\tand a tab',
    '\tat com.tippingpoint.Foo.bar(Foo.java:12)',
    '2017-10-12 13:45:02,000 WARN crlf line\r',
    '2017-10-12 13:45:02,001 WARN a CR inside\rthe line',
    '2017-10-12 13:45:02,002 WARN control \u0001 and delete \u007f',
    '2017-10-12 13:45:02,003 WARN déjà «vu» non-ASCII',
    Buffer.from([...Buffer.from('2017-10-12 13:45:02,004 WARN bad UTF-8 '), 0xff, 0xc3, 0x28, 0xe2, 0x82]),
    '',
    '2017-10-12 13:45:03,1234567890123456789012345678901234567890123456789 a long fraction',
    '2017-10-12T13:45:04.5+02:00 zoned',
    '2017-10-12T11:45:05+0200',
    '2017-10-12 13:45',
    ':06,000 a stamp cut by a line break',
    '171012 13:45:07 [Note] short MySQL stamp',
    '171012  9:45:07 [Note] padded hour',
    '13:45:08 UTC - mysqld got signal 11 ;',
    '1507815909 epoch seconds',
    '1507815910123',
    '1507815911x not an epoch',
    '<13>Oct 12 13:45:12 sms-a smsha: syslog',
    '<13>1 2017-10-12T13:45:13Z sms-a smsha - - - rfc5424',
    '<1',
    '>3 a priority closed on the next line',
    '<13',
    '[Thu Oct 12 13:45:14 2017] [error] ctime in brackets',
    'Thu Oct 12 13:45:15.123456 2017 ctime',
    '2017/10/12 13:45:16 slashed',
    '12-Oct-2017 13:45:17.000 tomcat',
    `2017-10-12 13:45:18,000 ${'x'.repeat(40)}`,
    `2017-10-12 13:45:19,000 ${'y'.repeat(39)}`,
    `2017-10-12 13:45:20,000 ${'z'.repeat(41)}`,
    'Exception in thread "main" at the end, no newline',
  ];
  return Buffer.concat(parts.map((p, i) => Buffer.concat([Buffer.isBuffer(p) ? p : Buffer.from(p), i < parts.length - 1 ? Buffer.from('\n') : Buffer.alloc(0)])));
}

describe('timeline rows written from bytes', () => {
  it('are the rows the string writers give, in every format, however the file is read', async () => {
    const bytes = hardLines();
    for (const format of ['ndjson', 'json', 'text'] as Format[]) {
      const want = referenceRows(bytes, format, 7);
      for (const chunk of [1, 7, 63, 64, 65, 4096, 65536]) assert.equal(await rows(bytes, format, chunk), want, `${format}, chunks of ${chunk}`);
    }
  });

  it('are the same for lines of random bytes, every byte value at every offset', async () => {
    // Mostly printable ASCII, as logs are, with every other byte value sprinkled in: the search for
    // lines that need more than a copy looks at four bytes at a time, wherever a piece starts.
    // (Not NUL: reading drops NUL runs before lines are made, for both writers alike.)
    let seed = 7;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const lines: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const stamp = Buffer.from(`2017-10-12 13:45:${String(10 + (i % 50)).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} `);
      const body = Buffer.from(Array.from({ length: random(90) }, () => (random(12) ? 32 + random(95) : random(256))).filter((b) => b !== 10 && b !== 0));
      lines.push(i % 5 ? Buffer.concat([stamp, body]) : body);
    }
    const bytes = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    for (const format of ['ndjson', 'text'] as Format[]) {
      const want = referenceRows(bytes, format, 7);
      for (const chunk of [5, 4093, 65536]) assert.equal(await rows(bytes, format, chunk), want, `${format}, chunks of ${chunk}`);
    }
  });

  it('cut a line over 1 MiB as the string writers do, and carry on', async () => {
    const bytes = Buffer.from(`2017-10-12 13:45:01,000 INFO ${'é"'.repeat(600_000)}\n2017-10-12 13:45:02,000 INFO after\n\tat x\n`);
    for (const chunk of [65536, 300_000]) assert.equal(await rows(bytes, 'ndjson', chunk), referenceRows(bytes, 'ndjson', 7), `chunks of ${chunk}`);
  });

  it('are the same for a log of many records, row stages and batches', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `2017-10-12 13:${String(Math.floor(i / 600) % 60).padStart(2, '0')}:${String(Math.floor(i / 10) % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} INFO ${i % 7 ? 'row' : 'a "row"'} ${i}${i % 50 ? '' : '\n\tat trace'}`);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    assert.equal(await rows(bytes, 'ndjson', 65536), referenceRows(bytes, 'ndjson', 7));
  });
});
