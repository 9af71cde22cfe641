import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { RowBatch } from './correlate/merge';
import type { RulePack } from './rules/engine';
import type { LogFile, NodeInput } from './types';
import { errorText } from './errors';
import type { Thresholds } from './knowledge/thresholds';
import type { AggregatorState, Window } from './correlate/aggregate';
import { filesInReadOrder, type NodeRead } from './correlate/node-pass';
import { plainPath } from './sources/local';
import type { RowJob } from './timeline-rows';

/**
 * The worker's source, when this runs from the bundle: scripts/build.mjs embeds it, because the
 * single executable has no file a worker could be started from. Built with tsc, the worker is the
 * compiled file beside this one.
 */
declare const SMSDIAG_FILE_WORKER: string | undefined;

/**
 * A chunk as sent whole: one that owns its memory moves to the worker (LogFile.open gives buffers
 * of its own); a slice of a shared one is copied. Copying every chunk left the read ones to a
 * garbage collector that hardly runs in this thread: 490 MB of them at the peak of a 256 MB timeline.
 */
function* wholeChunk(chunk: Buffer): Generator<Uint8Array> {
  yield chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : new Uint8Array(chunk);
}

/**
 * A file's bytes sent to a worker under `id`: each chunk read, cut by `pieces`, sent once `room`
 * allows (false: nothing more is wanted), then its end, or why it could not be read, which the
 * worker says as the one-thread path does (decodedChunks' "cannot read"). `holder.src` is the
 * source while it is read, so that a failure elsewhere can let go of it (a silent peer).
 */
async function sendFile(w: Worker, id: number, file: LogFile, holder: { src?: Readable }, pieces: (chunk: Buffer) => Iterable<Uint8Array>, room: (size: number) => Promise<boolean>): Promise<void> {
  try {
    // A file in hand (LogFile.bytes) is sent without a stream, as one chunk.
    const chunks = file.bytes ? [file.bytes()] : (holder.src = file.open());
    reading: for await (const chunk of chunks as AsyncIterable<Buffer>) {
      for (const bytes of pieces(chunk)) {
        if (!(await room(bytes.byteLength))) break reading;
        w.postMessage({ t: 'chunk', id, bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
      }
    }
    w.postMessage({ t: 'end', id } satisfies ToWorker);
  } catch (err) {
    w.postMessage({ t: 'fail', id, message: errorText(err) } satisfies ToWorker);
  } finally {
    holder.src?.destroy();
    holder.src = undefined;
  }
}

/**
 * A worker with a young generation of `youngMb`. Small for analysis: each worker's heap was most
 * of what threads added to peak memory (1 GB analyze: 394 MB with V8's default, 312 MB with 4 MB;
 * the time the same within noise). Larger for timeline rows, whose objects all die young: 16 MB
 * took 4 % off the 256 MB timeline for 20 MB more at its peak.
 */
function startWorker(youngMb: number): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: youngMb };
  return typeof SMSDIAG_FILE_WORKER === 'string' ? new Worker(SMSDIAG_FILE_WORKER, { eval: true, resourceLimits }) : new Worker(path.join(__dirname, 'file-worker.js'), { resourceLimits });
}

/** A file as a worker knows it: all but its opening, which is this thread's. */
export type FileMeta = Omit<LogFile, 'open' | 'bytes'>;

/**
 * A node's log files read in a worker (readNodeFiles): a plain local file (`path`) read there, any
 * other's bytes sent by this thread file after file, each file under its own id.
 */
export interface NodeJob {
  node: Pick<NodeInput, 'name' | 'facts'>;
  files: Array<{ id: number; file: FileMeta; path?: string }>;
  pack: RulePack;
  thresholds: Thresholds;
  window?: Window;
}

/** A node's read as a worker hands it over: Activity as its spans, the aggregator as its state. */
export interface NodeResult {
  read: Omit<NodeRead, 'ownLife' | 'heardPeer'> & { ownLife: number[]; heardPeer: number[] };
  agg: AggregatorState;
}

/**
 * Messages to a worker: a file to turn into timeline rows, or a node to read; a file's bytes as
 * they are read, its end or why it could not be read; how much of its results were used, with the
 * memory of a batch of rows written out, to be used again.
 */
export type ToWorker =
  | { t: 'open'; id: number; file: FileMeta; job: RowJob; path?: string }
  | { t: 'node'; id: number; job: NodeJob }
  | { t: 'chunk'; id: number; bytes: Uint8Array }
  | InHandFiles
  | { t: 'end'; id: number }
  | { t: 'fail'; id: number; message: string }
  | { t: 'used'; id: number; size: number; bytes?: ArrayBuffer };

/**
 * Messages from a worker: a chunk taken, a file it reads no more (read, or given up on: this thread
 * stops reading it), a result (rows, a node's read), a warning, the file done, a failure.
 */
