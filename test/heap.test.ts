import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { MANY_FILES } from '../src/heap';
import { bareManifest, run, tempDir } from './helpers/bundle';

/** The compiled modules, for a process of its own. */
const SRC = path.join(__dirname, '..', 'src');

/**
 * `script` in a process of its own, its output: V8's flags are process-wide, and mocha runs every
 * test in one process. The young generation's largest size is pinned to V8's default on 64-bit
 * machines (16 MiB a half), which V8 may otherwise size down on a small one.
 */
function inChild(script: string): string {
  return execFileSync(process.execPath, ['--max-semi-space-size=16', '-e', script], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, SRC } });
}

/** The last line a script printed. */
function lastLine(out: string): string {
  return out.trim().split('\n').pop()!;
}

/**
 * 2,000,000 objects made and kept, with V8's trace of each old-generation limit it sets (the factor
 * it grew the limit by) and, on a line of its own, the largest the young generation grew to.
 */
const GROWTH = `
  const v8 = require('node:v8');
  v8.setFlagsFromString('--trace-gc-verbose');
  const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
  const kept = [];
  let most = 0;
  for (let i = 0; i < 2e6; i++) {
    kept.push({ i, s: 'x' + i });
    if (i % 1000 === 0) most = Math.max(most, young());
  }
  console.log('young ' + most);
`;

/** What GROWTH printed: the old generation's growth factors and the young generation's largest size. */
function growth(out: string): { factors: number[]; young: number } {
  const factors = [...out.matchAll(/\[HeapController\] Limit: .*\((\d+(?:\.\d+)?)\)$/gm)].map((m) => Number(m[1]));
  return { factors, young: Number(/^young (\d+)$/m.exec(out)?.[1]) };
}

describe('heap: many files', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('grows the old generation by 30 % and keeps the young one at its size, where by default they grow 4 times and to 16 MiB', () => {
    const tight = growth(inChild(`require(process.env.SRC + '/heap').manyFilesHeap(); ${GROWTH}`));
    const loose = growth(inChild(GROWTH));
    assert.ok(tight.factors.length > 0, 'V8 set no old-generation limit: the test allocates too little');
    assert.deepEqual([...new Set(tight.factors)], [1.3]);
    assert.ok(tight.young <= 4 << 20, `young generation grew to ${tight.young} bytes`);
    // The same work without: the test tells them apart.
    assert.ok(Math.max(...loose.factors) > 1.3, `default factors ${loose.factors.join(', ')}`);
    assert.ok(loose.young >= 16 << 20, `the default grew only to ${loose.young} bytes`);
  });

  /** `n` rotations of ha.log in `dir`. */
  function logs(dir: string, n: number): void {
    mkdirSync(dir, { recursive: true });
    for (let k = 1; k <= n; k++) writeFileSync(path.join(dir, `ha.log.${k}`), `${k}\n`);
  }

  it('is set by an input of more than MANY_FILES log files, counted over its nodes, not by one of MANY_FILES', () => {
    const resolved = (dir: string): string =>
      lastLine(
        inChild(`(async () => {
          const inv = await require(process.env.SRC + '/sources/inputs').resolveInputs([${JSON.stringify(dir)}]);
          console.log(inv.nodes.map((n) => n.files.length).join('+'), require(process.env.SRC + '/heap').heapTightened());
        })()`),
      );
    // A cluster directory: one sub-directory per node, neither past MANY_FILES alone.
    const half = MANY_FILES / 2;
    logs(path.join(t.dir, 'primary'), half);
    logs(path.join(t.dir, 'secondary'), half);
    assert.equal(resolved(t.dir), `${half}+${half} false`);
    writeFileSync(path.join(t.dir, 'secondary', 'ha.log'), 'now\n');
    assert.equal(resolved(t.dir), `${half}+${half + 1} true`);
  });

  it("is set while a bundle is opened, by more than MANY_FILES entries of nodes' logs, not by MANY_FILES and its other entries", () => {
    const opened = (logCount: number): string => {
      const top = path.join(t.dir, `b${logCount}`, 'top');
      logs(path.join(top, 'nodes', 'primary', 'logs'), logCount);
      // Entries that are not a node's logs do not count.
      logs(path.join(top, 'nodes', 'primary', 'facts'), 3);
      writeFileSync(path.join(top, 'manifest.json'), JSON.stringify(bareManifest([{ name: 'primary', host: 'sms-a', role: 'primary', facts: {}, files: [], errors: [] }])));
      const file = path.join(t.dir, `b${logCount}.tar.gz`);
      run('tar', ['-czf', file, 'top'], path.dirname(top));
      return lastLine(
        inChild(`(async () => {
          const b = await require(process.env.SRC + '/sources/bundle/reader').openBundle(${JSON.stringify(file)});
          console.log(b.entries.size, require(process.env.SRC + '/heap').heapTightened());
        })()`),
      );
    };
    assert.equal(opened(MANY_FILES), `${MANY_FILES + 4} false`);
    assert.equal(opened(MANY_FILES + 1), `${MANY_FILES + 5} true`);
  });

  it('has a run of many files read in one thread, whatever --threads says, and says why', () => {
    const out = inChild(`
      require(process.env.SRC + '/heap').manyFilesHeap();
      const file = { node: 'primary', kind: 'ha', path: 'ha.log', order: 0, size: 1 << 30, mtime: new Date(0), open: () => { throw new Error('not read'); } };
      const notes = [];
      const n = require(process.env.SRC + '/cli/flags').threadsFor(4, { nodes: [{ name: 'primary', role: 'primary', files: [file], facts: {} }], warnings: [] }, undefined, (m) => notes.push(m));
      console.log(JSON.stringify({ n, notes }));
    `);
    const { n, notes } = JSON.parse(lastLine(out)) as { n: number; notes: string[] };
    assert.equal(n, 1);
    assert.deepEqual(notes, [`--threads 4 not used: the input holds more than ${MANY_FILES} log files, read in one thread, which is faster and takes less memory for more than ${MANY_FILES} files`]);
  });
});
