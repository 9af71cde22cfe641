import { strict as assert } from 'node:assert';
import { availableParallelism } from 'node:os';
import { threadsFor } from '../../src/cli/flags';
import type { Inventory, LogFile } from '../../src/types';
import { memoryFile } from '../helpers/memory-file';

describe('the default number of threads', () => {
  const cores = Math.min(availableParallelism(), 4);
  /** A file said to be `size` bytes (none are read), at once when `inHand`, as a bundle's small member. */
  const file = (size: number, path: string, inHand = false): LogFile => {
    const f = { ...memoryFile('', { path }), size };
    return inHand ? { ...f, bytes: () => Buffer.alloc(0) } : f;
  };
  const inv = (...nodes: LogFile[][]): Inventory => ({ nodes: nodes.map((files, k) => ({ name: `n${k}`, role: 'unknown', facts: {}, files })), warnings: [] });

  it('is the flag when given, whatever the input', () => {
    assert.equal(threadsFor(3, inv([file(1, 'ha.log')])), 3);
    assert.equal(threadsFor(1, inv([file(1 << 30, 'ha.log')])), 1);
  });

  it('is the cores from 32 MB of text (a gzip file at 8 times its size), one thread below', () => {
    assert.equal(threadsFor(undefined, inv([file(16 << 20, 'ha.log')], [file(16 << 20, 'ha.log')])), cores);
    assert.equal(threadsFor(undefined, inv([file((32 << 20) - 1, 'ha.log')])), 1);
    assert.equal(threadsFor(undefined, inv([file(4 << 20, 'ha.log.1.gz')])), cores);
  });

  it('does not count a bundle\'s small members, read at once in the main thread, as text to share out', () => {
    const small = Array.from({ length: 1000 }, (_, k) => file(64 << 10, `ha.log-${k}`, true));
    assert.equal(threadsFor(undefined, inv(small)), 1);
    assert.equal(threadsFor(undefined, inv(small, [file(40 << 20, 'ha.log')])), cores);
  });

  it('is one thread for more than 10,000 files, however much text they hold', () => {
    const many = (n: number): LogFile[] => Array.from({ length: n }, (_, k) => file(8 << 10, `ha.log-${k}`));
    assert.equal(threadsFor(undefined, inv(many(5000), [...many(4999), file(64 << 20, 'ha.log')])), cores);
    assert.equal(threadsFor(undefined, inv(many(5000), [...many(5000), file(64 << 20, 'ha.log')])), 1);
  });
});
