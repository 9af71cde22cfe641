import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from '../helpers/cli';

/** Builds the bundle into `out` with scripts/build.mjs's options; returns the source files it read. */
function buildInto(out: string): string[] {
  const script = `import { bundleOptions } from './scripts/build.mjs'; import * as esbuild from 'esbuild';
const { options, workerInputs } = await bundleOptions(esbuild, ${JSON.stringify(out)});
const r = await esbuild.build({ ...options, metafile: true });
process.stdout.write(JSON.stringify([...new Set([...Object.keys(r.metafile.inputs), ...workerInputs])]));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' })) as string[];
}

function git(args: string[]): Buffer {
  return execFileSync('git', args, { cwd: REPO, maxBuffer: 64 << 20 });
}

describe('dist/smsdiag.js, the committed bundle', function () {
  this.timeout(60000);

  it('is tracked by git, so that a clone runs without a build', () => {
    assert.equal(git(['ls-files', 'dist/smsdiag.js']).toString().trim(), 'dist/smsdiag.js');
  });

  it('is the build of the committed sources (or, while they are edited, of the working tree)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-bundle-'));
    try {
      const out = path.join(dir, 'smsdiag.js');
      const inputs = buildInto(out).filter((f) => !f.startsWith('node_modules/'));
      assert.ok(inputs.includes('bin/smsdiag.ts') && inputs.some((f) => f.startsWith('src/')), `inputs: ${inputs.slice(0, 5).join(', ')}`);
      const fresh = readFileSync(out);
      const edited = git(['status', '--porcelain', '--', ...inputs, 'package.json', 'package-lock.json', 'scripts/build.mjs']).toString().trim();
      if (edited) {
        // Sources changed since the last commit: the working bundle must be their build (npm test rebuilt it).
        assert.ok(fresh.equals(readFileSync(path.join(REPO, 'dist/smsdiag.js'))), 'dist/smsdiag.js is not the build of the working tree: run npm run build');
      } else {
        assert.ok(fresh.equals(git(['show', 'HEAD:dist/smsdiag.js'])), 'the committed dist/smsdiag.js is not the build of the committed sources: run npm run build and commit dist/smsdiag.js');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
