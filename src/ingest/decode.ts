import { constants as zconst, createGunzip, type ZlibOptions } from 'node:zlib';
import type { Readable, Writable } from 'node:stream';
import type { LogFile } from '../types';
import { errorText } from '../errors';

export type Warn = (message: string) => void;

const SNIFF_BYTES = 4096;
/** Share of control bytes in the first block above which a file is treated as binary, not a log. */
const BINARY_SHARE = 0.1;

function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * Control bytes, NUL aside, above a share of the first block. NULs are left out of the count: a
 * power cut leaves runs of them in a log that is otherwise text, and they are dropped (dropNuls).
 */
function looksBinary(b: Buffer): boolean {
  const n = Math.min(b.length, SNIFF_BYTES);
  let text = 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) continue;
    text++;
    if (c < 9 || (c > 13 && c < 32) || c === 127) control++;
  }
  return text > 0 && control / text > BINARY_SHARE;
}

/** A NUL run this long is a torn block (a power cut), not a stray byte inside a line. */
const TORN_RUN = 64;

/**
 * Drops NUL bytes from chunks and says how many went, once, at the end. A long run (a block the
 * file system zero-filled when the power went) ends the torn line before it with a newline, so
 * the first line written after the restart is a line, and a record, of its own. `feed` gives the
 * chunk's text, or nothing when it was all NULs.
 */
function nulDropper(file: LogFile, warn: Warn): { feed(chunk: Buffer): Buffer | undefined; end(): void } {
  let dropped = 0;
  /** The current run of NULs (it may span chunks), and whether the byte before it was a newline. */
  let run = 0;
  let afterNewline = true;
  return {
    feed(chunk) {
      if (run === 0 && chunk.indexOf(0) < 0) {
        if (chunk.length) afterNewline = chunk[chunk.length - 1] === 10;
        return chunk;
      }
      const out = Buffer.allocUnsafe(chunk.length + 1);
      let n = 0;
      let i = 0;
      while (i < chunk.length) {
        if (chunk[i] === 0) {
          let end = i;
          while (end < chunk.length && chunk[end] === 0) end++;
          run += end - i;
          dropped += end - i;
          i = end;
          continue;
        }
        if (run) {
          if (run >= TORN_RUN && !afterNewline) out[n++] = 10;
          run = 0;
        }
        const next = chunk.indexOf(0, i);
        const stop = next < 0 ? chunk.length : next;
        n += chunk.copy(out, n, i, stop);
        afterNewline = chunk[stop - 1] === 10;
        i = stop;
      }
      return n ? out.subarray(0, n) : undefined;
    },
    end() {
      if (dropped) warn(`${file.node}: dropped ${dropped} NUL byte(s) from ${file.path} (a crash or power cut leaves such runs in a log); the text around them was read`);
    },
  };
}

async function* dropNuls(chunks: AsyncIterable<Buffer>, file: LogFile, warn: Warn): AsyncGenerator<Buffer> {
  const drop = nulDropper(file, warn);
  try {
    for await (const chunk of chunks) {
      const text = drop.feed(chunk);
      if (text) yield text;
    }
  } finally {
    drop.end();
  }
}

const cannotRead = (file: LogFile, err: unknown): string => `${file.node}: cannot read ${file.path}: ${errorText(err)}; check the path and its permissions`;
const notText = (file: LogFile): string => `${file.node}: ${file.path} holds binary data, not log text; skipped`;

/**
 * decodedChunks for a file in hand (LogFile.bytes) that is not gzip, without a stream or a
 * promise: the same text and the same warnings. Undefined for any other file, which
 * decodedChunks reads (a gzip file in hand is then read from its source a second time).
 */
export function decodedInHand(file: LogFile, warn: Warn): Buffer[] | undefined {
  if (!file.bytes) return undefined;
  let head: Buffer;
  try {
    head = file.bytes();
  } catch (err) {
    warn(cannotRead(file, err));
    return [];
  }
  if (isGzip(head)) return undefined;
  if (looksBinary(head)) {
    warn(notText(file));
    return [];
  }
  const drop = nulDropper(file, warn);
  const text = drop.feed(head);
  drop.end();
  return text?.length ? [text] : [];
}

