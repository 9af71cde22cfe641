import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { Writable } from 'node:stream';
import type { LogKind } from '../types';
import * as path from 'node:path';
import { findLocalFiles, listedFile, splitGlob, type NodeFile, type PathGlob } from './find';
import { globToRegExp } from './glob';
import { shellQuote, SshError, type SshSession } from './ssh';
import { writeAll } from './write-all';

export type { NodeFile, PathGlob } from './find';

/** How collect reaches a node: this machine, or a host over SSH. */
export interface NodeAccess {
  /**
   * One look at the node: the files the globs name, each fixed command's stdout (argument lists, no
   * user input; undefined for one that failed), and the node's clock read by `clock` between two
   * readings of ours (undefined if it could not be read).
   */
  survey(globs: readonly PathGlob[], commands: ReadonlyArray<readonly string[]>, clock: readonly string[]): Promise<Survey>;
  /**
   * The files the globs name, listed without a shell, so that copying can start while the survey's
   * shell starts (a login shell's start-up is the slowest part of a survey); undefined where the
   * survey must list them (this machine, whose survey lists at once; a host without SFTP).
   */
  list(globs: readonly PathGlob[]): Promise<NodeFile[] | undefined>;
  /**
   * Copies at most `size` bytes of `file` into the local file `dest` (mode 0600); resolves with the
   * bytes copied. `onBytes` hears, while it streams, how many bytes of the file's beginning are on disk.
   */
  copy(file: string, size: number, dest: string, onBytes?: (n: number) => void): Promise<number>;
  close(): void;
}

export interface Survey {
  files: NodeFile[];
  outputs: Array<string | undefined>;
  clock?: { before: number; text: string; after: number };
}

/** A fixed command on this machine: its stdout, or undefined if it failed. */
function runHere(argv: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => execFile(argv[0], argv.slice(1), { timeout: 10000 }, (err, stdout) => resolve(err ? undefined : stdout)));
}

/** This machine; `signal` stops a copy under way. */
export function localAccess(signal?: AbortSignal): NodeAccess {
  return {
    async survey(globs, commands, clock) {
      const [files, outputs] = await Promise.all([findLocalFiles(globs), Promise.all(commands.map(runHere))]);
      const before = Date.now();
      const text = await runHere(clock);
      const after = Date.now();
      return { files, outputs, ...(text === undefined ? {} : { clock: { before, text, after } }) };
    },
    list: async () => undefined,
    async copy(file, size, dest, onBytes) {
      let n = 0;
      const out = await fs.open(dest, 'w', 0o600);
      const src = size > 0 ? createReadStream(file, { start: 0, end: size - 1 }) : undefined;
      const stop = (): void => void src?.destroy(new Error('the collection was stopped'));
      signal?.addEventListener('abort', stop, { once: true });
      try {
        signal?.throwIfAborted();
        // Each piece is on disk before it is told: a reader may follow the copy that far.
        for await (const c of src ?? []) {
          await writeAll(out, c);
          n += c.length;
          onBytes?.(n);
        }
      } finally {
        signal?.removeEventListener('abort', stop);
        await out.close();
      }
      return n;
    },
    close() {},
  };
}

