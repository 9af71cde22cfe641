import type { RowBatch } from '../correlate/merge';

/**
 * Bytes a batch starts with; a row larger than what is left starts the next one, sized to fit.
 * Never below 4 KiB: a smaller Buffer is a slice of a shared pool, which must not move to another
 * thread.
 */
const BATCH_BYTES = 512 << 10;

/**
 * Rows serialised into one buffer as they are made (a write per row measured faster than joining
 * them and converting once), with where each ends, its time and its line: all a merge needs to put
 * them in order and copy them out, and all of it transferable between threads without a copy.
 */
export interface RowWriter {
  /** Adds a row; returns a full batch when the row did not fit in the current one. */
  add(text: string, time: number, line: number): RowBatch | undefined;
  /** The rows added since the last batch, if any. */
  finish(): RowBatch | undefined;
}

export function rowWriter(): RowWriter {
  let bytes = Buffer.allocUnsafe(BATCH_BYTES);
  let used = 0;
  let ends: number[] = [];
  let times: number[] = [];
  let lines: number[] = [];
  const cut = (): RowBatch | undefined => {
    if (!ends.length) return undefined;
    const batch: RowBatch = { bytes: bytes.subarray(0, used), ends: Uint32Array.from(ends), times: Float64Array.from(times), lines: Uint32Array.from(lines) };
    ends = [];
    times = [];
    lines = [];
    return batch;
  };
  return {
    add(text, time, line) {
      let full: RowBatch | undefined;
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (used + text.length * 3 > bytes.length) {
        full = cut();
        bytes = Buffer.allocUnsafe(Math.max(BATCH_BYTES, text.length * 3));
        used = 0;
      }
      used += bytes.write(text, used);
      ends.push(used);
      times.push(time);
      lines.push(line);
      return full;
    },
    finish: cut,
  };
}

/** The bytes of row `i` of a batch. */
export function rowBytes(b: RowBatch, i: number): Uint8Array {
  return b.bytes.subarray(i ? b.ends[i - 1] : 0, b.ends[i]);
}
