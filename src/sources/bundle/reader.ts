import { createReadStream, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { BLOCK_SIZE, decodeMemberHeader, MEMBER_HEADER_SIZE } from './block-gzip';
import { BundleError } from '../../errors';
import { MANIFEST_PATH, type Manifest, parseManifest } from './manifest';
import { decodeHeader, decodePax, EntryRules, safeEntry, type TarEntry } from './tar-entry';

/** A regular file in a bundle. */
export interface BundleFileEntry {
  /** Relative to the bundle's top directory, e.g. nodes/primary/logs/ha.log.2.gz. */
  path: string;
  size: number;
  mtime: Date;
}

export interface BundleReader {
  /** The .tar.gz on disk. */
  readonly file: string;
  /** The top directory inside the archive (the bundle's name). */
  readonly top: string;
  readonly manifest: Manifest;
  /** Regular files by relative path, in archive order. */
  readonly entries: ReadonlyMap<string, BundleFileEntry>;
  /**
   * True when the archive carries smsdiag's block index: any entry is then read by inflating
   * only its own blocks. Otherwise (a bundle re-packed by other tools) open() re-reads the
   * archive from the start up to the entry.
   */
  readonly indexed: boolean;
  /** The stored bytes of one entry. */
  open(path: string): Readable;
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

// ---------------------------------------------------------------------------------------------
// Block-indexed reading (bundles written by smsdiag).

/** Bytes [off, off + len) of a file; fewer only where the file ends. */
type ReadAhead = (off: number, len: number) => Promise<Buffer>;

/**
 * A file read through a window of READ_WINDOW bytes. Indexing a bundle goes through its block
 * headers, then the blocks holding tar headers, in order: a read for each made listing 200,000
 * one-line members take 30 s. For the indexing only: the window is let go of with the function.
 */
function readAhead(fh: FileHandle): ReadAhead {
  let start = 0;
  let bytes = Buffer.alloc(0);
  return async (off, len) => {
    if (off < start || off + len > start + bytes.length) {
      // A block of incompressible bytes is a little longer stored than READ_WINDOW.
      const want = Math.max(READ_WINDOW, len);
      const buf = Buffer.allocUnsafe(want);
      bytes = buf.subarray(0, (await fh.read(buf, 0, want, off)).bytesRead);
      start = off;
    }
    return bytes.subarray(off - start, off - start + len);
  };
}

interface Block {
  coff: number;
  clen: number;
  uoff: number;
  ulen: number;
}

class BlockFile {
  private cache: { i: number; data: Buffer } | null = null;

  constructor(
    readonly file: string,
    readonly blocks: Block[],
    readonly total: number,
  ) {}

  /** The block index from member headers, or null when the file is not block-gzip. */
  static async load(file: string, at: ReadAhead, fileSize: number): Promise<BlockFile | null> {
    const blocks: Block[] = [];
    let coff = 0;
    let uoff = 0;
    while (coff < fileSize) {
      const m = decodeMemberHeader(await at(coff, MEMBER_HEADER_SIZE));
      if (!m) {
        if (coff === 0) return null;
        throw corrupt(file, `no gzip block at byte ${coff}`);
      }
      if (coff + m.clen > fileSize) throw corrupt(file, `the last gzip block ends ${coff + m.clen - fileSize} bytes after the end of the file`);
      blocks.push({ coff, clen: m.clen, uoff, ulen: m.ulen });
      coff += m.clen;
      uoff += m.ulen;
    }
    return new BlockFile(file, blocks, uoff);
  }

  find(uoff: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid].uoff <= uoff) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Block i's compressed bytes, read on their own (a stream reads a few blocks ahead in parallel). */
  private async stored(fh: FileHandle, i: number): Promise<Buffer> {
    const b = this.blocks[i];
    const comp = Buffer.allocUnsafe(b.clen);
    const { bytesRead } = await fh.read(comp, 0, b.clen, b.coff);
    return comp.subarray(0, bytesRead);
  }

  /**
   * Block i's bytes from its compressed bytes `comp`, checked against its length and CRC. A small
   * block is inflated in this thread: handing it to libuv's pool cost 60 us against 4 us here.
   */
  async inflate(i: number, comp: Buffer): Promise<Buffer> {
    const b = this.blocks[i];
    if (comp.length !== b.clen) throw corrupt(this.file, `gzip block at byte ${b.coff} is cut short`);
    let data: Buffer;
    try {
      const deflated = comp.subarray(MEMBER_HEADER_SIZE, b.clen - 8);
      data = b.ulen <= SMALL_BLOCK ? zlib.inflateRawSync(deflated) : await inflateRaw(deflated);
    } catch (err) {
      throw corrupt(this.file, `gzip block at byte ${b.coff}: ${errMsg(err)}`);
    }
    if (data.length !== b.ulen || (zlib.crc32(data) >>> 0) !== comp.readUInt32LE(b.clen - 8) || comp.readUInt32LE(b.clen - 4) !== b.ulen) {
      throw corrupt(this.file, `gzip block at byte ${b.coff} fails its CRC check`);
    }
    return data;
  }

  /** `len` uncompressed bytes from `uoff` (headers, small entries, the manifest), in one buffer. */
  async readAt(at: ReadAhead, uoff: number, len: number): Promise<Buffer> {
    if (uoff + len > this.total) throw corrupt(this.file, `the tar data ends at byte ${this.total}, inside an entry`);
    let i = this.find(uoff);
    let out: Buffer | null = null;
    let pos = uoff;
    while (pos < uoff + len) {
      const b = this.blocks[i];
      let data: Buffer;
      if (this.cache?.i === i) data = this.cache.data;
      else {
        data = await this.inflate(i, await at(b.coff, b.clen));
        this.cache = { i, data };
      }
      const part = data.subarray(pos - b.uoff, Math.min(b.ulen, pos - b.uoff + (uoff + len - pos)));
      // Within one block (a header) the block's own memory; across blocks one copy, not a list
      // of blocks and then their concatenation (a 60 MB manifest took 120 MB that way).
      if (!out && part.length === len) return part;
      out ??= Buffer.allocUnsafe(len);
      part.copy(out, pos - uoff);
      pos += part.length;
      i++;
    }
    return out ?? Buffer.alloc(0);
  }

  /** A stream of [start, start+len), inflating blocks one or two ahead. */
  stream(start: number, len: number): Readable {
    const self = this;
    return Readable.from(
      (async function* () {
        if (len === 0) return;
        const fh = await fs.open(self.file, 'r');
        const ahead: Array<Promise<Buffer>> = [];
        try {
          let i = self.find(start);
          let next = i;
          let skip = start - self.blocks[i].uoff;
          let left = len;
          const last = self.find(start + len - 1);
          while (left > 0) {
            while (ahead.length < 3 && next <= last) {
              const k = next++;
              const p = self.stored(fh, k).then((comp) => self.inflate(k, comp));
              p.catch(() => undefined);
              ahead.push(p);
            }
            const data = await ahead.shift()!;
            const part = data.subarray(skip, Math.min(data.length, skip + left));
            skip = 0;
            left -= part.length;
            i++;
            yield part;
          }
        } finally {
          await Promise.allSettled(ahead);
          await fh.close();
        }
      })(),
      { objectMode: false, highWaterMark: BLOCK_SIZE },
    );
  }
}

interface IndexedEntry extends BundleFileEntry {
  dataOffset: number;
}

async function walkIndexed(file: string, at: ReadAhead, bf: BlockFile): Promise<{ top: string; files: Map<string, IndexedEntry> }> {
  const rules = new EntryRules(file);
  const files = new Map<string, IndexedEntry>();
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
    if (entry.type === 'file') files.set(rel, { path: rel, size: entry.size, mtime: entry.mtime, dataOffset });
  }
  if (rules.top === null) throw new BundleError(`${file} holds no files; it is not an smsdiag bundle`);
  return { top: rules.top, files };
}

