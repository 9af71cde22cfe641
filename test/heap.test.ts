import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { MANY_FILES } from '../src/heap';
import { CREATED, run, tempDir } from './helpers/bundle';

/** The compiled modules, for a process of its own. */
const SRC = path.join(__dirname, '..', 'src');

/**
 * `script` in a process of its own, its last line of output: V8's flags are process-wide, and
 * mocha runs every test in one process.
 */
function inChild(script: string): string {
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, SRC } });
  return out.trim().split('\n').pop()!;
}

/** The largest the young generation grows while 2,000,000 objects are made and kept. */
const YOUNG_GROWTH = `
  const v8 = require('node:v8');
  const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
  const kept = [];
  let most = 0;
  for (let i = 0; i < 2e6; i++) {
    kept.push({ i, s: 'x' + i });
    if (i % 1000 === 0) most = Math.max(most, young());
  }
  console.log(most);
`;

describe('heap: many files', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('keeps the young generation at its size once set, where by default it grows to 16 MiB a half', () => {
    const tight = Number(inChild(`require(process.env.SRC + '/heap').manyFilesHeap(); ${YOUNG_GROWTH}`));
    const loose = Number(inChild(YOUNG_GROWTH));
    assert.ok(tight <= 4 << 20, `young generation grew to ${tight} bytes`);
    assert.ok(loose >= 16 << 20, `the default grew only to ${loose} bytes: this test no longer tells them apart`);
  });

  /** A node directory holding `n` rotations of ha.log. */
  function logs(dir: string, n: number): void {
    mkdirSync(dir, { recursive: true });
    for (let k = 1; k <= n; k++) writeFileSync(path.join(dir, `ha.log.${k}`), `${k}\n`);
  }

  it('is set by a directory of more than MANY_FILES logs, not by one of MANY_FILES', () => {
    const listed = (dir: string): string =>
      inChild(`(async () => {
        const node = await require(process.env.SRC + '/sources/local').nodeFromDirectory('primary', ${JSON.stringify(dir)}, []);
        console.log(node.files.length, require(process.env.SRC + '/heap').heapTightened());
      })()`);
    const dir = path.join(t.dir, 'primary');
    logs(dir, MANY_FILES);
    assert.equal(listed(dir), `${MANY_FILES} false`);
    writeFileSync(path.join(dir, 'ha.log'), 'now\n');
    assert.equal(listed(dir), `${MANY_FILES + 1} true`);
  });

  it("is set by a bundle's listing of more than MANY_FILES entries, not by one of MANY_FILES", () => {
    const opened = (logCount: number): string => {
      const top = path.join(t.dir, `b${logCount}`, 'top');
      logs(path.join(top, 'nodes', 'primary', 'logs'), logCount);
      const node = { name: 'primary', host: 'sms-a', role: 'primary', facts: {}, files: [], errors: [] };
      writeFileSync(path.join(top, 'manifest.json'), JSON.stringify({ format: 'smsdiag-bundle', version: 1, tool: { name: 'smsdiag', version: '0' }, commandLine: [], createdAt: CREATED, redacted: false, nodes: [node], analysis: [] }));
      const file = path.join(t.dir, `b${logCount}.tar.gz`);
      run('tar', ['-czf', file, 'top'], path.dirname(top));
      return inChild(`(async () => {
        const b = await require(process.env.SRC + '/sources/bundle/reader').openBundle(${JSON.stringify(file)});
        console.log(b.entries.size, require(process.env.SRC + '/heap').heapTightened());
      })()`);
    };
    // The manifest is an entry too.
    assert.equal(opened(MANY_FILES - 1), `${MANY_FILES} false`);
    assert.equal(opened(MANY_FILES), `${MANY_FILES + 1} true`);
  });
});
