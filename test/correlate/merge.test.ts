import { strict as assert } from 'node:assert';
import { inTimeOrder, mergeRows, type Backwards, type MergeSources, type RowBatch, type StreamRank } from '../../src/correlate/merge';
import { rowBytes } from '../../src/report/rows';
import type { LogRecord } from '../../src/types';

/** Records in batches of uneven size, as files give them; batches of rows as they are. */
async function* inBatches(rs: LogRecord[]): AsyncGenerator<LogRecord[]> {
  for (let i = 0, size = 1; i < rs.length; i += size, size = (size * 7) % 13 + 1) yield rs.slice(i, i + size);
}

const rec = (node: string, fileOrder: number, line: number, time?: number): LogRecord => ({ node, kind: 'ha', file: `f${fileOrder}`, fileOrder, line, time, text: `${node}:${fileOrder}:${line}` });

/** Records as a batch of rows whose bytes are their texts. */
function batchOf(rs: LogRecord[]): RowBatch {
  const texts = rs.map((r) => Buffer.from(r.text));
  let end = 0;
  return {
    bytes: Buffer.concat(texts),
    ends: Uint32Array.from(texts, (t) => (end += t.length)),
    times: Float64Array.from(rs, (r) => r.time ?? Number.POSITIVE_INFINITY),
    lines: Uint32Array.from(rs, (r) => r.line),
  };
}

/**
 * Rows named by their text, in batches of `size`, merged; the texts in the order written. With
 * `known`, the first row of each stream is given and the stream opened only when needed;
 * `open` counts the streams open at once.
 */
async function merged(streams: LogRecord[][], ranks: StreamRank[], size = 3, known = false, open = { now: 0, most: 0 }, ahead = 0): Promise<string[]> {
  const batches = streams.map((rs) => {
    const out: RowBatch[] = [];
    for (let i = 0; i < rs.length; i += size) out.push(batchOf(rs.slice(i, i + size)));
    return out;
  });
  async function* closing(bs: RowBatch[]): AsyncGenerator<RowBatch> {
    yield* bs;
    open.now--;
  }
  const counted = (bs: RowBatch[]): AsyncGenerator<RowBatch> => {
    open.most = Math.max(open.most, ++open.now);
    return closing(bs);
  };
  const out: string[] = [];
  const sources: MergeSources = {
    count: streams.length,
    rank: (k) => ranks[k],
    firstTime: (k) => (known && batches[k].length ? batches[k][0].times[0] : Number.NaN),
    firstLine: (k) => (known && batches[k].length ? batches[k][0].lines[0] : 0),
    open: (k) => (batches[k].length ? counted(batches[k]) : undefined),
    ahead,
  };
  await mergeRows(sources, (b, i) => void out.push(Buffer.from(rowBytes(b, i)).toString()));
  return out;
}

describe('mergeRows', () => {
  it('orders by time, then node, file order and line; untimed last', async () => {
    const a = [rec('primary', 0, 1, 10), rec('primary', 0, 2, 20), rec('primary', 0, 3, 20)];
    const b = [rec('secondary', 0, 1, 5), rec('secondary', 0, 2, 20), rec('secondary', 0, 3)];
    const c = [rec('primary', 1, 1, 20)];
    const out = await merged([b, c, a], [{ node: 1, file: 0 }, { node: 0, file: 1 }, { node: 0, file: 0 }], 2);
    assert.deepEqual(out, ['secondary:0:1', 'primary:0:1', 'primary:0:2', 'primary:0:3', 'primary:1:1', 'secondary:0:2', 'secondary:0:3']);
  });

  it('merges many streams of many records in order, whatever the batch size', async () => {
    const streams = Array.from({ length: 17 }, (_, s) => Array.from({ length: 300 }, (_, i) => rec(`n${s % 2}`, s, i + 1, (i * 7 + s * 3) % 1000 + i * 1000)));
    const ranks = streams.map((_, s) => ({ node: s % 2, file: s }));
    const want = await merged(streams, ranks, 2);
    assert.equal(want.length, 17 * 300);
    const time = (text: string): number => {
      const [, s, i] = text.split(':').map((x) => Number(x.replace(/^n/, '')));
      return streams[s][i - 1].time!;
    };
    for (let i = 1; i < want.length; i++) assert.ok(time(want[i - 1]) <= time(want[i]), `out of order at ${i}`);
    for (const size of [7, 300]) assert.deepEqual(await merged(streams, ranks, size), want, `batches of ${size}`);
    assert.deepEqual(await merged(streams, ranks, 2, true), want, 'each stream opened when its first row is next');
  });

  it('opens a stream whose first row is known when that row is next: rotations one after another, a few open at once, the same order', async () => {
    // Two nodes, 200 rotations each, each an hour of its own; ties across nodes and files at the hours; an empty one.
    const streams = Array.from({ length: 400 }, (_, s) =>
      s === 7 ? [] : Array.from({ length: 5 }, (_, i) => rec(`n${s % 2}`, s, i + 1, Math.floor(s / 2) * 3_600_000 + (i === 4 ? 3_600_000 : i * 1000))),
    );
    const ranks = streams.map((_, s) => ({ node: s % 2, file: s }));
    const all = { now: 0, most: 0 };
    const some = { now: 0, most: 0 };
    const want = await merged(streams, ranks, 2, false, all);
    assert.deepEqual(await merged(streams, ranks, 2, true, some), want);
    assert.equal(want.length, 399 * 5);
    assert.equal(all.most, 399);
    assert.ok(some.most <= 4, `${some.most} open at once`);
    const ahead = { now: 0, most: 0 };
    assert.deepEqual(await merged(streams, ranks, 2, true, ahead, 10), want, 'opened ahead');
    assert.ok(ahead.most >= 10 && ahead.most <= 14, `${ahead.most} open at once, 10 ahead`);
  });

  it('opens the next few ahead while it waits for a source that turns out to have no rows, as under a time window', async () => {
    // 40 rotations whose first rows are known; a window shows a row of the last only. Each answers
    // after a wait, as a worker thread reading a file does, and counts as open from when it is opened
    // (a worker starts on a file then) to its end.
    const open = { now: 0, most: 0 };
    async function* answering(rows: RowBatch[]): AsyncGenerator<RowBatch> {
      try {
        await new Promise((r) => setTimeout(r, 2));
        yield* rows;
      } finally {
        open.now--;
      }
    }
    const shown = batchOf([rec('n0', 39, 7, 39_500)]);
    const sources: MergeSources = {
      count: 40,
      rank: (k) => ({ node: 0, file: k }),
      firstTime: (k) => k * 1000,
      firstLine: () => 1,
      open: (k) => {
        open.most = Math.max(open.most, ++open.now);
        return answering(k === 39 ? [shown] : []);
      },
      ahead: 4,
    };
    const out: string[] = [];
    await mergeRows(sources, (b, i) => void out.push(Buffer.from(rowBytes(b, i)).toString()));
    assert.deepEqual(out, ['n0:39:7']);
    assert.equal(open.now, 0);
    // One after another (one open at a time), a worker would read them and the other wait.
    assert.equal(open.most, 4, `${open.most} open at once, 4 ahead`);
  });
});

