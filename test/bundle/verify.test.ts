import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { BundleError } from '../../src/errors';
import { verifyBundle } from '../../src/bundle/verify';
import { renderVerify } from '../../src/report/verify';
import { NAME, run, tempDir, writeSample } from '../helpers/bundle';

describe('bundle verify', () => {
  let t: ReturnType<typeof tempDir>;
  let bundle: string;
  let extracted: string;
  beforeEach(async () => {
    t = tempDir();
    bundle = (await writeSample(t.dir)).bundle;
    extracted = path.join(t.dir, 'x');
    await fs.mkdir(extracted);
    run('tar', ['-xzf', bundle, '-C', extracted]);
  });
  afterEach(() => t.cleanup());

  const repack = (name: string): string => {
    const out = path.join(t.dir, name);
    run('tar', ['-czf', out, '-C', extracted, NAME]);
    return out;
  };

  it('accepts an untouched bundle, including its .sha256', async () => {
    const r = await verifyBundle(bundle);
    assert.equal(r.ok, true, renderVerify(r));
    assert.equal(r.listed, 14);
    assert.equal(r.matched, 14);
    assert.equal(r.archiveChecksum, 'match');
    assert.match(renderVerify(r), /OK, all 14 listed files match the manifest/);
  });

  it('detects one flipped byte inside one entry', async () => {
    const tarBytes = zlib.gunzipSync(readFileSync(bundle));
    const needle = Buffer.from('seq=250\n');
    const at = tarBytes.indexOf(needle);
    assert.ok(at > 0);
    tarBytes[at + 4] ^= 0x01;
    const flipped = path.join(t.dir, 'flipped.tar.gz');
    writeFileSync(flipped, zlib.gzipSync(tarBytes));
    const r = await verifyBundle(flipped);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.path]),
      [['altered', 'nodes/primary/logs/ha.log.1']],
    );
    assert.match(renderVerify(r), /^altered nodes\/primary\/logs\/ha\.log\.1: sha256 .* differs from the manifest's/m);
    assert.match(renderVerify(r), /FAILED, 13 of 14 listed files match; 1 altered, 0 missing, 0 extra/);
  });

  it('detects a missing and an extra file', async () => {
    await fs.rm(path.join(extracted, NAME, 'nodes/secondary/logs/ha.log.1'));
    writeFileSync(path.join(extracted, NAME, 'nodes/secondary/logs/notes.txt'), 'added later\n');
    const r = await verifyBundle(repack('edited.tar.gz'));
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.path]),
      [
        ['missing', 'nodes/secondary/logs/ha.log.1'],
        ['extra', 'nodes/secondary/logs/notes.txt'],
      ],
    );
  });

  it('detects an edited description.txt and a mismatching .sha256 beside the bundle', async () => {
    writeFileSync(path.join(extracted, NAME, 'description.txt'), 'something else\n');
    const edited = repack('edited.tar.gz');
    writeFileSync(`${edited}.sha256`, `${'0'.repeat(64)}  edited.tar.gz\n`);
    const r = await verifyBundle(edited);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.path]),
      [
        ['altered', 'description.txt'],
        ['altered', 'edited.tar.gz'],
      ],
    );
    assert.equal(r.archiveChecksum, 'mismatch');
  });

  it('fails on a truncated or corrupt archive with a BundleError (exit 3)', async () => {
    const data = readFileSync(bundle);
    const cut = path.join(t.dir, 'cut.tar.gz');
    writeFileSync(cut, data.subarray(0, data.length - 5000));
    await assert.rejects(verifyBundle(cut), (e: Error) => e instanceof BundleError && e.exitCode === 3 && e.message.includes(cut));
    const garbled = Buffer.from(data);
    for (let i = 2000; i < 2100; i++) garbled[i] ^= 0xff;
    const bad = path.join(t.dir, 'bad.tar.gz');
    writeFileSync(bad, garbled);
    await assert.rejects(verifyBundle(bad), (e: Error) => e instanceof BundleError && /damaged or truncated/.test(e.message));
  });

  it('fails on a manifest that is not valid, naming the field', async () => {
    const mf = path.join(extracted, NAME, 'manifest.json');
    const m = JSON.parse(readFileSync(mf, 'utf8'));
    m.nodes[1].files[0].sha256 = 'abc';
    writeFileSync(mf, JSON.stringify(m));
    await assert.rejects(verifyBundle(repack('m.tar.gz')), /field "nodes\[1\]\.files\[0\]\.sha256" must be 64 lower-case hex digits/);
  });
});
