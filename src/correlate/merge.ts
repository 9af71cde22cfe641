import type { LogRecord, NodeName } from '../types';

interface Head {
  rec: LogRecord;
  next: () => LogRecord | undefined | Promise<LogRecord | undefined>;
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
 * K-way merge of per-file record streams into the total order (time, node, file order, line).
 * Each stream is read through a bounded window (`inTimeOrder`), so a file whose clock went back
 * still comes out in time order; `backwards` hears of each such stream once, at its end. Memory
 * does not grow with the size of the files.
 */
export async function* mergeRecords(streams: AsyncIterable<LogRecord>[], nodeOrder: (n: NodeName) => number, backwards: (stream: number, b: Backwards) => void = () => {}): AsyncGenerator<LogRecord> {
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
  for (const [i, s] of streams.entries()) {
    const next = inTimeOrder(s[Symbol.asyncIterator](), (b) => backwards(i, b));
    const first = await next();
    if (first) {
      heap.push({ rec: first, next });
      up(heap.length - 1);
    }
  }
  while (heap.length) {
    const top = heap[0];
    yield top.rec;
    const pending = top.next();
    const next = pending instanceof Promise ? await pending : pending;
    if (!next) {
      const last = heap.pop()!;
      if (heap.length) {
        heap[0] = last;
        down(0);
      }
    } else {
      top.rec = next;
      down(0);
    }
  }
}

/** What inTimeOrder saw of a stream whose times went backwards. */
export interface Backwards {
  /** Records earlier than the one before them. */
  steps: number;
  /** The largest such step back, in ms. */
  largestMs: number;
  /** Records that came too late for the window and were passed on out of order. */
  unsorted: number;
}

/** Records (and their text) a stream may hold back to put a clock that went backwards in order. */
const REORDER_RECORDS = 2000;
const REORDER_CHARS = 8 * 1024 * 1024;

/**
 * One stream's records in time order, though its clock went backwards (an NTP step, a zone change):
 * a record is held back until REORDER_RECORDS later ones (or REORDER_CHARS of text) have been
 * read, so steps back within that window are put in order. An in-order stream pays an append and a
 * shift per record. The returned function gives the next record (undefined at the end), without a
 * promise while the window holds enough; `done` hears once, at the end, what went backwards.
 */
export function inTimeOrder(it: AsyncIterator<LogRecord>, done: (b: Backwards) => void): () => LogRecord | undefined | Promise<LogRecord | undefined> {
  let held: LogRecord[] = [];
  let head = 0;
  let chars = 0;
  let ended = false;
  let lastIn: number | undefined;
  let lastOut: number | undefined;
  const seen: Backwards = { steps: 0, largestMs: 0, unsorted: 0 };
  const key = (r: LogRecord): number => r.time ?? Number.POSITIVE_INFINITY;
  const add = (r: LogRecord): void => {
    const t = key(r);
    if (lastIn !== undefined && t < lastIn) {
      seen.steps++;
      seen.largestMs = Math.max(seen.largestMs, lastIn - t);
    }
    lastIn = t;
    // Sorted insert: an append in the common case, a search and splice after a step back.
    let i = held.length;
    if (i > head && key(held[i - 1]) > t) {
      let lo = head;
      while (lo < i) {
        const mid = (lo + i) >> 1;
        if (key(held[mid]) <= t) lo = mid + 1;
        else i = mid;
      }
      held.splice(i, 0, r);
    } else held.push(r);
    chars += r.text.length;
  };
  const take = (): LogRecord | undefined => {
    if (head === held.length) return undefined;
    const r = held[head++];
    chars -= r.text.length;
    if (lastOut !== undefined && key(r) < lastOut) seen.unsorted++;
    else lastOut = key(r);
    if (head > 4096 && head * 2 > held.length) {
      held = held.slice(head);
      head = 0;
    }
    return r;
  };
  /** Reads until the window is full twice over, so that most calls are answered without waiting. */
  const refill = async (): Promise<LogRecord | undefined> => {
    while (!ended && held.length - head <= 2 * REORDER_RECORDS && chars <= 2 * REORDER_CHARS) {
      const n = await it.next();
      if (n.done) {
        ended = true;
        if (seen.steps) done(seen);
      } else add(n.value);
    }
    return take();
  };
  return () => (ended || (held.length - head > REORDER_RECORDS && chars <= REORDER_CHARS) ? take() : refill());
}
