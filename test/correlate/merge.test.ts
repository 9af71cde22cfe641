import { strict as assert } from 'node:assert';
import { inTimeOrder, mergeRecords, type Backwards } from '../../src/correlate/merge';
import type { LogRecord } from '../../src/types';

async function* from(rs: LogRecord[]): AsyncGenerator<LogRecord> {
  yield* rs;
}

const rec = (node: string, fileOrder: number, line: number, time?: number): LogRecord => ({ node, kind: 'ha', file: `f${fileOrder}`, fileOrder, line, time, text: `${node}:${fileOrder}:${line}` });

describe('mergeRecords', () => {
  it('orders by time, then node, file order and line; untimed last', async () => {
    const a = [rec('primary', 0, 1, 10), rec('primary', 0, 2, 20), rec('primary', 0, 3, 20)];
    const b = [rec('secondary', 0, 1, 5), rec('secondary', 0, 2, 20), rec('secondary', 0, 3)];
    const c = [rec('primary', 1, 1, 20)];
    const order = (n: string): number => (n === 'primary' ? 0 : 1);
    const out: string[] = [];
    for await (const r of mergeRecords([from(b), from(c), from(a)], order)) out.push(r.text);
    assert.deepEqual(out, ['secondary:0:1', 'primary:0:1', 'primary:0:2', 'primary:0:3', 'primary:1:1', 'secondary:0:2', 'secondary:0:3']);
  });

  it('merges many streams of many records in order', async () => {
    const streams = Array.from({ length: 17 }, (_, s) => Array.from({ length: 300 }, (_, i) => rec(`n${s % 2}`, s, i + 1, (i * 7 + s * 3) % 1000 + i * 1000)));
    const out: number[] = [];
    for await (const r of mergeRecords(streams.map(from), (n) => Number(n.slice(1)))) out.push(r.time!);
    assert.equal(out.length, 17 * 300);
    for (let i = 1; i < out.length; i++) assert.ok(out[i - 1] <= out[i], `out of order at ${i}`);
  });
});

describe('inTimeOrder', () => {
  it('puts a file whose clock stepped back in time order, and says by how much', async () => {
    // An NTP step of 5 s back after line 3: lines 4-5 belong before line 3.
    const rs = [rec('p', 0, 1, 1000), rec('p', 0, 2, 2000), rec('p', 0, 3, 9000), rec('p', 0, 4, 4000), rec('p', 0, 5, 9000), rec('p', 0, 6, 10000)];
    const seen: Backwards[] = [];
    const out: number[] = [];
    for (let next = inTimeOrder(from(rs), (b) => seen.push(b)), r = await next(); r; r = await next()) out.push(r.line);
    assert.deepEqual(out, [1, 2, 4, 3, 5, 6], 'equal times keep the file order');
    assert.deepEqual(seen, [{ steps: 1, largestMs: 5000, unsorted: 0 }]);
  });

  it('leaves an in-order file as it is and says nothing', async () => {
    const rs = Array.from({ length: 5000 }, (_, i) => rec('p', 0, i + 1, i * 10));
    const seen: Backwards[] = [];
    const out: number[] = [];
    for (let next = inTimeOrder(from(rs), (b) => seen.push(b)), r = await next(); r; r = await next()) out.push(r.line);
    assert.deepEqual(out, rs.map((r) => r.line));
    assert.deepEqual(seen, []);
  });

  it('a step back further than it can hold is passed on where the file has it, and counted', async () => {
    const rs = [...Array.from({ length: 6000 }, (_, i) => rec('p', 0, i + 1, 100_000 + i)), rec('p', 0, 6001, 5)];
    const seen: Backwards[] = [];
    const out: number[] = [];
    for (let next = inTimeOrder(from(rs), (b) => seen.push(b)), r = await next(); r; r = await next()) out.push(r.line);
    assert.equal(out.length, 6001);
    assert.equal(seen[0].unsorted, 1);
  });
});
