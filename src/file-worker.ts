/**
 * A worker thread (see file-threads.ts): works on the files it is given as their bytes arrive, each
 * file its own stream: turns files into timeline rows (interleaved), or reads a node's files one
 * after another as analysis does.
 */
import { parentPort } from 'node:worker_threads';
import { Readable } from 'node:stream';
import type { LogFile } from './types';
import { errorText } from './errors';
import type { RowJob } from './timeline-rows';
import { fileRows } from './timeline-rows';
import { readNodeFiles } from './correlate/node-pass';
import { FindingAggregator } from './correlate/aggregate';
import { RESULT_CREDIT, type FromWorker, type NodeJob, type ToWorker } from './file-threads';
import { RuleSet } from './rules/engine';

const port = parentPort!;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/**
 * A node's log files read as readNodeFiles reads them in one thread, their bytes coming from the
 * main thread file after file; what it found handed over in one message (events that are also
 * evidence stay one object on arrival).
 */
async function readNode(id: number, job: NodeJob): Promise<void> {
  try {
    const agg = new FindingAggregator(job.window, job.thresholds);
    const files = job.files.map(({ id: fileId, file }) => ({ ...file, open: () => inputOf(fileId).input }));
    for (const { id: fileId } of job.files) expected.add(fileId);
    const read = await readNodeFiles({ ...job.node, files }, new RuleSet(job.pack), agg, job.thresholds);
    send({ t: 'node', id, result: { read: { ...read, ownLife: read.ownLife.toSpans(), heardPeer: read.heardPeer.toSpans() }, agg: agg.state() } });
  } catch (err) {
    send({ t: 'error', id, message: errorText(err) });
  } finally {
    for (const { id: fileId } of job.files) finish(fileId);
  }
}

async function run(id: number, file: LogFile, job: RowJob, sent: (size: number) => void): Promise<void> {
  try {
    for await (const batch of fileRows(file, job, (message) => send({ t: 'warn', id, message }))) {
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

/** Bytes handed to a job's reader at a time: a gzip chunk of 1 MiB may hold 8 MiB of text. */
const PIECE = 64 << 10;

/**
 * A file's bytes as a stream its job reads: chunks, then the end or a failure, in the order they
 * came (a failure waits behind the chunks before it, as it would reading the source here). The
 * reader gets them a piece at a time, and none while the main thread has not used RESULT_CREDIT
 * bytes of the file's results: that is what bounds a file's memory. A chunk is reported taken
 * when its last piece is handed over, which lets the sender send the next.
 */
interface Input {
  input: Readable;
  put(x: Buffer | Error | null): void;
  /** The reader is done: chunks it left are reported taken, so the sender is not held back. */
  close(): void;
  /** Results of this many bytes were sent, or used by the main thread. */
  sent(size: number): void;
  used(size: number): void;
}

function inputStream(id: number): Input {
  const queue: Array<{ piece: Buffer; last: boolean } | Error | null> = [];
  let wanted = false;
  let outstanding = 0;
  const drain = (): void => {
    while (wanted && queue.length && outstanding <= RESULT_CREDIT) {
      const x = queue.shift()!;
      if (x instanceof Error) {
        input.destroy(x);
        return;
      }
      if (x?.last) send({ t: 'taken', id });
      wanted = input.push(x ? x.piece : null);
    }
  };
  const input = new Readable({
    objectMode: true,
    highWaterMark: 1,
    read() {
      wanted = true;
      drain();
    },
  });
  // Read to its end, or stopped early (binary data): either way nothing more of it is wanted.
  input.once('close', () => finish(id));
  return {
    input,
    put(x) {
      if (Buffer.isBuffer(x)) {
        for (let at = 0; at < x.length; at += PIECE) queue.push({ piece: x.subarray(at, at + PIECE), last: at + PIECE >= x.length });
        if (!x.length) queue.push({ piece: x, last: true });
      } else queue.push(x);
      drain();
    },
    close() {
      for (const x of queue.splice(0)) if (x && !(x instanceof Error) && x.last) send({ t: 'taken', id });
      input.destroy();
    },
    sent(size) {
      outstanding += size;
    },
    used(size) {
      outstanding -= size;
      drain();
    },
  };
}

const inputs = new Map<number, Input>();
/** Files of a node job whose bytes may come before its reader opens them. */
const expected = new Set<number>();

function inputOf(id: number): Input {
  let input = inputs.get(id);
  if (!input) {
    input = inputStream(id);
    inputs.set(id, input);
  }
  return input;
}

/**
 * Done with a file: what is left of it, and any chunk of it still to come, is only acknowledged,
 * and the main thread is told, so that it stops reading a file given up on (binary data).
 */
function finish(id: number): void {
  const known = expected.delete(id) || inputs.has(id);
  const input = inputs.get(id);
  inputs.delete(id);
  input?.close();
  if (known) send({ t: 'closed', id });
}

// A message that could not be deserialised belongs to no file this thread knows of: all fail.
port.on('messageerror', (err) => send({ t: 'error', id: -1, message: errorText(err) }));

port.on('message', (m: ToWorker) => {
  if (m.t === 'node') return void readNode(m.id, m.job);
  if (m.t === 'open') {
    const opened = inputOf(m.id);
    return void run(m.id, { ...m.file, open: () => opened.input }, m.job, opened.sent);
  }
  const lane = inputs.get(m.id) ?? (expected.has(m.id) ? inputOf(m.id) : undefined);
  if (!lane) {
    if (m.t === 'chunk') send({ t: 'taken', id: m.id });
    return;
  }
  if (m.t === 'used') lane.used(m.size);
  else if (m.t === 'chunk') lane.put(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
  else lane.put(m.t === 'end' ? null : new Error(m.message));
});
