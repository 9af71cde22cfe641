import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { LogFile } from './types';
import type { RowBatch } from './correlate/merge';
import type { ScanStats, TimeSource } from './ingest/scan';
import type { RulePack } from './rules/engine';
import type { RowJob } from './timeline-rows';

/**
 * The worker's source, when this runs from the bundle: scripts/build.mjs embeds it, because the
 * single executable has no file a worker could be started from. Built with tsc, the worker is the
 * compiled file beside this one.
 */
declare const SMSDIAG_FILE_WORKER: string | undefined;

function startWorker(): Worker {
  // A small young generation: each worker's heap was most of what threads added to peak memory
  // (1 GB analyze: 394 MB with V8's default, 312 MB with this; the time the same within noise).
  const resourceLimits = { maxYoungGenerationSizeMb: 4 };
  return typeof SMSDIAG_FILE_WORKER === 'string' ? new Worker(SMSDIAG_FILE_WORKER, { eval: true, resourceLimits }) : new Worker(path.join(__dirname, 'file-worker.js'), { resourceLimits });
}

/**
 * A piece of a file's scan, as columns: what scanFile told, in its order (`steps`: 0 a hit, 1 a
 * chunk's time, 2 a warning), each from its own columns. A hit's time is NaN when it had none;
 * its text is left out when no rule matched it (only its time is used then). The last piece
 * carries the file's statistics. Columns, not an object per hit: passing objects between threads
 * cost more than scanning.
 */
export interface ScanPiece {
  steps: Uint8Array;
  hitLine: Uint32Array;
  hitMs: Float64Array;
  /** Bit 0: the time carried a zone; bits 1 and up: the TimeSource, as an index of TIME_SOURCES. */
  hitFlags: Uint8Array;
  hitText: string[];
  /** Per hit, how many rule matches; then per match the rule's index in the pack and its fields. */
  matchCount: Uint16Array;
  matchRule: Uint16Array;
  matchFields: Array<Record<string, string>>;
  timeMs: Float64Array;
  timeZoned: Uint8Array;
  warnings: string[];
  stats?: ScanStats;
}

export const TIME_SOURCES: readonly TimeSource[] = ['own', 'previous', 'first', 'mtime', 'none'];

/** What a worker does with a file: turn it into timeline rows, or scan it and match its rules. */
export type FileJob = { t: 'rows'; job: RowJob } | { t: 'scan'; pack: RulePack; zoneOffsetMinutes: number };

/** Messages to a worker: a file and its job, its bytes as they are read, its end; results used. */
export type ToWorker =
  | { t: 'open'; id: number; file: Omit<LogFile, 'open'>; job: FileJob }
  | { t: 'chunk'; id: number; bytes: Uint8Array }
  | { t: 'end'; id: number }
  | { t: 'fail'; id: number; message: string }
  | { t: 'used'; id: number; size: number };

/** Messages from a worker: a chunk taken, a result, a warning, the file done, a failure. */
export type FromWorker =
  | { t: 'taken'; id: number }
  | { t: 'rows'; id: number; batch: RowBatch }
  | { t: 'scan'; id: number; piece: ScanPiece; size: number }
  | { t: 'warn'; id: number; message: string }
  | { t: 'done'; id: number }
  | { t: 'error'; id: number; message: string };

/**
 * Per file, chunks sent but not yet taken by the worker's reader. The worker holds back a file's
 * input while this thread has not used RESULT_CREDIT bytes of its results (file-worker.ts), so
 * memory per file stays bounded however far the merge or the node pass is from needing it.
 */
const MAX_UNTAKEN = 1;
export const RESULT_CREDIT = 1 << 20;

interface Lane<T> {
  queue: Array<{ item: T; size: number }>;
  untaken: number;
  done: boolean;
  error?: Error;
  /** The consumer waiting for results, the reader waiting for room. */
  wake?: () => void;
  resume?: () => void;
}

export interface Threaded<T> {
  /** Each file's results, in the order of the files given. */
  streams: AsyncIterable<T>[];
  /** Warnings per file, in file order: threads finish in any order, the output may not. */
  warnings: string[][];
  close(): Promise<void>;
}

/** Text a gzip file holds for each byte stored, about (logs compress about this well). */
const GZIP_RATIO = 8;

/** About how much text a file holds, from its size and name (it is not opened). */
export function textSize(f: LogFile): number {
  return f.size * (f.path.endsWith('.gz') ? GZIP_RATIO : 1);
}

/**
 * Which worker takes each file: the largest first, each to the worker with the least text so far,
 * so that two large logs do not land on one thread while the other idles.
 */
