import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { writeAll } from '../write-all';

/**
 * Bundles are gzip files made of independent members ("blocks"), each compressing at most
 * BLOCK_SIZE bytes of the tar stream. Any gzip reader (GNU tar, gunzip, zlib) reads them as
 * one stream. Each member's header carries an extra field (RFC 1952 FEXTRA, subfield "Sd")
 * with the member's compressed length and uncompressed length, so smsdiag can index a bundle
 * by reading only the block headers and then inflate just the blocks an entry lives in
 * (reading in place without unpacking). Blocks compress in parallel on libuv's pool.
 */
export const BLOCK_SIZE = 1024 * 1024;
const MAX_IN_FLIGHT = 4;
export const GZIP_LEVEL = 6;
/** Output room per deflate step: a block of logs (8:1 and better) fits in one. */
const DEFLATE_CHUNK = 256 * 1024;

/** Fixed member header: magic, CM=8, FLG=FEXTRA, MTIME=0, XFL=0, OS=3, XLEN=12, "Sd", LEN=8. */
export const MEMBER_HEADER_SIZE = 24;
const SI1 = 0x53; // 'S'
const SI2 = 0x64; // 'd'

const deflateRaw = promisify(zlib.deflateRaw) as (b: Buffer, o: zlib.ZlibOptions) => Promise<Buffer>;

export function encodeMember(raw: Buffer, deflated: Buffer): Buffer {
  const total = MEMBER_HEADER_SIZE + deflated.length + 8;
  const out = Buffer.allocUnsafe(total);
  out[0] = 0x1f;
  out[1] = 0x8b;
  out[2] = 8;
  out[3] = 4;
  out.writeUInt32LE(0, 4);
  out[8] = 0;
  out[9] = 3;
  out.writeUInt16LE(12, 10);
  out[12] = SI1;
  out[13] = SI2;
  out.writeUInt16LE(8, 14);
  out.writeUInt32LE(total, 16);
  out.writeUInt32LE(raw.length, 20);
  deflated.copy(out, MEMBER_HEADER_SIZE);
  out.writeUInt32LE(zlib.crc32(raw) >>> 0, total - 8);
  out.writeUInt32LE(raw.length, total - 4);
  return out;
}

/** The lengths in a member header written by encodeMember, or null if it is not one. */
export function decodeMemberHeader(h: Buffer): { clen: number; ulen: number } | null {
  if (h.length < MEMBER_HEADER_SIZE) return null;
  if (h[0] !== 0x1f || h[1] !== 0x8b || h[2] !== 8 || h[3] !== 4) return null;
  if (h.readUInt16LE(10) !== 12 || h[12] !== SI1 || h[13] !== SI2 || h.readUInt16LE(14) !== 8) return null;
  const clen = h.readUInt32LE(16);
  const ulen = h.readUInt32LE(20);
  if (clen < MEMBER_HEADER_SIZE + 8 || ulen > BLOCK_SIZE) return null;
  return { clen, ulen };
}

/**
 * Writes the tar stream as block-gzip to a file handle at explicit offsets. `mark()` flushes
 * the current block so an entry starts a new member and remembers the position; `rollback()`
 * returns the file (and its running sha256) to the last mark, dropping a failed entry.
 */
export class BlockGzipSink {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private queue: Promise<Buffer>[] = [];
  private offset = 0;
  private hash: Hash = createHash('sha256');
  private marked = { offset: 0, hash: createHash('sha256') };
  /** Uncompressed bytes accepted (the tar stream position). */
  tarBytes = 0;
  private markedTarBytes = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly level = GZIP_LEVEL,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    let c = chunk;
    this.tarBytes += c.length;
    while (c.length) {
      const room = BLOCK_SIZE - this.pendingLen;
      const part = c.length <= room ? c : c.subarray(0, room);
      this.pending.push(part);
      this.pendingLen += part.length;
      c = c.subarray(part.length);
      if (this.pendingLen === BLOCK_SIZE) await this.cut();
    }
  }

  private async cut(): Promise<void> {
    if (!this.pendingLen) return;
    const raw = this.pending.length === 1 ? Buffer.from(this.pending[0]) : Buffer.concat(this.pending, this.pendingLen);
    this.pending = [];
    this.pendingLen = 0;
    // One pass on the pool per block: zlib's default 16 KiB output chunks cost a round trip each.
    const p = deflateRaw(raw, { level: this.level, chunkSize: DEFLATE_CHUNK }).then((d) => encodeMember(raw, d));
    p.catch(() => undefined);
    this.queue.push(p);
    while (this.queue.length >= MAX_IN_FLIGHT) await this.drainOne();
  }

  private async drainOne(): Promise<void> {
    const member = await this.queue.shift()!;
    await writeAll(this.fh, member, this.offset);
    this.offset += member.length;
    this.hash.update(member);
  }

  /** Flush everything written so far into whole members on disk. */
  async flush(): Promise<void> {
    await this.cut();
    while (this.queue.length) await this.drainOne();
  }

  /** Flush and remember this position as the start of the next entry. */
  async mark(): Promise<void> {
    await this.flush();
    this.marked = { offset: this.offset, hash: this.hash.copy() };
    this.markedTarBytes = this.tarBytes;
  }

  /** Drop everything after the last mark. */
  async rollback(): Promise<void> {
    const dropped = this.queue;
    this.queue = [];
    await Promise.allSettled(dropped);
    this.pending = [];
    this.pendingLen = 0;
    await this.fh.truncate(this.marked.offset);
    this.offset = this.marked.offset;
    this.hash = this.marked.hash.copy();
    this.tarBytes = this.markedTarBytes;
  }

  /** Flush and return the sha256 of the whole compressed file. */
  async close(): Promise<string> {
    await this.flush();
    return this.hash.digest('hex');
  }

  get compressedBytes(): number {
    return this.offset;
  }
}
