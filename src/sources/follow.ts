import { promises as fs } from 'node:fs';
import { countNewlines, MAX_LINE_BYTES } from '../text/lines';

/** A followed path as it stands now: absent, or its size, modification time and (locally) identity. */
export interface FollowStat {
  size: number;
  mtimeMs: number;
  /** Device and inode on this machine; SFTP has none, so the first bytes tell files apart there. */
  id?: string;
}

/** An open file: it stays readable when its name is renamed away or unlinked (rotation, gzip). */
export interface FollowHandle {
  /** Device and inode of the file opened (this machine): which file it is, whatever the path holds now. */
  id?: string;
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
  /** The file's modification time when last seen: the time of lines that carry none. */
  mtimeMs: number;
}

export interface FollowResult {
  chunks: FollowChunk[];
  /** Read without an error up to the file's end as it was (or waiting for a file that is not there). */
  caughtUp: boolean;
  /** What happened to the path, in one sentence each (rotated, truncated, appeared, unreadable). */
  notes: string[];
}

/** Bytes compared to tell whether the path still names the file being read. */
const PREFIX_BYTES = 64;
/** Bytes read per poll and file at most: a writer faster than this is caught up over several polls. */
const READ_PER_POLL = 4 << 20;
const PIECE = 1 << 20;
/**
 * Polls a rotated file is still read after its rotation was seen: a writer that reopens its log on
 * a signal (logrotate's postrotate) goes on writing the old file until then.
 */
const DRAIN_POLLS = 3;

export interface FollowOptions {
  /** Bytes of the existing file read as context when following starts at its end. */
  contextBytes: number;
}

/** Where reading one generation of the path stands; `handle` is gone after an error or a lost connection. */
interface Cursor {
  handle?: FollowHandle;
  id?: string;
  generation: number;
  pos: number;
  nextLine: number;
  /** The file's first bytes, as read: what tells it from another file at the same path. */
  prefix: Buffer;
  partial: Buffer[];
  partialBytes: number;
  cutting: boolean;
  mtimeMs: number;
  /** Bytes before this offset were written before the watch began: read as context. */
  contextEnd: number;
}

/**
 * Follows one path like `tail -F`: reads what is appended; when the path is renamed away
 * (rotation, then perhaps gzip of the old name) the rest of the old file is read through its open
 * handle, for a few polls more, while the new one is read from its start; a truncated file
 * (copytruncate) is read again from its start; a path that does not exist yet is waited for. After
 * an error or a lost connection the same file goes on where it stopped. Only whole lines come
 * out; a line longer than MAX_LINE_BYTES is cut and said.
 */
