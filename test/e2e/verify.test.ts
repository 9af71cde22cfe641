import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { tempDir, writeSample } from '../helpers/bundle';
import { runCli } from '../helpers/cli';

describe('smsdiag verify', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('exits 0 and says OK for an untouched bundle', async () => {
    const s = await writeSample(t.dir);
    const r = await runCli(['verify', s.bundle]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /OK, all 14 listed files match the manifest; .*\.sha256 matches/);
  });

  it('exits 3 and names the altered file; --json carries the same', async () => {
    const s = await writeSample(t.dir);
    const tarBytes = zlib.gunzipSync(readFileSync(s.bundle));
    tarBytes[tarBytes.indexOf(Buffer.from('seq=550\n')) + 4] ^= 1;
    const bad = path.join(t.dir, 'bad.tar.gz');
    writeFileSync(bad, zlib.gzipSync(tarBytes));
    const r = await runCli(['verify', bad]);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /^altered nodes\/primary\/logs\/ha\.log: /m);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const j = await runCli(['verify', bad, '--json']);
    assert.equal(j.code, 3);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.problems.map((p: { kind: string; path: string }) => [p.kind, p.path]), [['altered', 'nodes/primary/logs/ha.log']]);
  });

  it('exits 3 with one sentence for a truncated bundle, and for a missing file', async () => {
    const s = await writeSample(t.dir);
    const data = readFileSync(s.bundle);
    const cut = path.join(t.dir, 'cut.tar.gz');
    writeFileSync(cut, data.subarray(0, data.length >> 1));
    const r = await runCli(['verify', cut]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /smsdiag: .*cut\.tar\.gz is damaged or truncated/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const m = await runCli(['verify', path.join(t.dir, 'nope.tar.gz')]);
    assert.equal(m.code, 3);
    assert.match(m.stderr, /cannot read .*nope\.tar\.gz: no such file/);
  });

  it('analyze reads a bundle that no longer matches its manifest, and says so', async () => {
    const s = await writeSample(t.dir);
    const clean = JSON.parse((await runCli(['analyze', s.bundle, '--json'])).stdout);
    assert.ok(!clean.warnings.some((w: string) => /does not match its own manifest/.test(w)), clean.warnings.join('\n'));
    // Unpacked, one listed log removed, packed again with GNU tar: the manifest still lists it.
    const x = path.join(t.dir, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xzf', s.bundle, '-C', x]);
    const top = readdirSync(x)[0];
    rmSync(path.join(x, top, 'nodes/primary/logs/ha.log'));
    const bad = path.join(t.dir, 'bad.tar.gz');
    execFileSync('tar', ['-czf', bad, '-C', x, top]);
    const r = await runCli(['analyze', bad, '--json']);
    const doc = JSON.parse(r.stdout);
    assert.ok(doc.warnings.some((w: string) => /bad\.tar\.gz does not match its own manifest \(nodes\/primary\/logs\/ha\.log is listed but missing\); .*smsdiag verify/.test(w)), doc.warnings.join('\n'));
  });

  it('exits 2 without a BUNDLE argument', async () => {
    const r = await runCli(['verify']);
    assert.equal(r.code, 2, r.stderr);
  });
});
