#!/usr/bin/env node
// Bundles the CLI (bin/smsdiag.ts and everything it imports) into dist/smsdiag.js: one file that
// starts without module lookups and that the single executable embeds as it is. The bundle is
// committed: `npm install -g .` only links a clone and runs no scripts, so what it links must run
// as it is. test/e2e/bundle.test.ts checks that the committed bundle is the build of the sources.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// oclif loads the command table and hooks that package.json names with require(path). The bundle
// has no such files, so this prologue answers those paths from the table bin/smsdiag.ts registers
// and passes every other request to Node. In the single executable Node's require only knows its
// built-in modules, which is all the bundle still asks it for (ssh2's optional native add-ons fail
// there as they do on a machine without a compiler, and ssh2 falls back to its JavaScript code).
const prologue = `
const __smsdiagRequire = require;
const __smsdiagInSea = (() => { try { return __smsdiagRequire('node:sea').isSea(); } catch { return false; } })();
const __smsdiagBundled = (id) => {
  const table = globalThis[Symbol.for('smsdiag.bundled')];
  return table && typeof id === 'string' ? Object.keys(table).find((k) => id === k || id.endsWith('/' + k)) : undefined;
};
require = Object.assign(function (id) {
  const k = __smsdiagBundled(id);
  if (k) return globalThis[Symbol.for('smsdiag.bundled')][k];
  if (__smsdiagInSea && !__smsdiagRequire('node:module').isBuiltin(id)) {
    // Not there, as on disk; and without the warning Node prints when asked for it.
    throw Object.assign(new Error("Cannot find module '" + id + "'"), { code: 'MODULE_NOT_FOUND' });
  }
  return __smsdiagRequire(id);
}, __smsdiagRequire, {
  resolve(id, options) {
    return __smsdiagBundled(id) ? id : __smsdiagRequire.resolve(id, options);
  },
});
`;

/**
 * The esbuild options of the bundle, written to `outfile` (the freshness test builds elsewhere),
 * and the source files of the worker thread it embeds. The worker (src/file-worker.ts) is bundled
 * first and carried as a string: a single executable has no file a worker could start from.
 */
export async function bundleOptions(esbuild, outfile = path.join(root, 'dist/smsdiag.js')) {
  const worker = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/file-worker.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const options = {
    absWorkingDir: root,
    entryPoints: ['bin/smsdiag.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // ssh2's optional native crypto and cpu-features: loaded if present, skipped if not. oclif only
    // reaches for typescript to transpile sources, which bin/smsdiag.ts turns off.
    external: ['cpu-features', '*.node', 'typescript'],
    banner: { js: prologue },
    define: { SMSDIAG_FILE_WORKER: JSON.stringify(worker.outputFiles[0].text) },
    legalComments: 'eof',
    logLevel: 'warning',
  };
  return { options, workerInputs: Object.keys(worker.metafile.inputs) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    // An install without devDependencies: the committed dist/smsdiag.js is what runs.
    process.stderr.write('smsdiag: esbuild is not installed, so dist/smsdiag.js was not rebuilt (the committed one is used)\n');
    process.exit(0);
  }
  await esbuild.build((await bundleOptions(esbuild)).options);
}
