import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { LogKind } from '../types';
import * as path from 'node:path';
import { findLocalFiles, listedFile, splitGlob, type NodeFile, type PathGlob } from './find';
import { globToRegExp } from './glob';
import { shellQuote, SshError, type SshSession } from './ssh';

export type { NodeFile, PathGlob } from './find';

/** How collect reaches a node: this machine, or a host over SSH. */
export interface NodeAccess {
  list(globs: readonly PathGlob[]): Promise<NodeFile[]>;
  /**
   * Copies at most `size` bytes of `file` into the local file `dest` (mode 0600); resolves with the
   * bytes copied. `onBytes` hears the bytes so far while it streams.
   */
  copy(file: string, size: number, dest: string, onBytes?: (n: number) => void): Promise<number>;
  /** Runs a fixed command (argument list, no user input) and returns stdout, or undefined if it failed. */
  run(argv: readonly string[]): Promise<string | undefined>;
  /** Runs several fixed commands at once (one remote session); undefined for those that failed. */
  runAll(argvs: ReadonlyArray<readonly string[]>): Promise<Array<string | undefined>>;
  close(): void;
}

/** This machine; `signal` stops a copy under way. */
export function localAccess(signal?: AbortSignal): NodeAccess {
  return {
    list: findLocalFiles,
    async copy(file, size, dest, onBytes) {
      let n = 0;
      const out = createWriteStream(dest, { mode: 0o600 });
      if (size === 0) {
        await new Promise<void>((r) => out.end(r));
        return 0;
      }
      await pipeline(createReadStream(file, { start: 0, end: size - 1 }), async function* (src: AsyncIterable<Buffer>) {
        for await (const c of src) {
          n += c.length;
          onBytes?.(n);
          yield c;
        }
      }, out, ...(signal ? [{ signal }] : []));
      return n;
    },
    run(argv) {
      return new Promise((resolve) => execFile(argv[0], argv.slice(1), { timeout: 10000 }, (err, stdout) => resolve(err ? undefined : stdout)));
    },
    runAll(argvs) {
      return Promise.all(argvs.map((a) => this.run(a)));
    },
    close() {},
  };
}

/** A host over SSH: one connection, every path single-quoted, globs only in validated file names. */
export function sshAccess(s: SshSession): NodeAccess {
  let sftp = true;
  return {
    async list(globs) {
      // NUL-separated fields, links followed (stat -L): a name may hold any byte but NUL, so a
      // newline or tab in a file name cannot forge another entry, and a link is copied whole.
      const parts = globs.map((g) => {
        const { dir, pattern } = splitGlob(g);
        return `(cd -- ${shellQuote(dir)} 2>/dev/null && for f in ${pattern}; do [ -f "$f" ] && printf '%s\\0%s\\0%s\\0%s\\0' ${shellQuote(g.kind)} "$(stat -L -c %s -- "$f")" "$(stat -L -c %Y -- "$f")" "$PWD/$f"; done)`;
      });
      const r = await s.exec(`${parts.join('; ')}; true`);
      return parseListing(r.stdout, globs);
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
      // Without an SFTP subsystem: stream `head -c`, one remote command per file (slower).
      const out = createWriteStream(dest, { mode: 0o600 });
      let n = 0;
      const counting = new Writable({
        write(chunk: Buffer, _enc, cb) {
          n += chunk.length;
          onBytes?.(n);
          if (!out.write(chunk)) out.once('drain', () => cb());
          else cb();
        },
      });
      try {
        const r = await s.stream(`head -c ${Math.floor(size)} -- ${shellQuote(file)}`, counting);
        if (r.code !== 0) throw new Error(r.stderr.trim() || `head exited with ${r.code}`);
      } finally {
        await new Promise<void>((r) => out.end(r));
      }
      return n;
    },
    async run(argv) {
      const r = await s.exec(argv.map(shellQuote).join(' '));
      return r.code === 0 ? r.stdout.toString('utf8') : undefined;
    },
    async runAll(argvs) {
      // Each command's output is framed by a marker line carrying its exit status.
      const marker = `@@smsdiag-${Date.now().toString(36)}@@`;
      const script = argvs.map((a) => `${a.map(shellQuote).join(' ')} 2>/dev/null; printf '\\n%s %s\\n' ${shellQuote(marker)} "$?"`).join('; ');
      const text = (await s.exec(script)).stdout.toString('utf8');
      const out: Array<string | undefined> = [];
      let rest = text;
      for (let i = 0; i < argvs.length; i++) {
        const at = rest.indexOf(`\n${marker} `);
        if (at < 0) {
          out.push(undefined);
          continue;
        }
        const end = rest.indexOf('\n', at + 1 + marker.length);
        const status = rest.slice(at + 1 + marker.length + 1, end < 0 ? undefined : end);
        out.push(status === '0' ? rest.slice(0, at) : undefined);
        rest = end < 0 ? '' : rest.slice(end + 1);
      }
      return out;
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
