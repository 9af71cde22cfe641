/** Collection progress: redrawn per node on a terminal, one plain line per file otherwise. */
export function progressReporter(out: NodeJS.WriteStream, quiet: boolean): (node: string, e: { files: number; bytes: number; done?: boolean; error?: string }) => void {
  if (quiet) return () => {};
  const started = Date.now();
  const state = new Map<string, string>();
  const line = (node: string, e: { files: number; bytes: number; done?: boolean; error?: string }): string => {
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const mb = e.bytes / (1 << 20);
    const status = e.error ? `failed: ${e.error}` : e.done ? 'done' : 'copying';
    return `${node}: ${e.files} files, ${mb.toFixed(1)} MB, ${(mb / secs).toFixed(1)} MB/s, ${status}`;
  };
  if (!out.isTTY) return (node, e) => out.write(`${line(node, e)}\n`);
  // One line for all nodes, redrawn in place.
  return (node, e) => {
    state.set(node, line(node, e));
    out.write(`\r\x1b[2K${[...state.values()].join(' | ').slice(0, (out.columns ?? 100) - 1)}`);
    if (e.done && [...state.values()].every((l) => !l.endsWith('copying'))) out.write('\n');
  };
}