async function openIndexed(file: string, at: ReadAhead, bf: BlockFile): Promise<BundleReader> {
  const { top, files } = await walkIndexed(file, at, bf);
  const m = files.get(MANIFEST_PATH);
  if (!m) throw new BundleError(`${file} is not an smsdiag bundle: it has no ${top}/${MANIFEST_PATH}`);
  if (m.size > MAX_MANIFEST) throw corrupt(file, `${MANIFEST_PATH} is ${m.size} bytes`);
  // Decoded, then parsed: nothing holds the bytes while the text is parsed.
  const manifest = parseManifest((await bf.readAt(at, m.dataOffset, m.size)).toString('utf8'), `${file}: ${MANIFEST_PATH}`);
  sharePaths(manifest, files);
  const get = (p: string): IndexedEntry => {
    const e = files.get(p);
    if (!e) throw new BundleError(`${file} has no entry ${top}/${p}`);
    return e;
  };
  return {
    file,
    top,
    manifest,
    entries: files,
    indexed: true,
    open: (p) => {
      const e = get(p);
      return bf.stream(e.dataOffset, e.size);
    },
    read: async (p, limit = MAX_MANIFEST) => {
      const e = get(p);
      if (e.size > limit) throw new BundleError(`${file}: ${p} is ${e.size} bytes, more than the ${limit} this reads into memory`);
      return collect(bf.stream(e.dataOffset, e.size));
    },
  };
}

/**
 * The manifest's file paths made the very strings the entries are keyed by: a bundle of 200,000
 * members otherwise holds each path twice (11 MB).
 */
function sharePaths(manifest: Manifest, entries: ReadonlyMap<string, BundleFileEntry>): void {
  for (const n of manifest.nodes) {
    for (const f of n.files) {
      const e = entries.get(f.path);
      if (e) f.path = e.path;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bundles without block index: one scan to list entries (keeping small ones), re-scan per open.

async function openSequential(file: string): Promise<BundleReader> {
  const entries = new Map<string, BundleFileEntry>();
  const small = new Map<string, Buffer>();
  let smallTotal = 0;
  let top = '';
  let manifestBytes: Buffer | null = null;
  for await (const s of scanArchive(file)) {
    top = s.entry.name.split('/')[0];
    if (s.entry.type !== 'file') continue;
    entries.set(s.rel, { path: s.rel, size: s.entry.size, mtime: s.entry.mtime });
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
  const manifest = parseManifest(manifestBytes, `${file}: ${MANIFEST_PATH}`);
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
    entries,
    indexed: false,
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
