import { strict as assert } from 'node:assert';
import { gzipSync } from 'node:zlib';
import { fileRows, firstRecord, type RowJob } from '../src/timeline-rows';
import { memoryFile } from './helpers/memory-file';

const JOB: RowJob = { clock: { utcOffsetMinutes: 120, correctionMs: 5000 }, format: 'ndjson', nodeWidth: 7, filter: {} };
const MTIME = new Date('2017-10-13T00:00:00Z');

const stamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');

/** `n` lines a second apart from `t0`, the clock stepping back `back` ms before line `stepAt` (0: never). */
function log(n: number, t0: number, stepAt = 0, back = 0): string {
  return Array.from({ length: n }, (_, i) => `${stamp(t0 + i * 1000 - (stepAt && i >= stepAt ? back : 0))} INFO [ha] line ${i}\n`).join('');
}

/** The first row fileRows makes of `data`, with no filter: its time and line. */
async function firstRow(data: string | Buffer): Promise<{ time: number; line: number } | undefined> {
  for await (const b of fileRows(memoryFile(data, { mtime: MTIME, chunk: 4096 }), JOB, () => undefined)) if (b.ends.length) return { time: b.times[0], line: b.lines[0] };
  return undefined;
}

describe('firstRecord (where a file\'s rows begin, for the first look)', () => {
  const t0 = Date.parse('2017-10-12T10:00:00Z');

  it('is the first row fileRows makes, its time corrected as the row\'s is', async () => {
    const cases: Array<[string, string | Buffer]> = [
      ['in order', log(5000, t0)],
      ['a clock stepped back within the window, before the first line', log(3000, t0, 800, 1_000_000)],
      ['lines before the first time', `a line before any time\n\tat x.y(Z.java:1)\n${log(50, t0)}`],
      ['no time at all (the file\'s mtime)', 'no time here\nnor here\n'],
      ['gzip', gzipSync(log(3000, t0, 1500, 2_000_000))],
    ];
    for (const [what, data] of cases) {
      const want = await firstRow(data);
      assert.ok(want, what);
      assert.deepEqual(await firstRecord(memoryFile(data, { mtime: MTIME, chunk: 4096 }), JOB, () => undefined), want, what);
    }
  });

  it('is no later than the first row where the text limit ends the window sooner (lines of 16 KiB)', async () => {
    // 1,900 lines of 16 KiB: inTimeOrder's limit on text ends fileRows' window at about 1,000
    // records; the earliest record, stepped back an hour, is record 1,800.
    const lines = Array.from({ length: 1900 }, (_, i) => `${stamp(t0 + i * 1000 - (i === 1800 ? 3_600_000 : 0))} INFO [ha] ${'x'.repeat(16 << 10)}\n`).join('');
    const row = (await firstRow(lines))!;
    const found = (await firstRecord(memoryFile(lines, { mtime: MTIME }), JOB, () => undefined))!;
    assert.equal(row.line, 1, 'the row window ends before record 1,800');
    assert.equal(found.line, 1801);
    assert.ok(found.time < row.time);
  });

  it('is undefined for a file with no records, and says why as reading it does', async () => {
    const warnings: string[] = [];
    assert.equal(await firstRecord(memoryFile(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 0, 0]), { mtime: MTIME }), JOB, (m) => warnings.push(m)), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /binary/);
    assert.equal(await firstRecord(memoryFile('', { mtime: MTIME }), JOB, () => undefined), undefined);
  });
});
