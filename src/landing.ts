import { promises as fs } from 'node:fs';

/**
 * A file being copied into collect's spool, as far as it is on disk: its beginning grows in order
 * (SFTP reads written in order, a local copy written chunk by chunk) until it has landed or failed.
 */
export interface Landing {
  /** Bytes at the start of the file that are on disk. */
  readonly bytes: number;
  readonly end?: 'landed' | Error;
  /** More of the file is on disk. */
  grew(bytes: number): void;
  landed(): void;
  failed(err: Error): void;
  /** Resolves at the next change (more bytes, the end). */
  changed(): Promise<void>;
}

export function createLanding(): Landing {
  let waiters: Array<() => void> = [];
  const wake = (): void => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const l = {
    bytes: 0,
    end: undefined as Landing['end'],
    grew(bytes: number) {
      if (l.end) return;
      l.bytes = bytes;
      wake();
    },
    landed() {
      l.end ??= 'landed';
      wake();
    },
    failed(err: Error) {
      l.end ??= err;
      wake();
    },
    changed: () => new Promise<void>((r) => waiters.push(r)),
  };
  return l;
}

/**
 * The bytes of a landing file as they come, in pieces of up to `piece` bytes (a smaller one only
 * at the end), read from `local` behind the copy; an error if the copy fails.
 */
export async function* following(local: string, landing: Landing, piece: number): AsyncGenerator<Buffer> {
  let fh: fs.FileHandle | undefined;
  let at = 0;
  try {
    for (;;) {
      if (landing.end instanceof Error) throw landing.end;
      const ready = landing.bytes - at;
      if (ready >= piece || (ready > 0 && landing.end === 'landed')) {
        fh ??= await fs.open(local, 'r');
        const want = Math.min(piece, ready);
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(buf, 0, want, at);
        // What the copy said is on disk must be there: anything else is a copy gone wrong.
        if (bytesRead !== want) throw new Error(`${local}: ${at + bytesRead} bytes on disk, ${landing.bytes} said landed`);
        at += want;
        yield buf;
      } else if (landing.end === 'landed') return;
      else await landing.changed();
    }
  } finally {
    await fh?.close();
  }
}
