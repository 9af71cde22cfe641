/**
 * A worker thread (see file-threads.ts): works on the files it is given as their bytes arrive, each
 * file its own stream: turns files into timeline rows (interleaved), or reads a node's files one
 * after another as analysis does.
 */
import { parentPort } from 'node:worker_threads';
import { closeSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { LogFile } from './types';
import { errorText } from './errors';
import type { RowJob } from './timeline-rows';
import { fileRows } from './timeline-rows';
import { readNodeFiles } from './correlate/node-pass';
import { plainFileSummary } from './correlate/file-summary';
import { FindingAggregator } from './correlate/aggregate';
import { RESULT_CREDIT, type FromWorker, type InHandFiles, type NodeJob, type ToWorker } from './file-threads';
import { RuleSet } from './rules/engine';
import { BATCH_BYTES } from './report/rows';

const port = parentPort!;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/**
 * A node's log files read as readNodeFiles reads them in one thread: plain local files from disk
 * here, the others' bytes from the main thread, file after file; what it found handed over in one
 * message (events that are also evidence stay one object on arrival).
 */
async function readNode(id: number, job: NodeJob): Promise<void> {
  try {
    const agg = new FindingAggregator(job.window, job.thresholds);
    const files = job.files.map(({ id: fileId, file, path }) => ({
      ...file,
      open: () => inputOf(fileId, path).input,
      // Asked for when the pass reaches the file: its bytes in hand if all of them are here.
      get bytes() {
        return inHand(fileId);
      },
    }));
    for (const { id: fileId, path } of job.files) if (!path) expected.add(fileId);
    const read = await readNodeFiles({ ...job.node, files }, new RuleSet(job.pack), agg, job.thresholds);
    send({ t: 'node', id, result: { read: { ...read, files: read.files.map(plainFileSummary), ownLife: read.ownLife.toSpans(), heardPeer: read.heardPeer.toSpans() }, agg: agg.state() } });
  } catch (err) {
    send({ t: 'error', id, message: errorText(err) });
  } finally {
    for (const { id: fileId } of job.files) finish(fileId);
  }
}

/** Batches' memory back from the main thread, for the next batches; as much as a few batches in flight. */
const spare: ArrayBuffer[] = [];
const MAX_SPARE = 16;
/** A batch's memory: room for BATCH_BYTES and the row that filled it, used again when it comes back. */
const BATCH_ROOM = BATCH_BYTES + (64 << 10);

function batchMemory(size: number): Uint8Array {
  if (size > BATCH_ROOM) return Buffer.allocUnsafeSlow(size);
  return new Uint8Array(spare.pop() ?? new ArrayBuffer(BATCH_ROOM), 0, size);
}

async function run(id: number, file: LogFile, job: RowJob, sent: (size: number) => void): Promise<void> {
  try {
    for await (const batch of fileRows(file, job, (message) => send({ t: 'warn', id, message }), batchMemory)) {
      // Counted before it is sent: moving the batch empties it here.
      sent(batch.bytes.length);
      send({ t: 'rows', id, batch }, [batch.bytes.buffer as ArrayBuffer, batch.ends.buffer as ArrayBuffer, batch.times.buffer as ArrayBuffer, batch.lines.buffer as ArrayBuffer]);
    }
    send({ t: 'done', id });
  } catch (err) {
    send({ t: 'error', id, message: errorText(err) });
  } finally {
    finish(id);
  }
}

/**
 * Bytes handed to a job's reader at a time: a gzip chunk of 1 MiB may hold 8 MiB of text. Also
 * what is read at a time of a plain local file: reads of 1 MiB outlive a few of this thread's
 * young-generation collections while they are scanned and are promoted, and their memory then
 * waits for a full collection (see NODE_PIECE in file-threads.ts).
 */
const PIECE = 64 << 10;

/**
 * The next piece of a plain local file, read with a blocking read: this thread has nothing else to
 * do meanwhile, while an asynchronous read waits for a thread of libuv's pool, which the other
 * worker's gunzip keeps busy (with createReadStream a worker was a third idle). Null at its end;
 * failures as fs words them (as they read when the file is read in the main thread).
 */
function plainReader(path: string): { next(): Buffer | null | Error; close(): void } {
  let fd: number | undefined;
  return {
    next() {
      try {
        fd ??= openSync(path, 'r');
        const buf = Buffer.allocUnsafe(PIECE);
        const n = readSync(fd, buf, 0, PIECE, null);
        return n ? buf.subarray(0, n) : null;
      } catch (err) {
        return err as Error;
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * A file's bytes as a stream its job reads: read here from a plain local file (`path`), else the
 * chunks the main thread sends, then the end or a failure, in the order they came (a failure waits
 * behind the chunks before it, as it would reading the source there). The reader gets them a
 * piece at a time, and none while the main thread has not used RESULT_CREDIT bytes of the file's
 * results: that is what bounds a file's memory. A chunk sent is reported taken when its last piece
 * is handed over, which lets the sender send the next.
 */
interface Input {
  /** The stream, made when first asked for: a file read in hand (whole) never needs one. */
  readonly input: Readable;
  /** Its bytes come from the main thread (no path): the main thread is told when it is done. */
  fed: boolean;
  /** Bytes (`taken` says them taken; by default, as a chunk of this file), its end, or a failure. */
  put(x: Buffer | Error | null, taken?: () => void): void;
  /**
   * All of a fed file's bytes, when they came as one piece and its end, and nothing of it was read
   * as a stream: taken (and said taken) at once. Undefined otherwise.
   */
  whole(): Buffer | undefined;
  /** The reader is done: chunks it left are reported taken, so the sender is not held back. */
  close(): void;
  /** Results of this many bytes were sent, or used by the main thread. */
  sent(size: number): void;
  used(size: number): void;
}

function inputStream(id: number, path: string | undefined): Input {
  // `taken`: on the last piece of what the main thread sent, says it taken.
  const queue: Array<{ piece: Buffer; taken?: () => void } | Error | null> = [];
  const plain = path === undefined ? undefined : plainReader(path);
  let wanted = false;
  let outstanding = 0;
  let stream: Readable | undefined;
  const drain = (): void => {
    while (wanted && outstanding <= RESULT_CREDIT) {
      if (!queue.length) {
        if (!plain) return;
        const x = plain.next();
        queue.push(Buffer.isBuffer(x) ? { piece: x } : x);
      }
      const x = queue.shift()!;
      if (x instanceof Error) {
        stream!.destroy(x);
        return;
      }
      x?.taken?.();
      wanted = stream!.push(x ? x.piece : null);
    }
  };
  const readable = (): Readable => {
    if (stream) return stream;
    stream = new Readable({
      objectMode: true,
      // No piece waits in the stream's buffer: one that did outlived a young-generation collection
      // and was promoted (1 GB analysis: 138 MiB peak with one piece buffered, 115 MiB without).
      highWaterMark: 0,
      read() {
        wanted = true;
        drain();
      },
    });
    // Read to its end, or stopped early (binary data): either way nothing more of it is wanted.
    stream.once('close', () => {
      plain?.close();
      finish(id);
    });
    return stream;
  };
  return {
    get input() {
      return readable();
    },
    fed: !plain,
    put(x, taken = () => send({ t: 'taken', id, size: (x as Buffer).length })) {
      if (Buffer.isBuffer(x)) {
        for (let at = 0; at < x.length; at += PIECE) {
          const piece = x.subarray(at, at + PIECE);
          queue.push(at + PIECE >= x.length ? { piece, taken } : { piece });
        }
        if (!x.length) queue.push({ piece: x, taken });
      } else queue.push(x);
      if (stream) drain();
    },
    whole() {
      if (stream || plain) return undefined;
      const [first, end] = queue;
      if (queue.length === 1 && first === null) return Buffer.alloc(0);
      if (queue.length !== 2 || end !== null || !first || first instanceof Error || !first.taken) return undefined;
      queue.length = 0;
      first.taken();
      return first.piece;
    },
    close() {
      for (const x of queue.splice(0)) if (x && !(x instanceof Error)) x.taken?.();
      stream?.destroy();
      if (!stream) plain?.close();
    },
    sent(size) {
      outstanding += size;
    },
    used(size) {
      outstanding -= size;
      if (stream) drain();
    },
  };
}

const inputs = new Map<number, Input>();
/** Files of a node job whose bytes may come before its reader opens them. */
const expected = new Set<number>();

function inputOf(id: number, path?: string): Input {
  let input = inputs.get(id);
  if (!input) {
    input = inputStream(id, path);
    inputs.set(id, input);
  }
  return input;
}

/**
 * Done with a file: what is left of it, and any chunk of it still to come, is only acknowledged,
 * and the main thread is told, so that it stops reading a file given up on (binary data).
 */
function finish(id: number): void {
  const input = inputs.get(id);
  const known = expected.delete(id) || !!input?.fed;
  inputs.delete(id);
  input?.close();
  if (known) send({ t: 'closed', id });
}

/** The file last read in hand: a gzip file's bytes are asked for again, to be inflated. */
let held: { id: number; bytes: Buffer } | undefined;

/**
 * A fed file's bytes at once (LogFile.bytes), as the main thread scans a bundle's small members:
 * when the whole file is here, no stream and no chain of generators is needed for it (40,000
 * members of ten lines in two workers: each spent a fifth of its time collecting what the
 * stream of each left behind). The file is then done: its end has come, so the main thread,
 * which has nothing more of it to send, is not told.
 */
function inHand(id: number): (() => Buffer) | undefined {
  if (held?.id !== id) {
    const bytes = inputs.get(id)?.whole();
    if (!bytes) return undefined;
    expected.delete(id);
    inputs.delete(id);
    held = { id, bytes };
  }
  const { bytes } = held;
  return () => bytes;
}

/**
 * Files in hand from the main thread, each whole with its end: the reader finds it in hand when it
 * gets there. The message is said taken once, when every file in it has been.
 */
function putFiles(m: InHandFiles): void {
  const data = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  let left = m.files.filter((f) => 'end' in f).length;
  const taken = (): void => {
    if (--left === 0) send({ t: 'taken', id: m.files[0].id, size: data.length });
  };
  let start = 0;
  for (const f of m.files) {
    const input = inputs.get(f.id) ?? (expected.has(f.id) ? inputOf(f.id) : undefined);
    if (!('end' in f)) input?.put(new Error(f.message));
    else if (!input) taken();
    else {
      input.put(data.subarray(start, f.end), taken);
      input.put(null);
    }
    if ('end' in f) start = f.end;
  }
}

// A message that could not be deserialised belongs to no file this thread knows of: all fail.
port.on('messageerror', (err) => send({ t: 'error', id: -1, message: errorText(err) }));

port.on('message', (m: ToWorker) => {
  if (m.t === 'node') return void readNode(m.id, m.job);
  if (m.t === 'open') {
    const opened = inputOf(m.id, m.path);
    return void run(m.id, { ...m.file, open: () => opened.input }, m.job, opened.sent);
  }
  if (m.t === 'files') return void putFiles(m);
  if (m.t === 'used' && m.bytes?.byteLength === BATCH_ROOM && spare.length < MAX_SPARE) spare.push(m.bytes);
  const lane = inputs.get(m.id) ?? (expected.has(m.id) ? inputOf(m.id) : undefined);
  if (!lane) {
    if (m.t === 'chunk') send({ t: 'taken', id: m.id, size: m.bytes.byteLength });
    return;
  }
  if (m.t === 'used') lane.used(m.size);
  else if (m.t === 'chunk') lane.put(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
  else lane.put(m.t === 'end' ? null : new Error(m.message));
});