function dealOut(files: LogFile[], workers: number): number[] {
  const load = new Array<number>(workers).fill(0);
  const owner = new Array<number>(files.length).fill(0);
  const bySize = files.map((_, k) => k).sort((a, b) => textSize(files[b]) - textSize(files[a]) || a - b);
  for (const k of bySize) {
    const w = load.indexOf(Math.min(...load));
    owner[k] = w;
    load[w] += textSize(files[k]);
  }
  return owner;
}

/**
 * Files worked on by `threads` worker threads, dealt out by size (dealOut): this thread only reads
 * bytes (whatever the source: disk, bundle, SSH) and hands them over, and takes back the results.
 * Memory per file is bounded by MAX_UNTAKEN chunks and RESULT_CREDIT bytes of results.
 */
export function inThreads<T extends RowBatch | ScanPiece>(files: Array<{ file: LogFile; job: FileJob }>, threads: number): Threaded<T> {
  const workers = Array.from({ length: Math.min(threads, files.length) }, startWorker);
  const lanes: Array<Lane<T>> = files.map(() => ({ queue: [], untaken: 0, done: false }));
  const warnings: string[][] = files.map(() => []);
  const roomFor = (lane: Lane<T>): boolean => lane.untaken < MAX_UNTAKEN;
  const poke = (lane: Lane<T>): void => {
    const w = lane.wake;
    lane.wake = undefined;
    w?.();
    if (roomFor(lane) || lane.error) {
      const r = lane.resume;
      lane.resume = undefined;
      r?.();
    }
  };
  const failAll = (err: Error): void => {
    // A file whose results all came keeps them: a later crash is not its failure.
    for (const lane of lanes) {
      if (!lane.done) lane.error ??= err;
      poke(lane);
    }
  };
  for (const w of workers) {
    w.on('message', (m: FromWorker) => {
      const lane = lanes[m.id];
      if (m.t === 'taken') lane.untaken--;
      else if (m.t === 'rows') lane.queue.push({ item: m.batch as T, size: m.batch.bytes.length });
      else if (m.t === 'scan') lane.queue.push({ item: m.piece as T, size: m.size });
      else if (m.t === 'warn') warnings[m.id].push(m.message);
      else if (m.t === 'done') lane.done = true;
      else lane.error = new Error(m.message);
      poke(lane);
    });
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`a worker thread stopped (exit code ${code}) before its files were read`)));
  }

  const feed = async (k: number, file: LogFile, w: Worker): Promise<void> => {
    const lane = lanes[k];
    let src: Readable | undefined;
    try {
      src = file.open();
      for await (const chunk of src as AsyncIterable<Buffer>) {
        while (!lane.error && !roomFor(lane)) await new Promise<void>((r) => (lane.resume = r));
        if (lane.error) break;
        // A chunk that owns its memory moves to the worker (LogFile.open gives buffers of its own);
        // a slice of a shared one is copied. Copying every chunk left the read ones to a garbage
        // collector that hardly runs in this thread: 490 MB of them at the peak of a 256 MB timeline.
        const own = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
        const bytes = own ? chunk : new Uint8Array(chunk);
        lane.untaken++;
        w.postMessage({ t: 'chunk', id: k, bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
      }
      w.postMessage({ t: 'end', id: k } satisfies ToWorker);
    } catch (err) {
      // The worker says it as the one-thread path does (decodedChunks' "cannot read").
      w.postMessage({ t: 'fail', id: k, message: (err as Error).message } satisfies ToWorker);
    } finally {
      src?.destroy();
    }
  };

  const owner = dealOut(files.map(({ file }) => file), workers.length);
  const streams = files.map(({ file, job }, k) => {
    const w = workers[owner[k]];
    const meta = { node: file.node, kind: file.kind, path: file.path, order: file.order, size: file.size, mtime: file.mtime };
    w.postMessage({ t: 'open', id: k, file: meta, job } satisfies ToWorker);
    void feed(k, file, w);
    const lane = lanes[k];
    return (async function* (): AsyncGenerator<T> {
      for (;;) {
        const next = lane.queue.shift();
        if (next) {
          w.postMessage({ t: 'used', id: k, size: next.size } satisfies ToWorker);
          yield next.item;
        } else if (lane.error) throw lane.error;
        else if (lane.done) return;
        else await new Promise<void>((r) => (lane.wake = r));
      }
    })();
  });
  return {
    streams,
    warnings,
    async close() {
      for (const w of workers) w.removeAllListeners('exit');
      // Readers of files nobody asked for yet stop, and let go of their sources.
      failAll(new Error('closed'));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