export type FromWorker =
  | { t: 'taken'; id: number; size: number }
  | { t: 'closed'; id: number }
  | { t: 'rows'; id: number; batch: RowBatch }
  | { t: 'node'; id: number; result: NodeResult }
  | { t: 'warn'; id: number; message: string }
  | { t: 'done'; id: number }
  | { t: 'error'; id: number; message: string };

/**
 * Per file turned into rows, chunks sent but not yet taken by the worker's reader. The worker holds
 * back a file's input while this thread has not used RESULT_CREDIT bytes of its rows
 * (file-worker.ts), so memory per file stays bounded however far the merge is from needing them.
 */
const MAX_UNTAKEN = 1;
export const RESULT_CREDIT = 2 << 20;

interface Lane {
  queue: Array<{ item: RowBatch; size: number }>;
  untaken: number;
  done: boolean;
  /** The worker reads the file no more: its source need not be read to the end. */
  closed: boolean;
  /** The file's source while it is read, to let go of it when the work fails. */
  src?: Readable;
  error?: Error;
  /** The consumer waiting for results, the reader waiting for room. */
  wake?: () => void;
  resume?: () => void;
}

export interface Threaded {
  /** File k's rows (k in the order of the files given): its worker starts on it when asked, once. */
  open(k: number): AsyncIterable<RowBatch>;
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
function dealOut(sizes: number[], workers: number): number[] {
  const load = new Array<number>(workers).fill(0);
  const owner = new Array<number>(sizes.length).fill(0);
  const bySize = sizes.map((_, k) => k).sort((a, b) => sizes[b] - sizes[a] || a - b);
  for (const k of bySize) {
    const w = load.indexOf(Math.min(...load));
    owner[k] = w;
    load[w] += sizes[k];
  }
  return owner;
}

/**
 * Files worked on by `threads` worker threads, dealt out by size (dealOut): a plain local file
 * the worker reads itself; of any other (a bundle's member, a file over SSH) this thread reads the
 * bytes and hands them over; it takes back the results. Memory per file is bounded by MAX_UNTAKEN
 * chunks and RESULT_CREDIT bytes of results.
 */
export function inThreads(files: Array<{ file: LogFile; job: RowJob }>, threads: number): Threaded {
  const workers = Array.from({ length: Math.min(threads, files.length) }, () => startWorker(16));
  const lanes: Lane[] = files.map(() => ({ queue: [], untaken: 0, done: false, closed: false }));
  const warnings: string[][] = files.map(() => []);
  const roomFor = (lane: Lane): boolean => lane.untaken < MAX_UNTAKEN;
  const poke = (lane: Lane): void => {
    const w = lane.wake;
    lane.wake = undefined;
    w?.();
    if (roomFor(lane) || lane.error || lane.closed) {
      const r = lane.resume;
      lane.resume = undefined;
      r?.();
    }
  };
  const failAll = (err: Error): void => {
    // A file whose results all came keeps them: a later crash is not its failure.
    for (const lane of lanes) {
      if (!lane.done) lane.error ??= err;
      // A source that never answers (a silent peer) would keep its reader waiting.
      lane.src?.destroy();
      poke(lane);
    }
  };
  for (const w of workers) {
    w.on('message', (m: FromWorker) => {
      const lane = lanes[m.id];
      // A failure of no one file (a message the worker could not read) fails them all.
      if (!lane) return void (m.t === 'error' && failAll(new Error(m.message)));
      if (m.t === 'taken') lane.untaken--;
      else if (m.t === 'closed') lane.closed = true;
      else if (m.t === 'rows') lane.queue.push({ item: m.batch, size: m.batch.bytes.length });
      else if (m.t === 'warn') warnings[m.id].push(m.message);
      else if (m.t === 'done') lane.done = true;
      else if (m.t === 'error') lane.error = new Error(m.message);
      poke(lane);
    });
    w.on('error', failAll);
    w.on('messageerror', failAll);
    w.on('exit', (code) => failAll(new Error(`a worker thread stopped (exit code ${code}) before its files were read`)));
  }

  /** Room for one more chunk of file k (reserved), or false once it need not be sent on. */
  const room = async (lane: Lane): Promise<boolean> => {
    while (!lane.error && !lane.closed && !roomFor(lane)) await new Promise<void>((r) => (lane.resume = r));
    if (lane.error || lane.closed) return false;
    lane.untaken++;
    return true;
  };

  const owner = dealOut(files.map(({ file }) => textSize(file)), workers.length);
  const open = (k: number): AsyncIterable<RowBatch> => {
    const { file, job } = files[k];
    const w = workers[owner[k]];
    const meta = fileMeta(file);
    // A plain local file the worker reads itself (see readNodesInThreads); any other is fed.
    const path = plainPath(file);
    w.postMessage({ t: 'open', id: k, file: meta, job, ...(path ? { path } : {}) } satisfies ToWorker);
    const lane = lanes[k];
    if (!path) void sendFile(w, k, file, lane, wholeChunk, () => room(lane));
    return (async function* (): AsyncGenerator<RowBatch> {
      for (;;) {
        const next = lane.queue.shift();
        if (next) {
          yield next.item;
          // Asked for the next: the merge has copied every row of this one. Its memory goes back
          // (fresh memory in the worker cost a page fault per 4 KiB, a tenth of its time).
          const bytes = next.item.bytes.buffer as ArrayBuffer;
          w.postMessage({ t: 'used', id: k, size: next.size, bytes } satisfies ToWorker, [bytes]);
        } else if (lane.error) throw lane.error;
        else if (lane.done) return;
        else await new Promise<void>((r) => (lane.wake = r));
      }
    })();
  };
  return {
    open,
    warnings,
    async close() {
      for (const w of workers) w.removeAllListeners('exit');
      // Readers of files nobody asked for yet stop, and let go of their sources.
      failAll(new Error('closed'));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Bytes of a file sent to a node's worker at a time, copied out of what the source read. A whole
 * 1 MiB read outlives a few of the worker's young-generation collections while it is scanned, is
 * promoted, and its memory then waits for a full collection, which V8 puts off until some 64 MB of
 * such memory has piled up, per thread. 1 GB, two workers: 206-231 MB peak sending whole reads,
 * 144 MB sending 64 KiB copies (256 KiB: 225 MB), in the same time within noise.
 */
const NODE_PIECE = 64 << 10;
/**
 * Bytes of a node's files sent to its worker and not yet taken by the reader there: two pieces of
 * a large file, or as many small files as fit. Counted in pieces, two one-line members of a bundle
 * were all that could be on the way: each file then waited for the worker to take the one two
 * before it, a round trip between the threads per file (40,000 members of ten lines: 4.6 s in two
 * threads against 2.2 s in one).
 */
const NODE_BYTES_AHEAD = 2 * NODE_PIECE;

/** A chunk as NODE_PIECE copies, each made only when it is sent. */
function* nodePieces(chunk: Buffer): Generator<Uint8Array> {
  for (let at = 0; at < chunk.length; at += NODE_PIECE) yield new Uint8Array(chunk.subarray(at, at + NODE_PIECE));
}

/**
 * Files in hand (LogFile.bytes: a bundle's small members, each at most NODE_PIECE) as a node's
 * worker gets them: several in one message, one buffer (`bytes`), each file's bytes up to its
 * `end`, or why they could not be read. Sent one to a message, the files were read through a
 * stream: the worker runs on as far as it can after each message, so the next file had not come
 * when it was needed (40,000 members of ten lines: a fifth of each worker's time went to
 * collecting what those streams left, another tenth to saying each file taken).
 */
export type InHandFiles = { t: 'files'; bytes: Uint8Array; files: Array<{ id: number; end: number } | { id: number; message: string }> };

export function fileMeta(file: LogFile): FileMeta {
  return { node: file.node, kind: file.kind, path: file.path, order: file.order, size: file.size, mtime: file.mtime };
}

/**
 * Nodes' log files read in `threads` worker threads, a node per worker at a time (the largest
 * nodes dealt out first): each worker runs a node's whole pass over its files (readNodeFiles) and
 * hands over what it found. A plain local file the worker reads itself; of any other (a bundle's
 * member, a file over SSH) this thread reads the bytes and sends them in the order the pass reads
 * them, a few chunks ahead. Results in the order of `nodes`.
 *
 * Why not send every file's bytes: a worker waiting for the next piece waits for this thread to be
 * scheduled, and with both cores busy with workers that took long enough to leave the workers
 * 20-30 % idle (CPU profiles of 256 MB: a worker 1.70-1.83 s, a third of it idle).
 */
export async function readNodesInThreads(nodes: NodeInput[], job: Omit<NodeJob, 'node' | 'files'>, threads: number): Promise<NodeResult[]> {
  if (!nodes.length) return [];
  const workers = Array.from({ length: Math.min(threads, nodes.length) }, () => startWorker(4));
  const nodeFiles = nodes.map((n) => filesInReadOrder(n.files));
  const owner = dealOut(nodeFiles.map((fs) => fs.reduce((sum, f) => sum + textSize(f), 0)), workers.length);
  let nextId = 0;
  let failure: Error | undefined;
  /**
   * Per worker: bytes not yet taken, its feeder waiting for room, the node it reads now, the file
   * being sent (its id, its source) and whether the worker stopped reading that file.
   */
  const lanes = workers.map(() => ({
    untaken: 0,
    resume: undefined as (() => void) | undefined,
    node: undefined as { done: boolean; ok(r: NodeResult): void; fail(e: Error): void } | undefined,
    file: -1,
    src: undefined as Readable | undefined,
    fileClosed: false,
  }));
  const wake = (lane: (typeof lanes)[number]): void => {
    const r = lane.resume;
    lane.resume = undefined;
    r?.();
  };
  // One failure ends every worker's node: the answer needs them all.
  const failAll = (err: Error): void => {
    failure ??= err;
    for (const lane of lanes) {
      lane.node?.fail(failure);
      // A source that never answers (a silent peer) would keep its feeder waiting.
      lane.src?.destroy();
      wake(lane);
    }
  };
  workers.forEach((w, i) => {
    const lane = lanes[i];
    w.on('message', (m: FromWorker) => {
      if (m.t === 'taken') {
        lane.untaken -= m.size;
        wake(lane);
      } else if (m.t === 'closed') {
        if (m.id === lane.file) lane.fileClosed = true;
        wake(lane);
      } else if (m.t === 'node') lane.node?.ok(m.result);
      else if (m.t === 'error') failAll(new Error(m.message));
    });
    w.on('error', failAll);
    w.on('messageerror', failAll);
    w.on('exit', (code) => failAll(new Error(`a worker thread stopped (exit code ${code}) before its nodes were read`)));
  });

  const read = async (i: number, k: number): Promise<NodeResult> => {
    const w = workers[i];
    const lane = lanes[i];
    const files = nodeFiles[k].map((file) => ({ id: nextId++, file, path: plainPath(file) }));
    const result = new Promise<NodeResult>((ok, fail) => {
      const node = {
        done: false,
        ok: (r: NodeResult) => ((node.done = true), ok(r)),
        fail: (e: Error) => ((node.done = true), fail(e)),
      };
      lane.node = node;
    });
    const node = lane.node!;
    // It may fail while this thread still sends the node's files; it is awaited after that.
    result.catch(() => undefined);
    if (failure) node.fail(failure);
    w.postMessage({ t: 'node', id: k, job: { ...job, node: { name: nodes[k].name, facts: nodes[k].facts }, files: files.map(({ id, file, path }) => ({ id, file: fileMeta(file), ...(path ? { path } : {}) })) } } satisfies ToWorker);
    // Room for `size` more bytes, or false once `stop` says nothing more is wanted.
    const room = async (size: number, stop: () => boolean): Promise<boolean> => {
      while (lane.untaken + size > NODE_BYTES_AHEAD && !stop()) await new Promise<void>((r) => (lane.resume = r));
      if (stop()) return false;
      lane.untaken += size;
      return true;
    };
    let parts: Array<{ id: number; bytes: Buffer } | { id: number; message: string }> = [];
    let partBytes = 0;
    const sendParts = async (): Promise<void> => {
      const batch = parts;
      const size = partBytes;
      parts = [];
      partBytes = 0;
      if (!batch.length || !(await room(size, () => node.done))) return;
      // One buffer of its own, moved to the worker: a part's own buffer would be a transfer each.
      const bytes = Buffer.allocUnsafeSlow(size);
      let end = 0;
      const files = batch.map((p) => ('bytes' in p ? { id: p.id, end: (end += p.bytes.copy(bytes, end)) } : p));
      w.postMessage({ t: 'files', bytes, files } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
    };
    for (const { id, file, path } of files) {
      if (node.done) break;
      if (path) continue;
      if (file.bytes) {
        let part: (typeof parts)[number];
        try {
          part = { id, bytes: file.bytes() };
        } catch (err) {
          part = { id, message: errorText(err) };
        }
        const size = 'bytes' in part ? part.bytes.length : 0;
        if (partBytes + size > NODE_PIECE) await sendParts();
        parts.push(part);
        partBytes += size;
        continue;
      }
      if (parts.length) {
        await sendParts();
        // The node may have failed meanwhile: a source opened now would be let go of by no one.
        if (node.done) break;
      }
      lane.file = id;
      lane.fileClosed = false;
      // Sent until the worker has read it all, or stops reading it (binary data, damaged gzip).
      await sendFile(w, id, file, lane, nodePieces, (size) => room(size, () => node.done || lane.fileClosed));
    }
    await sendParts();
    return result;
  };
  try {
    const results = new Array<NodeResult>(nodes.length);
    await Promise.all(
      workers.map(async (_, i) => {
        try {
          for (let k = 0; k < nodes.length; k++) if (owner[k] === i) results[k] = await read(i, k);
        } catch (err) {
          // The other workers' feeders and nodes stop too.
          failAll(err as Error);
          throw err;
        }
      }),
    );
    return results;
  } finally {
    for (const w of workers) w.removeAllListeners('exit');
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