/** A host over SSH: one connection, every path single-quoted, globs only in validated file names. */
export function sshAccess(s: SshSession): NodeAccess {
  let sftp = true;
  return {
    async survey(globs, commands, clock) {
      // One remote shell for everything (each costs the host a login shell's start-up): every
      // command framed by a line with an unguessable marker and its exit status, then the listing,
      // then a prompt that the clock command waits on, so that the two local readings around it
      // bound one round trip and not the shell's start-up. The listing's fields are NUL-separated,
      // links followed (stat -L): a name may hold any byte but NUL, so a newline or tab in a file
      // name cannot forge another entry, and a link is copied whole.
      const marker = `@@smsdiag-${randomBytes(12).toString('hex')}@@`;
      const framed = commands.map((a) => `${a.map(shellQuote).join(' ')} 2>/dev/null; printf '\\n%s %s\\n' ${shellQuote(marker)} "$?"`);
      const listing = globs.map((g) => {
        const { dir, pattern } = splitGlob(g);
        return `(cd -- ${shellQuote(dir)} 2>/dev/null && for f in ${pattern}; do [ -f "$f" ] && printf '%s\\0%s\\0%s\\0%s\\0' ${shellQuote(g.kind)} "$(stat -L -c %s -- "$f")" "$(stat -L -c %Y -- "$f")" "$PWD/$f"; done)`;
      });
      const ask = `${marker} clock`;
      const script = [...framed, ...listing, `printf '\\n%s\\n' ${shellQuote(ask)}`, `read -r _ && ${clock.map(shellQuote).join(' ')}`].join('; ');
      const r = await s.exec(script, { ask: `\n${ask}\n`, answer: '\n' });
      const text = r.stdout.toString('utf8');
      const outputs: Array<string | undefined> = [];
      let rest = text;
      for (let i = 0; i < commands.length; i++) {
        const at = rest.indexOf(`\n${marker} `);
        if (at < 0) {
          outputs.push(undefined);
          continue;
        }
        const end = rest.indexOf('\n', at + 1 + marker.length);
        const status = rest.slice(at + 1 + marker.length + 1, end < 0 ? undefined : end);
        outputs.push(status === '0' ? rest.slice(0, at) : undefined);
        rest = end < 0 ? '' : rest.slice(end + 1);
      }
      const asked = rest.indexOf(`\n${ask}\n`);
      const files = parseListing(Buffer.from(asked < 0 ? rest : rest.slice(0, asked)), globs);
      const answer = asked < 0 ? '' : rest.slice(asked + ask.length + 2);
      const timed = r.code === 0 && answer && r.askedAt !== undefined && r.repliedAt !== undefined;
      return { files, outputs, ...(timed ? { clock: { before: r.askedAt!, text: answer, after: r.repliedAt! } } : {}) };
    },
    async list(globs) {
      try {
        const lists = await Promise.all(
          globs.map(async (g) => {
            const { dir, pattern } = splitGlob(g);
            const re = globToRegExp(pattern, 's');
            // As the shell's glob does: a name that starts with a dot is named only by a pattern that
            // does, and a pattern without a wildcard names its file without reading the directory.
            const names = /[*?]/.test(pattern) ? (name: string): boolean => re.test(name) && (name[0] !== '.' || pattern[0] === '.') : pattern;
            return (await s.listDir(dir, names)).map((f) => listedFile(g.kind, path.posix.join(dir, f.name), f.size, new Date(f.mtimeMs)));
          }),
        );
        return lists.flat();
      } catch (err) {
        if (!(err instanceof SshError && err.failure === 'no-sftp')) throw err;
        sftp = false;
        return undefined;
      }
    },
    async copy(file, size, dest, onBytes) {
      if (sftp) {
        try {
          return await s.fetch(file, size, dest, onBytes);
        } catch (err) {
          if (!(err instanceof SshError && err.failure === 'no-sftp')) throw err;
          sftp = false;
        }
      }
      // Without an SFTP subsystem: stream `head -c`, one remote command per file (slower). Each
      // piece is on disk before it is told, as over SFTP: a reader may follow the copy that far.
      const fh = await fs.open(dest, 'w', 0o600);
      let n = 0;
      const counting = new Writable({
        write(chunk: Buffer, _enc, cb) {
          writeAll(fh, chunk).then(() => {
            n += chunk.length;
            onBytes?.(n);
            cb();
          }, cb);
        },
      });
      const written = new Promise<void>((resolve, reject) => counting.on('finish', resolve).on('error', reject));
      written.catch(() => undefined);
      try {
        const r = await s.stream(`head -c ${Math.floor(size)} -- ${shellQuote(file)}`, counting);
        counting.end();
        await written;
        if (r.code !== 0) throw new Error(r.stderr.trim() || `head exited with ${r.code}`);
      } finally {
        counting.destroy();
        await fh.close();
      }
      return n;
    },
    close: () => s.close(),
  };
}

/**
 * The NUL-separated listing of the remote shell, kept only where it names a file the globs asked
 * for: the kind, directory and base-name pattern must agree, and a name with control characters
 * (a newline, a tab) is refused rather than fetched.
 */
export function parseListing(raw: Buffer, globs: readonly PathGlob[]): NodeFile[] {
  const fields = raw.toString('utf8').split('\0');
  const out: NodeFile[] = [];
  // 's': a `*` spans a newline here, so that such a name is seen, and refused, not silently lost.
  const wanted = globs.map((g) => ({ kind: g.kind, ...splitGlob(g) })).map((g) => ({ ...g, re: globToRegExp(g.pattern, 's') }));
  for (let i = 0; i + 3 < fields.length; i += 4) {
    const [kind, size, mtime, p] = fields.slice(i, i + 4);
    const dir = path.posix.dirname(p);
    const base = path.posix.basename(p);
    const ok = wanted.some((g) => g.kind === kind && (g.dir === dir || path.posix.resolve(g.dir) === dir) && g.re.test(base));
    if (!ok || !/^\d+$/.test(size) || !/^\d+$/.test(mtime)) continue;
    out.push(listedFile(kind as LogKind, p, Number(size), new Date(Number(mtime) * 1000)));
  }
  return out;
}
