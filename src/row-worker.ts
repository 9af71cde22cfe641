/**
 * A worker thread of timeline --all (see row-threads.ts): turns the bytes of the files it is given
 * into serialised rows, each file as its own stream, interleaved as their bytes arrive.
 */
import { parentPort } from 'node:worker_threads';
import { Readable } from 'node:stream';
import type { LogFile } from './types';
import { fileRows } from './timeline-rows';
import type { FromWorker, ToWorker } from './row-threads';

const port = parentPort!;
const inputs = new Map<number, Readable>();
const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

async function run(id: number, file: LogFile, job: Extract<ToWorker, { t: 'open' }>['job']): Promise<void> {
  try {
    for await (const batch of fileRows(file, job, (message) => send({ t: 'warn', id, message }))) {
      send({ t: 'rows', id, batch }, [batch.bytes.buffer as ArrayBuffer, batch.ends.buffer as ArrayBuffer, batch.times.buffer as ArrayBuffer, batch.lines.buffer as ArrayBuffer]);
    }
    send({ t: 'done', id });
  } catch (err) {
    send({ t: 'error', id, message: (err as Error).message });
  }
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'open') {
    // Bytes are pushed as they come, a chunk per object so that each pull is one chunk taken: the
    // pulls are what tell the sender to send more.
    const input = new Readable({ objectMode: true, read() {} });
    const pull = input.read.bind(input);
    input.read = (n?: number) => {
      const chunk = pull(n) as Buffer | null;
      if (chunk !== null) send({ t: 'taken', id: m.id });
      return chunk;
    };
    inputs.set(m.id, input);
    void run(m.id, { ...m.file, open: () => input }, m.job);
  } else {
    const input = inputs.get(m.id)!;
    if (m.t === 'chunk') input.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
    else if (m.t === 'end') input.push(null);
    else input.destroy(new Error(m.message));
    if (m.t !== 'chunk') inputs.delete(m.id);
  }
});
