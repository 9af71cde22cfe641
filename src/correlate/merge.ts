/**
 * Rows of one file, already serialised, in the file's time order: where each row's bytes end,
 * its time (corrected UTC ms; Infinity for a row nothing dated) and its line number.
 */
export interface RowBatch {
  bytes: Uint8Array;
  ends: Uint32Array;
  times: Float64Array;
  lines: Uint32Array;
}

/** A stream's place in the total order after time: its node's rank, then its file's rotation order. */
export interface StreamRank {
  node: number;
  file: number;
}

interface Head {
  batch: RowBatch;
  i: number;
  rank: StreamRank;
  it: AsyncIterator<RowBatch>;
}

function before(a: Head, b: Head): boolean {
  const ta = a.batch.times[a.i];
  const tb = b.batch.times[b.i];
  if (ta !== tb) return ta < tb;
  if (a.rank.node !== b.rank.node) return a.rank.node < b.rank.node;
  if (a.rank.file !== b.rank.file) return a.rank.file < b.rank.file;
  return a.batch.lines[a.i] < b.batch.lines[b.i];
}

async function nextBatch(it: AsyncIterator<RowBatch>): Promise<RowBatch | undefined> {
  for (;;) {
    const n = await it.next();
    if (n.done) return undefined;
    if (n.value.ends.length) return n.value;
  }
}

/**
 * K-way merge of per-file row streams (each in its own time order, see inTimeOrder) into the total
 * order (time, node, file order, line): `row` gets each row in turn and may return a promise to be
 * waited for (output backpressure). Batches are awaited, rows are not: a promise per row cost more
 * than the merge itself. Memory is a batch per stream.
 */
export async function mergeRows(streams: AsyncIterable<RowBatch>[], ranks: StreamRank[], row: (b: RowBatch, i: number) => void | Promise<void>): Promise<void> {
  const heap: Head[] = [];
  const swap = (i: number, j: number): void => void ([heap[i], heap[j]] = [heap[j], heap[i]]);
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i], heap[p])) return;
      swap(i, p);
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l], heap[m])) m = l;
      if (r < heap.length && before(heap[r], heap[m])) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const [s, stream] of streams.entries()) {
    const it = stream[Symbol.asyncIterator]();
    const batch = await nextBatch(it);
    if (batch) {
      heap.push({ batch, i: 0, rank: ranks[s], it });
      up(heap.length - 1);
    }
  }
  while (heap.length) {
    const top = heap[0];
    const wait = row(top.batch, top.i);
    if (wait) await wait;
    if (++top.i === top.batch.ends.length) {
      const batch = await nextBatch(top.it);
      if (!batch) {
        const last = heap.pop()!;
        if (heap.length) {
          heap[0] = last;
          down(0);
        }
        continue;
      }
      top.batch = batch;
      top.i = 0;
    }
    down(0);
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
 * take per record. The returned function gives the next record (undefined at the end), without a
 * promise while the window holds enough; `done` hears once, at the end, what went backwards.
 * `time` gives a record's time, `chars` the length of its text.
 */
export function inTimeOrder<R>(it: AsyncIterator<R[]>, time: (r: R) => number, chars: (r: R) => number, done: (b: Backwards) => void): () => R | undefined | Promise<R | undefined> {
  // held[head, count) wait, in time order; the array is only ever longer than that: changing its
  // length had V8 trim and grow it again, a copy of the window each time.
  const held: R[] = [];
  let head = 0;
  let count = 0;
  let size = 0;
  let ended = false;
  let lastIn: number | undefined;
  let lastOut: number | undefined;
  const seen: Backwards = { steps: 0, largestMs: 0, unsorted: 0 };
  const add = (r: R): void => {
    const t = time(r);
    if (lastIn !== undefined && t < lastIn) {
      seen.steps++;
      seen.largestMs = Math.max(seen.largestMs, lastIn - t);
    }
    lastIn = t;
    // Sorted insert: an append in the common case, a search and a shift after a step back.
    let i = count;
    if (i > head && time(held[i - 1]) > t) {
      let lo = head;
      while (lo < i) {
        const mid = (lo + i) >> 1;
        if (time(held[mid]) <= t) lo = mid + 1;
        else i = mid;
      }
    }
    if (count === held.length) held.push(r);
    if (i < count) held.copyWithin(i + 1, i, count);
    held[i] = r;
    count++;
    size += chars(r);
  };
  const take = (): R | undefined => {
    if (head === count) return undefined;
    const r = held[head++];
    size -= chars(r);
    if (lastOut !== undefined && time(r) < lastOut) seen.unsorted++;
    else lastOut = time(r);
    if (head > 4096 && head * 2 > count) {
      held.copyWithin(0, head, count);
      count -= head;
      head = 0;
    }
    return r;
  };
  /** Reads until the window is full twice over, so that most calls are answered without waiting. */
  const refill = async (): Promise<R | undefined> => {
    while (!ended && count - head <= 2 * REORDER_RECORDS && size <= 2 * REORDER_CHARS) {
      const n = await it.next();
      if (n.done) {
        ended = true;
        if (seen.steps) done(seen);
      } else for (const r of n.value) add(r);
    }
    return take();
  };
  return () => (ended || (count - head > REORDER_RECORDS && size <= REORDER_CHARS) ? take() : refill());
}
