import type { FileSummary, LogKind } from '../types';
import { isoTime } from './aggregate';

/**
 * A log file's summary in a node's report (FileSummary) that holds its first and last times as
 * numbers and writes them as ISO 8601 only when they are read: two 24-character strings per file
 * were a fifth of what a bundle of 200,000 members kept alive to the end of its analysis. Written
 * out (toJSON) it is the plain FileSummary, in the contract's key order.
 */
class TimedFileSummary implements FileSummary {
  constructor(
    readonly kind: LogKind,
    readonly path: string,
    readonly firstMs: number | undefined,
    readonly lastMs: number | undefined,
    readonly records: number,
  ) {}

  get first(): string | undefined {
    return isoTime(this.firstMs);
  }

  get last(): string | undefined {
    return isoTime(this.lastMs);
  }

  toJSON(): FileSummary {
    const { kind, path, first, last, records } = this;
    return first !== undefined && last !== undefined ? { kind, path, first, last, records } : { kind, path, ...(first !== undefined ? { first } : {}), ...(last !== undefined ? { last } : {}), records };
  }
}

/** The summary of a file read: its first and last times (UTC ms), when it had any, and its records. */
export function fileSummary(kind: LogKind, path: string, firstMs: number | undefined, lastMs: number | undefined, records: number): FileSummary {
  return new TimedFileSummary(kind, path, firstMs, lastMs, records);
}

/** A summary as plain data, to hand to another thread (structured clone keeps no getters). */
export function plainFileSummary(f: FileSummary): FileSummary {
  return f instanceof TimedFileSummary ? f.toJSON() : f;
}
