import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { Readable, Writable } from 'node:stream';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeAllRecords } from '../src/timeline';
import { resolveInputs } from '../src/sources/inputs';
import type { Inventory, LogFile, LogKind } from '../src/types';
import type { TimelineFilter } from '../src/timeline-rows';
import { FIXTURES } from './helpers/cli';
import { junkFile, memoryFile } from './helpers/memory-file';

type Format = 'ndjson' | 'text' | 'json';

/** What writeAllRecords wrote and warned, with `threads` threads (and its limits when given). */
async function run(inv: Inventory, format: Format, threads: number, filter: TimelineFilter = {}, limits?: { openAtOnce: number; heldBytes: number }): Promise<{ out: Buffer; warnings: string[]; writes: number }> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(Buffer.from(chunk));
      done();
    },
  });
  const warnings: string[] = [];
  await writeAllRecords(sink as unknown as NodeJS.WritableStream, inv, filter, format, threads, (m) => warnings.push(m), limits);
  return { out: Buffer.concat(parts), warnings, writes: parts.length };
}

function file(node: string, kind: LogKind, name: string, order: number, data: Buffer | string, chunk = 4096): LogFile {
  return { ...memoryFile(data, { kind, path: name, chunk, mtime: new Date('2017-10-20T00:00:00Z') }), node, order };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const at = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}`;
};

/**
 * Two nodes with what makes ordering and serialising hard: a clock stepped back, times shared
 * across nodes and files, stack traces, non-ASCII and control characters, CRLF, a line of 2 MiB,
 * a gzip rotation, a truncated gzip, binary junk, and a reader that fails halfway.
 */
function hardInventory(): Inventory {
  const start = Date.parse('2017-10-12T13:00:00Z');
  const ha: string[] = [];
  for (let i = 0; i < 40_000; i++) {
    // Every 5,000 lines the clock steps back 30 s (an NTP correction); times repeat often.
    const t = start + Math.floor(i / 3) * 250 - (i % 5000 > 4000 ? 30_000 : 0);
    ha.push(`${at(t)} INFO [com.tippingpoint.sms.ha] Peer state: Active; step ${i}${i % 97 === 0 ? ' déjà «vu» \u0007 bell' : ''}${i % 89 === 0 ? '\r' : ''}`);
    if (i % 1000 === 0) ha.push('java.lang.IllegalStateException: x', '\tat com.tippingpoint.Foo.bar(Foo.java:12)');
  }
  const info = Array.from({ length: 20_000 }, (_, i) => `${at(start + i * 400)} WARN [sms] "quoted" \\back\\slash ${i}`).join('\n');
  const huge = `${at(start + 5000)} ERROR ${'x'.repeat(2 << 20)}\n${at(start + 6000)} INFO after the long line\n`;
  const gz = gzipSync(Array.from({ length: 5000 }, (_, i) => `${at(start - 3_600_000 + i * 100)} INFO rotated ${i}`).join('\n'));
  const failing: LogFile = {
    ...file('secondary', 'mysqld', 'mysqld.err', 0, ''),
    open: () =>
      Readable.from(
        (async function* () {
          yield Buffer.from(Array.from({ length: 200 }, (_, i) => `${at(start + 100 * i)} 0 [Note] InnoDB: line ${i}\n`).join(''));
          throw new Error('EIO: i/o error, read');
        })(),
      ),
  };
  return {
    warnings: [],
    nodes: [
      { name: 'primary', role: 'primary', facts: {}, files: [file('primary', 'sms-info', 'sms-info.log.1.gz', 0, gz), file('primary', 'sms-info', 'sms-info.log', 1, info, 65536), file('primary', 'ha', 'ha.log', 2, ha.join('\n'), 1000)] },
      {
        name: 'secondary',
        role: 'secondary',
        facts: { utcOffsetMinutes: 60, clockOffsetMs: 1500 },
        files: [file('secondary', 'ha', 'ha.log', 0, ha.slice(0, 9000).join('\n')), file('secondary', 'tpt', 'tpt_sms.txt', 1, huge, 300_000), failing, file('secondary', 'ha', 'ha.log.2.gz', 3, gz.subarray(0, gz.length - 40)), file('secondary', 'sms-info', 'junk.log', 4, Buffer.from(Array.from({ length: 9000 }, (_, i) => (i * 7919) % 256)))],
      },
    ],
  };
}

describe('writeAllRecords (timeline --all)', function () {
  this.timeout(120_000);

  it('writes the same bytes and warnings with worker threads as in one thread, on every fixture', async () => {
    // The bundle fixture is read from its archive (members streamed from tar), the syslog one from
    // its one file split by host, the rest as folders.
    const inputs: Record<string, string> = { bundle: 'bundle/smsdiag-sms-a-20171012T135000Z.tar.gz', 'syslog-central': 'syslog-central/messages' };
    const dirs = readdirSync(FIXTURES).filter((d) => !['README.md', 'make', 'real'].includes(d)).map((d) => inputs[d] ?? d);
    assert.ok(dirs.length >= 15, dirs.join(' '));
    for (const d of dirs) {
      const inv = await resolveInputs([path.join(FIXTURES, d)], { hosts: { primary: 'sms-a', secondary: 'sms-b' } });
      // Threads first and last: a read in a worker must leave the inventory readable again.
      const many = await run(inv, 'ndjson', 3);
      const one = await run(inv, 'ndjson', 1);
      const again = await run(inv, 'ndjson', 2);
      assert.ok(one.out.length > 0, d);
      assert.ok(one.out.equals(many.out) && one.out.equals(again.out), `${d}: the threaded output differs`);
      assert.deepEqual(many.warnings, one.warnings, d);
    }
  });

  it('on hard input: every format the same in threads, every record once, in order, the warnings the same', async () => {
    for (const format of ['ndjson', 'text', 'json'] as Format[]) {
      const one = await run(hardInventory(), format, 1);
      const two = await run(hardInventory(), format, 2);
      assert.ok(one.out.equals(two.out), `${format}: the threaded output differs`);
      assert.deepEqual(two.warnings, one.warnings, format);
      assert.ok(one.writes > 1, 'written in pieces, not all at once');
      if (format !== 'ndjson') continue;
      const rows = one.out.toString().trimEnd().split('\n').map((l) => JSON.parse(l) as { time: string; node: string; file: string; line: number; text: string });
      // 40,000 (the stack traces join their records), 20,000, 5,000 rotated; 9,000 lines of which
      // 18 are traces, 2 around the long line, 200 before the read failed, and what the truncated gzip held before its damage.
      const count = (node: string, f: string): number => rows.filter((r) => r.node === node && r.file === f).length;
      assert.deepEqual([count('primary', 'ha.log'), count('primary', 'sms-info.log'), count('primary', 'sms-info.log.1.gz')], [40_000, 20_000, 5000]);
      assert.deepEqual([count('secondary', 'ha.log'), count('secondary', 'tpt_sms.txt'), count('secondary', 'mysqld.err')], [8982, 2, 200]);
      assert.ok(count('secondary', 'ha.log.2.gz') > 4000 && count('secondary', 'ha.log.2.gz') < 5000);
      assert.equal(count('secondary', 'junk.log'), 0);
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].time <= rows[i].time, `row ${i} out of time order`);
      assert.ok(rows.some((r) => r.text.includes('déjà «vu» \uFFFD bell')), 'non-ASCII kept, control neutralised');
      assert.ok(rows.some((r) => / … \[line cut: \d+ more bytes\]$/.test(r.text)), 'the long line cut');
      assert.ok(one.warnings.some((w) => w.includes('went backwards')) && one.warnings.some((w) => w.includes('EIO')) && one.warnings.some((w) => w.includes('truncated')) && one.warnings.some((w) => w.includes('binary')), one.warnings.join('\n'));
    }
  });

  it('files first looked into and opened when the merge reaches them: the same bytes and warnings as all opened at once', async () => {
    const inv = hardInventory();
    // And rotations one after another, each a minute of its own, some with a stack trace first,
    // every third larger than a small file (SMALL_FILE: one looked into otherwise under a filter).
    for (let r = 30; r >= 1; r--) {
      const t0 = Date.parse('2017-10-12T12:00:00Z') - r * 60_000;
      const lines = r === 10 ? 20 : r % 3 ? 400 : 1500;
      let body = (r % 4 ? '' : 'java.lang.OutOfMemoryError: Java heap space\n\tat x.y(Z.java:1)\n') + Array.from({ length: lines }, (_, i) => `${at(t0 + (i * 60_000) / lines)} INFO [ha] rotation ${r} line ${i}`).join('\n');
      if (lines > 400) assert.ok(body.length > 64 << 10);
      // Larger than a small file but with few rows: NULs of an unclean shutdown, then a few lines.
      if (r === 10) body = `${'\0'.repeat(70_000)}${at(t0 - 20 * 60_000)} INFO [ha] before the NULs cleared\n${body}`;
      inv.nodes[r % 2].files.push(file(r % 2 ? 'secondary' : 'primary', 'ha', `ha.log.${r + 10}`, 10 + r, body, 777));
    }
    const withLimits = (threads: number, limits: { openAtOnce: number; heldBytes: number }, filter: TimelineFilter = {}): ReturnType<typeof run> => run(inv, 'ndjson', threads, filter, limits);
    const want = await withLimits(1, { openAtOnce: Infinity, heldBytes: 0 });
    for (const threads of [1, 2]) {
      for (const limits of [{ openAtOnce: 0, heldBytes: 0 }, { openAtOnce: 4, heldBytes: 64 << 10 }, { openAtOnce: 0, heldBytes: 1 << 30 }]) {
        const got = await withLimits(threads, limits);
        const what = `${threads} thread(s), ${JSON.stringify(limits)}`;
        assert.ok(got.out.equals(want.out), `${what}: the output differs`);
        assert.deepEqual(got.warnings, want.warnings, what);
      }
    }
    assert.ok(want.out.toString().includes('rotation 17 line 399'));
    // A pattern, a window that leaves out whole rotations before and after it, both: a first look
    // reads past them, and a file is opened no later than its first row shown.
    const filters: TimelineFilter[] = [
      { grep: /line 3\d7|step \d*7\b/ },
      { from: Date.parse('2017-10-12T11:45:30Z'), to: Date.parse('2017-10-12T11:52:10Z') },
      { from: Date.parse('2017-10-12T11:40:00Z'), grep: /line \d*5\b/ },
    ];
    for (const filter of filters) {
      const all = await withLimits(1, { openAtOnce: Infinity, heldBytes: 0 }, filter);
      assert.ok(all.out.length > 0 && all.out.length < want.out.length / 2, JSON.stringify(filter));
      for (const threads of [1, 2]) {
        for (const limits of [{ openAtOnce: 0, heldBytes: 1 << 30 }, { openAtOnce: 4, heldBytes: 0 }]) {
          const got = await withLimits(threads, limits, filter);
          const what = `${String(filter.grep)} ${filter.from}-${filter.to}, ${threads} thread(s), ${JSON.stringify(limits)}`;
          assert.ok(got.out.equals(all.out), `${what}: the output differs`);
          assert.deepEqual(got.warnings, all.warnings, what);
        }
      }
    }
    assert.ok(want.warnings.some((w) => w.includes('EIO')) && want.warnings.some((w) => w.includes('binary')), want.warnings.join('\n'));
  });

  it('closes every file it looked into first, and every file still open when the reader goes away', async () => {
    // Files larger than one read (1 MiB): a smaller one is closed by its stream at its end anyway.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-fds-'));
    try {
      for (const node of ['primary', 'secondary']) {
        mkdirSync(path.join(dir, node));
        for (let r = 1; r <= 3; r++) {
          const t0 = Date.parse('2017-10-12T00:00:00Z') - r * 86_400_000;
          writeFileSync(path.join(dir, node, `ha.log.${r}`), Array.from({ length: 25_000 }, (_, i) => `${at(t0 + i * 1000)} INFO [ha] rotation ${r} line ${i}\n`).join(''));
        }
      }
      const inv = await resolveInputs([dir], {});
      const fds = (): number => readdirSync('/proc/self/fd').length;
      const lookFirst = { openAtOnce: 0, heldBytes: 0 };
      const before = fds();
      const looked = await run(inv, 'ndjson', 1, {}, lookFirst);
      assert.equal(looked.out.toString().split('\n').length - 1, 6 * 25_000);
      assert.equal(fds(), before, 'files left open after the timeline');
      let taken = 0;
      const closing = new Writable({
        write(chunk: Buffer, _enc, done) {
          taken += chunk.length;
          if (taken > 100_000) closing.destroy();
          done();
        },
      });
      await writeAllRecords(closing as unknown as NodeJS.WritableStream, inv, {}, 'ndjson', 1, () => undefined, { openAtOnce: Infinity, heldBytes: 0 });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(fds(), before, 'files left open after the reader went away');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops reading a file its worker gave up on (binary data)', async () => {
    const inv = hardInventory();
    const junk = junkFile({ node: 'primary', kind: 'ha', path: 'ha.log.9', order: 9, size: 0, mtime: new Date('2017-10-20T00:00:00Z') }, 256 << 20);
    inv.nodes[0].files.push(junk.file);
    const two = await run(inv, 'ndjson', 2);
    assert.ok(two.warnings.some((w) => /ha\.log\.9 holds binary data/.test(w)), two.warnings.join('\n'));
    assert.ok(junk.read() < 8 << 20, `${junk.read()} bytes of 256 MiB of junk read`);
    assert.ok(junk.destroyed());
  });

  it('applies the time and text filters in the threads as in one', async () => {
    const filter: TimelineFilter = { from: Date.parse('2017-10-12T13:10:00Z'), to: Date.parse('2017-10-12T13:20:00Z'), grep: /step \d*7\b/i };
    const one = await run(hardInventory(), 'ndjson', 1, filter);
    const two = await run(hardInventory(), 'ndjson', 2, filter);
    assert.ok(one.out.equals(two.out));
    const rows = one.out.toString().trimEnd().split('\n').map((l) => JSON.parse(l) as { time: string; text: string });
    assert.ok(rows.length > 50, `${rows.length} rows`);
    assert.ok(rows.every((r) => r.time >= '2017-10-12T13:10:00.000Z' && r.time <= '2017-10-12T13:20:00.000Z' && /step \d*7\b/.test(r.text)));
  });
});