export function follower(path: string, opts: FollowOptions) {
  let cur: Cursor | undefined;
  let old: { c: Cursor; quiet: number } | undefined;
  let generations = 0;
  let lastStat: FollowStat | undefined;
  let started = false;
  let waitingSaid = false;
  let failing: string | undefined;
  let reopening = false;

  const hold = (c: Cursor, buf: Buffer, notes: string[]): void => {
    if (!buf.length || c.cutting) return;
    const room = MAX_LINE_BYTES - c.partialBytes;
    if (buf.length > room) {
      // The head is kept for display; the rest of the line is skipped up to its newline.
      c.partial.push(Buffer.from(buf.subarray(0, room)));
      c.partialBytes += room;
      c.cutting = true;
      notes.push(`a line longer than ${MAX_LINE_BYTES >> 20} MiB in ${path} was cut to its first MiB`);
      return;
    }
    c.partial.push(Buffer.from(buf));
    c.partialBytes += buf.length;
  };
  const emit = (c: Cursor, data: Buffer, out: FollowChunk[], context: boolean): void => {
    if (!data.length) return;
    out.push({ generation: c.generation, firstLine: c.nextLine, data, context, mtimeMs: c.mtimeMs });
    c.nextLine += countNewlines(data);
  };
  const take = (c: Cursor, buf: Buffer, out: FollowChunk[], notes: string[], context: boolean): void => {
    let end = buf.lastIndexOf(0x0a) + 1;
    if (end === 0) return hold(c, buf, notes);
    const pieces: Buffer[] = [];
    if (c.partialBytes || c.cutting) {
      const nl = buf.indexOf(0x0a);
      hold(c, buf.subarray(0, nl), notes);
      pieces.push(...c.partial, Buffer.from('\n'));
      c.partial = [];
      c.partialBytes = 0;
      c.cutting = false;
      buf = buf.subarray(nl + 1);
      end -= nl + 1;
    }
    pieces.push(buf.subarray(0, end));
    emit(c, Buffer.concat(pieces), out, context);
    hold(c, buf.subarray(end), notes);
  };
  /** The last line of a file that is left for good, if its writer never ended it. */
  const flush = (c: Cursor, out: FollowChunk[]): void => {
    if (!c.partialBytes) return;
    emit(c, Buffer.concat([...c.partial, Buffer.from('\n')]), out, false);
    c.partial = [];
    c.partialBytes = 0;
  };
  /** Reads on from where the cursor stands, at most `limit` bytes; true when it got any. */
  const readOn = async (c: Cursor, out: FollowChunk[], notes: string[], limit: number): Promise<boolean> => {
    const size = await c.handle!.size();
    const from = c.pos;
    let budget = limit;
    while (c.pos < size && budget > 0) {
      const context = c.pos < c.contextEnd;
      const buf = await c.handle!.read(c.pos, Math.min(PIECE, size - c.pos, budget, context ? c.contextEnd - c.pos : Infinity));
      if (!buf.length) break;
      // The first bytes, as long as the reading is at them (after a context start it is not).
      if (c.prefix.length < PREFIX_BYTES && c.pos === c.prefix.length) c.prefix = Buffer.concat([c.prefix, buf.subarray(0, PREFIX_BYTES - c.pos)]);
      c.pos += buf.length;
      budget -= buf.length;
      take(c, buf, out, notes, context);
    }
    return c.pos > from;
  };
  const close = async (c: Cursor | undefined): Promise<void> => {
    const h = c?.handle;
    if (c) c.handle = undefined;
    await h?.close().catch(() => undefined);
  };
  /**
   * A new generation: read from its start, or (the first file found) from its end with the context
   * before it, which the next reads give as context.
   */
  const open = async (fsys: FollowFs, st: FollowStat, from: 'start' | 'end'): Promise<Cursor> => {
    const handle = await fsys.open(path);
    try {
      const c: Cursor = { handle, id: handle.id, generation: generations + 1, pos: 0, nextLine: 1, prefix: Buffer.alloc(0), partial: [], partialBytes: 0, cutting: false, mtimeMs: st.mtimeMs, contextEnd: 0 };
      if (from === 'end') {
        const size = await handle.size();
        c.prefix = await handle.read(0, Math.min(PREFIX_BYTES, size));
        // Context starts at a line: the partial line before it is skipped.
        let ctx = Math.max(0, size - opts.contextBytes);
        if (ctx > 0) {
          const look = await handle.read(ctx, Math.min(size - ctx, MAX_LINE_BYTES));
          const nl = look.indexOf(0x0a);
          ctx = nl < 0 ? size : ctx + nl + 1;
          c.nextLine = (await fsys.countLines(path, handle, ctx)) + 1;
          // Over SFTP the lines are counted in the file at the path: it must still be this one.
          const now = await fsys.stat(path);
          if (!now || !(await same(fsys, c, now))) throw Object.assign(new Error('it was rotated while it was opened'), { code: 'rotated while it was opened' });
        }
        c.pos = ctx;
        c.contextEnd = size;
      }
      generations++;
      return c;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  };
  /**
   * Does the path (stat `st`) name the cursor's file? Not when its identity differs (here), when it
   * is shorter than what was read, when the open file is shorter than it (the path's stat came
   * first, and the same file only grows), or when its first bytes differ (SFTP, copytruncate).
   */
  const same = async (fsys: FollowFs, c: Cursor, st: FollowStat): Promise<boolean> => {
    if (st.id !== undefined && c.id !== undefined && st.id !== c.id) return false;
    if (st.size < c.pos) return false;
    if (c.handle && (await c.handle.size()) < st.size) return false;
    if (!c.prefix.length) return true;
    const h = await fsys.open(path);
    try {
      return (await h.read(0, c.prefix.length)).equals(c.prefix);
    } finally {
      await h.close();
    }
  };
  /** Does the open file still hold what was read of it (not truncated and rewritten)? */
  const intact = async (c: Cursor): Promise<boolean> => (await c.handle!.size()) >= c.pos && (await c.handle!.read(0, c.prefix.length)).equals(c.prefix);

  /**
   * A rotated file, read to its end, becomes the one drained, and the rotation is said; one still
   * drained before it is left at once, and said.
   */
  const retire = (c: Cursor, out: FollowChunk[], notes: string[]): void => {
    if (old) {
      flush(old.c, out);
      void close(old.c);
      notes.push(`${path} was rotated again while the file before it was still read: that one is left now (what its writer adds to it from now on is not read)`);
    }
    old = { c, quiet: 0 };
    notes.push(`${path} was rotated; the old file is read to its end, the new one from its start`);
  };
  /** The rotated file, read for a few polls more; then its last unended line, and closed. */
  const drainOld = async (out: FollowChunk[], notes: string[]): Promise<void> => {
    if (!old) return;
    let grew = false;
    try {
      grew = (await intact(old.c)) && (await readOn(old.c, out, notes, READ_PER_POLL));
    } catch {
      old.quiet = DRAIN_POLLS;
    }
    old.quiet = grew ? 0 : old.quiet + 1;
    if (old.quiet >= DRAIN_POLLS) {
      flush(old.c, out);
      await close(old.c);
      old = undefined;
    }
  };

  return {
    path,
    /** Reads what is new since the last poll. The first poll starts at the end, with context before it. */
    async poll(fsys: FollowFs): Promise<FollowResult> {
      const chunks: FollowChunk[] = [];
      const notes: string[] = [];
      let caughtUp = true;
      try {
        await drainOld(chunks, notes);
        if (reopening && cur?.handle) {
          // What the old handle still holds first (SIGHUP); a handle of a lost connection reads
          // nothing. A rotation found this way is drained like one found by a poll.
          const c = cur;
          const rotated = await (async () => {
            if (!(await intact(c))) return false;
            await readOn(c, chunks, notes, Number.MAX_SAFE_INTEGER);
            const now = await fsys.stat(path);
            return !!now && !(await same(fsys, c, now));
          })().catch(() => false);
          if (rotated) {
            retire(c, chunks, notes);
            cur = undefined;
            started = true;
          } else await close(c);
        }
        reopening = false;
        const st = await fsys.stat(path);
        if (cur && !cur.handle) {
          // After an error, a reconnection or SIGHUP: the same file goes on where it stopped.
          if (!st) {
            if (!waitingSaid) notes.push(`${path} is gone; waiting for it to appear again`);
            waitingSaid = true;
            return { chunks, notes, caughtUp };
          }
          if (await same(fsys, cur, st)) {
            const handle = await fsys.open(path);
            if (handle.id !== undefined && cur.id !== undefined && handle.id !== cur.id) {
              await handle.close();
              throw Object.assign(new Error('replaced while it was being opened'), { code: 'replaced while it was being opened' });
            }
            cur.handle = handle;
          } else {
            flush(cur, chunks);
            notes.push(`${path} is another file than before; reading it from its start (lines the old one got after the last read were not seen)`);
            cur = undefined;
            started = true;
          }
          waitingSaid = false;
        }
        if (!cur) {
          if (!st) {
            if (!waitingSaid) notes.push(`${path} does not exist (yet); it is read from its start when it appears`);
            waitingSaid = true;
            started = true;
            return { chunks, notes, caughtUp };
          }
          if (waitingSaid) notes.push(`${path} appeared; reading it from its start`);
          cur = await open(fsys, st, started ? 'start' : 'end');
          started = true;
          waitingSaid = false;
        } else if (st && (st.size !== lastStat?.size || st.mtimeMs !== lastStat?.mtimeMs || st.id !== lastStat?.id) && !(await same(fsys, cur, st))) {
          const c = cur;
          // The new file is opened by the next step, so an error opening it leaves the old one drained.
          cur = undefined;
          started = true;
          if (await intact(c)) {
            // Renamed away: its rest now, and what its writer still appends for a few polls.
            await readOn(c, chunks, notes, Number.MAX_SAFE_INTEGER);
            retire(c, chunks, notes);
          } else {
            // Truncated and written again: the open file no longer holds what followed the last read.
            await close(c);
            notes.push(`${path} was truncated (copytruncate); lines written between the last read and the truncation were not seen here (they are in its copy); reading it again from its start`);
          }
          cur = await open(fsys, st, 'start');
        }
        lastStat = st;
        if (st) cur.mtimeMs = st.mtimeMs;
        await readOn(cur, chunks, notes, READ_PER_POLL);
        caughtUp = cur.pos >= (lastStat?.size ?? 0);
        if (failing) notes.push(`${path} is readable again`);
        failing = undefined;
      } catch (err) {
        const why = `${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
        if (failing !== why) notes.push(`cannot read ${why}; trying again`);
        failing = why;
        // Where the reading stood is kept: the next poll checks the file and goes on from there.
        await close(cur);
        lastStat = undefined;
        caughtUp = false;
      }
      return { chunks, notes, caughtUp };
    },
    /** Opens the path again at the next poll (SIGHUP, a new connection to the peer). */
    reopen(): void {
      reopening = true;
    },
    async close(): Promise<void> {
      await close(cur);
      if (old) await close(old.c);
    },
  };
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
      const st = await fh.stat();
      return {
        id: `${st.dev}:${st.ino}`,
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
        n += countNewlines(buf);
        at += buf.length;
      }
      return n;
    },
  };
}