const timeOf = (r: LogRecord): number => r.time ?? Number.POSITIVE_INFINITY;

describe('inTimeOrder', () => {
  it('puts a file whose clock stepped back in time order, and says by how much', async () => {
    // An NTP step of 5 s back after line 3: lines 4-5 belong before line 3.
    const rs = [rec('p', 0, 1, 1000), rec('p', 0, 2, 2000), rec('p', 0, 3, 9000), rec('p', 0, 4, 4000), rec('p', 0, 5, 9000), rec('p', 0, 6, 10000)];
    const seen: Backwards[] = [];
    const out: number[] = [];
    for (let next = inTimeOrder(inBatches(rs), timeOf, (r) => r.text.length, (b) => seen.push(b)), r = await next(); r; r = await next()) out.push(r.line);
    assert.deepEqual(out, [1, 2, 4, 3, 5, 6], 'equal times keep the file order');
    assert.deepEqual(seen, [{ steps: 1, largestMs: 5000, unsorted: 0 }]);
  });

  it('leaves an in-order file as it is and says nothing', async () => {
    const rs = Array.from({ length: 5000 }, (_, i) => rec('p', 0, i + 1, i * 10));
    const seen: Backwards[] = [];
    const out: number[] = [];
    for (let next = inTimeOrder(inBatches(rs), timeOf, (r) => r.text.length, (b) => seen.push(b)), r = await next(); r; r = await next()) out.push(r.line);
    assert.deepEqual(out, rs.map((r) => r.line));
    assert.deepEqual(seen, []);
  });

  it('puts many steps back within its window in order, across the points where it moves its records down', async () => {
    // Every 700 records the clock steps back by as many as 1,500 records' worth: each record is
    // at most that far from its place, so the result is the file sorted by time, ties in file order.
    const rs = Array.from({ length: 30_000 }, (_, i) => rec('p', 0, i + 1, i * 10 - (i % 700 < 350 ? 0 : 15_000) + (i % 3)));
    const out: number[] = [];
    for (let next = inTimeOrder(inBatches(rs), timeOf, (r) => r.text.length, () => {}), r = await next(); r; r = await next()) out.push(r.line);
    const want = [...rs].sort((a, b) => a.time! - b.time! || a.line - b.line).map((r) => r.line);
    assert.deepEqual(out, want);
  });

  it('gives the same order and says the same, whatever batches the records come in (a worker reads a file in other pieces)', async () => {
    // Every 1,000 records ten stepped back 2,500 records' worth, within the window; every 6,000,
    // fifty stepped back 5,000 records' worth, further than it holds.
    const rs = Array.from({ length: 24_000 }, (_, i) => rec('p', 0, i + 1, i * 10 - (i % 1000 >= 990 ? 25_000 : 0) - (i % 6000 >= 5950 ? 50_000 : 0) + (i % 7)));
    const run = async (size: number): Promise<{ out: number[]; seen: Backwards[] }> => {
      async function* batches(): AsyncGenerator<LogRecord[]> {
        for (let i = 0; i < rs.length; i += size) yield rs.slice(i, i + size);
      }
      const seen: Backwards[] = [];
      const out: number[] = [];
      for (let next = inTimeOrder(batches(), timeOf, (r) => r.text.length, (b) => seen.push(b)), r = await next(); r; r = await next()) out.push(r.line);
      return { out, seen };
    };
    const one = await run(1);
    assert.equal(one.out.length, rs.length);
    assert.ok(one.seen[0].unsorted > 0, 'some steps are further than the window');
    for (const size of [7, 1000, 4096, 24_000]) assert.deepEqual(await run(size), one, `batches of ${size}`);
  });

  it('a step back further than it can hold is passed on where the file has it, and counted', async () => {
    const rs = [...Array.from({ length: 6000 }, (_, i) => rec('p', 0, i + 1, 100_000 + i)), rec('p', 0, 6001, 5)];
    const seen: Backwards[] = [];
    const out: number[] = [];
    for (let next = inTimeOrder(inBatches(rs), timeOf, (r) => r.text.length, (b) => seen.push(b)), r = await next(); r; r = await next()) out.push(r.line);
    assert.equal(out.length, 6001);
    assert.equal(seen[0].unsorted, 1);
  });
});
