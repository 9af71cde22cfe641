/** One step of a collection, as the progress line shows it. */
export interface ProgressEvent {
  files: number;
  bytes: number;
  /** What the node (or, for `bundle`, the whole collection) is doing now. */
  phase?: 'connecting' | 'listing' | 'copying' | 'redacting' | 'analysing' | 'writing';
  /** The file being copied, while it streams. */
  file?: string;
  done?: boolean;
  error?: string;
}

/** Redraws on a terminal at most this often while bytes stream. */
const REDRAW_MS = 100;

/**
 * Progress of a collection on stderr. On a terminal: one line for all nodes, redrawn in place as
 * bytes stream (files, MB, MB/s, phase). Elsewhere (a log, CI): one line per event — a phase
 * begun, a file done, a node done or failed — never one per chunk.
 */
export function progressReporter(out: NodeJS.WriteStream, quiet: boolean): (node: string, e: ProgressEvent) => void {
  if (quiet) return () => {};
  const started = Date.now();
  const state = new Map<string, string>();
  const line = (node: string, e: ProgressEvent): string => {
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const mb = e.bytes / (1 << 20);
    const status = e.error ? `failed: ${e.error}` : e.done ? 'done' : e.file ? `${e.phase ?? 'copying'} ${e.file}` : (e.phase ?? 'copying');
    return `${node}: ${e.files} file${e.files === 1 ? '' : 's'}, ${mb.toFixed(1)} MB, ${(mb / secs).toFixed(1)} MB/s, ${status}`;
  };
  if (!out.isTTY) {
    return (node, e) => {
      // A chunk of a file in flight is not an event worth a line.
      if (e.file && !e.done && !e.error) return;
      out.write(`${line(node, e)}\n`);
    };
  }
  let last = 0;
  return (node, e) => {
    state.set(node, line(node, e));
    const now = Date.now();
    const final = e.done && [...state.values()].every((l) => / (done|failed: .*)$/.test(l));
    if (!final && e.file && now - last < REDRAW_MS) return;
    last = now;
    out.write(`\r\x1b[2K${[...state.values()].join(' | ').slice(0, (out.columns ?? 100) - 1)}`);
    if (final) out.write('\n');
  };
}
