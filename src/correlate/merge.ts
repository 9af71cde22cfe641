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

/**
 * Files' rows for the merge, by number (a column each: a bundle may hold 200,000 files). A source
 * is opened when the merge starts, or, when where its rows begin is known (`firstTime`, a number,
 * and `firstLine`: its first row, or any key no later than it), only once the merge has come that
 * far: a node's rotations follow one another in time, and of a thousand of them a few are open at once.
 */
export interface MergeSources {
  count: number;
  rank(k: number): StreamRank;
  /** NaN when not known; never later than the source's first row (with firstLine, in keyBefore's order). */
  firstTime(k: number): number;
  firstLine(k: number): number;
  /** Source k's rows; undefined when it has none. */
  open(k: number): AsyncIterable<RowBatch> | undefined;
  /**
   * Sources with a known first row opened before they are needed while fewer than this are open:
   * a worker thread starts on a file when it is opened, and the merge then need not wait for it.
   */
  ahead: number;
}

interface Head {
  batch: RowBatch;
  i: number;
  rank: StreamRank;
  /** Its source's number. */
  k: number;
  it: AsyncIterator<RowBatch>;
}

/**
 * Row a (time, rank, line of source ka) before row b: the total order of the output. Two files of
 * one node given the same rank (never by smsdiag's inputs) are told apart by their sources' order.
 */
function keyBefore(ta: number, ra: StreamRank, la: number, ka: number, tb: number, rb: StreamRank, lb: number, kb: number): boolean {
  if (ta !== tb) return ta < tb;
  if (ra.node !== rb.node) return ra.node < rb.node;
  if (ra.file !== rb.file) return ra.file < rb.file;
  return la !== lb ? la < lb : ka < kb;
}

function before(a: Head, b: Head): boolean {
  return keyBefore(a.batch.times[a.i], a.rank, a.batch.lines[a.i], a.k, b.batch.times[b.i], b.rank, b.batch.lines[b.i], b.k);
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
 * than the merge itself. Memory is a batch per open stream. A source with a known first row joins
 * the merge when that row (or the earlier key given for it) is the next to go out, so its rows come
 * out as they would have had it been open all along: the order is the same.
 */
export async function mergeRows(sources: MergeSources, row: (b: RowBatch, i: number) => void | Promise<void>): Promise<void> {
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
  const opening = (k: number): AsyncIterator<RowBatch> | undefined => sources.open(k)?.[Symbol.asyncIterator]();
  const enter = async (k: number, it: AsyncIterator<RowBatch> | undefined): Promise<void> => {
    const batch = it && (await nextBatch(it));
    if (!batch) return;
    heap.push({ batch, i: 0, rank: sources.rank(k), k, it: it! });
    up(heap.length - 1);
  };
  const atOnce: number[] = [];
  const later: number[] = [];
  for (let k = 0; k < sources.count; k++) (Number.isNaN(sources.firstTime(k)) ? atOnce : later).push(k);
  // All opened before any is waited for: in worker threads they are then read side by side.
  const opened = atOnce.map((k) => [k, opening(k)] as const);
  // Opened ahead of their first row, in `later` order (the first ones of it): see MergeSources.ahead.
  const ready: Array<readonly [number, AsyncIterator<RowBatch> | undefined]> = [];
  try {
    for (const [k, it] of opened) await enter(k, it);
    const firstBefore = (a: number, b: number): boolean => keyBefore(sources.firstTime(a), sources.rank(a), sources.firstLine(a), a, sources.firstTime(b), sources.rank(b), sources.firstLine(b), b);
    later.sort((a, b) => (firstBefore(a, b) ? -1 : 1));
    let next = 0;
    // The next few are opened while fewer are open. Also while a source is waited for as it joins:
    // of sources with no rows (a time window past them) none joins, and each was read only once
    // the one before it was done, one thread at work.
    const openAhead = (): void => {
      while (next < later.length && heap.length + ready.length < sources.ahead) {
        const k = later[next++];
        ready.push([k, opening(k)]);
      }
    };
    for (;;) {
      // Sources whose first row is the next to go out join the heap...
      for (;;) {
        const k = ready.length ? ready[0][0] : next < later.length ? later[next] : -1;
        const top = heap[0];
        if (k < 0 || (top && keyBefore(top.batch.times[top.i], top.rank, top.batch.lines[top.i], top.k, sources.firstTime(k), sources.rank(k), sources.firstLine(k), k))) break;
        openAhead();
        await enter(k, ready.length ? ready.shift()![1] : opening(later[next++]));
      }
      openAhead();
      if (!heap.length) return;
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
  } catch (err) {
    // Stopped early (the reader went away, a source failed): the sources still open let go of
    // their files. Not waited for: a source that never answers (a silent peer) would hold this.
    for (const it of [...opened.map(([, i]) => i), ...heap.map((h) => h.it), ...ready.map(([, i]) => i)]) void it?.return?.(undefined).catch(() => undefined);
    throw err;
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

/**
 * Records (and their text) a stream holds back to put a clock that went backwards in order. The
 * window once held at least 2,000 records and filled, whole batches at a time, up to twice that:
 * how far it reached then depended on the batches. It is now always what it held at most.
 */
const REORDER_RECORDS = 4000;
const REORDER_CHARS = 16 * 1024 * 1024;

/**
 * One stream's records in time order, though its clock went backwards (an NTP step, a zone change):
 * a record is held back until REORDER_RECORDS later ones (or REORDER_CHARS of text) have been
 * read, so steps back within that window are put in order. The window is counted in records, never
 * in the batches they come in: a worker thread reads a file in other pieces than this thread, and
 * the order (and what is said of it) must not depend on that. An in-order stream pays an append
 * and a take per record. The returned function gives the next record (undefined at the end),
 * without a promise while its batch lasts; `done` hears once, at the end, what went backwards.
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
  /** The batch being read into the window, from `next`. */
  let batch: R[] = [];
  let next = 0;
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
  /** More than REORDER_RECORDS records, or REORDER_CHARS of text, after the first held. */
  const full = (): boolean => count - head > REORDER_RECORDS || size > REORDER_CHARS;
  /** Records of the batch in hand into the window until it is full; false when the batch ran out first. */
  const fill = (): boolean => {
    while (!full()) {
      if (next === batch.length) return false;
      add(batch[next++]);
    }
    return true;
  };
  const refill = async (): Promise<R | undefined> => {
    while (!ended && !fill()) {
      const n = await it.next();
      if (n.done) {
        ended = true;
        if (seen.steps) done(seen);
      } else {
        batch = n.value;
        next = 0;
      }
    }
    return take();
  };
  return () => (ended || fill() ? take() : refill());
}
