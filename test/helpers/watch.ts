import { builtinRules } from '../../src/rules/engine';
import type { WatchOptions } from '../../src/watch';

/**
 * A watch of nodes on this machine only, polled every 100 ms, collecting nothing: what a test or
 * the benchmark changes is given in `o` (nodes, signal and emit always).
 */
export function localWatchOptions(o: Pick<WatchOptions, 'nodes' | 'signal' | 'emit'> & Partial<WatchOptions>): WatchOptions {
  return {
    ssh: { port: 22, user: 'root', keyFile: '/nonexistent', knownHosts: '/nonexistent', acceptNewHostKey: false },
    paths: [],
    rules: builtinRules(),
    tz: {},
    clock: {},
    defaultOffsetMinutes: 0,
    contextBytes: 1 << 20,
    pollMs: 100,
    collectOn: new Set(),
    cooldownMs: 0,
    commandLine: ['smsdiag', 'watch', '(test)'],
    toolVersion: 'test',
    ...o,
  };
}
