import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import type { Client, SFTPWrapper } from 'ssh2';
import { UnreachableError } from '../errors';
import type { FollowFs, FollowHandle } from './follow';
import { writeAll } from './write-all';
import { appendHostKey, checkHostKey, fingerprint, keyType, knownKeyTypes, readKnownHosts, type HostKeyVerdict } from './known-hosts';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  keyFile: string;
  knownHosts: string;
  acceptNewHostKey: boolean;
  /** Connect and authenticate within this many ms. */
  readyTimeoutMs?: number;
  /** A transfer with no bytes for this long is abandoned. */
  stallMs?: number;
}

export type SshFailure = 'connect' | 'auth' | 'host-key-unknown' | 'host-key-changed' | 'host-key-revoked' | 'key-file' | 'stalled' | 'dropped' | 'no-sftp';

/** Could not reach, trust or authenticate to a host, or lost it: which of these is `failure`. */
export class SshError extends UnreachableError {
  constructor(
    readonly failure: SshFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A file listed over SFTP. */
export interface RemoteFile {
  name: string;
  size: number;
  mtimeMs: number;
}

export interface ExecResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** With a prompt: when it was seen and answered, and when the next output came (Date.now()). */
  askedAt?: number;
  repliedAt?: number;
}

/**
 * A line the command prints once (`ask`) and waits on, answered on its stdin: what lets a
 * command time something on the host without counting the shell's start-up in the round trip.
 */
export interface Prompt {
  ask: string;
  answer: string;
}

export interface SshSession {
  /** Runs a command and collects its output (for small outputs: facts, listings); answers its prompt if given. */
  exec(command: string, prompt?: Prompt): Promise<ExecResult>;
  /** Runs a command and streams its stdout into `out`; rejects on a stall or a dropped connection. */
  stream(command: string, out: Writable): Promise<ExecResult>;
  /** Copies a remote file into a local path over SFTP, cut to `size`; resolves with the bytes kept. */
  fetch(file: string, size: number, local: string, onBytes?: (n: number) => void): Promise<number>;
  /**
   * The regular files (links followed) of a remote directory whose names `names` accepts, or the
   * one file of that name, with their size and modification time, over the SFTP channel; none where
   * nothing is or it may not be read. Rejects with 'no-sftp' when the host has no SFTP subsystem,
   * and when the connection drops or an answer does not come.
   */
  listDir(dir: string, names: string | ((name: string) => boolean)): Promise<RemoteFile[]>;
  /** The host's files for following (watch), over the session's SFTP channel. */
  followFs(): FollowFs;
  /** Resolves when the connection is gone (closed, dropped, or its keepalives unanswered). */
  closed: Promise<void>;
  close(): void;
}

/**
 * SFTP reads in flight per file, and bytes per read. Measured over a loopback OpenSSH with ssh2's
 * JavaScript crypto (what the bundle and the single executable use): 32 reads of 64 KiB, 38-41
 * MB/s; 64 of 128 KiB, 119-124 MB/s; 48 to 128 reads of 128 KiB all alike, 256 KiB reads slower.
 * A server that answers a read with less (an old sftp-server) is asked again for the rest.
 */
const FETCH_REQUESTS = 64;
const FETCH_CHUNK = 128 * 1024;

const KEEPALIVE_MS = 5000;
const KEEPALIVE_MISSES = 3;

function readKey(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new SshError('key-file', `cannot read the SSH key ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give the right one with --key`);
  }
}

