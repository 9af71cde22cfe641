import type { LogRecord, NodeName } from '../types';

interface Head {
  rec: LogRecord;
  it: AsyncIterator<LogRecord>;
}

function before(a: LogRecord, b: LogRecord, nodeOrder: (n: NodeName) => number): boolean {
  const ta = a.time ?? Number.POSITIVE_INFINITY;
  const tb = b.time ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb;
  const n = nodeOrder(a.node) - nodeOrder(b.node);
  if (n !== 0) return n < 0;
  if (a.fileOrder !== b.fileOrder) return a.fileOrder < b.fileOrder;
  return a.line < b.line;
}

/**
 * K-way merge of per-file record streams into the total order (time, node, file order, line),
 * holding one record per stream: memory does not grow with the size of the files.
 */
export async function* mergeRecords(streams: AsyncIterable<LogRecord>[], nodeOrder: (n: NodeName) => number): AsyncGenerator<LogRecord> {
  const heap: Head[] = [];
  const less = (i: number, j: number): boolean => before(heap[i].rec, heap[j].rec, nodeOrder);
  const swap = (i: number, j: number): void => void ([heap[i], heap[j]] = [heap[j], heap[i]]);
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) return;
      swap(i, p);
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const s of streams) {
    const it = s[Symbol.asyncIterator]();
    const first = await it.next();
    if (!first.done) {
      heap.push({ rec: first.value, it });
      up(heap.length - 1);
    }
  }
  while (heap.length) {
    const top = heap[0];
    yield top.rec;
    const next = await top.it.next();
    if (next.done) {
      const last = heap.pop()!;
      if (heap.length) {
        heap[0] = last;
        down(0);
      }
    } else {
      top.rec = next.value;
      down(0);
    }
  }
}
