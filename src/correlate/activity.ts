/**
 * When a node showed signs of life: its own log lines, and its peer hearing from it. Kept as sorted
 * spans of points no further apart than JOIN_MS, so that a week of minute-by-minute logging stays a
 * few thousand numbers and the last sign of life before any moment stays exact to JOIN_MS.
 */
const JOIN_MS = 30_000;

export class Activity {
  /**
   * Flat [start0, end0, start1, end1, …] in the first `n` places, sorted, non-overlapping. A typed
   * array, not a JS array: a quiet log over years is 100,000 spans, and each time a JS array of
   * that size grew, the old one was left in V8's old generation as garbage (36 MB for a bundle of
   * 200,000 one-line members); an outgrown typed array's memory is freed with its young wrapper.
   */
  private s = new Float64Array(16);
  private n = 0;

  add(t: number): void {
    const s = this.s;
    const n = this.n;
    // Index of the first span whose end is at or after t - JOIN_MS; lines come mostly in time
    // order, past the last span.
    let lo = n / 2;
    if (n > 0 && t - JOIN_MS <= s[n - 1]) {
      lo = 0;
      let hi = n / 2;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (s[2 * mid + 1] < t - JOIN_MS) lo = mid + 1;
        else hi = mid;
      }
    }
    const i = 2 * lo;
    if (i < n && s[i] - JOIN_MS <= t) {
      // Joins span lo; it may now reach the next one.
      s[i] = Math.min(s[i], t);
      s[i + 1] = Math.max(s[i + 1], t);
      if (i + 2 < n && s[i + 2] - JOIN_MS <= s[i + 1]) {
        s[i + 1] = Math.max(s[i + 1], s[i + 3]);
        s.copyWithin(i + 2, i + 4, n);
        this.n -= 2;
      }
      return;
    }
    const room = this.room(n + 2);
    room.copyWithin(i + 2, i, n);
    room[i] = t;
    room[i + 1] = t;
    this.n = n + 2;
  }

  /** The spans, with room for `size` numbers. */
  private room(size: number): Float64Array {
    if (size > this.s.length) {
      const grown = new Float64Array(Math.max(size, 2 * this.s.length));
      grown.set(this.s.subarray(0, this.n));
      this.s = grown;
    }
    return this.s;
  }

  /** The latest sign of life strictly before t (to within JOIN_MS), or undefined. */
  lastBefore(t: number): number | undefined {
    const s = this.s;
    for (let i = this.n - 2; i >= 0; i -= 2) {
      if (s[i] >= t) continue;
      return Math.min(s[i + 1], t - 1);
    }
    return undefined;
  }

  /** Whether there was a sign of life within [from, to]. */
  within(from: number, to: number): boolean {
    const s = this.s;
    for (let i = 0; i < this.n; i += 2) if (s[i] <= to && s[i + 1] >= from) return true;
    return false;
  }

  get first(): number | undefined {
    return this.n ? this.s[0] : undefined;
  }

  get last(): number | undefined {
    return this.n ? this.s[this.n - 1] : undefined;
  }

  /** A copy of the spans, flat, to hand to another thread (see fromSpans). */
  toSpans(): number[] {
    return Array.from(this.s.subarray(0, this.n));
  }

  static fromSpans(spans: readonly number[]): Activity {
    const a = new Activity();
    a.s = Float64Array.from(spans);
    a.n = spans.length;
    return a;
  }

  /**
   * Both nodes' sightings of one node together: the union of the two sets of spans, joined where
   * they come within JOIN_MS. Each span whole: a span is not only its two ends.
   */
  merge(other: Activity): void {
    const a = this.s;
    const b = other.s;
    const out = new Float64Array(Math.max(16, this.n + other.n));
    let n = 0;
    let i = 0;
    let j = 0;
    while (i < this.n || j < other.n) {
      const fromA = j >= other.n || (i < this.n && a[i] <= b[j]);
      const start = fromA ? a[i] : b[j];
      const end = fromA ? a[i + 1] : b[j + 1];
      if (fromA) i += 2;
      else j += 2;
      if (n && start - JOIN_MS <= out[n - 1]) out[n - 1] = Math.max(out[n - 1], end);
      else {
        out[n++] = start;
        out[n++] = end;
      }
    }
    this.s = out;
    this.n = n;
  }
}
