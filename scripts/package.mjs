#!/usr/bin/env node
// Builds release/smsdiag-<platform>-<arch>: one executable holding the Node.js runtime that runs
// this script and the bundled CLI (dist/smsdiag.js), for machines with no Node.js, such as an
// SMS node. Uses Node's single-executable applications: a preparation blob injected with postject.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The fuse every Node.js binary built with single-executable support carries (Node's documentation).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
const work = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-sea-'));
try {
  const blob = path.join(work, 'smsdiag.blob');
  const config = path.join(work, 'sea-config.json');
  writeFileSync(config, JSON.stringify({ main: path.join(root, 'dist/smsdiag.js'), output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit' });

  const out = path.join(root, 'release', `smsdiag-${process.platform}-${process.arch}`);
  mkdirSync(path.dirname(out), { recursive: true });
  // Written under another name and renamed, so a failed build never leaves a broken executable.
  const partial = `${out}.partial`;
  copyFileSync(process.execPath, partial);
  chmodSync(partial, 0o755);
  const { inject } = require('postject');
  await inject(partial, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: FUSE });
  rmSync(out, { force: true });
  execFileSync('mv', [partial, out]);
  process.stdout.write(`${path.relative(process.cwd(), out)} (${(statSync(out).size / 1048576).toFixed(1)} MiB, Node.js ${process.version})\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
