import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMANDS } from '../../commands';
import { FIXTURES, REPO } from '../helpers/cli';

interface Example {
  description?: string;
  command: string;
}

/** Every example of every command's --help, as a shell command line run from the repository root. */
function examples(): Array<{ id: string; line: string }> {
  const out: Array<{ id: string; line: string }> = [];
  for (const [id, cmd] of Object.entries(COMMANDS)) {
    for (const ex of ((cmd as unknown as { examples?: Array<string | Example> }).examples ?? [])) {
      const text = typeof ex === 'string' ? ex : ex.command;
      out.push({ id, line: text.replaceAll('<%= config.bin %>', `node ${path.join(REPO, 'bin', 'run.js')}`).replaceAll('<%= command.id %>', id) });
    }
  }
  return out;
}

describe('every --help example runs as written, from the repository root, on the shipped fixtures', function () {
  this.timeout(120000);
  let cwd: string;
  // A scratch copy of the root: examples that write (a bundle, timeline.ndjson) write there, not in the clone.
  beforeEach(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-examples-'));
    symlinkSync(FIXTURES, path.join(cwd, 'fixtures'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('there are examples for every command that reads logs', () => {
    const ids = new Set(examples().map((e) => e.id));
    for (const id of ['analyze', 'timeline', 'explain', 'state', 'collect', 'verify']) assert.ok(ids.has(id), id);
  });

  for (const { id, line } of examples()) {
    it(`${id}: ${line.replace(/^node \S+ /, 'smsdiag ')}`, async () => {
      const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
        execFile('bash', ['-c', line], { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 60000, maxBuffer: 1 << 26 }, (err, _out, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
        ),
      );
      // --fail-on critical documents exit 1 when a critical finding is there.
      const allowed = /--fail-on/.test(line) ? [0, 1] : [0];
      assert.ok(allowed.includes(r.code), `exit ${r.code}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error/);
    });
  }
});