/** Reads the first bytes (at least `min`, unless the stream is shorter) and hands back the rest. */
async function peek(src: Readable, min: number): Promise<{ head: Buffer; rest: AsyncIterator<Buffer> }> {
  const it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const parts: Buffer[] = [];
  let len = 0;
  while (len < min) {
    const r = await it.next();
    if (r.done) break;
    parts.push(r.value);
    len += r.value.length;
  }
  return { head: Buffer.concat(parts), rest: it };
}

async function* chain(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length) yield head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/**
 * The file's content as text bytes: gunzipped when it starts with the gzip magic (whatever its
 * name), everything before damage kept, NUL bytes dropped, binary files refused. Problems go to
 * `warn`, never throw.
 */
export async function* decodedChunks(file: LogFile, warn: Warn): AsyncGenerator<Buffer> {
  yield* dropNuls(rawText(file, warn), file, warn);
}

/** Resolves when the stream drains or closes (its reader stopped), leaving no listener behind. */
function drainedOrClosed(s: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

const NOTHING_MORE: AsyncIterator<Buffer> = { next: () => Promise.resolve({ done: true, value: undefined }) };

/** The file opened and its first bytes; all of them at once, without a stream, where it has LogFile.bytes. */
async function opened(file: LogFile): Promise<{ src?: Readable; head: Buffer; rest: AsyncIterator<Buffer> }> {
  if (file.bytes) return { head: file.bytes(), rest: NOTHING_MORE };
  const src = file.open();
  return { src, ...(await peek(src, SNIFF_BYTES)) };
}

async function* rawText(file: LogFile, warn: Warn): AsyncGenerator<Buffer> {
  let src: Readable | undefined;
  let head: Buffer;
  let rest: AsyncIterator<Buffer>;
  try {
    ({ src, head, rest } = await opened(file));
  } catch (err) {
    warn(cannotRead(file, err));
    return;
  }
  if (!isGzip(head)) {
    if (looksBinary(head)) {
      warn(notText(file));
      src?.destroy();
      return;
    }
    try {
      yield* chain(head, rest);
    } catch (err) {
      warn(`${file.node}: reading ${file.path} stopped early: ${errorText(err)}`);
    } finally {
      // A reader that stops before the end (timeline's first look at a file) closes the file.
      src?.destroy();
    }
    return;
  }
  // No read-ahead on the output side: what zlib has put out waits in no buffer that an error
  // could throw away, so a damaged file keeps the same text whoever reads it how fast.
  const gunzip = createGunzip({ chunkSize: 256 * 1024, readableHighWaterMark: 0 } as ZlibOptions);
  // The input is fed and then sync-flushed, and only once all that came out has been read is the
  // stream ended: a truncated file's error then comes when nothing decoded is left unread. Ended
  // at once, the error raced the reader and the text kept before the damage varied from run to run.
  let fed = false;
  let ended = false;
  const endWhenRead = (): void => {
    if (fed && !ended && gunzip.readableLength === 0) {
      ended = true;
      gunzip.end();
    }
  };
  void (async () => {
    for await (const c of chain(head, rest)) {
      // The reader stopped (binary data): the rest of the source is left unread.
      if (gunzip.destroyed) return;
      if (!gunzip.write(c)) await drainedOrClosed(gunzip);
    }
    await new Promise<void>((r) => gunzip.flush(zconst.Z_SYNC_FLUSH, () => r()));
    fed = true;
    endWhenRead();
  })().catch((err: Error) => gunzip.destroy(err));
  let out = 0;
  let first = true;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (first && looksBinary(chunk)) {
        warn(`${file.node}: ${file.path} decompresses to binary data, not log text; skipped`);
        gunzip.destroy();
        return;
      }
      first = false;
      out += chunk.length;
      yield chunk;
      endWhenRead();
    }
  } catch (err) {
    warn(`${file.node}: ${file.path} is a damaged or truncated gzip file (${errorText(err)}); kept the ${out} bytes before the damage`);
  } finally {
    // A reader that stopped early (binary data) lets go of the source as well.
    src?.destroy();
  }
}
