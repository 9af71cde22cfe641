import { promises as fs } from 'node:fs';
import { MAX_LINE_BYTES } from '../text/lines';

/** A followed path as it stands now: absent, or its size, modification time and (locally) identity. */
export interface FollowStat {
  size: number;
  mtimeMs: number;
  /** Device and inode on this machine; SFTP has none, so the first bytes tell files apart there. */
  id?: string;
}

/** An open file: it stays readable when its name is renamed away or unlinked (rotation, gzip). */
export interface FollowHandle {
  read(pos: number, len: number): Promise<Buffer>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/** What following needs of a file system: this machine's, or a peer's over SFTP. */
export interface FollowFs {
  /** undefined when nothing is at the path (not yet created, rotated away). */
  stat(path: string): Promise<FollowStat | undefined>;
  open(path: string): Promise<FollowHandle>;
  /** Newlines in the first `bytes` bytes of the open file: the line number evidence is cited by. */
  countLines(path: string, handle: FollowHandle, bytes: number): Promise<number>;
}

/** Complete lines read from one generation of a followed path. */
export interface FollowChunk {
  /** 1 for the file found first, +1 at each rotation or truncation. */
  generation: number;
  /** Line number of the chunk's first line in that generation. */
  firstLine: number;
  /** Whole lines, each ending with a newline. */
  data: Buffer;
  /** Read to give the watch its context (lines written before it started), not new. */
  context: boolean;
}

export interface FollowResult {
  chunks: FollowChunk[];
  /** What happened to the path, in one sentence each (rotated, truncated, appeared, unreadable). */
  notes: string[];
}

/** Bytes compared to tell whether the path still names the file being read. */
const PREFIX_BYTES = 64;
/** Bytes read per poll and file at most: a writer faster than this is caught up over several polls. */
const READ_PER_POLL = 4 << 20;
const PIECE = 1 << 20;

export interface FollowOptions {
  /** Bytes of the existing file read as context when following starts at its end. */
  contextBytes: number;
}

/**
 * Follows one path like `tail -F`: reads what is appended; when the path is renamed away
 * (rotation, then perhaps gzip of the old name) the rest of the old file is read through its open
 * handle before the new one is taken from its start; a truncated file (copytruncate) is read again
 * from its start; a path that does not exist yet is waited for. Only whole lines come out; a line
 * longer than MAX_LINE_BYTES is cut and said.
 */
export function follower(path: string, opts: FollowOptions) {
  let handle: FollowHandle | undefined;
  let id: string | undefined;
  let pos = 0;
  let generation = 0;
  let nextLine = 1;
  let prefix: Buffer = Buffer.alloc(0);
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let cutting = false;
  let lastStat: FollowStat | undefined;
  let started = false;
  let waitingSaid = false;
  let failing: string | undefined;
  let reopening = false;

  const take = (buf: Buffer, out: FollowChunk[], notes: string[], context: boolean): void => {
    let end = buf.lastIndexOf(0x0a) + 1;
    if (end === 0) {
      hold(buf, notes);
      return;
    }
    const pieces: Buffer[] = [];
    if (partialBytes || cutting) {
      const nl = buf.indexOf(0x0a);
      hold(buf.subarray(0, nl), notes);
      pieces.push(...partial, Buffer.from('\n'));
      partial = [];
      partialBytes = 0;
      cutting = false;
      buf = buf.subarray(nl + 1);
      end -= nl + 1;
    }
    pieces.push(buf.subarray(0, end));
    const data = Buffer.concat(pieces);
    if (data.length) {
      let lines = 0;
      for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) lines++;
      out.push({ generation, firstLine: nextLine, data, context });
      nextLine += lines;
    }
    hold(buf.subarray(end), notes);
  };
  const hold = (buf: Buffer, notes: string[]): void => {
    if (!buf.length || cutting) return;
    const room = MAX_LINE_BYTES - partialBytes;
    if (buf.length > room) {
      // The head is kept for display; the rest of the line is skipped up to its newline.
      partial.push(Buffer.from(buf.subarray(0, room)));
      partialBytes += room;
      cutting = true;
      notes.push(`a line longer than ${MAX_LINE_BYTES >> 20} MiB in ${path} was cut to its first MiB`);
      return;
    }
    partial.push(Buffer.from(buf));
    partialBytes += buf.length;
  };
  const readOn = async (out: FollowChunk[], notes: string[], limit: number, context = false): Promise<void> => {
    const size = await handle!.size();
    let budget = limit;
    while (pos < size && budget > 0) {
      const buf = await handle!.read(pos, Math.min(PIECE, size - pos, budget));
      if (!buf.length) break;
      if (prefix.length < PREFIX_BYTES && pos < PREFIX_BYTES) prefix = Buffer.concat([prefix, buf.subarray(0, PREFIX_BYTES - pos)]);
      pos += buf.length;
      budget -= buf.length;
      take(buf, out, notes, context);
    }
  };
  const startGeneration = async (fsys: FollowFs, st: FollowStat, from: 'start' | 'end', out: FollowChunk[], notes: string[]): Promise<void> => {
    handle = await fsys.open(path);
    id = st.id;
    generation++;
    prefix = Buffer.alloc(0);
    partial = [];
    partialBytes = 0;
    cutting = false;
    pos = 0;
    nextLine = 1;
    if (from === 'end') {
      prefix = await handle.read(0, Math.min(PREFIX_BYTES, st.size));
      // Context starts at a line: the partial line before it is skipped.
      let ctx = Math.max(0, st.size - opts.contextBytes);
      if (ctx > 0) {
        const look = await handle.read(ctx, Math.min(st.size - ctx, MAX_LINE_BYTES));
        const nl = look.indexOf(0x0a);
        ctx = nl < 0 ? st.size : ctx + nl + 1;
        nextLine = (await fsys.countLines(path, handle, ctx)) + 1;
      }
      pos = ctx;
      await readOn(out, notes, st.size - ctx, true);
    }
  };
  /**
   * Does the path still name the file open now? Not when its identity differs (here), when it is
   * shorter than what was read, when the open file is shorter than it (stat of the path comes
   * first, and the same file only grows), or when its first bytes differ (SFTP, copytruncate).
   */
  const samePath = async (fsys: FollowFs, st: FollowStat): Promise<boolean> => {
    if (st.id !== undefined && id !== undefined && st.id !== id) return false;
    if (st.size < pos) return false;
    if (handle && (await handle.size()) < st.size) return false;
    if (!prefix.length) return true;
    const h = await fsys.open(path);
    try {
      return (await h.read(0, prefix.length)).equals(prefix);
    } finally {
      await h.close();
    }
  };
  /** Is the open file still the one read so far: as long as what was read, and starting with the same bytes? */
  const stillOurs = async (): Promise<boolean> => (await handle!.size()) >= pos && (await handle!.read(0, prefix.length)).equals(prefix);
  const drop = async (): Promise<void> => {
    const h = handle;
    handle = undefined;
    await h?.close().catch(() => undefined);
  };

