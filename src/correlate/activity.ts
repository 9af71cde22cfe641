/**
 * When a node showed signs of life: its own log lines, and its peer hearing from it. Kept as sorted
 * spans of points no further apart than JOIN_MS, so that a week of minute-by-minute logging stays a
 * few thousand numbers and the last sign of life before any moment stays exact to JOIN_MS.
 */
const JOIN_MS = 30_000;

export class Activity {
  /** Flat [start0, end0, start1, end1, …], sorted, non-overlapping. */
  private spans: number[] = [];

  add(t: number): void {
    const s = this.spans;
    // Lines come mostly in time order: a time past the last span opens a new one at the end, as
    // the search below would, without splice's copy of a long array.
    if (s.length === 0 || t - JOIN_MS > s[s.length - 1]) {
      s.push(t, t);
      return;
    }
    // Index of the first span whose end is at or after t - JOIN_MS.
    let lo = 0;
    let hi = s.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[2 * mid + 1] < t - JOIN_MS) lo = mid + 1;
      else hi = mid;
    }
    const i = 2 * lo;
    if (i < s.length && s[i] - JOIN_MS <= t) {
      // Joins span lo; it may now reach the next one.
      s[i] = Math.min(s[i], t);
      s[i + 1] = Math.max(s[i + 1], t);
      if (i + 2 < s.length && s[i + 2] - JOIN_MS <= s[i + 1]) {
        s[i + 1] = Math.max(s[i + 1], s[i + 3]);
        s.splice(i + 2, 2);
      }
      return;
    }
    s.splice(i, 0, t, t);
  }

  /** The latest sign of life strictly before t (to within JOIN_MS), or undefined. */
  lastBefore(t: number): number | undefined {
    const s = this.spans;
    for (let i = s.length - 2; i >= 0; i -= 2) {
      if (s[i] >= t) continue;
      return Math.min(s[i + 1], t - 1);
    }
    return undefined;
  }

  /** Whether there was a sign of life within [from, to]. */
  within(from: number, to: number): boolean {
    const s = this.spans;
    for (let i = 0; i < s.length; i += 2) if (s[i] <= to && s[i + 1] >= from) return true;
    return false;
  }

  get first(): number | undefined {
    return this.spans.length ? this.spans[0] : undefined;
  }

  get last(): number | undefined {
    return this.spans.length ? this.spans[this.spans.length - 1] : undefined;
  }

  /** A copy of the spans, flat, to hand to another thread (see fromSpans). */
  toSpans(): number[] {
    return [...this.spans];
  }

  static fromSpans(spans: number[]): Activity {
    const a = new Activity();
    a.spans = spans;
    return a;
  }

  /**
   * Both nodes' sightings of one node together: the union of the two sets of spans, joined where
   * they come within JOIN_MS. Each span whole: a span is not only its two ends.
   */
  merge(other: Activity): void {
    const a = this.spans;
    const b = other.spans;
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const fromA = j >= b.length || (i < a.length && a[i] <= b[j]);
      const start = fromA ? a[i] : b[j];
      const end = fromA ? a[i + 1] : b[j + 1];
      if (fromA) i += 2;
      else j += 2;
      const n = out.length;
      if (n && start - JOIN_MS <= out[n - 1]) out[n - 1] = Math.max(out[n - 1], end);
      else out.push(start, end);
    }
    this.spans = out;
  }
}
