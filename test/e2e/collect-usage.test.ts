import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';

describe('collect: a bundle that cannot be written is refused before any node is reached', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-out-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Port 1 on loopback: if collect tried to connect first, it would fail with exit 5 instead.
  const collect = (out: string) => runCli(['collect', '--host', 'peer=127.0.0.1', '--port', '1', '--out', out, '--quiet', '--description', 'test']);

  it('a missing --out directory: exit 2, one sentence naming it', async () => {
    const r = await collect(path.join(dir, 'missing'));
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `smsdiag: --out ${path.join(dir, 'missing')}: no such directory; create it or give another\n`);
  });

  it('an --out that is a file: exit 2', async () => {
    const file = path.join(dir, 'file');
    writeFileSync(file, 'x');
    const r = await collect(file);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is not a directory/);
  });
});
