import { createHash } from 'node:crypto';
import { createReadStream, constants as fsc, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { BlockGzipSink } from '../sources/bundle/block-gzip';
import { DESCRIPTION_PATH, descriptionText, listedEntries, MANIFEST_PATH, type Manifest, unsafeRelativePath, validateManifest } from '../sources/bundle/manifest';
import { redactBytes, type Redactor } from './redact';
import { UsageError } from '../errors';

export interface BundleWriterOptions {
  /** Directory the bundle is written to (must exist). */
  outDir: string;
  /** Bundle name without extension, e.g. smsdiag-sms-a-20171012T134501Z; also the archive's top directory. */
  name: string;
  /** When given, every entry's text, its path and the manifest's strings are redacted before hashing. */
  redactor?: Redactor;
  /**
   * Take `<name>-2`, `-3`… when the name is taken, by a bundle or one being written (collect:
   * two collections started in the same second), rather than refuse it.
   */
  unique?: boolean;
}

export interface BundleEntry {
  /** Relative to the bundle's top directory, e.g. nodes/primary/logs/ha.log.2.gz. */
  path: string;
  /** Bytes to store: a longer stream is cut here (a growing file is copied to its size at open). */
  size: number;
  mtime: Date;
  body: Readable | Buffer;
  /** Where the bytes came from (path on the node), for error messages. */
  source?: string;
  /** Already redacted (the collection redacts logs before it analyses them): stored as given. */
  redacted?: true;
}

export interface StoredEntry {
  /** sha256 of the bytes as stored in the bundle. */
  sha256: string;
  /** Size as stored (differs from the entry's size only when redacted). */
  size: number;
  /** Path as stored, relative to the top directory (differs from the entry's only when redacted). */
  path: string;
}

export interface FinishedBundle {
  /** The bundle, `<outDir>/<name>.tar.gz`. */
  path: string;
  /** `<outDir>/<name>.tar.gz.sha256`, in `sha256sum -c` format. */
  sha256File: string;
  /** `<outDir>/<name>.map.json` when redacting (mode 0600, never inside the bundle). */
  mapFile?: string;
  /** sha256 of the .tar.gz. */
  sha256: string;
}

export interface BundleWriter {
  addFile(entry: BundleEntry): Promise<StoredEntry>;
  finish(manifest: Manifest): Promise<FinishedBundle>;
  abort(): Promise<void>;
  /** The bundle file itself failed (not one entry): nothing more can be added. */
  broken(): boolean;
}

/**
 * One entry could not be stored (its source failed or shrank while read). The bundle is
 * unharmed and stays usable: record the error in the manifest and go on.
 */
export class BundleEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleEntryError';
  }
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const END_OF_TAR = 1024;
/** Redacted entries are spooled (their size is only known afterwards): in memory up to this, then a temp file. */
const SPOOL_MEMORY = 8 * 1024 * 1024;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Keys of the manifest whose string values are never redacted (structure, hashes, times). */
const MANIFEST_PLAIN_KEYS = new Set(['format', 'kind', 'sha256', 'mtime', 'createdAt', 'role', 'version', 'incident']);

function fmtErr(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message ?? String(err);
}

/** Yield exactly `size` bytes of `body` (stopping there), or fail if it ends early. */
async function* capped(body: Readable | Buffer, size: number, label: string): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(body)) {
    if (body.length < size) throw new BundleEntryError(`${label}: ${body.length} bytes given but ${size} declared`);
    if (size) yield body.subarray(0, size);
    return;
  }
  let got = 0;
  try {
    for await (const c of body) {
      const chunk: Buffer = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
      const take = Math.min(chunk.length, size - got);
      if (take > 0) {
        got += take;
        yield take === chunk.length ? chunk : chunk.subarray(0, take);
      }
      if (got >= size) break;
    }
  } catch (err) {
    if (err instanceof BundleEntryError) throw err;
    throw new BundleEntryError(`${label}: reading failed after ${got} of ${size} bytes: ${fmtErr(err)}`);
  } finally {
    if (!body.destroyed) body.destroy();
  }
  if (got < size) {
    throw new BundleEntryError(`${label}: only ${got} of ${size} bytes could be read (the file shrank or was truncated while being copied)`);
  }
}

