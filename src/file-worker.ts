/**
 * A worker thread (see file-threads.ts): works on the files it is given as their bytes arrive, each
 * file its own stream, interleaved: turns them into timeline rows, or scans them.
 */
import { parentPort } from 'node:worker_threads';
import { Readable } from 'node:stream';
import type { LogFile } from './types';
import { fileRows } from './timeline-rows';
import { scanFile, type ScanStats } from './ingest/scan';
import { RESULT_CREDIT, TIME_SOURCES, type FileJob, type FromWorker, type ScanPiece, type ToWorker } from './file-threads';
import { RuleSet } from './rules/engine';

const port = parentPort!;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/** Scan steps sent together at most: one piece per chunk read, or per this many steps. */
const SCAN_STEPS = 4096;

/** A file scanned and its hits matched against the rules, handed over in columns (ScanPiece). */
async function scan(id: number, file: LogFile, job: Extract<FileJob, { t: 'scan' }>, sent: (size: number) => void): Promise<void> {
  const rules = new RuleSet(job.pack);
  const ruleIndex = new Map(rules.rules.map((r, i) => [r, i]));
  // Gathered in plain arrays, handed over as a ScanPiece (typed arrays where they are numbers).
  const empty = () => ({
    steps: [] as number[],
    hitLine: [] as number[],
    hitMs: [] as number[],
    hitFlags: [] as number[],
    hitText: [] as string[],
    matchCount: [] as number[],
    matchRule: [] as number[],
    matchFields: [] as Array<Record<string, string>>,
    timeMs: [] as number[],
    timeZoned: [] as number[],
    warnings: [] as string[],
  });
  let c = empty();
  let size = 0;
  const flush = (stats?: ScanStats): void => {
    if (!c.steps.length && !stats) return;
    const piece: ScanPiece = {
      steps: Uint8Array.from(c.steps),
      hitLine: Uint32Array.from(c.hitLine),
      hitMs: Float64Array.from(c.hitMs),
      hitFlags: Uint8Array.from(c.hitFlags),
      hitText: c.hitText,
      matchCount: Uint16Array.from(c.matchCount),
      matchRule: Uint16Array.from(c.matchRule),
      matchFields: c.matchFields,
      timeMs: Float64Array.from(c.timeMs),
      timeZoned: Uint8Array.from(c.timeZoned),
      warnings: c.warnings,
      stats,
    };
    send({ t: 'scan', id, piece, size });
    sent(size);
    c = empty();
    size = 0;
  };
  const stats = await scanFile(file, {
    prefilter: rules.prefilter(file.kind),
    zoneOffsetMinutes: job.zoneOffsetMinutes,
    onHit: (hit) => {
      const found = rules.match(file.kind, hit.text);
      c.steps.push(0);
      c.hitLine.push(hit.line);
      c.hitMs.push(hit.time ? hit.time.ms : Number.NaN);
      c.hitFlags.push((hit.time?.zoned ? 1 : 0) | (TIME_SOURCES.indexOf(hit.timeSource) << 1));
      c.hitText.push(found.length ? hit.text : '');
      c.matchCount.push(found.length);
      for (const m of found) {
        c.matchRule.push(ruleIndex.get(m.rule)!);
        c.matchFields.push(m.fields);
      }
      size += 32 + (found.length ? hit.text.length : 0);
      if (c.steps.length >= SCAN_STEPS) flush();
    },
    // scanFile gives a time per chunk read: the place to hand over what the chunk found.
    onTime: (t) => {
      c.steps.push(1);
      c.timeMs.push(t.ms);
      c.timeZoned.push(t.zoned ? 1 : 0);
      flush();
    },
    warn: (message) => {
      c.steps.push(2);
      c.warnings.push(message);
      size += message.length;
    },
  });
  flush(stats);
}

async function run(id: number, file: LogFile, job: FileJob, sent: (size: number) => void): Promise<void> {
  try {
    if (job.t === 'scan') await scan(id, file, job, sent);
    else {
      for await (const batch of fileRows(file, job.job, (message) => send({ t: 'warn', id, message }))) {
        // Counted before it is sent: moving the batch empties it here.
        sent(batch.bytes.length);
        send({ t: 'rows', id, batch }, [batch.bytes.buffer as ArrayBuffer, batch.ends.buffer as ArrayBuffer, batch.times.buffer as ArrayBuffer, batch.lines.buffer as ArrayBuffer]);
      }
    }
    send({ t: 'done', id });
  } catch (err) {
    send({ t: 'error', id, message: (err as Error).message });
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
  return {
    input,
    put(x) {
      if (Buffer.isBuffer(x)) {
        for (let at = 0; at < x.length; at += PIECE) queue.push({ piece: x.subarray(at, at + PIECE), last: at + PIECE >= x.length });
        if (!x.length) queue.push({ piece: x, last: true });
      } else queue.push(x);
      drain();
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

port.on('message', (m: ToWorker) => {
  const lane = inputs.get(m.id);
  if (m.t === 'open') {
    const opened = inputStream(m.id);
    inputs.set(m.id, opened);
    void run(m.id, { ...m.file, open: () => opened.input }, m.job, opened.sent);
  } else if (!lane) return;
  else if (m.t === 'used') lane.used(m.size);
  else if (m.t === 'chunk') lane.put(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
  else lane.put(m.t === 'end' ? null : new Error(m.message));
});
