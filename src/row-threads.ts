import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { LogFile } from './types';
import type { RowBatch } from './correlate/merge';
import type { RowJob } from './timeline-rows';

/**
 * The worker's source, when this runs from the bundle: scripts/build.mjs embeds it, because the
 * single executable has no file a worker could be started from. Built with tsc, the worker is the
 * compiled file beside this one.
 */
declare const SMSDIAG_ROW_WORKER: string | undefined;

function startWorker(): Worker {
  return typeof SMSDIAG_ROW_WORKER === 'string' ? new Worker(SMSDIAG_ROW_WORKER, { eval: true }) : new Worker(path.join(__dirname, 'row-worker.js'));
}

/** Messages to a worker: a file to turn into rows, its bytes as they are read, its end. */
export type ToWorker =
  | { t: 'open'; id: number; file: Omit<LogFile, 'open'>; job: RowJob }
  | { t: 'chunk'; id: number; bytes: Uint8Array }
  | { t: 'end'; id: number }
  | { t: 'fail'; id: number; message: string };

/** Messages from a worker: a chunk taken, rows made, a warning, the file done, a failure. */
export type FromWorker =
  | { t: 'taken'; id: number }
  | { t: 'rows'; id: number; batch: RowBatch }
  | { t: 'warn'; id: number; message: string }
  | { t: 'done'; id: number }
  | { t: 'error'; id: number; message: string };

/** Chunks sent but not yet taken by the worker's reader, and row batches not yet merged, per file. */
const MAX_UNTAKEN = 2;
const MAX_QUEUED = 2;

interface Lane {
  queue: RowBatch[];
  untaken: number;
  done: boolean;
  error?: Error;
  /** The merge waiting for rows, the reader waiting for room. */
  wake?: () => void;
  resume?: () => void;
}

export interface ThreadedRows {
  streams: AsyncIterable<RowBatch>[];
  /** Warnings per file, in file order: threads finish in any order, the output may not. */
  warnings: string[][];
  close(): Promise<void>;
}

/** Text a gzip file holds for each byte stored, about (logs compress about this well). */
const GZIP_RATIO = 8;

/**
 * Which worker takes each file: the largest first, each to the worker with the least text so far,
 * so that two large logs do not land on one thread while the other idles.
 */
function dealOut(files: LogFile[], workers: number): number[] {
  const load = new Array<number>(workers).fill(0);
  const owner = new Array<number>(files.length).fill(0);
  const text = (f: LogFile): number => f.size * (f.path.endsWith('.gz') ? GZIP_RATIO : 1);
  const bySize = files.map((_, k) => k).sort((a, b) => text(files[b]) - text(files[a]) || a - b);
  for (const k of bySize) {
    const w = load.indexOf(Math.min(...load));
    owner[k] = w;
    load[w] += text(files[k]);
  }
  return owner;
}

/**
 * Files turned into rows by `threads` worker threads, dealt out by size (dealOut): this thread only
 * reads bytes (whatever the source: disk, bundle, SSH) and hands them over, and merges what comes
 * back. Each file keeps at most MAX_UNTAKEN chunks and MAX_QUEUED batches in flight, so memory
 * stays bounded however far one file runs ahead of the merge.
 */
export function rowsInThreads(files: Array<{ file: LogFile; job: RowJob }>, threads: number): ThreadedRows {
  const workers = Array.from({ length: Math.max(1, Math.min(threads, files.length)) }, startWorker);
  const lanes: Lane[] = files.map(() => ({ queue: [], untaken: 0, done: false }));
  const warnings: string[][] = files.map(() => []);
  const poke = (lane: Lane): void => {
    const w = lane.wake;
    lane.wake = undefined;
    w?.();
    if (lane.untaken < MAX_UNTAKEN && lane.queue.length < MAX_QUEUED) {
      const r = lane.resume;
      lane.resume = undefined;
      r?.();
    }
  };
  const failAll = (err: Error): void => {
    for (const lane of lanes) {
      lane.error ??= err;
      poke(lane);
    }
  };
  for (const w of workers) {
    w.on('message', (m: FromWorker) => {
      const lane = lanes[m.id];
      if (m.t === 'taken') lane.untaken--;
      else if (m.t === 'rows') lane.queue.push(m.batch);
      else if (m.t === 'warn') warnings[m.id].push(m.message);
      else if (m.t === 'done') lane.done = true;
      else lane.error = new Error(m.message);
      poke(lane);
    });
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`a worker thread stopped (exit code ${code}) before the timeline was complete`)));
  }

  const feed = async (k: number, file: LogFile, w: Worker): Promise<void> => {
    const lane = lanes[k];
    let src: Readable | undefined;
    try {
      src = file.open();
      for await (const chunk of src as AsyncIterable<Buffer>) {
        while (!lane.error && !(lane.untaken < MAX_UNTAKEN && lane.queue.length < MAX_QUEUED)) await new Promise<void>((r) => (lane.resume = r));
        if (lane.error) break;
        // A chunk that owns its memory moves to the worker; a slice of a shared one is copied.
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
    return (async function* (): AsyncGenerator<RowBatch> {
      for (;;) {
        const batch = lane.queue.shift();
        if (batch) {
          poke(lane);
          yield batch;
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
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