/** Holds a redacted entry until its size is known. */
class Spool {
  private chunks: Buffer[] = [];
  size = 0;
  private fh: FileHandle | null = null;

  constructor(private readonly file: string) {}

  async write(c: Buffer): Promise<void> {
    if (!this.fh && this.size + c.length > SPOOL_MEMORY) {
      this.fh = await fs.open(this.file, fsc.O_CREAT | fsc.O_EXCL | fsc.O_RDWR, FILE_MODE);
      for (const b of this.chunks) await this.fh.write(b);
      this.chunks = [];
    }
    if (this.fh) await this.fh.write(c);
    else this.chunks.push(Buffer.from(c));
    this.size += c.length;
  }

  async done(): Promise<Readable | Buffer> {
    if (!this.fh) return Buffer.concat(this.chunks, this.size);
    await this.fh.close();
    this.fh = null;
    return createReadStream(this.file, { highWaterMark: 1024 * 1024 });
  }

  async dispose(): Promise<void> {
    this.chunks = [];
    if (this.fh) await this.fh.close().catch(() => undefined);
    this.fh = null;
    await fs.rm(this.file, { force: true });
  }
}

function waitDrain(w: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      w.off('drain', onDrain);
      w.off('error', onError);
      w.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (e: Error): void => done(e);
    const onClose = (): void => done(new Error('tar entry closed before it was complete'));
    w.on('drain', onDrain);
    w.on('error', onError);
    w.on('close', onClose);
  });
}

class TarGzBundleWriter implements BundleWriter {
  private state: 'open' | 'finishing' | 'done' | 'aborted' | 'broken' = 'open';
  private brokenBy: Error | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly dirs = new Set<string>();
  private readonly added = new Map<string, { sha256: string; size: number }>();
  private readonly finalPath: string;
  private readonly shaPath: string;
  private readonly mapPath: string;
  private readonly tempPath: string;
  private current: Readable | null = null;
  private spoolSeq = 0;

