import { closeSync, createReadStream, openSync, promises as fs, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { BLOCK_SIZE, decodeMemberHeader, MEMBER_HEADER_SIZE } from './block-gzip';
import { MANY_FILES, manyFilesHeap } from '../../heap';
import { BundleError } from '../../errors';
import { MANIFEST_PATH, type Manifest, type ManifestFile, readManifest } from './manifest';
import { decodeHeader, decodePax, EntryRules, safeEntry, type TarEntry } from './tar-entry';

/** A regular file in a bundle. */
export interface BundleFileEntry {
  /** Relative to the bundle's top directory, e.g. nodes/primary/logs/ha.log.2.gz. */
  path: string;
  size: number;
  mtime: Date;
}

/** A bundle's regular files by relative path, in archive order. */
export interface BundleEntries {
  readonly size: number;
  has(path: string): boolean;
  get(path: string): BundleFileEntry | undefined;
  keys(): IterableIterator<string>;
  /** Each entry made as it is reached (the table holds no objects; see EntryTable). */
  values(): IterableIterator<BundleFileEntry>;
}

/** Reads a bundle's entries by place (BundleReader.place) and size. */
export interface MemberReading {
  /** The entry's stored bytes, as BundleReader.open gives them. */
  open(place: number, size: number): Readable;
  /** Whether the entry is small enough to read at once in this thread (LogFile.bytes). */
  fitsInHand(place: number, size: number): boolean;
  /** The entry's stored bytes at once, in a buffer of its own; for an entry that fits in hand. */
  inHand(place: number, size: number): Buffer;
}

export interface BundleReader {
  /** The .tar.gz on disk. */
  readonly file: string;
  /** The top directory inside the archive (the bundle's name). */
  readonly top: string;
  /**
   * The manifest without its nodes' lists of files (`files` is empty): each listed file was checked
   * against the entries as the manifest was read (`mismatches`), and none is kept.
   */
  readonly manifest: Manifest<never>;
  /**
   * Where the entries disagree with the manifest, in its order and then the archive's: a path
   * listed but missing, listed with another size, or under nodes/ and not listed.
   */
  readonly mismatches: string[];
  readonly entries: BundleEntries;
  /**
   * True when the archive carries smsdiag's block index: any entry is then read by inflating
   * only its own blocks. Otherwise (a bundle re-packed by other tools) open() re-reads the
   * archive from the start up to the entry.
   */
  readonly indexed: boolean;
  /** The stored bytes of one entry. */
  open(path: string): Readable;
  /** Where an entry is, for `reading`: what a log file of the bundle keeps to read itself later. */
  place(path: string): number;
  /**
   * Reads entries by place, holding only what it needs for that (a block-indexed bundle: where
   * the blocks are, not the table of every entry).
   */
  readonly reading: MemberReading;
  /** The stored bytes of a small entry, in memory (refused above `limit`). */
  read(path: string, limit?: number): Promise<Buffer>;
}

const inflateRaw = promisify(zlib.inflateRaw) as (b: Buffer) => Promise<Buffer>;
/** Entries up to this size are kept in memory by the scan of a bundle without block index. */
const SMALL_ENTRY = 64 * 1024;
const SMALL_TOTAL = 8 * 1024 * 1024;
const MAX_MANIFEST = 64 * 1024 * 1024;
/** Bytes readAhead reads at a time. */
const READ_WINDOW = 1024 * 1024;
/** Blocks up to this size are inflated in this thread (see BlockFile.inflate). */
const SMALL_BLOCK = 64 * 1024;
/**
 * At most this many bytes of small blocks are inflated together to read tar headers (BlockFile.run).
 * Each run is a buffer of its own outside the JS heap: runs of 4 MiB left the allocator holding
 * 45-50 MB at the peak of analysing a bundle of 200,000 members, 33-37 MB with these, in the same time.
 */
const RUN_BYTES = 256 * 1024;
/** At most this many bytes of small blocks are inflated together for small members read in order (BlockFile.nearRun). */
const NEAR_BYTES = 256 * 1024;
/** Runs kept for inHand reads: one for each node read at the same time, and room to spare. */
const NEAR_RUNS = 4;

/**
 * zlib's chunkSize for a sync inflate of `ulen` bytes: one output buffer that holds them with a byte
 * to spare. zlib's default (16 KiB) left that much per one-line member; a buffer the output fills
 * exactly makes Node's sync loop allocate a second one of the same size to look for the end.
 */
function chunkFor(ulen: number): number {
  return Math.max(zlib.constants.Z_MIN_CHUNK, ulen + 1);
}

function corrupt(file: string, why: string): BundleError {
  return new BundleError(`${file} is damaged or truncated (${why}); get the bundle again or check it with "smsdiag verify"`);
}

function errMsg(err: unknown): string {
  return (err as Error).message ?? String(err);
}

// ---------------------------------------------------------------------------------------------
// Sequential reading of any .tar.gz (tar-stream over zlib), with the bundle's entry rules.

interface ExtractedEntry extends AsyncIterable<Buffer> {
  header: tar.Header;
  resume(): void;
}

export interface ScannedEntry {
  entry: TarEntry;
  /** Relative to the top directory ('' for the top directory itself). */
  rel: string;
  /** The entry's bytes; consume or leave them (the scan skips what is left). */
  body: AsyncIterable<Buffer>;
}

/**
 * Read a .tar.gz once from the start, entry by entry, rejecting unsafe entries. Damage (bad
 * gzip, truncated data, bad tar header) is a BundleError naming the file.
 */
export async function* scanArchive(file: string, opts: { onRaw?: (chunk: Buffer) => void } = {}): AsyncGenerator<ScannedEntry> {
  const src = createReadStream(file, { highWaterMark: 1024 * 1024 });
  if (opts.onRaw) {
    const onRaw = opts.onRaw;
    src.on('data', (c) => onRaw(c as Buffer));
  }
  const gunzip = zlib.createGunzip();
  const extract = tar.extract();
  let failure = null as Error | null;
  const fail = (err: Error): void => {
    if (!failure) failure = err;
    extract.destroy(err);
  };
  src.on('error', (e) => fail(e));
  gunzip.on('error', (e) => fail(corrupt(file, `gzip: ${e.message}`)));
  src.pipe(gunzip);
  gunzip.on('data', (c: Buffer) => {
    if (!extract.write(c)) gunzip.pause();
  });
  extract.on('drain', () => gunzip.resume());
  gunzip.on('end', () => extract.end(undefined as never));
  const rules = new EntryRules(file);
  try {
    for await (const e of extract as unknown as AsyncIterable<ExtractedEntry>) {
      const h = e.header;
      const entry = safeEntry(file, h.name, h.type, h.size ?? 0, h.mtime ?? new Date(0));
      const rel = rules.accept(entry);
      yield { entry, rel, body: e };
      e.resume();
    }
  } catch (err) {
    if (err instanceof BundleError) throw err;
    if (failure instanceof BundleError) throw failure;
    if (failure && (failure as NodeJS.ErrnoException).code) throw new BundleError(`cannot read ${file}: ${errMsg(failure)}`);
    throw corrupt(file, `tar: ${errMsg(err)}`);
  } finally {
    src.destroy();
    gunzip.destroy();
    if (!extract.destroyed) extract.destroy();
  }
  if (failure) throw failure;
  if (rules.top === null) throw new BundleError(`${file} holds no files; it is not an smsdiag bundle`);
}

/** A bundle's path of a node's log file: nodes/<node>/logs/... */
const NODE_LOG = /^nodes\/[^/]+\/logs\//;

/**
 * The entries as columns. A bundle of 200,000 one-line members held, as an object per entry with
 * a Date, 70 MB (with the full names their paths were slices of). Here: a path string, and three
 * numbers in typed arrays.
 */
class EntryTable implements BundleEntries {
  private readonly index = new Map<string, number>();
  /** Entries under a node's logs/. */
  private logs = 0;
  private readonly paths: string[] = [];
  private sizes = new Float64Array(64);
  private mtimes = new Float64Array(64);
  private offsets = new Float64Array(64);

  get size(): number {
    return this.paths.length;
  }

  /** A new entry: its path as EntryRules.accept gave it (a string of its own, never repeated). */
  add(path: string, size: number, mtimeMs: number, dataOffset = 0): void {
    const i = this.paths.length;
    this.sizes = roomFor(this.sizes, i);
    this.mtimes = roomFor(this.mtimes, i);
    this.offsets = roomFor(this.offsets, i);
    this.paths.push(path);
    this.index.set(path, i);
    this.sizes[i] = size;
    this.mtimes[i] = mtimeMs;
    this.offsets[i] = dataOffset;
    // Many files are known here, during the open (see manyFilesHeap); what is counted is what the
    // inventory reads, a node's logs (resolveInputs counts them again, named as SMS logs).
    if (NODE_LOG.test(path) && ++this.logs === MANY_FILES + 1) manyFilesHeap();
  }

  has(path: string): boolean {
    return this.index.has(path);
  }

  get(path: string): BundleFileEntry | undefined {
    const i = this.index.get(path);
    return i === undefined ? undefined : this.at(i);
  }

  /** The size of entry number `n`. */
  sizeAt(n: number): number {
    return this.sizes[n];
  }

  /** The entry's number in the table (in archive order). */
  numberOf(path: string): number | undefined {
    return this.index.get(path);
  }

  pathOf(n: number): string {
    return this.paths[n];
  }

  /** The entry's size and where its bytes start in the tar data (block-indexed bundles). */
  located(path: string): { size: number; dataOffset: number } | undefined {
    const i = this.index.get(path);
    return i === undefined ? undefined : { size: this.sizes[i], dataOffset: this.offsets[i] };
  }

  keys(): IterableIterator<string> {
    return this.paths[Symbol.iterator]();
  }

  *values(): IterableIterator<BundleFileEntry> {
    for (let i = 0; i < this.paths.length; i++) yield this.at(i);
  }

  private at(i: number): BundleFileEntry {
    return { path: this.paths[i], size: this.sizes[i], mtime: new Date(this.mtimes[i]) };
  }
}

/**
 * The manifest read against the entries: each listed file is checked as it is read and not kept.
 * A bundle of 200,000 members kept a path and size for each, 10 MB with their list, alive while
 * its inventory was made (when its memory peaks); the check needs a byte per entry.
 */
function readListing(chunks: Iterable<Buffer>, where: string, table: EntryTable): { manifest: Manifest<never>; mismatches: string[] } {
  const mismatches: string[] = [];
  const listed = new Uint8Array(table.size);
  const check = (p: string, size: number): void => {
    const i = table.numberOf(p);
    if (i === undefined) mismatches.push(`${p} is listed but missing`);
    else {
      if (table.sizeAt(i) !== size) mismatches.push(`${p} is ${table.sizeAt(i)} bytes, the manifest says ${size}`);
      listed[i] = 1;
    }
  };
  const manifest = readManifest<never>(chunks, where, (f: ManifestFile) => void check(f.path, f.size));
  for (const a of manifest.analysis) check(a.path, a.size);
  for (let i = 0; i < table.size; i++) if (!listed[i] && table.pathOf(i).startsWith('nodes/')) mismatches.push(`${table.pathOf(i)} is not in the manifest`);
  return { manifest, mismatches };
}

// ---------------------------------------------------------------------------------------------
// Block-indexed reading (bundles written by smsdiag).

/**
 * Bytes [off, off + len) of a file; fewer only where the file ends. They are good until the next
 * call (the window is reused), so a caller uses them before it asks for more.
 */
type ReadAhead = (off: number, len: number) => Promise<Buffer>;

/**
 * A file read through one window of READ_WINDOW bytes. Indexing a bundle goes through its block
 * headers, then the blocks holding tar headers, in order: a read for each made listing 200,000
 * one-line members take 30 s (and a new window at each refill left 40 MB for the collector). For
 * the indexing only: the window is let go of with the function.
 */
function readAhead(fh: FileHandle): ReadAhead {
  let start = 0;
  let bytes: Buffer = Buffer.alloc(0);
  let window: Buffer | null = null;
  return async (off, len) => {
    if (off < start || off + len > start + bytes.length) {
      // A block of incompressible bytes is a little longer stored than READ_WINDOW.
      const buf = len <= READ_WINDOW ? (window ??= Buffer.allocUnsafe(READ_WINDOW)) : Buffer.allocUnsafe(len);
      bytes = buf.subarray(0, (await fh.read(buf, 0, buf.length, off)).bytesRead);
      start = off;
    }
    return bytes.subarray(off - start, off - start + len);
  };
}

/** Blocks first..last inflated together: their bytes, from the first block's start in the tar data. */
interface Run {
  first: number;
  last: number;
  data: Buffer;
}

/** `a`, or a copy twice as long when index `i` is past its end. */
function roomFor<A extends Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer>>(a: A, i: number): A {
  if (i < a.length) return a;
  const b = new (a.constructor as new (n: number) => A)(a.length * 2);
  b.set(a);
  return b;
}

/**
 * The gzip blocks of a block-indexed bundle: where each is stored (coff, clen) and which bytes of
 * the tar stream it holds (uoff, ulen), in columns (an object per block was 19 MB for 200,000).
 */
class BlockFile implements MemberReading {
  /** Blocks first..last inflated (see `run`): their bytes, from uoff[first]. For readAt, during the open. */
  private cache: Run | null = null;
  /** The same for inHand reads (see `nearRun`): NEAR_RUNS of at most NEAR_BYTES, held while the bundle is read. */
  private near: Run[] = [];
  /** Blocks up to this one are inflated one by one: a run holding them failed (see `run`). */
  private alone = -1;

  private constructor(
    readonly file: string,
    private readonly coff: Float64Array,
    private readonly clen: Uint32Array,
    private readonly uoff: Float64Array,
    private readonly ulen: Uint32Array,
    readonly total: number,
  ) {}

  /** The block index from member headers, or null when the file is not block-gzip. */
  static async load(file: string, at: ReadAhead, fileSize: number): Promise<BlockFile | null> {
    let n = 0;
    let coffs = new Float64Array(256);
    // Lengths are 32-bit in a block's header; places in the file and the tar stream may pass 4 GB.
    let clens = new Uint32Array(256);
    let uoffs = new Float64Array(256);
    let ulens = new Uint32Array(256);
    let coff = 0;
    let uoff = 0;
    while (coff < fileSize) {
      const m = decodeMemberHeader(await at(coff, MEMBER_HEADER_SIZE));
      if (!m) {
        if (coff === 0) return null;
        throw corrupt(file, `no gzip block at byte ${coff}`);
      }
      if (coff + m.clen > fileSize) throw corrupt(file, `the last gzip block ends ${coff + m.clen - fileSize} bytes after the end of the file`);
      coffs = roomFor(coffs, n);
      clens = roomFor(clens, n);
      uoffs = roomFor(uoffs, n);
      ulens = roomFor(ulens, n);
      coffs[n] = coff;
      clens[n] = m.clen;
      uoffs[n] = uoff;
      ulens[n] = m.ulen;
      n++;
      coff += m.clen;
      uoff += m.ulen;
    }
    // Views of the filled part, not copies of it: copies were a third more memory at once, and the
    // arrays as they were (at most twice the blocks) were then left to the collector.
    return new BlockFile(file, coffs.subarray(0, n), clens.subarray(0, n), uoffs.subarray(0, n), ulens.subarray(0, n), uoff);
  }

  /** The block holding byte `uoff` of the tar stream. */
  find(uoff: number): number {
    let lo = 0;
    let hi = this.uoff.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.uoff[mid] <= uoff) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Block i's compressed bytes, read on their own (a stream reads a few blocks ahead in parallel). */
  private async stored(fh: FileHandle, i: number): Promise<Buffer> {
    const comp = Buffer.allocUnsafe(this.clen[i]);
    const { bytesRead } = await fh.read(comp, 0, comp.length, this.coff[i]);
    return comp.subarray(0, bytesRead);
  }

  /**
   * Block i's bytes from its compressed bytes `comp`, checked against its length and CRC. A small
   * block is inflated in this thread: handing it to libuv's pool cost 60 us against 4 us here.
   */
  async inflate(i: number, comp: Buffer): Promise<Buffer> {
    if (this.ulen[i] <= SMALL_BLOCK) return this.inflateHere(i, comp);
    const deflated = this.deflated(i, comp);
    let data: Buffer;
    try {
      data = await inflateRaw(deflated);
    } catch (err) {
      throw this.damaged(i, err);
    }
    return this.checked(i, comp, data);
  }

  /** inflate, in this thread whatever the size. */
  private inflateHere(i: number, comp: Buffer): Buffer {
    const deflated = this.deflated(i, comp);
    let data: Buffer;
    try {
      data = zlib.inflateRawSync(deflated, { chunkSize: chunkFor(this.ulen[i]) });
    } catch (err) {
      throw this.damaged(i, err);
    }
    return this.checked(i, comp, data);
  }

  private deflated(i: number, comp: Buffer): Buffer {
    if (comp.length !== this.clen[i]) throw corrupt(this.file, `gzip block at byte ${this.coff[i]} is cut short`);
    return comp.subarray(MEMBER_HEADER_SIZE, this.clen[i] - 8);
  }

  private damaged(i: number, err: unknown): BundleError {
    return corrupt(this.file, `gzip block at byte ${this.coff[i]}: ${errMsg(err)}`);
  }

  private checked(i: number, comp: Buffer, data: Buffer): Buffer {
    const end = this.clen[i];
    if (data.length !== this.ulen[i] || (zlib.crc32(data) >>> 0) !== comp.readUInt32LE(end - 8) || comp.readUInt32LE(end - 4) !== this.ulen[i]) {
      throw corrupt(this.file, `gzip block at byte ${this.coff[i]} fails its CRC check`);
    }
    return data;
  }

  /** `len` uncompressed bytes from `uoff` (tar headers and extended headers), in one buffer. */
  async readAt(at: ReadAhead, uoff: number, len: number): Promise<Buffer> {
    if (uoff + len > this.total) throw corrupt(this.file, `the tar data ends at byte ${this.total}, inside an entry`);
    let out: Buffer | null = null;
    let pos = uoff;
    while (pos < uoff + len) {
      const i = this.find(pos);
      if (!this.cache || i < this.cache.first || i > this.cache.last) this.cache = await this.run(at, i);
      const { first, last, data } = this.cache;
      const from = pos - this.uoff[first];
      const part = data.subarray(from, Math.min(this.uoff[last] + this.ulen[last], uoff + len) - this.uoff[first]);
      // Within what is inflated (a header) its own memory; across runs one copy.
      if (!out && part.length === len) return part;
      out ??= Buffer.allocUnsafe(len);
      part.copy(out, pos - uoff);
      pos += part.length;
    }
    return out ?? Buffer.alloc(0);
  }

  /** Lets go of what readAt inflated last (up to RUN_BYTES): the open is done with it. */
  forget(): void {
    this.cache = null;
  }

  /**
   * Block i inflated, with the small blocks after it whose stored bytes fit in one read window:
   * those by one gunzip of their members together (zlib reads a gzip file of several members,
   * checking each one's CRC and length). Inflating blocks one by one builds a zlib stream for
   * each, 12 us and its garbage: 2.5 s of opening a bundle of 200,000 one-line members.
   */
  private async run(at: ReadAhead, i: number): Promise<Run> {
    const last = this.runEnd(i, RUN_BYTES);
    const alone = async (): Promise<Run> => ({ first: i, last: i, data: await this.inflate(i, await at(this.coff[i], this.clen[i])) });
    if (last === i) return alone();
    const data = this.gunzipRun(i, last, await at(this.coff[i], this.coff[last] + this.clen[last] - this.coff[i]));
    return data ? { first: i, last, data } : alone();
  }

  /** The last block of a run from block i: the small blocks after it, stored within one read window and together at most `bytes`. */
  private runEnd(i: number, bytes: number): number {
    let last = i;
    let ulen = this.ulen[i];
    const smallBlock = (k: number): boolean => this.ulen[k] <= SMALL_BLOCK;
    if (smallBlock(i) && i > this.alone) {
      while (last + 1 < this.ulen.length && smallBlock(last + 1) && this.coff[last + 1] + this.clen[last + 1] - this.coff[i] <= READ_WINDOW && ulen + this.ulen[last + 1] <= bytes) {
        last++;
        ulen += this.ulen[last];
      }
    }
    return last;
  }

  /**
   * Blocks i..last inflated together from their stored bytes `comp`, or null when any of them is
   * wrong: perhaps a block of a file's text the caller does not need (that file says so when it
   * is read). Blocks up to `last` are then inflated one by one, each when it is needed, as
   * without runs: block i first, which names it if it is the one. (A run from each next block
   * would inflate the same blocks again and again up to the bad one.)
   */
  private gunzipRun(i: number, last: number, comp: Buffer): Buffer | null {
    const ulen = this.uoff[last] + this.ulen[last] - this.uoff[i];
    let data: Buffer | null = null;
    // Each member's own length (its last 4 bytes) must be the index's, as inflate checks for one block.
    let lengthsAgree = comp.length === this.coff[last] + this.clen[last] - this.coff[i];
    for (let k = i; lengthsAgree && k <= last; k++) lengthsAgree = comp.readUInt32LE(this.coff[k] + this.clen[k] - 4 - this.coff[i]) === this.ulen[k];
    if (lengthsAgree) {
      try {
        data = zlib.gunzipSync(comp, { chunkSize: chunkFor(ulen) });
      } catch {
        data = null;
      }
    }
    if (data?.length === ulen) return data;
    // Never lower: runs of two nodes' members interleave.
    this.alone = Math.max(this.alone, last);
    return null;
  }

  /**
   * The run holding block i for inHand reads. Reading on from a run before (a node's files in the
   * order they were written, as a bundle of many small members is read; a run for each node read
   * at the same time), it is i and the small blocks after it, read and inflated together;
   * otherwise block i alone. Per member, an open, a read, a close and a zlib stream took 2.5 s
   * and 1.5 s of reading 200,000 one-line members.
   */
  private nearRun(i: number): Run {
    const k = this.near.findIndex((r) => i >= r.first && i <= r.last);
    if (k >= 0) return this.near[k];
    const onward = this.near.findIndex((r) => i === r.last + 1);
    const last = onward >= 0 ? this.runEnd(i, NEAR_BYTES) : i;
    const fd = openSync(this.file, 'r');
    let run: Run;
    try {
      const stored = (from: number, to: number): Buffer => {
        const comp = Buffer.allocUnsafe(this.coff[to] + this.clen[to] - this.coff[from]);
        return comp.subarray(0, readSync(fd, comp, 0, comp.length, this.coff[from]));
      };
      const data = last > i ? this.gunzipRun(i, last, stored(i, last)) : null;
      run = data ? { first: i, last, data } : { first: i, last: i, data: this.inflateHere(i, stored(i, i)) };
    } finally {
      closeSync(fd);
    }
    // The run it follows on from is done with; else the oldest goes when there are NEAR_RUNS.
    if (onward >= 0) this.near.splice(onward, 1);
    else if (this.near.length >= NEAR_RUNS) this.near.shift();
    this.near.push(run);
    return run;
  }

  /** True when the blocks holding [start, start+len) are few enough to read in this thread. */
  private small(start: number, len: number): boolean {
    if (len === 0) return true;
    const first = this.find(start);
    const last = this.find(start + len - 1);
    return this.uoff[last] + this.ulen[last] - this.uoff[first] <= SMALL_BLOCK;
  }

  /**
   * True for an entry within one block of at most SMALL_BLOCK bytes (smsdiag's writer starts a
   * block at each entry: every small entry it writes). Over several blocks, one of them damaged,
   * a stream still gives the text before the damage.
   */
  fitsInHand(start: number, len: number): boolean {
    const i = this.find(start);
    return len > 0 && i === this.find(start + len - 1) && this.ulen[i] <= SMALL_BLOCK;
  }

  /** [start, start+len) of an entry that fitsInHand, read at once. */
  inHand(start: number, len: number): Buffer {
    const run = this.nearRun(this.find(start));
    const from = start - this.uoff[run.first];
    // A buffer of its own (the run stays for the next member): a reader may move it to a worker thread.
    const own = Buffer.allocUnsafeSlow(len);
    if (run.data.copy(own, 0, from, from + len) !== len) throw corrupt(this.file, `an entry at byte ${start} of the tar data runs past its block`);
    return own;
  }

  /**
   * A stream of [start, start+len). An entry of at most SMALL_BLOCK bytes of blocks is read and
   * inflated in this thread when first asked for; a larger one a few blocks ahead, on libuv's pool.
   */
  open(start: number, len: number): Readable {
    const parts = this.small(start, len) ? this.here(start, len) : this.ahead(this.find(start), this.find(start + len - 1), start, len);
    return Readable.from(parts, { objectMode: false, highWaterMark: BLOCK_SIZE });
  }

  /**
   * [start, start+len), read and inflated block by block in this thread (the file opened at the
   * first block, closed after the last or when the caller returns early). For small entries: an
   * open, a read and a close on libuv's pool for each one-line member of a 200,000-member bundle
   * took 150 us and, waiting, kept each member's stream objects alive long enough to reach the old
   * generation (3.1 s and 100 MB of garbage, against 0.8 s and none for the same bytes from
   * memory). For the manifest: a block at a time, not all of its 60 MB at once.
   */
  *here(start: number, len: number): Generator<Buffer> {
    if (len === 0) return;
    if (start + len > this.total) throw corrupt(this.file, `the tar data ends at byte ${this.total}, inside an entry`);
    const fd = openSync(this.file, 'r');
    try {
      const first = this.find(start);
      let skip = start - this.uoff[first];
      let left = len;
      for (let i = first; left > 0; i++) {
        const comp = Buffer.allocUnsafe(this.clen[i]);
        const got = readSync(fd, comp, 0, comp.length, this.coff[i]);
        const data = this.inflateHere(i, comp.subarray(0, got));
        const part = data.subarray(skip, Math.min(data.length, skip + left));
        skip = 0;
        left -= part.length;
        yield part;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The blocks of a larger entry, read and inflated up to three ahead of the one yielded. */
  private async *ahead(first: number, last: number, start: number, len: number): AsyncGenerator<Buffer> {
    const fh = await fs.open(this.file, 'r');
    const ahead: Array<Promise<Buffer>> = [];
    try {
      let next = first;
      let skip = start - this.uoff[first];
      let left = len;
      while (left > 0) {
        while (ahead.length < 3 && next <= last) {
          const k = next++;
          const p = this.stored(fh, k).then((comp) => this.inflate(k, comp));
          p.catch(() => undefined);
          ahead.push(p);
        }
        const data = await ahead.shift()!;
        const part = data.subarray(skip, Math.min(data.length, skip + left));
        skip = 0;
        left -= part.length;
        yield part;
      }
    } finally {
      await Promise.allSettled(ahead);
      await fh.close();
    }
  }
}

async function walkIndexed(file: string, at: ReadAhead, bf: BlockFile): Promise<{ top: string; files: EntryTable }> {
  const files = new EntryTable();
  const rules = new EntryRules(file, files);
  let pos = 0;
  let paxName: string | null = null;
  let paxSize: number | null = null;
  let longName: string | null = null;
  for (;;) {
    if (pos + 512 > bf.total) throw corrupt(file, 'the tar data ends without its end-of-archive blocks');
    const block = await bf.readAt(at, pos, 512);
    let h;
    try {
      h = decodeHeader(block);
    } catch (err) {
      throw corrupt(file, `tar header at byte ${pos}: ${errMsg(err)}`);
    }
    if (!h) break;
    const dataOffset = pos + 512;
    const padded = Math.ceil(h.size / 512) * 512;
    pos = dataOffset + padded;
    if (h.typeflag === 'x' || h.typeflag === 'g' || h.typeflag === 'L' || h.typeflag === 'K') {
      if (h.size > 4 * 1024 * 1024) throw corrupt(file, `extended header of ${h.size} bytes`);
      const body = await bf.readAt(at, dataOffset, h.size);
      if (h.typeflag === 'x') {
        const pax = decodePax(body);
        if (pax.path !== undefined) paxName = pax.path;
        if (pax.size !== undefined) paxSize = Number(pax.size);
      } else if (h.typeflag === 'L') {
        longName = body.toString('utf8').replace(/\0+$/, '');
      }
      continue;
    }
    const name = paxName ?? longName ?? h.name;
    const size = paxSize ?? h.size;
    paxName = paxSize = longName = null;
    if (size !== h.size) {
      pos = dataOffset + Math.ceil(size / 512) * 512;
    }
    const entry = safeEntry(file, name, h.typeflag, size, new Date(h.mtime * 1000));
    const rel = rules.accept(entry);
    if (entry.type === 'file') files.add(rel, entry.size, h.mtime * 1000, dataOffset);
  }
  if (rules.top === null) throw new BundleError(`${file} holds no files; it is not an smsdiag bundle`);
  return { top: rules.top, files };
}

async function openIndexed(file: string, at: ReadAhead, bf: BlockFile): Promise<BundleReader> {
  const { top, files } = await walkIndexed(file, at, bf);
  bf.forget();
  const m = files.located(MANIFEST_PATH);
  if (!m) throw new BundleError(`${file} is not an smsdiag bundle: it has no ${top}/${MANIFEST_PATH}`);
  if (m.size > MAX_MANIFEST) throw corrupt(file, `${MANIFEST_PATH} is ${m.size} bytes`);
  const { manifest, mismatches } = readListing(bf.here(m.dataOffset, m.size), `${file}: ${MANIFEST_PATH}`, files);
  const get = (p: string): { size: number; dataOffset: number } => {
    const e = files.located(p);
    if (!e) throw new BundleError(`${file} has no entry ${top}/${p}`);
    return e;
  };
  return {
    file,
    top,
    manifest,
    mismatches,
    entries: files,
    indexed: true,
    place: (p) => get(p).dataOffset,
    reading: bf,
    open: (p) => {
      const { dataOffset, size } = get(p);
      return bf.open(dataOffset, size);
    },
    read: async (p, limit = MAX_MANIFEST) => {
      const e = get(p);
      if (e.size > limit) throw new BundleError(`${file}: ${p} is ${e.size} bytes, more than the ${limit} this reads into memory`);
      return collect(bf.open(e.dataOffset, e.size));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Bundles without block index: one scan to list entries (keeping small ones), re-scan per open.

async function openSequential(file: string): Promise<BundleReader> {
  const entries = new EntryTable();
  const small = new Map<string, Buffer>();
  let smallTotal = 0;
  let top = '';
  let manifestBytes: Buffer | null = null;
  for await (const s of scanArchive(file)) {
    top = s.entry.name.split('/')[0];
    if (s.entry.type !== 'file') continue;
    entries.add(s.rel, s.entry.size, s.entry.mtime.getTime());
    const keep = s.rel === MANIFEST_PATH ? s.entry.size <= MAX_MANIFEST : s.entry.size <= SMALL_ENTRY && smallTotal + s.entry.size <= SMALL_TOTAL;
    if (keep) {
      const buf = await collect(s.body);
      if (s.rel === MANIFEST_PATH) manifestBytes = buf;
      else {
        small.set(s.rel, buf);
        smallTotal += buf.length;
      }
    }
  }
  if (!manifestBytes) throw new BundleError(`${file} is not an smsdiag bundle: it has no ${top}/${MANIFEST_PATH}`);
  const { manifest, mismatches } = readListing([manifestBytes], `${file}: ${MANIFEST_PATH}`, entries);
  const check = (p: string): BundleFileEntry => {
    const e = entries.get(p);
    if (!e) throw new BundleError(`${file} has no entry ${top}/${p}`);
    return e;
  };
  const open = (p: string): Readable => {
    check(p);
    const held = small.get(p);
    // A copy: a reader may take over the buffers it is given (they move to a worker thread).
    if (held) return Readable.from([Buffer.from(held)], { objectMode: false });
    return Readable.from(
      (async function* () {
        for await (const s of scanArchive(file)) {
          if (s.rel === p && s.entry.type === 'file') {
            yield* s.body;
            return;
          }
        }
      })(),
      { objectMode: false },
    );
  };
  return {
    file,
    top,
    manifest,
    mismatches,
    entries,
    indexed: false,
    // The place is the entry's number in the table, which this reading keeps (it re-reads by name).
    place: (p) => {
      check(p);
      return entries.numberOf(p)!;
    },
    reading: {
      open: (n) => open(entries.pathOf(n)),
      fitsInHand: (n) => small.has(entries.pathOf(n)),
      inHand: (n) => Buffer.from(small.get(entries.pathOf(n))!),
    },
    open,
    read: async (p, limit = MAX_MANIFEST) => {
      const e = check(p);
      if (e.size > limit) throw new BundleError(`${file}: ${p} is ${e.size} bytes, more than the ${limit} this reads into memory`);
      return collect(open(p));
    },
  };
}

async function collect(src: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(parts);
}

/** Open a bundle in place: list its entries, read and check its manifest. */
export async function openBundle(file: string): Promise<BundleReader> {
  let fh: FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BundleError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : errMsg(err)}`);
  }
  try {
    const st = await fh.stat();
    const at = readAhead(fh);
    const bf = await BlockFile.load(file, at, st.size);
    if (bf) return await openIndexed(file, at, bf);
  } finally {
    await fh.close();
  }
  return openSequential(file);
}

/** True when `file` is a gzip file with a tar archive inside (what a bundle is). */
export async function isTarGz(file: string): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch {
    return false;
  }
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await fh.read(magic, 0, 2, 0);
    if (bytesRead < 2 || magic[0] !== 0x1f || magic[1] !== 0x8b) return false;
  } finally {
    await fh.close();
  }
  // Inflate just enough for the first tar header and check its magic and checksum.
  const gunzip = zlib.createGunzip();
  const src = createReadStream(file, { start: 0, end: 256 * 1024 - 1 });
  const head: Buffer[] = [];
  let got = 0;
  try {
    for await (const c of src.pipe(gunzip) as AsyncIterable<Buffer>) {
      head.push(c);
      got += c.length;
      if (got >= 512) break;
    }
  } catch {
    // A damaged or short stream still counts when the first header came through.
  } finally {
    src.destroy();
    gunzip.destroy();
  }
  if (got < 512) return false;
  const block = Buffer.concat(head).subarray(0, 512);
  try {
    const h = decodeHeader(block);
    return h !== null && block.toString('latin1', 257, 262) === 'ustar';
  } catch {
    return false;
  }
}
