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

  /** threadsFor with the notes it gives collected. */
  const threads = (flag: number | undefined, input: Inventory): { n: number; notes: string[] } => {
    const notes: string[] = [];
    return { n: threadsFor(flag, input, undefined, (m) => notes.push(m)), notes };
  };

  it('is the flag when given, for up to 10,000 files', () => {
    assert.deepEqual(threads(3, inv([file(1, 'ha.log')])), { n: 3, notes: [] });
    assert.deepEqual(threads(1, inv([file(1 << 30, 'ha.log')])), { n: 1, notes: [] });
    const many = Array.from({ length: 10_000 }, (_, k) => file(8 << 10, `ha.log-${k}`, true));
    assert.deepEqual(threads(2, inv(many)), { n: 2, notes: [] });
  });

  it('is one thread for more than 10,000 files whatever the flag asks, and says so when it asked for more', () => {
    const many = Array.from({ length: 10_001 }, (_, k) => file(8 << 10, `ha.log-${k}`, true));
    const two = threads(2, inv(many.slice(0, 5000), many.slice(5000)));
    assert.equal(two.n, 1);
    assert.deepEqual(two.notes, ['--threads 2 not used: the 10001 files are read in one thread, which is faster and takes less memory for more than 10000 files']);
    assert.deepEqual(threads(1, inv(many)), { n: 1, notes: [] });
    assert.deepEqual(threads(undefined, inv(many)), { n: 1, notes: [] });
    // Counted are the files read: timeline --all of one kind of many.
    const notes: string[] = [];
    const one = [...many, { ...file(8 << 10, 'sms-info.log', true), kind: 'sms-info' as const }];
    assert.equal(threadsFor(2, inv(one), (f) => f.kind === 'sms-info', (m) => notes.push(m)), 2);
    assert.deepEqual(notes, []);
  });

  it('is the cores from 32 MB of text (a gzip file at 8 times its size), one thread below', () => {
    assert.equal(threads(undefined, inv([file(16 << 20, 'ha.log')], [file(16 << 20, 'ha.log')])).n, cores);
    assert.equal(threads(undefined, inv([file((32 << 20) - 1, 'ha.log')])).n, 1);
    assert.equal(threads(undefined, inv([file(4 << 20, 'ha.log.1.gz')])).n, cores);
  });

  it('does not count a bundle\'s small members, read at once in the main thread, as text to share out', () => {
    const small = Array.from({ length: 1000 }, (_, k) => file(64 << 10, `ha.log-${k}`, true));
    assert.equal(threads(undefined, inv(small)).n, 1);
    assert.equal(threads(undefined, inv(small, [file(40 << 20, 'ha.log')])).n, cores);
  });

  it('is one thread for more than 10,000 files, however much text they hold', () => {
    const many = (n: number): LogFile[] => Array.from({ length: n }, (_, k) => file(8 << 10, `ha.log-${k}`));
    assert.equal(threads(undefined, inv(many(5000), [...many(4999), file(64 << 20, 'ha.log')])).n, cores);
    assert.equal(threads(undefined, inv(many(5000), [...many(5000), file(64 << 20, 'ha.log')])).n, 1);
  });
});