  constructor(
    private readonly opts: BundleWriterOptions,
    private readonly fh: FileHandle,
    private readonly sink: BlockGzipSink,
    paths: { finalPath: string; shaPath: string; mapPath: string; tempPath: string },
  ) {
    this.finalPath = paths.finalPath;
    this.shaPath = paths.shaPath;
    this.mapPath = paths.mapPath;
    this.tempPath = paths.tempPath;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  broken(): boolean {
    return this.state === 'broken';
  }

  private usable(what: string): void {
    if (this.state === 'broken') throw new Error(`cannot ${what}: writing ${this.tempPath} failed earlier (${this.brokenBy?.message})`);
    if (this.state !== 'open') throw new Error(`cannot ${what}: the bundle writer is already ${this.state === 'aborted' ? 'aborted' : 'finished'}`);
  }

  addFile(entry: BundleEntry): Promise<StoredEntry> {
    return this.serial(async () => {
      try {
        return await this.add(entry);
      } finally {
        // The writer owns the body: never leave a source (file, SSH channel) open behind a refusal.
        if (!Buffer.isBuffer(entry.body) && !entry.body.destroyed) entry.body.destroy();
      }
    });
  }

  private storedPath(p: string): string {
    return this.opts.redactor ? this.opts.redactor.redactText(p) : p;
  }

  private async add(entry: BundleEntry): Promise<StoredEntry> {
    this.usable(`add ${entry.path}`);
    const why = unsafeRelativePath(entry.path);
    if (why) throw new Error(`bundle entry path "${entry.path}" ${why}; give a path relative to the bundle's top directory`);
    if (entry.path === MANIFEST_PATH || entry.path === DESCRIPTION_PATH) {
      throw new Error(`bundle entry "${entry.path}" is written by finish() from the manifest; do not add it`);
    }
    if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw new Error(`bundle entry ${entry.path}: size ${entry.size} is not a byte count`);
    if (!(entry.mtime instanceof Date) || Number.isNaN(entry.mtime.getTime())) throw new Error(`bundle entry ${entry.path}: mtime is not a valid date`);
    const stored = this.storedPath(entry.path);
    if (this.added.has(stored) || this.dirs.has(stored)) throw new Error(`bundle entry ${stored} was already added`);
    // The entry's ancestors, not every entry so far: a bundle of 200,000 members took 15 minutes.
    for (let cut = stored.indexOf('/'); cut > 0; cut = stored.indexOf('/', cut + 1)) {
      const p = stored.slice(0, cut);
      if (this.added.has(p)) throw new Error(`bundle entry ${stored} would sit inside the file ${p}`);
    }
    const label = entry.source ?? entry.path;
    const redactor = this.opts.redactor;
    let body: Readable | Buffer = entry.body;
    let size = entry.size;
    let spool: Spool | null = null;
    if (!Buffer.isBuffer(body)) this.current = body;
    try {
      if (redactor && !entry.redacted) {
        spool = new Spool(path.join(this.opts.outDir, `.${this.opts.name}.spool-${process.pid}-${this.spoolSeq++}`));
        await redactInto(capped(entry.body, entry.size, label), redactor, spool, label);
        size = spool.size;
        body = await spool.done();
      }
      const r = await this.writeEntry(stored, size, entry.mtime, capped(body, size, label));
      this.added.set(stored, r);
      return { ...r, path: stored };
    } finally {
      this.current = null;
      if (spool) await spool.dispose();
    }
  }

  /** Write directory entries (as needed) and one file entry, starting a new gzip member; undo on failure. */
  private async writeEntry(rel: string, size: number, mtime: Date, data: AsyncGenerator<Buffer>): Promise<{ sha256: string; size: number }> {
    await this.guard(() => this.sink.mark());
    const newDirs: string[] = [];
    const pack = tar.pack();
    pack.on('error', () => undefined);
    const consumer = this.consume(pack);
    consumer.catch(() => undefined);
    const hash = createHash('sha256');
    try {
      const segs = rel.split('/');
      for (let i = 0; i < segs.length; i++) {
        const dir = segs.slice(0, i).join('/');
        if (this.dirs.has(dir)) continue;
        this.dirs.add(dir);
        newDirs.push(dir);
        await this.packDir(pack, dir, mtime);
      }
      let written = 0;
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(this.header(rel, size, mtime, 'file'), (err) => (err ? reject(err) : resolve()));
        sink.on('error', () => undefined);
        (async () => {
          for await (const chunk of data) {
            hash.update(chunk);
            written += chunk.length;
            if (!sink.write(chunk)) await waitDrain(sink);
          }
          sink.end(undefined as never);
        })().catch((err) => {
          sink.destroy(err);
          reject(err);
        });
      });
      if (written !== size) throw new BundleEntryError(`${rel}: ${written} bytes stored but ${size} declared`);
      pack.finalize();
      await consumer;
      return { sha256: hash.digest('hex'), size };
    } catch (err) {
      pack.destroy(err as Error);
      await consumer.catch(() => undefined);
      for (const d of newDirs) this.dirs.delete(d);
      await this.guard(() => this.sink.rollback());
      if (err instanceof BundleEntryError) throw err;
      if (this.state === 'broken') throw this.brokenBy;
      throw new BundleEntryError(`${rel}: ${fmtErr(err)}`);
    }
  }

  /** An output failure (disk full, I/O error) breaks the writer for good. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.state = 'broken';
      this.brokenBy = new Error(`cannot write the bundle ${this.tempPath}: ${fmtErr(err)}`);
      throw this.brokenBy;
    }
  }

  private header(rel: string, size: number, mtime: Date, type: 'file' | 'directory'): Partial<tar.Header> & { name: string } {
    const top = this.opts.name;
    return {
      name: type === 'directory' ? (rel ? `${top}/${rel}/` : `${top}/`) : `${top}/${rel}`,
      type,
      mode: type === 'directory' ? DIR_MODE : FILE_MODE,
      size: type === 'directory' ? 0 : size,
      mtime: new Date(Math.floor(mtime.getTime() / 1000) * 1000),
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
    };
  }

  private packDir(pack: tar.Pack, dir: string, mtime: Date): Promise<void> {
    return new Promise((resolve, reject) => {
      pack.entry(this.header(dir, 0, mtime, 'directory'), (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Move a pack's bytes to the gzip sink, minus the end-of-archive blocks its finalize() adds. */
  private async consume(pack: tar.Pack): Promise<void> {
    const held: Buffer[] = [];
    let heldLen = 0;
    for await (const c of pack as AsyncIterable<Buffer>) {
      held.push(c);
      heldLen += c.length;
      while (held.length && heldLen - held[0].length >= END_OF_TAR) {
        const h = held.shift()!;
        heldLen -= h.length;
        await this.guard(() => this.sink.write(h));
      }
    }
    const rest = Buffer.concat(held, heldLen);
    if (rest.length < END_OF_TAR || rest.subarray(rest.length - END_OF_TAR).some((b) => b !== 0)) {
      throw new Error('internal: tar stream did not end with the end-of-archive blocks');
    }
    if (rest.length > END_OF_TAR) await this.guard(() => this.sink.write(rest.subarray(0, rest.length - END_OF_TAR)));
  }

  finish(manifest: Manifest): Promise<FinishedBundle> {
    return this.serial(() => this.doFinish(manifest));
  }

  private async doFinish(input: Manifest): Promise<FinishedBundle> {
    this.usable('finish the bundle');
    const redactor = this.opts.redactor;
    let manifest = JSON.parse(JSON.stringify(input)) as Manifest;
    manifest.redacted = redactor !== undefined;
    if (redactor) manifest = redactStrings(manifest, redactor, null) as Manifest;
    manifest = validateManifest(manifest, 'bundle writer: manifest');
    const listed = listedEntries(manifest);
    for (const [p, want] of listed) {
      const got = this.added.get(p);
      if (!got) throw new Error(`bundle writer: the manifest lists ${p}, which was never added to the bundle`);
      if (got.sha256 !== want.sha256 || got.size !== want.size) {
        throw new Error(`bundle writer: the manifest's size/sha256 for ${p} differ from what addFile stored (use the values addFile returned)`);
      }
    }
    for (const p of this.added.keys()) {
      if (!listed.has(p)) throw new Error(`bundle writer: ${p} was added but the manifest does not list it (under a node's files or analysis)`);
    }
    this.state = 'finishing';
    try {
      const created = new Date(manifest.createdAt);
      const desc = Buffer.from(descriptionText(manifest), 'utf8');
      const json = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
      await this.writeEntry(DESCRIPTION_PATH, desc.length, created, capped(desc, desc.length, DESCRIPTION_PATH));
      await this.writeEntry(MANIFEST_PATH, json.length, created, capped(json, json.length, MANIFEST_PATH));
      const sha256 = await this.guard(async () => {
        await this.sink.write(Buffer.alloc(END_OF_TAR));
        const digest = await this.sink.close();
        await this.fh.sync();
        await this.fh.close();
        return digest;
      });
      await publish(this.tempPath, this.finalPath);
      const base = path.basename(this.finalPath);
      await writeNew(this.shaPath, `${sha256}  ${base}\n`);
      let mapFile: string | undefined;
      if (redactor) {
        await writeNew(this.mapPath, `${JSON.stringify(redactor.mapping(), null, 2)}\n`);
        mapFile = this.mapPath;
      }
      this.state = 'done';
      return { path: this.finalPath, sha256File: this.shaPath, mapFile, sha256 };
    } catch (err) {
      if (this.state === 'finishing') this.state = 'broken';
      this.brokenBy ??= err as Error;
      throw err;
    }
  }

  abort(): Promise<void> {
    if (this.state === 'done' || this.state === 'aborted') return Promise.resolve();
    this.current?.destroy(new Error('bundle aborted'));
    const wasOpen = this.state;
    this.state = 'aborted';
    const run = this.chain.then(async () => {
      void wasOpen;
      await this.fh.close().catch(() => undefined);
      await fs.rm(this.tempPath, { force: true });
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** Redact an entry: gzip (by magic) is inflated, redacted line by line and deflated again. */
async function redactInto(data: AsyncGenerator<Buffer>, redactor: Redactor, spool: Spool, label: string): Promise<void> {
  try {
    await redactBytes(data, redactor, (c) => spool.write(c));
  } catch (err) {
    if (err instanceof BundleEntryError) throw err;
    throw new BundleEntryError(`${label}: could not be redacted: ${fmtErr(err)}`);
  }
}

/** Redact every string in a JSON value except structural keys. */
function redactStrings(v: unknown, r: Redactor, key: string | null): unknown {
  if (typeof v === 'string') return key !== null && MANIFEST_PLAIN_KEYS.has(key) ? v : r.redactText(v);
  if (Array.isArray(v)) return v.map((x) => redactStrings(x, r, key));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = redactStrings(x, r, k);
    return out;
  }
  return v;
}

/** Put the finished temp file in place without ever replacing an existing file. */
async function publish(temp: string, final: string): Promise<void> {
  try {
    await fs.link(temp, final);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new Error(`${final} already exists and is never overwritten; the new bundle was kept as ${temp}`);
    }
    // File systems without hard links: check, then rename (a small race, but no silent loss).
    if (await exists(final)) throw new Error(`${final} already exists and is never overwritten; the new bundle was kept as ${temp}`);
    await fs.rename(temp, final);
    return;
  }
  await fs.unlink(temp);
}

async function writeNew(file: string, text: string): Promise<void> {
  try {
    await fs.writeFile(file, text, { flag: 'wx', mode: FILE_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${file} already exists and is never overwritten`);
    throw new Error(`cannot write ${file}: ${fmtErr(err)}`);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** `<outDir>/<name>.tar.gz` and the files beside it. */
export function bundlePaths(outDir: string, name: string): { finalPath: string; shaPath: string; mapPath: string; tempPath: string } {
  return {
    finalPath: path.join(outDir, `${name}.tar.gz`),
    shaPath: path.join(outDir, `${name}.tar.gz.sha256`),
    mapPath: path.join(outDir, `${name}.map.json`),
    tempPath: path.join(outDir, `.${name}.tar.gz.partial`),
  };
}

/** The directory a bundle goes to must exist and take new files: checked before any work is done. */
export async function checkOutputDirectory(dir: string): Promise<void> {
  const st = await fs.stat(dir).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`--out ${dir}: ${err.code === 'ENOENT' ? 'no such directory; create it or give another' : `cannot use it (${fmtErr(err)})`}`);
  });
  if (!st.isDirectory()) throw new UsageError(`--out ${dir} is not a directory; give the directory the bundle should be written to`);
  await fs.access(dir, fsc.W_OK | fsc.X_OK).catch(() => {
    throw new UsageError(`--out ${dir}: no permission to write there; give a directory you may write to`);
  });
}

/**
 * Start a bundle: a temp file `.<name>.tar.gz.partial` (mode 0600) in outDir, renamed to
 * `<name>.tar.gz` by finish(). Fails at once, naming the file, if the bundle (or its .sha256 or
 * .map.json) already exists, unless `unique` has it take the next free name. The temp file is
 * created only if it is not there (O_EXCL), which makes it the name's reservation, and the bundle's
 * files are looked for once it is held: a writer that finishes puts its bundle in place before it
 * lets go of the temp file, so two writers started at once never end with the same name.
 */
export async function createBundleWriter(opts: BundleWriterOptions): Promise<BundleWriter> {
  if (!NAME_RE.test(opts.name)) throw new Error(`bundle name "${opts.name}" must be letters, digits, '.', '_' or '-' (and not start with one of the last three)`);
  await checkOutputDirectory(opts.outDir);
  for (let k = 1; ; k++) {
    const name = k === 1 ? opts.name : `${opts.name}-${k}`;
    const paths = bundlePaths(opts.outDir, name);
    let fh: FileHandle;
    try {
      fh = await fs.open(paths.tempPath, fsc.O_CREAT | fsc.O_EXCL | fsc.O_RDWR, FILE_MODE);
    } catch (err) {
      const taken = (err as NodeJS.ErrnoException).code === 'EEXIST';
      if (taken && opts.unique) continue;
      if (taken) throw new UsageError(`${paths.tempPath} exists: another smsdiag is writing this bundle, or one was stopped while it did (remove the file if none is running)`);
      throw new UsageError(`--out ${opts.outDir}: cannot create ${paths.tempPath} (${fmtErr(err)})`);
    }
    const beside = opts.unique || opts.redactor ? [paths.mapPath] : [];
    const there = (await Promise.all([paths.finalPath, paths.shaPath, ...beside].map(async (p) => ((await exists(p)) ? p : undefined)))).find((p) => p !== undefined);
    if (there === undefined) return new TarGzBundleWriter({ ...opts, name }, fh, new BlockGzipSink(fh), paths);
    await fh.close();
    await fs.rm(paths.tempPath, { force: true });
    if (!opts.unique) throw new UsageError(`${there} already exists and is never overwritten; choose another --out directory or remove it`);
  }
}
