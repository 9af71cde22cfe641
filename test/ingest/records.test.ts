import { strict as assert } from 'node:assert';
import { gzipSync } from 'node:zlib';
import { fileRecords, type RecordSink } from '../../src/ingest/records';
import { memoryFile } from '../helpers/memory-file';

interface Rec {
  line: number;
  time: number;
  text: string;
}

/** A sink that keeps each record's line, time and text (its lines joined). */
function recordSink(): RecordSink<Rec> {
  let r: Rec = { line: 0, time: 0, text: '' };
  let lines: string[] = [];
  return {
    open(line, time) {
      r = { line, time, text: '' };
      lines = [];
    },
    plain: (buf, start, end) => void lines.push(buf.toString('latin1', start, end)),
    text: (text) => void lines.push(text),
    close() {
      r.text = lines.join('\n');
      return r;
    },
  };
}

async function records(data: string | Buffer, opts: { chunk?: number; kind?: 'mysqld' | 'sms-info' | 'tpt'; slow?: boolean; warnings?: string[] } = {}): Promise<Rec[]> {
  const out: Rec[] = [];
  const warnings: string[] = opts.warnings ?? [];
  const file = memoryFile(data, { chunk: opts.chunk, kind: opts.kind ?? 'sms-info', mtime: new Date('2017-10-12T20:00:00Z') });
  for await (const batch of fileRecords(file, (t) => t.ms, recordSink(), (m) => warnings.push(m))) {
    out.push(...batch);
    if (opts.slow) await new Promise((r) => setTimeout(r, 3));
  }
  return out;
}

const CRASH = [
  '2026-11-22 18:19:00 0 [Note] InnoDB: Buffer pool(s) load completed',
  '261122 18:19:01 [ERROR] mariadbd got signal 11 ;',
  'Sorry, we probably made a mistake, and this is a bug.',
  '',
  'Attempting backtrace. Include this in the bug report.',
  'stack_bottom = 0x0 thread_stack 0x49000',
  '2026-11-22 18:19:05 0 [Note] Starting MariaDB 10.11.6-MariaDB source revision as process 4242',
].join('\n');

describe('fileRecords', () => {
  it('groups a crash report under its timestamped line, across timestamp families', async () => {
    for (const chunk of [3, 64, 65536]) {
      const rs = await records(CRASH, { chunk, kind: 'mysqld' });
      assert.deepEqual(rs.map((r) => r.line), [1, 2, 7], `chunk ${chunk}`);
      assert.equal(rs[1].text.split('\n').length, 5);
      assert.equal(new Date(rs[1].time).toISOString(), '2026-11-22T18:19:01.000Z');
    }
  });

  it('gives lines before the first timestamp the first time, and a timeless file its mtime', async () => {
    const rs = await records('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n2017-10-12 13:45:01,000 INFO x\n', { kind: 'tpt' });
    assert.deepEqual(rs.map((r) => [r.line, new Date(r.time).toISOString()]), [[1, '2017-10-12T13:45:01.000Z'], [2, '2017-10-12T13:45:01.000Z']]);
    const none = await records('Dumping heap to /tmp/x.hprof ...\nHeap dump file created\n', { kind: 'tpt' });
    assert.deepEqual(none.map((r) => new Date(r.time).toISOString()), ['2017-10-12T20:00:00.000Z', '2017-10-12T20:00:00.000Z']);
  });

  it('keeps the same text of a damaged gzip however fast it is read', async () => {
    // Text that compresses little (a seeded generator's noise): a damaged byte in its middle makes
    // inflate fail there, while output is still being read, not only at the checksum at the end.
    let seed = 42;
    const noise = (): string => Array.from({ length: 28 }, () => String.fromCharCode(65 + ((seed = (seed * 1103515245 + 12345) % 2147483648) % 58))).join('');
    const text = Array.from({ length: 60_000 }, (_, i) => `2017-10-12 13:45:${String(i % 60).padStart(2, '0')},000 INFO ${noise()} ${i}`).join('\n');
    const gz = gzipSync(text);
    gz[gz.length >> 1] ^= 0x55;
    const fastWarnings: string[] = [];
    const slowWarnings: string[] = [];
    const fast = await records(gz, { chunk: 1024, warnings: fastWarnings });
    const slow = await records(gz, { chunk: 1024, warnings: slowWarnings, slow: true });
    assert.ok(fast.length > 1000 && fast.length < 60_000, `${fast.length} records`);
    assert.deepEqual(slow.map((r) => r.text), fast.map((r) => r.text));
    assert.deepEqual(slowWarnings, fastWarnings);
    assert.match(fastWarnings.join('\n'), /damaged or truncated gzip/);
  });

  it('reads gzip by magic', async () => {
    const rs = await records(gzipSync('2017-10-12 13:45:01,000 INFO a\n\tat b\n2017-10-12 13:45:02,000 INFO c\n'));
    assert.deepEqual(rs.map((r) => r.text), ['2017-10-12 13:45:01,000 INFO a\n\tat b', '2017-10-12 13:45:02,000 INFO c']);
  });
});
