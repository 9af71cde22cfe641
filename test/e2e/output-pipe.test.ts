import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, spawnCli } from '../helpers/cli';

interface PipeRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the CLI with its standard output read by a reader that is slow (waits `pauseMs` before
 * reading anything) or that goes away after `closeAfter` bytes, like `| head -c N`.
 */
function runPiped(args: string[], reader: { pauseMs?: number; closeAfter?: number }): Promise<PipeRun> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args);
    const got: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const out = child.stdout!;
    // Pausing before the first chunk would not do: Node lets a child's paused output flow, to no
    // one, once the child has exited. The reader stops after the first chunk instead.
    out.on('data', (d: Buffer) => {
      got.push(d);
      size += d.length;
      if (reader.closeAfter !== undefined && size >= reader.closeAfter) out.destroy();
      if (reader.pauseMs && got.length === 1) {
        out.pause();
        setTimeout(() => out.resume(), reader.pauseMs);
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`smsdiag ${args.join(' ')} did not finish after its reader ${reader.closeAfter !== undefined ? 'went away' : 'was slow'}`));
    }, 60000);
    child.on('error', reject);
    // The child may be gone before a slow reader has read what it left in the pipe: done when both are.
    let code: number | null | undefined;
    let read = false;
    const done = (): void => {
      if (code === undefined || !read) return;
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(got), stderr });
    };
    child.on('close', (c) => {
      code = c;
      done();
    });
    out.on('close', () => {
      read = true;
      done();
    });
  });
}

describe('output to a pipe: a slow reader gets all of it, a reader that goes away ends the run', function () {
  this.timeout(120000);
  let dir: string;

  before(() => {
    // Enough rows that the output is many times what a pipe holds (64 KiB).
    dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-pipe-'));
    for (const [node, state] of [['primary', 'Active'], ['secondary', 'Passive']]) {
      mkdirSync(path.join(dir, node));
      const lines: string[] = [];
      for (let i = 0; i < 20000; i++) {
        const t = new Date(Date.UTC(2017, 9, 12, 0, 0, 0) + i * 2000).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
        lines.push(`${t} INFO [ha] Local state: ${state}\n`);
      }
      writeFileSync(path.join(dir, node, 'ha.log'), lines.join(''));
      // And many files, each a line in analyze's JSON.
      for (let n = 1; n <= 800; n++) writeFileSync(path.join(dir, node, `ha.log.${n}`), `2017-10-11 12:00:00,000 INFO [ha] rotation ${n}\n`);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const args of [
    ['timeline', '--all', '--format', 'ndjson'],
    ['timeline', '--all', '--format', 'json'],
    ['analyze', '--json'],
  ]) {
    const name = args.join(' ');
    it(`${name}: a reader that closes after 100 bytes ends it at once, exit 0, nothing on stderr`, async () => {
      const r = await runPiped([args[0], dir, ...args.slice(1)], { closeAfter: 100 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.ok(r.stdout.length >= 100);
    });

    it(`${name}: a reader that waits 1 s first gets the same bytes as a quick one`, async () => {
      const quick = await runCli([args[0], dir, ...args.slice(1)]);
      assert.equal(quick.code, 0, quick.stderr);
      assert.ok(quick.stdout.length > 2 * 64 * 1024, `only ${quick.stdout.length} bytes: not more than a pipe holds`);
      const slow = await runPiped([args[0], dir, ...args.slice(1)], { pauseMs: 1000 });
      assert.equal(slow.code, 0, slow.stderr);
      assert.equal(slow.stdout.toString(), quick.stdout);
    });
  }
});
