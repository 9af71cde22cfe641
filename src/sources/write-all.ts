import type { FileHandle } from 'node:fs/promises';

/**
 * Writes all of `data` to `fh`, at `position` or else where the file's own position is: one
 * write may take fewer bytes than it is given, and the rest must follow it.
 */
export async function writeAll(fh: FileHandle, data: Buffer, position?: number): Promise<void> {
  for (let at = 0; at < data.length; ) at += (await fh.write(data, at, data.length - at, position === undefined ? null : position + at)).bytesWritten;
}
