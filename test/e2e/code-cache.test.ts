import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, runCli } from '../helpers/cli';

// bin/code-cache.js: the launcher keeps V8's compiled code of the bundle between runs.
describe('the start-up code cache (bin/code-cache.js)', function () {
  this.timeout(120000);
  let home: string;
  const args = ['analyze', path.join(FIXTURES, 'takeover-db'), '--json'];
  const env = (): Record<string, string> => ({ XDG_CACHE_HOME: home, SMSDIAG_NO_CODE_CACHE: '' });
  const dir = (): string => path.join(home, 'smsdiag');
  const files = (): string[] => readdirSync(dir()).sort();

  let expected: string;
  before(async () => {
    const r = await runCli(args, { env: { SMSDIAG_NO_CODE_CACHE: '1' } });
    assert.equal(r.code, 0, r.stderr);
    expected = r.stdout;
  });
  beforeEach(() => (home = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-cache-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('is written on the first run, private to the user, and taken as it is on the next', async () => {
    const first = await runCli(args, { env: env() });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, expected);
    assert.equal(statSync(dir()).mode & 0o777, 0o700);
    const [name] = files();
    assert.match(name, new RegExp(`^${process.version.replace(/\./g, '\\.')}-${process.arch}-[0-9a-f]{20}\\.v8cache$`));
    assert.deepEqual(files(), [name]);
    const before = statSync(path.join(dir(), name));
    assert.equal(before.mode & 0o777, 0o600);
    assert.ok(before.size > 100000, `a cache of ${before.size} bytes holds too little`);

    const second = await runCli(args, { env: env() });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, expected);
    // V8 accepted it: a rejected cache is written again, under a new inode.
    assert.equal(statSync(path.join(dir(), name)).ino, before.ino);
  });

  it('a damaged cache is compiled past and replaced, with the same output', async () => {
    await runCli(['--version'], { env: env() });
    const [name] = files();
    const size = statSync(path.join(dir(), name)).size;
    for (const junk of [Buffer.alloc(size, 0x5a), Buffer.alloc(0), Buffer.from('not a cache\n')]) {
      writeFileSync(path.join(dir(), name), junk);
      const damaged = statSync(path.join(dir(), name)).ino;
      const r = await runCli(args, { env: env() });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, expected);
      assert.deepEqual(files(), [name]);
      const now = statSync(path.join(dir(), name));
      assert.notEqual(now.ino, damaged);
      assert.ok(now.size > 100000);
    }
  });

  it('drops the cache of another build of the same Node, and leaves other files alone', async () => {
    mkdirSync(dir(), { mode: 0o700 });
    const stale = `${process.version}-${process.arch}-${'0'.repeat(20)}.v8cache`;
    const otherNode = `v0.0.1-${process.arch}-${'0'.repeat(20)}.v8cache`;
    for (const f of [stale, otherNode, 'notes.txt']) writeFileSync(path.join(dir(), f), 'x');
    const r = await runCli(['--version'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const left = files();
    assert.ok(!left.includes(stale), left.join(' '));
    assert.ok(left.includes(otherNode) && left.includes('notes.txt'), left.join(' '));
    assert.equal(left.length, 3);
  });

  it('is not used from a directory others can write to, nor when switched off', async () => {
    mkdirSync(dir(), { mode: 0o700 });
    chmodSync(dir(), 0o777);
    const open = await runCli(args, { env: env() });
    assert.equal(open.code, 0, open.stderr);
    assert.equal(open.stdout, expected);
    assert.deepEqual(files(), []);

    chmodSync(dir(), 0o700);
    const off = await runCli(args, { env: { ...env(), SMSDIAG_NO_CODE_CACHE: '1' } });
    assert.equal(off.stdout, expected);
    assert.deepEqual(files(), []);
  });

  it('a cache directory that cannot be made changes nothing', async () => {
    writeFileSync(path.join(home, 'smsdiag'), 'a file where the directory would be');
    const r = await runCli(args, { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, expected);
  });
});
