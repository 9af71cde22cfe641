import { strict as assert } from 'node:assert';
import { gzipSync } from 'node:zlib';
import { fileRecords } from '../../src/ingest/records';
import type { LogRecord } from '../../src/types';
import { memoryFile } from '../helpers/memory-file';

async function records(data: string | Buffer, opts: { chunk?: number; kind?: 'mysqld' | 'sms-info' | 'tpt' } = {}): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const warnings: string[] = [];
  const file = memoryFile(data, { chunk: opts.chunk, kind: opts.kind ?? 'sms-info', mtime: new Date('2017-10-12T20:00:00Z') });
  for await (const batch of fileRecords(file, (t) => t.ms, (m) => warnings.push(m))) out.push(...batch);
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
      assert.equal(new Date(rs[1].time!).toISOString(), '2026-11-22T18:19:01.000Z');
    }
  });

  it('gives lines before the first timestamp the first time, and a timeless file its mtime', async () => {
    const rs = await records('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n2017-10-12 13:45:01,000 INFO x\n', { kind: 'tpt' });
    assert.deepEqual(rs.map((r) => [r.line, new Date(r.time!).toISOString()]), [[1, '2017-10-12T13:45:01.000Z'], [2, '2017-10-12T13:45:01.000Z']]);
    const none = await records('Dumping heap to /tmp/x.hprof ...\nHeap dump file created\n', { kind: 'tpt' });
    assert.deepEqual(none.map((r) => new Date(r.time!).toISOString()), ['2017-10-12T20:00:00.000Z', '2017-10-12T20:00:00.000Z']);
  });

  it('reads gzip by magic', async () => {
    const rs = await records(gzipSync('2017-10-12 13:45:01,000 INFO a\n\tat b\n2017-10-12 13:45:02,000 INFO c\n'));
    assert.deepEqual(rs.map((r) => r.text), ['2017-10-12 13:45:01,000 INFO a\n\tat b', '2017-10-12 13:45:02,000 INFO c']);
  });
});
