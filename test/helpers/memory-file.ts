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
