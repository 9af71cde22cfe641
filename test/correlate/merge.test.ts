import { strict as assert } from 'node:assert';
import { mergeRecords } from '../../src/correlate/merge';
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
