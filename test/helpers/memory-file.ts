import { Readable } from 'node:stream';
import type { LogFile, LogKind } from '../../src/types';

/** A LogFile over bytes in memory, delivered in chunks of `chunk` bytes to exercise boundaries. */
export function memoryFile(data: Buffer | string, opts: { kind?: LogKind; path?: string; mtime?: Date; chunk?: number } = {}): LogFile {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const chunk = opts.chunk ?? 65536;
  return {
    node: 'n1',
    kind: opts.kind ?? 'ha',
    path: opts.path ?? 'ha.log',
    order: 0,
    size: bytes.length,
    mtime: opts.mtime ?? new Date('2017-10-13T00:00:00Z'),
    open: () => {
      const parts: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
      return Readable.from(parts);
    },
  };
}

/**
 * A file of `total` bytes of binary junk, read in 64 KiB chunks, that counts what its reader took
 * and whether it was let go of: a reader that gives up on it should stop reading it.
 */
export function junkFile(base: Omit<LogFile, 'open'>, total: number): { file: LogFile; read: () => number; destroyed: () => boolean } {
  const piece = Buffer.alloc(64 << 10);
  for (let i = 0; i < piece.length; i++) piece[i] = (i * 2654435761) >>> 24;
  let read = 0;
  let destroyed = false;
  const file: LogFile = {
    ...base,
    size: total,
    open: () => {
      const src = new Readable({
        read() {
          if (read >= total) return void this.push(null);
          read += piece.length;
          this.push(Buffer.from(piece));
        },
      });
      src.once('close', () => (destroyed = true));
      return src;
    },
  };
  return { file, read: () => read, destroyed: () => destroyed };
}

/** A file whose source never sends a byte nor ends (a peer that went silent), and whether it was let go of. */
export function silentFile(base: Omit<LogFile, 'open'>): { file: LogFile; destroyed: () => boolean } {
  let destroyed = false;
  const file: LogFile = {
    ...base,
    open: () => {
      const src = new Readable({ read() {} });
      src.once('close', () => (destroyed = true));
      return src;
    },
  };
  return { file, destroyed: () => destroyed };
}