  return {
    path,
    /** Reads what is new since the last poll. The first poll starts at the end, with context before it. */
    async poll(fsys: FollowFs): Promise<FollowResult> {
      const chunks: FollowChunk[] = [];
      const notes: string[] = [];
      try {
        if (reopening) {
          reopening = false;
          await reopen(fsys, chunks, notes);
        }
        const st = await fsys.stat(path);
        if (!handle) {
          if (!st) {
            if (!waitingSaid) notes.push(`${path} does not exist (yet); it is read from its start when it appears`);
            waitingSaid = true;
            started = true;
            return { chunks, notes };
          }
          if (waitingSaid) notes.push(`${path} appeared; reading it from its start`);
          await startGeneration(fsys, st, started ? 'start' : 'end', chunks, notes);
          started = true;
          waitingSaid = false;
        } else if (st && (st.size !== lastStat?.size || st.mtimeMs !== lastStat?.mtimeMs || st.id !== lastStat?.id) && !(await samePath(fsys, st))) {
          // Rotated (a new file at the path) or truncated: the old file's rest first, if the open
          // file is still the one read (a truncated one holds other lines now), then the new one.
          if (await stillOurs()) await readOn(chunks, notes, Number.MAX_SAFE_INTEGER);
          const how = st.id === undefined ? 'was rotated or truncated' : st.id === id ? 'was truncated (copytruncate)' : 'was rotated';
          await drop();
          notes.push(`${path} ${how}; the old file was read to its end, the file now there is read from its start`);
          await startGeneration(fsys, st, 'start', chunks, notes);
        }
        lastStat = st;
        if (handle) await readOn(chunks, notes, READ_PER_POLL);
        if (failing) notes.push(`${path} is readable again`);
        failing = undefined;
      } catch (err) {
        const why = `${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
        if (failing !== why) notes.push(`cannot read ${why}; trying again`);
        failing = why;
        await drop();
        lastStat = undefined;
      }
      return { chunks, notes };
    },
    /**
     * Opens the path again at the next poll (SIGHUP, a new connection to the peer): the same file
     * goes on where it was; another one is read from its start.
     */
    reopen(): void {
      reopening = true;
    },
    close: drop,
  };

  /** What the old handle still holds is read (if it still can be), then the path is opened anew. */
  async function reopen(fsys: FollowFs, chunks: FollowChunk[], notes: string[]): Promise<void> {
    if (!handle) return;
    if (await stillOurs().catch(() => false)) await readOn(chunks, notes, Number.MAX_SAFE_INTEGER).catch(() => undefined);
    await drop();
    const st = await fsys.stat(path);
    if (st && (await samePath(fsys, { ...st, id: undefined }))) {
      handle = await fsys.open(path);
      id = st.id;
      lastStat = st;
      return;
    }
    started = true;
    lastStat = undefined;
    if (st) notes.push(`${path} is another file than before; reading it from its start (lines the old one got after the last read were not seen)`);
  }
}

export type Follower = ReturnType<typeof follower>;

/** This machine's files. */
export function localFollowFs(): FollowFs {
  return {
    async stat(p) {
      try {
        const st = await fs.stat(p);
        if (!st.isFile()) throw Object.assign(new Error(`${p} is not a regular file`), { code: 'not a regular file' });
        return { size: st.size, mtimeMs: st.mtimeMs, id: `${st.dev}:${st.ino}` };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async open(p) {
      const fh = await fs.open(p, 'r');
      return {
        async read(pos, len) {
          const buf = Buffer.allocUnsafe(len);
          const { bytesRead } = await fh.read(buf, 0, len, pos);
          return buf.subarray(0, bytesRead);
        },
        size: async () => (await fh.stat()).size,
        close: () => fh.close(),
      };
    },
    async countLines(_p, handle, bytes) {
      let n = 0;
      for (let at = 0; at < bytes; ) {
        const buf = await handle.read(at, Math.min(PIECE, bytes - at));
        if (!buf.length) break;
        for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) n++;
        at += buf.length;
      }
      return n;
    },
  };
}
