import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
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

  it('a damaged cache, or one that is a link, is compiled past and replaced, with the same output', async () => {
    await runCli(['--version'], { env: env() });
    const [name] = files();
    const at = path.join(dir(), name);
    const good = readFileSync(at);
    // Damage V8 sees in the header, damage only the digest in front sees, nothing, junk; and a link to a good cache.
    const middle = Buffer.from(good);
    middle[Math.floor(middle.length / 2)] ^= 0xff;
    const damages: Array<() => void> = [
      () => writeFileSync(at, Buffer.alloc(good.length, 0x5a)),
      () => writeFileSync(at, middle),
      () => writeFileSync(at, Buffer.alloc(0)),
      () => writeFileSync(at, 'not a cache\n'),
      () => {
        writeFileSync(path.join(home, 'elsewhere'), good);
        rmSync(at);
        symlinkSync(path.join(home, 'elsewhere'), at);
      },
    ];
    for (const damage of damages) {
      damage();
      const damaged = lstatSync(at).ino;
      const r = await runCli(args, { env: env() });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, expected);
      assert.deepEqual(files(), [name]);
      const now = lstatSync(at);
      assert.ok(now.isFile());
      assert.notEqual(now.ino, damaged);
      assert.ok(now.size > 100000);
    }
  });

  it('keeps the three newest caches of this Node, and leaves other files alone', async () => {
    mkdirSync(dir(), { mode: 0o700 });
    const stale = [1, 2, 3].map((k) => `${process.version}-${process.arch}-${String(k).repeat(20)}.v8cache`);
    const otherNode = `v0.0.1-${process.arch}-${'0'.repeat(20)}.v8cache`;
    const leftOver = `${stale[0]}.123.abc.partial`;
    for (const f of [...stale, otherNode, 'notes.txt', leftOver]) writeFileSync(path.join(dir(), f), 'x');
    // The first is the oldest; a partial file two hours old is what a run that died left.
    stale.forEach((f, k) => utimesSync(path.join(dir(), f), new Date(2026, 0, 1 + k), new Date(2026, 0, 1 + k)));
    utimesSync(path.join(dir(), leftOver), new Date(Date.now() - 7200_000), new Date(Date.now() - 7200_000));
    const r = await runCli(['--version'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const left = files();
    assert.deepEqual(left.filter((f) => stale.includes(f)), [stale[1], stale[2]]);
    assert.ok(left.includes(otherNode) && left.includes('notes.txt'), left.join(' '));
    assert.ok(!left.includes(leftOver), left.join(' '));
    assert.equal(left.length, 5);
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
    await runCli(['--version'], { env: { ...env(), SMSDIAG_NO_CODE_CACHE: '0' } });
    assert.equal(files().length, 1);
  });

  it('ignores a relative XDG_CACHE_HOME, as the XDG rules say, for ~/.cache', async () => {
    const r = await runCli(['--version'], { env: { HOME: home, XDG_CACHE_HOME: 'relative', SMSDIAG_NO_CODE_CACHE: '' }, cwd: home });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readdirSync(path.join(home, '.cache', 'smsdiag')).length, 1);
    assert.ok(!existsSync(path.join(home, 'relative')));
  });

  it('a cache directory that cannot be made changes nothing', async () => {
    writeFileSync(path.join(home, 'smsdiag'), 'a file where the directory would be');
    const r = await runCli(args, { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, expected);
  });

  it('is not written by a run of many files, whose V8 flags every other run would refuse it for', async () => {
    // More than MANY_FILES (src/heap.ts) log files: the run changes V8's collector flags.
    const many = path.join(home, 'many');
    mkdirSync(many);
    for (let k = 1; k <= 10_001; k++) writeFileSync(path.join(many, `ha.log.${k}`), `2017-10-12 13:45:01,000 INFO  [com.tippingpoint.sms.ha] Local state: Active ${k}\n`);
    const manyArgs = ['timeline', many, '--since', '2017-10-12T13:45:00Z'];
    const first = await runCli(manyArgs, { env: env() });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(!existsSync(dir()) || files().length === 0, files().join(' '));
    // An ordinary run writes it; a run of many files takes it and leaves it; the next ordinary run takes it as it is.
    await runCli(args, { env: env() });
    const [name] = files();
    const written = statSync(path.join(dir(), name)).ino;
    const again = await runCli(manyArgs, { env: env() });
    assert.equal(again.stdout, first.stdout);
    const ordinary = await runCli(args, { env: env() });
    assert.equal(ordinary.stdout, expected);
    assert.deepEqual(files(), [name]);
    assert.equal(statSync(path.join(dir(), name)).ino, written);
  });
});
