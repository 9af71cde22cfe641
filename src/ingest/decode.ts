import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { LogFile } from '../types';

export type Warn = (message: string) => void;

const SNIFF_BYTES = 4096;
/** Share of control bytes in the first block above which a file is treated as binary, not a log. */
const BINARY_SHARE = 0.1;

function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function looksBinary(b: Buffer): boolean {
  const n = Math.min(b.length, SNIFF_BYTES);
  if (n === 0) return false;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c < 9 || (c > 13 && c < 32) || c === 127) control++;
  }
  return control / n > BINARY_SHARE;
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

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The file's content as text bytes: gunzipped when it starts with the gzip magic (whatever its
 * name), everything before damage kept, binary files refused. Problems go to `warn`, never throw.
 */
export async function* decodedChunks(file: LogFile, warn: Warn): AsyncGenerator<Buffer> {
  let src: Readable;
  try {
    src = file.open();
  } catch (err) {
    warn(`${file.node}: cannot read ${file.path}: ${describe(err)}; check the path and its permissions`);
    return;
  }
  let head: Buffer;
  let rest: AsyncIterator<Buffer>;
  try {
    ({ head, rest } = await peek(src, SNIFF_BYTES));
  } catch (err) {
    warn(`${file.node}: cannot read ${file.path}: ${describe(err)}; check the path and its permissions`);
    return;
  }
  if (!isGzip(head)) {
    if (looksBinary(head)) {
      warn(`${file.node}: ${file.path} holds binary data, not log text; skipped`);
      src.destroy();
      return;
    }
    try {
      yield* chain(head, rest);
    } catch (err) {
      warn(`${file.node}: reading ${file.path} stopped early: ${describe(err)}`);
    }
    return;
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const input = Readable.from(chain(head, rest));
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  let out = 0;
  let first = true;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (first && looksBinary(chunk)) {
        warn(`${file.node}: ${file.path} decompresses to binary data, not log text; skipped`);
        input.destroy();
        return;
      }
      first = false;
      out += chunk.length;
      yield chunk;
    }
  } catch (err) {
    warn(`${file.node}: ${file.path} is a damaged or truncated gzip file (${describe(err)}); kept the ${out} bytes before the damage`);
  }
}
