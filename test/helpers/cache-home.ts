import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Loaded by mocha before the tests (.mocharc.json): every smsdiag a test starts keeps its start-up
// code cache (bin/code-cache.js) here, not in the home of whoever runs the suite.
const dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-test-cache-'));
process.env.XDG_CACHE_HOME = dir;
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