/** One authenticated connection to a host, its key checked against known_hosts first; `signal` gives up at once. */
export async function connect(t: SshTarget, signal?: AbortSignal): Promise<SshSession> {
  const privateKey = readKey(t.keyFile);
  const known = await readKnownHosts(t.knownHosts);
  let verdict: HostKeyVerdict | undefined;
  let presented: Buffer | undefined;
  // ssh2 is loaded when a host is reached, not by every command that starts (a sixth of start-up).
  const { Client } = await import('ssh2');
  const client = new Client();
  const where = `${t.user}@${t.host}:${t.port}`;
  signal?.throwIfAborted();
  const stop = (): void => void client.emit('error', Object.assign(new Error('stopped'), { level: 'stopped' }));
  signal?.addEventListener('abort', stop, { once: true });
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    // \`on\`, not \`once\`: a peer that accepts TCP and never speaks makes ssh2 emit a second error
    // after its ready timer, and an unhandled one would end the whole collection.
    client.on('error', (err: Error & { level?: string }) => {
      // A refused connection must not keep the process alive until ssh2's own timers fire.
      client.destroy();
      if (verdict && verdict.kind !== 'match' && !(verdict.kind === 'unknown' && t.acceptNewHostKey)) {
        reject(hostKeyError(verdict, t, presented!));
      } else if (err.level === 'client-authentication') {
        reject(new SshError('auth', `${where} refused the key ${t.keyFile}; check that its public half is in the host's authorized_keys`));
      } else if (err.level === 'stopped') {
        reject(new SshError('dropped', `connecting to ${where} was stopped`));
      } else if (err.level === 'client-timeout') {
        reject(new SshError('connect', `${where} did not answer within ${(t.readyTimeoutMs ?? 10000) / 1000} s; check the address and that sshd runs`));
      } else {
        reject(new SshError('connect', `cannot connect to ${where}: ${err.message}`));
      }
    });
    try {
      client.connect({
        host: t.host,
        port: t.port,
        username: t.user,
        privateKey,
        readyTimeout: t.readyTimeoutMs ?? 10000,
        // Like OpenSSH: ask first for the key types known_hosts holds for this host, so a host known
        // by its RSA or ECDSA key is checked with that key, not refused for offering ed25519 first.
        algorithms: { serverHostKey: hostKeyOrder(knownKeyTypes(known, t.host, t.port)) as never },
        keepaliveInterval: KEEPALIVE_MS,
        keepaliveCountMax: KEEPALIVE_MISSES,
        hostVerifier: (key: Buffer) => {
          presented = key;
          verdict = checkHostKey(known, t.host, t.port, key);
          const trusted = verdict.kind === 'match' || (verdict.kind === 'unknown' && t.acceptNewHostKey);
          if (!trusted) {
            // ssh2 reports a refused key only when its ready timer fires: fail now instead.
            reject(hostKeyError(verdict, t, key));
            setImmediate(() => client.destroy());
          }
          return trusted;
        },
      });
    } catch (err) {
      reject(new SshError('key-file', `cannot use the SSH key ${t.keyFile}: ${(err as Error).message}`));
    }
  }).finally(() => signal?.removeEventListener('abort', stop));
  if (verdict?.kind === 'unknown' && presented) await appendHostKey(t.knownHosts, t.host, t.port, presented);
  // Small messages go out at once: a one-line answer held back by Nagle's algorithm (ssh2's
  // JavaScript crypto writes it alone) added 40-50 ms to the clock sample's round trip.
  client.setNoDelay(true);
  return session(client, where, t.stallMs ?? 30000);
}

/** Every host-key algorithm ssh2 speaks, those of the known key types first. */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

export function hostKeyOrder(knownTypes: readonly string[]): string[] {
  // An RSA key is offered under the rsa-sha2 signature algorithms as well as ssh-rsa.
  const first = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t])).filter((a) => HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...first, ...HOST_KEY_ALGORITHMS])];
}

function hostKeyError(v: HostKeyVerdict, t: SshTarget, key: Buffer): SshError {
  const fp = fingerprint(key);
  const where = `${t.host}:${t.port}`;
  if (v.kind === 'mismatch' && v.knownType !== keyType(key)) {
    return new SshError(
      'host-key-changed',
      `the host key of ${where} is not the one known: it offers only ${keyType(key)} ${fp}, while ${t.knownHosts} line ${v.line} holds ${v.knownType} ${fingerprint(v.knownKey)}. The host no longer has that key, or someone is intercepting the connection: verify the new key, then replace that line yourself`,
    );
  }
  if (v.kind === 'mismatch') {
    return new SshError(
      'host-key-changed',
      `the host key of ${where} has CHANGED: it offers ${keyType(key)} ${fp}, but ${t.knownHosts} line ${v.line} holds ${v.knownType} ${fingerprint(v.knownKey)}. Someone may be intercepting the connection, or the host was reinstalled: verify it, then remove that line yourself`,
    );
  }
  if (v.kind === 'revoked') return new SshError('host-key-revoked', `the host key of ${where} (${fp}) is marked @revoked in ${t.knownHosts} line ${v.line}; refusing to connect`);
  return new SshError('host-key-unknown', `the host key of ${where} is not in ${t.knownHosts}: ${keyType(key)} ${fp}. If that fingerprint is the host's, run again with --accept-new-host-key to record it`);
}

