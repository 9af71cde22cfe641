import { strict as assert } from 'node:assert';
import { gzipSync } from 'node:zlib';
import { scanFile, type Hit } from '../../src/ingest/scan';
import { memoryFile } from '../helpers/memory-file';
import { anchorSearch } from '../../src/text/anchor-search';

async function scan(data: Buffer | string, phrases: string[], opts: { chunk?: number; maxLine?: number; mtime?: Date; kind?: 'ha' | 'tpt' } = {}) {
  const hits: Hit[] = [];
  const warnings: string[] = [];
  const stats = await scanFile(memoryFile(data, { chunk: opts.chunk, mtime: opts.mtime, kind: opts.kind }), {
    anchors: anchorSearch(phrases),
    onHit: (h) => hits.push(h),
    warn: (m) => warnings.push(m),
    maxLine: opts.maxLine,
  });
  return { hits, warnings, stats };
}

const iso = (h: Hit): string | undefined => (h.time ? new Date(h.time.ms).toISOString() : undefined);

const JAVA = [
  '2017-10-12 13:45:00,000 INFO  [sms] (main) started',
  '2017-10-12 13:45:01,123 ERROR [sms.db] (pool-3) query failed',
  'com.tippingpoint.sms.DbException: cannot allocate',
  '\tat com.tippingpoint.sms.Pool.get(Pool.java:42)',
  'Caused by: java.lang.OutOfMemoryError: Java heap space',
  '\t... 12 more',
  '2017-10-12 13:45:02,000 INFO  [sms] (main) still here',
  '',
].join('\n');

