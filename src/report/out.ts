/** Whoever read the output has gone (a pipe closed: `| head`): nothing more written would reach anyone. */
export class OutputClosed extends Error {
  constructor() {
    super('standard output closed');
  }
}

export interface OutputWriter {
  /**
   * Writes `chunk`, then, when `out` is full, waits until it has room again. Rejects with
   * OutputClosed once `out` can take nothing more.
   */
  write(chunk: string | Uint8Array, done?: () => void): Promise<void>;
  /** Done writing: lets go of `out`'s events (but its errors: see outputWriter). */
  release(): void;
}

const QUIET = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes that wait for the reader. To a pipe, Node writes what the pipe takes and queues the
 * rest in memory: a loop that does not wait queued all of `analyze --json` of a 200,000-member
 * bundle (40 MB of text, about 500 MB at the peak) when its reader was slower. And a reader
 * that went away (`| head`) never makes room again: a writer that waited for that hung.
 */
export function outputWriter(out: NodeJS.WritableStream): OutputWriter {
  let closed = false;
  let wake: (() => void) | undefined;
  const gone = (): void => {
    closed = true;
    wake?.();
  };
  const onDrain = (): void => wake?.();
  // The last writes may still be on their way when the writer is done; a reader that goes away
  // then is an error with no one to hear it, and Node ends the process on it with a stack trace.
  if (!QUIET.has(out)) {
    QUIET.add(out);
    out.on('error', () => undefined);
  }
  out.on('error', gone);
  out.on('close', gone);
  out.on('drain', onDrain);
  return {
    async write(chunk, done) {
      if (closed || (out as { destroyed?: boolean }).destroyed) throw new OutputClosed();
      if (out.write(chunk, done)) return;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (closed) throw new OutputClosed();
    },
    release() {
      out.off('error', gone);
      out.off('close', gone);
      out.off('drain', onDrain);
    },
  };
}

/**
 * Runs `body`, which writes to `out` with `write` (see outputWriter); a reader that goes away
 * ends the writing quietly, as a pipe's writer would (`| head`), and so ends `body` there.
 */
export async function writeTo(out: NodeJS.WritableStream, body: (write: OutputWriter['write']) => Promise<void>): Promise<void> {
  const writer = outputWriter(out);
  try {
    await body((chunk, done) => writer.write(chunk, done));
  } catch (err) {
    if (!(err instanceof OutputClosed)) throw err;
  } finally {
    writer.release();
  }
}
