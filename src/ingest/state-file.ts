import type { LogFile } from '../types';
import { decodedChunks, type Warn } from './decode';

/** /etc/ha.state is one word; anything past this is not a state file. */
const MAX_STATE_BYTES = 4096;

/** The state word of an ha.state file, or undefined (with a warning) when it holds none. */
export async function readStateFile(file: LogFile, warn: Warn): Promise<string | undefined> {
  const parts: Buffer[] = [];
  let len = 0;
  for await (const chunk of decodedChunks(file, warn)) {
    parts.push(chunk);
    len += chunk.length;
    if (len > MAX_STATE_BYTES) break;
  }
  const word = Buffer.concat(parts).subarray(0, MAX_STATE_BYTES).toString('utf8').trim().split(/\s+/)[0];
  if (!word || !/^[A-Za-z][A-Za-z_-]*$/.test(word)) {
    warn(`${file.node}: ${file.path} does not hold an HA state word; ignored`);
    return undefined;
  }
  return word;
}