describe('scanFile', () => {
  it('scans a file in hand (LogFile.bytes) as it scans the same bytes from a stream', async () => {
    const long = `2017-10-12 13:45:03,000 INFO  [sms] ${'x'.repeat(3000)} OutOfMemoryError ${'y'.repeat(3000)}`;
    const inputs = [JAVA, `${JAVA}${long}\n${JAVA}`, `${JAVA}no newline at the end OutOfMemoryError`, JAVA.replace(/\n/g, '\r\n'), Buffer.concat([Buffer.from(JAVA.slice(0, 60)), Buffer.alloc(300), Buffer.from(JAVA.slice(60))]), Buffer.alloc(500), ''];
    for (const input of inputs) {
      const data = Buffer.from(input);
      for (const maxLine of [undefined, 2048]) {
        const run = async (inHand: boolean) => {
          const hits: Hit[] = [];
          const warnings: string[] = [];
          const f = memoryFile(data, { chunk: 100 });
          const stats = await scanFile(inHand ? { ...f, bytes: () => Buffer.from(data) } : f, { anchors: anchorSearch(['OutOfMemoryError', 'started']), onHit: (h) => hits.push(h), warn: (m) => warnings.push(m), maxLine });
          return { hits, warnings, stats };
        };
        assert.deepEqual(await run(true), await run(false), `${JSON.stringify(String(input).slice(0, 40))}, maxLine ${maxLine}`);
      }
    }
  });


  it('gives a continuation line the time of the record it belongs to', async () => {
    const { hits, stats } = await scan(JAVA, ['OutOfMemoryError']);
    assert.equal(hits.length, 1);
    assert.equal(hits[0].line, 5);
    assert.equal(hits[0].timeSource, 'previous');
    assert.equal(iso(hits[0]), '2017-10-12T13:45:01.123Z');
    assert.equal(stats.lines, 7);
    assert.equal(stats.records, 3);
    assert.equal(new Date(stats.first!.ms).toISOString(), '2017-10-12T13:45:00.000Z');
    assert.equal(new Date(stats.last!.ms).toISOString(), '2017-10-12T13:45:02.000Z');
  });

  it('finds the same hits and line numbers whatever the chunk size', async () => {
    const whole = await scan(JAVA.repeat(50), ['OutOfMemoryError', 'still here']);
    for (const chunk of [1, 7, 64, 1000]) {
      const split = await scan(JAVA.repeat(50), ['OutOfMemoryError', 'still here'], { chunk });
      assert.deepEqual(split.hits.map((h) => [h.line, iso(h), h.text]), whole.hits.map((h) => [h.line, iso(h), h.text]), `chunk ${chunk}`);
      assert.equal(split.stats.records, whole.stats.records);
    }
    assert.equal(whole.hits.length, 100);
  });

  it('reports the same times along the way and the same hits however the source was chunked', async () => {
    // 40,000 timed lines a second apart (about 1.4 MB), a hit every 997th, and a 3 MB line whose
    // anchor straddles a 64 KiB boundary of the text.
    const lines = Array.from({ length: 40000 }, (_, i) => `${new Date(Date.UTC(2017, 9, 12) + i * 1000).toISOString()} INFO ${i % 997 ? 'tick' : 'Local state: Active'}\n`).join('');
    const head = '2017-10-13T00:00:00.000Z INFO ';
    const anchorAt = lines.length + head.length + (3 << 20);
    const data = Buffer.from(`${lines}${head}${'x'.repeat((3 << 20) - (anchorAt % 65536) - 5)}Local state: Failed\n`);
    const run = async (chunk: number) => {
      const times: number[] = [];
      const hits: Array<[number, string]> = [];
      await scanFile(memoryFile(data, { chunk }), { anchors: anchorSearch(['Local state']), onHit: (h) => hits.push([h.line, `${/Local state: \w+/.exec(h.text)?.[0]}${h.text.slice(-20)}`]), onTime: (t) => times.push(t.ms), warn: () => undefined });
      return { times, hits };
    };
    const disk = await run(1 << 20);
    // One at each 64 KiB of the timed lines, one for the long line, one at the end.
    assert.equal(disk.times.length, Math.floor(lines.length / 65536) + 2);
    assert.equal(disk.hits.length, 42);
    assert.match(disk.hits[41][1], /^Local state: Failed.* more bytes\]$/, 'the long line shows the text around its anchor');
    for (const chunk of [7000, 65536, 100_003]) assert.deepEqual(await run(chunk), disk, `chunk ${chunk}`);
  });

  it('shows a line just over 1 MiB the same whether it came whole or in pieces, its anchor at the head\'s end or across it', async () => {
    const M = 1 << 20;
    const head = '2017-10-13T00:00:00.000Z INFO ';
    const pre = '2017-10-12T23:59:59.000Z INFO a\n'.repeat(20000);
    for (const before of [100, 8]) {
      const data = Buffer.from(`${pre}${head}${'x'.repeat(M - before - head.length)}Local state: Failed ${'y'.repeat(100_000)}\n`);
      const texts = [];
      for (const chunk of [1 << 20, 64 << 10, 100_003]) {
        const hits: Hit[] = [];
        await scanFile(memoryFile(data, { chunk }), { anchors: anchorSearch(['Local state']), onHit: (h) => hits.push(h), warn: () => undefined });
        texts.push(hits.map((h) => h.text).join('|'));
      }
      assert.equal(texts[1], texts[0], `anchor ${before} bytes before the head's end, 64 KiB reads`);
      assert.equal(texts[2], texts[0], `anchor ${before} bytes before the head's end, 100,003-byte reads`);
      assert.equal(texts[0].includes('Local state: Failed'), true, 'the anchor is shown');
    }
  });

  it('dates a time-of-day line by the full date before it, wherever the reads ended', async () => {
    const txt = `2024-01-01T10:00:00Z a\n${'x\n'.repeat(40000)}2024-01-05T10:00:00Z b\n12:00:00 UTC - mysqld got signal 6 ;\n`;
    for (const chunk of [1 << 20, 80046, 4096]) {
      const stats = await scanFile(memoryFile(txt, { chunk }), { anchors: anchorSearch(['nomatch']), onHit: () => undefined, warn: () => undefined });
      assert.equal(new Date(stats.last!.ms).toISOString(), '2024-01-05T12:00:00.000Z', `chunk ${chunk}`);
    }
  });

  it('dates lines before the first timestamp with the first time, and timeless files with the mtime', async () => {
    const a = await scan('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n2017-10-12 13:45:01,000 INFO x\n', ['OutOfMemoryError'], { kind: 'tpt' });
    assert.equal(a.hits[0].timeSource, 'first');
    assert.equal(iso(a.hits[0]), '2017-10-12T13:45:01.000Z');
    const mtime = new Date('2017-10-12T20:00:00Z');
    const b = await scan('java.lang.OutOfMemoryError: Java heap space\nDumping heap to /tmp/x.hprof ...\n', ['OutOfMemoryError'], { kind: 'tpt', mtime });
    assert.equal(b.hits[0].timeSource, 'mtime');
    assert.equal(iso(b.hits[0]), '2017-10-12T20:00:00.000Z');
    assert.equal(b.stats.records, 2, 'a file without timestamps counts each line as a record');
  });

  it('reads gzip by its magic bytes and keeps every complete line of a truncated gzip', async () => {
    const lines = Array.from({ length: 20000 }, (_, i) => `2017-10-12 13:45:01,000 INFO line ${i} Local state: Active`).join('\n') + '\n';
    const gz = gzipSync(lines);
    const full = await scan(gz, ['Local state']);
    assert.equal(full.hits.length, 20000);
    assert.deepEqual(full.warnings, []);
    const cut = await scan(gz.subarray(0, Math.floor(gz.length / 2)), ['Local state']);
    assert.ok(cut.hits.length > 1000 && cut.hits.length < 20000, `kept ${cut.hits.length}`);
    assert.match(cut.warnings.join('\n'), /damaged or truncated gzip/);
    for (const h of cut.hits) assert.match(h.text, /^2017-10-12 13:45:01,000 INFO line \d+ Local state: Active$/);
  });

  it('copes with CRLF, invalid UTF-8 and NUL bytes', async () => {
    const data = Buffer.concat([
      Buffer.from('2017-10-12 13:45:01,000 INFO Local state: Active\r\n'),
      Buffer.from('2017-10-12 13:45:02,000 INFO bad \xff\xfe bytes \x00 and Local state: Passive\r\n', 'latin1'),
    ]);
    const { hits } = await scan(data, ['Local state']);
    assert.equal(hits.length, 2);
    assert.equal(hits[0].text, '2017-10-12 13:45:01,000 INFO Local state: Active');
    assert.equal(hits[1].text, '2017-10-12 13:45:02,000 INFO bad \uFFFD\uFFFD bytes  and Local state: Passive', 'the NUL byte is dropped');
  });

  it('drops a run of NULs that a power cut left, keeps the file and says how many went', async () => {
    const data = Buffer.concat([Buffer.alloc(8192), Buffer.from('2017-10-12 13:45:01,000 ERROR [ha] Local state: Failed\n'), Buffer.alloc(300), Buffer.from('2017-10-12 13:45:02,000 INFO Local state: Passive\n')]);
    for (const chunk of [100, 65536]) {
      const { hits, warnings } = await scan(data, ['Local state'], { chunk });
      assert.deepEqual(hits.map((h) => h.text), ['2017-10-12 13:45:01,000 ERROR [ha] Local state: Failed', '2017-10-12 13:45:02,000 INFO Local state: Passive'], `chunk ${chunk}`);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /dropped 8492 NUL byte\(s\) from .*; the text around them was read/);
    }
  });

  it('a zero-filled block after a torn line ends that line: the first line after the restart keeps its own time', async () => {
    const data = Buffer.concat([Buffer.from('2023-03-15 10:06:00 5 [Warning] Aborted connection 5 (Got an error reading communication pa'), Buffer.alloc(4000), Buffer.from('2023-03-15 12:30:00 0 [Note] Starting MariaDB 10.11.6 as process 200\n')]);
    for (const chunk of [100, 65536]) {
      const { hits } = await scan(data, ['Starting MariaDB'], { chunk });
      assert.equal(hits.length, 1, `chunk ${chunk}`);
      assert.equal(hits[0].line, 2);
      assert.equal(hits[0].timeSource, 'own');
      assert.equal(iso(hits[0]), '2023-03-15T12:30:00.000Z');
    }
  });

  it('still refuses binary junk, NULs or not', async () => {
    const junk = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 256));
    const { hits, warnings } = await scan(junk, ['Local state']);
    assert.equal(hits.length, 0);
    assert.match(warnings.join('\n'), /binary data, not log text; skipped/);
  });

  it('says where zone-less lines sit next to explicit-UTC ones, and the offset that makes them agree', async () => {
    // MySQL 5.7 (elastic/beats test log, fixtures/real/public B-001/B-002): mysqld_safe writes local time, mysqld UTC.
    const data = '161209 13:08:33 mysqld_safe Starting mysqld daemon with databases from /usr/local/var/mysql\n2016-12-09T12:08:33.784722Z 0 [Note] /usr/local/Cellar/mysql/5.7.10/bin/mysqld: ready for connections.\n';
    const { stats } = await scan(data, ['ready for connections']);
    assert.deepEqual(stats.mixedZones, { offsetMinutes: 60, line: 2, count: 1 });
    const same = await scan('2016-12-09T12:08:33.784722Z 0 [Note] a\n2016-12-09T12:08:34.784722Z 0 [Note] b\n', ['b']);
    assert.equal(same.stats.mixedZones, undefined);
  });

  it('dates a crash report stamped with the time of day only by the line before it', async () => {
    const found: Hit[] = [];
    const data = '2024-07-26T15:31:26.823650Z 0 [System] [MY-011323] [Server] X Plugin ready for connections.\n15:31:30 UTC - mysqld got signal 6 ;\n';
    const { hits } = await scan(data, ['got signal']);
    assert.equal(hits.length, 1);
    assert.equal(hits[0].timeSource, 'own');
    assert.equal(iso(hits[0]), '2024-07-26T15:31:30.000Z');
    // The line before is local time: read in UTC with the node's zone first (-07:00: 10:00 is 17:00Z),
    // and the crash comes after it, even 13 hours after.
    const local = await scanFile(memoryFile('2023-03-15 10:00:00 1234 [Note] /usr/sbin/mysqld: ready for connections.\n23:00:05 UTC - mysqld got signal 11 ;\n'), { anchors: anchorSearch(['got signal']), onHit: (h) => found.push(h), warn: () => undefined, zoneOffsetMinutes: -420 });
    assert.ok(local.lines === 2);
    assert.equal(iso(found[0]), '2023-03-15T23:00:05.000Z');
    const late13 = await scan('2023-03-15T10:00:00.000000Z 0 [Note] x\n23:00:05 UTC - mysqld got signal 11 ;\n', ['got signal']);
    assert.equal(iso(late13.hits[0]), '2023-03-15T23:00:05.000Z', 'thirteen hours after, the same day, not eleven hours before');
    // Just after midnight: the date is the day after the line before.
    const late = await scan('2024-07-26T23:59:58.000000Z 0 [Note] x\n00:00:03 UTC - mysqld got signal 11 ;\n', ['got signal']);
    assert.equal(iso(late.hits[0]), '2024-07-27T00:00:03.000Z');
  });

  it('counts lines that start like a time it cannot read', async () => {
    const data = '2017-10-12 13:45:01,000 INFO Local state: Active\n12.10.2017 13:45:02 Local state: Failed\n';
    const { stats, hits } = await scan(data, ['Local state']);
    assert.equal(stats.unreadTimes?.count, 1);
    assert.equal(stats.unreadTimes?.line, 2);
    assert.equal(hits[1].timeSource, 'previous');
  });

  it('cuts a line longer than the limit, still finds an anchor in it, and counts it', async () => {
    const giant = `2017-10-12 13:45:01,000 INFO ${'x'.repeat(5000)} DEGRADED HA ${'y'.repeat(5000)}`;
    const data = `${giant}\n2017-10-12 13:45:02,000 INFO Local state: Active\n`;
    for (const chunk of [100, 4096, 65536]) {
      const { hits, stats } = await scan(data, ['DEGRADED HA', 'Local state'], { chunk, maxLine: 1000 });
      assert.equal(stats.cutLines, 1, `chunk ${chunk}`);
      assert.equal(stats.lines, 2);
      assert.equal(hits.length, 2);
      assert.equal(hits[0].line, 1);
      assert.match(hits[0].text, /line cut: \d{4} more bytes\]$/);
      assert.match(hits[0].text, /DEGRADED HA/, 'the text around a hit beyond the kept head is shown');
      assert.equal(iso(hits[0]), '2017-10-12T13:45:01.000Z');
      assert.equal(hits[1].line, 2);
    }
  });

  it('refuses binary junk with a warning instead of scanning it', async () => {
    const junk = Buffer.alloc(8192);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256;
    const { hits, warnings } = await scan(junk, ['a']);
    assert.equal(hits.length, 0);
    assert.match(warnings[0], /binary data/);
  });

  it('reads a last line without a newline', async () => {
    const { hits, stats } = await scan('2017-10-12 13:45:01,000 INFO Local state: Active', ['Local state']);
    assert.equal(hits.length, 1);
    assert.equal(stats.lines, 1);
  });
});