function session(client: Client, where: string, stallMs: number): SshSession {
  let closed = false;
  const gone = new Promise<void>((resolve) => client.on('close', () => ((closed = true), resolve())));
  const run = (command: string, out?: Writable, prompt?: Prompt): Promise<ExecResult> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new SshError('dropped', `the connection to ${where} is closed`));
      client.exec(command, (err, channel) => {
        if (err) return reject(new SshError('dropped', `${where}: cannot run a command: ${err.message}`));
        const chunks: Buffer[] = [];
        let stderr = '';
        let code: number | null = null;
        const times: Pick<ExecResult, 'askedAt' | 'repliedAt'> = {};
        // The prompt may come split over two chunks: the end of the one before is searched too.
        let tail = Buffer.alloc(0);
        /** The prompt was seen: copies on this connection hold their reads until it is answered. */
        let answering = false;
        const answered = (): void => {
          if (answering) resumeReads();
          answering = false;
        };
        const watchPrompt = (d: Buffer): void => {
          if (!prompt || times.repliedAt !== undefined) return;
          if (times.askedAt !== undefined) {
            times.repliedAt = Date.now();
            answered();
            return;
          }
          if (answering) return;
          const seen = Buffer.concat([tail, d]);
          if (seen.includes(prompt.ask)) {
            answering = true;
            void quietReads().then(() => {
              times.askedAt = Date.now();
              channel.end(prompt.answer);
            });
          } else tail = seen.subarray(Math.max(0, seen.length - prompt.ask.length));
        };
        let timer: NodeJS.Timeout | undefined;
        const arm = (): void => {
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => {
            channel.close();
            reject(new SshError('stalled', `${where} sent nothing for ${stallMs / 1000} s; transfer abandoned`));
          }, stallMs);
        };
        arm();
        const onClientClose = (): void => {
          if (timer) clearTimeout(timer);
          answered();
          reject(new SshError('dropped', `the connection to ${where} dropped during a transfer`));
        };
        client.once('close', onClientClose);
        channel.on('data', (d: Buffer) => {
          arm();
          watchPrompt(d);
          if (out) {
            if (!out.write(d)) {
              channel.pause();
              out.once('drain', () => channel.resume());
            }
          } else chunks.push(d);
        });
        channel.stderr.on('data', (d: Buffer) => {
          arm();
          if (stderr.length < 4096) stderr += d.toString();
        });
        channel.on('exit', (c: number | null) => (code = c));
        channel.on('close', () => {
          if (timer) clearTimeout(timer);
          answered();
          client.removeListener('close', onClientClose);
          resolve({ code, stdout: Buffer.concat(chunks), stderr, ...times });
        });
      });
    });
  /**
   * Copies' SFTP reads in flight; while a prompt is answered (collect's clock sample), new reads
   * wait in `held` and the answer goes once those in flight are in: its round trip is then not
   * queued behind up to FETCH_REQUESTS reads of file data (seconds on a slow link).
   */
  let readsInFlight = 0;
  let held: Array<() => void> | undefined;
  let drained: (() => void) | undefined;
  const quietReads = (): Promise<void> => {
    held ??= [];
    return readsInFlight === 0 ? Promise.resolve() : new Promise((resolve) => (drained = resolve));
  };
  const resumeReads = (): void => {
    const waiting = held ?? [];
    held = undefined;
    drained = undefined;
    for (const go of waiting) go();
  };
  // One SFTP channel serves every file: a remote command per file costs a whole session each.
  let sftp: Promise<SFTPWrapper> | undefined;
  const channel = (): Promise<SFTPWrapper> =>
    (sftp ??= new Promise((resolve, reject) => client.sftp((err, s) => (err ? reject(new SshError('no-sftp', `${where}: no SFTP: ${err.message}`)) : resolve(s)))));
  /**
   * Copies the first `size` bytes of a remote file to a local path (mode 0600), FETCH_REQUESTS SFTP
   * reads of FETCH_CHUNK in flight and written in order, so that `onBytes` tells how much of the
   * file's beginning is on disk (collect's analysis reads that far while the rest comes). A file
   * found shorter (it shrank) ends there; a stall or a dropped connection rejects.
   */
  const fetch = async (file: string, size: number, local: string, onBytes?: (n: number) => void): Promise<number> => {
    const s = await channel();
    const out = await fs.open(local, 'w', 0o600);
    try {
      return await readInOrder(s, file, size, out, onBytes);
    } finally {
      await out.close();
    }
  };
  const readInOrder = (s: SFTPWrapper, file: string, size: number, out: fs.FileHandle, onBytes?: (n: number) => void): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      const chunks = Math.ceil(size / FETCH_CHUNK);
      // Chunk k is read into slot k % FETCH_REQUESTS, which is free again once chunk k is on disk.
      const slots = Array.from({ length: Math.min(FETCH_REQUESTS, chunks) }, () => ({ buf: Buffer.allocUnsafe(FETCH_CHUNK), got: 0, done: false }));
      let next = 0;
      let landed = 0;
      let writing = false;
      let handle: Buffer | undefined;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (err: Error | undefined, n = landed): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        client.removeListener('close', dropped);
        if (handle && !closed) s.close(handle, () => undefined);
        if (err) reject(err);
        else resolve(n);
      };
      const arm = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          finish(new SshError('stalled', `${where} sent nothing of ${file} for ${stallMs / 1000} s; transfer abandoned`));
          client.destroy();
        }, stallMs);
      };
      const dropped = (): void => finish(new SshError('dropped', `the connection to ${where} dropped while copying ${file}`));
      const length = (k: number): number => Math.min(FETCH_CHUNK, size - k * FETCH_CHUNK);
      const read = (k: number): void => {
        if (held) return void held.push(() => settled || read(k));
        const slot = slots[k % slots.length];
        const want = length(k) - slot.got;
        readsInFlight++;
        s.read(handle!, slot.buf, slot.got, want, k * FETCH_CHUNK + slot.got, (err, n) => {
          if (--readsInFlight === 0) drained?.();
          if (settled) return;
          arm();
          if (err) return finish(new Error(`${file}: ${err.message}`));
          slot.got += n;
          // Nothing more (end of file, it shrank): the chunk ends here. Less than asked: ask for the rest.
          if (n === 0 || slot.got === length(k)) {
            slot.done = true;
            void write();
          } else read(k);
        });
      };
      const write = async (): Promise<void> => {
        if (writing) return;
        writing = true;
        try {
          while (!settled && next < chunks && slots[next % slots.length].done) {
            const slot = slots[next % slots.length];
            await writeAll(out, slot.buf.subarray(0, slot.got), next * FETCH_CHUNK);
            landed += slot.got;
            onBytes?.(landed);
            if (slot.got < length(next)) return finish(undefined);
            slot.got = 0;
            slot.done = false;
            if (next + slots.length < chunks) read(next + slots.length);
            next++;
          }
          if (next === chunks) finish(undefined);
        } catch (err) {
          finish(err as Error);
        } finally {
          writing = false;
        }
      };
      // Guarded from the open on: a connection that dropped during an earlier file never answers it.
      client.once('close', dropped);
      arm();
      if (closed) return dropped();
      s.open(file, 'r', (err, h) => {
        if (settled) return void (h && !closed && s.close(h, () => undefined));
        if (err) return finish(new Error(`${file}: ${err.message}`));
        handle = h;
        arm();
        if (!chunks) return finish(undefined, 0);
        for (let k = 0; k < slots.length; k++) read(k);
      });
    });
  /** SFTP requests under way: each fails when the connection goes (ssh2 leaves some such callbacks uncalled). */
  const pending = new Set<(err: Error) => void>();
  client.on('close', () => {
    for (const fail of [...pending]) fail(new SshError('dropped', `the connection to ${where} dropped`));
  });
  /** One SFTP request; its error carries the SFTP status code (sftpCode). One not answered in stallMs fails, and ends the connection. */
  const call = <T>(what: string, f: (s: SFTPWrapper, cb: (err: (Error & { code?: number }) | null | undefined, v: T) => void) => void): Promise<T> =>
    channel().then(
      (s) =>
        new Promise<T>((resolve, reject) => {
          if (closed) return reject(new SshError('dropped', `the connection to ${where} is closed`));
          const settle = (err: Error | undefined, v?: T): void => {
            if (!pending.delete(fail)) return;
            clearTimeout(timer);
            if (err) reject(err);
            else resolve(v as T);
          };
          const fail = (err: Error): void => settle(err);
          const timer = setTimeout(() => {
            settle(new SshError('stalled', `${where} did not answer ${what} for ${stallMs / 1000} s; connection abandoned`));
            client.destroy();
          }, stallMs);
          pending.add(fail);
          f(s, (err, v) => settle(err ? Object.assign(new Error(`${where}: ${what}: ${err.message}`), { sftpCode: err.code }) : undefined, v));
        }),
    );
  // SFTP status codes (draft-ietf-secsh-filexfer-02): end of file, no such file, permission denied.
  const EOF = 1;
  const NO_SUCH_FILE = 2;
  const PERMISSION_DENIED = 3;
  /** What a shell's glob passes over silently: nothing there, or not allowed to look. Anything else is said. */
  const nothingThere = (err: unknown): boolean => [NO_SUCH_FILE, PERMISSION_DENIED].includes((err as { sftpCode?: number }).sftpCode ?? -1);
  type Attrs = { mode: number; size: number; mtime: number };
  const S_IFMT = 0o170000;
  const S_IFREG = 0o100000;
  const S_IFLNK = 0o120000;
  /** The file at a path, links followed, if it is a regular file. */
  const regularFile = async (p: string, name: string): Promise<RemoteFile | undefined> => {
    const st = await call<Attrs>(`stat ${p}`, (s, cb) => s.stat(p, cb as never)).catch((err) => {
      if (nothingThere(err)) return undefined;
      throw err;
    });
    return st && (st.mode & S_IFMT) === S_IFREG ? { name, size: st.size, mtimeMs: st.mtime * 1000 } : undefined;
  };
  const listDir = async (dir: string, names: string | ((name: string) => boolean)): Promise<RemoteFile[]> => {
    // One name is looked up, not listed: as for the shell, a directory one may enter but not read still has it.
    if (typeof names === 'string') return [await regularFile(path.posix.join(dir, names), names)].filter((f): f is RemoteFile => f !== undefined);
    let entries: Array<{ filename: string; attrs: Attrs }>;
    try {
      entries = await call<typeof entries>(`readdir ${dir}`, (s, cb) => s.readdir(dir, cb as never));
    } catch (err) {
      if (nothingThere(err)) return [];
      throw err;
    }
    const kept = entries.filter((e) => names(e.filename) && [S_IFREG, S_IFLNK].includes(e.attrs.mode & S_IFMT)).sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
    const files = await Promise.all(
      kept.map(({ filename, attrs }): Promise<RemoteFile | undefined> | RemoteFile =>
        // The listing's attributes are the entry's own (lstat): a link is asked for what it points at.
        (attrs.mode & S_IFMT) === S_IFLNK ? regularFile(path.posix.join(dir, filename), filename) : { name: filename, size: attrs.size, mtimeMs: attrs.mtime * 1000 },
      ),
    );
    return files.filter((f): f is RemoteFile => f !== undefined);
  };
  const followFs = (): FollowFs => {
    return {
      async stat(p) {
        try {
          const st = await call<{ size: number; mtime: number; isFile(): boolean }>(`stat ${p}`, (s, cb) => s.stat(p, cb as never));
          if (!st.isFile()) throw new Error(`${where}:${p} is not a regular file`);
          return { size: st.size, mtimeMs: st.mtime * 1000 };
        } catch (err) {
          if ((err as { sftpCode?: number }).sftpCode === NO_SUCH_FILE) return undefined;
          throw err;
        }
      },
      async open(p): Promise<FollowHandle> {
        const h = await call<Buffer>(`open ${p}`, (s, cb) => s.open(p, 'r', cb as never));
        return {
          read: (pos, len) =>
            call<Buffer>(`read ${p}`, (s, cb) => {
              const buf = Buffer.allocUnsafe(len);
              s.read(h, buf, 0, len, pos, (err, n) => cb(err, buf.subarray(0, err ? 0 : n)));
            }).catch((err) => {
              // SFTP says end of file as an error; here it is a read of nothing.
              if ((err as { sftpCode?: number }).sftpCode === EOF) return Buffer.alloc(0);
              throw err;
            }),
          size: async () => (await call<{ size: number }>(`stat ${p}`, (s, cb) => s.fstat(h, cb as never))).size,
          close: () => call<void>(`close ${p}`, (s, cb) => s.close(h, cb as never)),
        };
      },
      async countLines(p, _handle, bytes) {
        const r = await run(`head -c ${Math.floor(bytes)} -- ${shellQuote(p)} | wc -l`);
        const n = Number(r.stdout.toString().trim());
        if (r.code !== 0 || !Number.isInteger(n)) throw new Error(`${where}: cannot count the lines of ${p}: ${r.stderr.trim() || `exit ${r.code}`}`);
        return n;
      },
    };
  };
  return {
    exec: (command, prompt) => run(command, undefined, prompt),
    stream: (command, out) => run(command, out),
    fetch,
    listDir,
    followFs,
    closed: gone,
    close: () => client.end(),
  };
}

/** POSIX single-quoting: the only way a path reaches a remote shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
