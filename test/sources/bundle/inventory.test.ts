import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { openBundle } from '../../../src/sources/bundle/reader';
import { BundleError } from '../../../src/errors';
import { inventoryFromBundle, isBundlePath } from '../../../src/sources/bundle/inventory';
import type { Inventory, LogFile } from '../../../src/types';
import { blockGzip, CREATED, NAME, run, sha256, tempDir, writeSample, type WrittenSample } from '../../helpers/bundle';
import { createBundleWriter } from '../../../src/bundle/writer';
import { analyzeInventory } from '../../../src/analyze';

async function bytesOf(f: LogFile): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of f.open()) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function checkInventory(inv: Inventory, s: WrittenSample): Promise<void> {
  assert.deepEqual(
    inv.nodes.map((n) => [n.name, n.role]),
    [
      ['primary', 'primary'],
      ['secondary', 'secondary'],
    ],
  );
  const p = inv.nodes[0];
  assert.deepEqual(
    p.files.map((f) => [f.kind, f.path, f.order]),
    [
      ['ha', 'logs/ha.log.2.gz', 0],
      ['ha', 'logs/ha.log.1', 1],
      ['ha', 'logs/ha.log', 2],
      ['sms-info', 'logs/sms-info.log', 3],
      ['mysqld', 'logs/mysqld.err', 4],
    ],
  );
  assert.deepEqual(p.facts, { hostname: 'sms-a.corp.example.com', utcOffsetMinutes: 0, clockOffsetMs: 0, clockUncertaintyMs: 12, haState: 'Active\n' });
  assert.deepEqual(inv.nodes[1].facts, { hostname: 'sms-b', utcOffsetMinutes: 120, clockOffsetMs: 1500, clockUncertaintyMs: 12, haState: 'Passive\n' });
  for (const n of inv.nodes) {
    for (const f of n.files) {
      const want = s.files.find((sf) => sf.path === `nodes/${n.name}/${f.path}`)!;
      const got = await bytesOf(f);
      assert.equal(f.size, want.size);
      assert.equal(f.mtime.toISOString(), want.mtime.toISOString());
      assert.ok(got.equals(want.bytes), `${n.name}/${f.path} bytes`);
      // A small file is also there at once (LogFile.bytes), in a buffer of its own; a large one only as a stream.
      if (f.size > 64 * 1024) assert.equal(f.bytes, undefined, f.path);
      else {
        const once = f.bytes!();
        assert.ok(once.equals(want.bytes), `${n.name}/${f.path} bytes at once`);
        once.fill(0);
        assert.ok(f.bytes!().equals(want.bytes), `${n.name}/${f.path} bytes at once, again`);
      }
    }
  }
  // Opening twice, and in parallel, gives the same bytes.
  const big = p.files.find((f) => f.kind === 'mysqld')!;
  const [a, b] = await Promise.all([bytesOf(big), bytesOf(big)]);
  assert.equal(sha256(a), sha256(b));
  assert.ok(inv.warnings.some((w) => w.includes('/var/log/tpt_sms.txt: permission denied')), inv.warnings.join('\n'));
}

describe('bundle source (read in place)', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('reads a bundle written by smsdiag into an Inventory: kinds, rotation order, facts, bytes', async () => {
    const s = await writeSample(t.dir);
    assert.equal((await openBundle(s.bundle)).indexed, true);
    await checkInventory(await inventoryFromBundle(s.bundle), s);
  });

  it('ignores, and says, corrections in a manifest that would move times off the calendar', async () => {
    const w = await createBundleWriter({ outDir: t.dir, name: NAME });
    const log = Buffer.from('2017-10-12 13:45:01,000 INFO  [com.tippingpoint.sms.ha] Local state: Active\n');
    const stored = await w.addFile({ path: 'nodes/primary/logs/ha.log', size: log.length, mtime: new Date(CREATED), body: log });
    const done = await w.finish({
      format: 'smsdiag-bundle', version: 1, tool: { name: 'smsdiag', version: '0' }, commandLine: [], createdAt: CREATED, redacted: false, analysis: [],
      nodes: [{ name: 'primary', host: 'sms-a', role: 'primary', facts: { utcOffsetMinutes: 99999, clockOffsetMs: 1e20 }, errors: [],
        files: [{ kind: 'ha', source: '/var/log/ha.log', path: 'nodes/primary/logs/ha.log', size: stored.size, mtime: CREATED, sha256: stored.sha256 }] }],
    });
    const inv = await inventoryFromBundle(done.path);
    assert.equal(inv.nodes[0].facts.utcOffsetMinutes, undefined);
    assert.equal(inv.nodes[0].facts.clockOffsetMs, undefined);
    assert.ok(inv.warnings.some((w) => /UTC offset of 99999 min, which no zone has; ignored/.test(w)), inv.warnings.join('\n'));
    assert.ok(inv.warnings.some((w) => /clock offset of 100000000000000000000 ms, more than a year; ignored/.test(w)), inv.warnings.join('\n'));
    const a = await analyzeInventory(inv);
    assert.equal(a.report.nodes[0].state, 'Active');
  });

  it('reads the same bundle re-packed by GNU tar (no block index)', async () => {
    const s = await writeSample(t.dir);
    const x = path.join(t.dir, 'x');
    await fs.mkdir(x);
    run('tar', ['-xzf', s.bundle, '-C', x]);
    const repacked = path.join(t.dir, 'repacked.tar.gz');
    run('tar', ['-czf', repacked, '-C', x, NAME]);
    const b = await openBundle(repacked);
    assert.equal(b.indexed, false);
    await checkInventory(await inventoryFromBundle(repacked), s);
  });

  it('says where the entries disagree with the manifest, block-indexed or not', async () => {
    const s = await writeSample(t.dir);
    const x = path.join(t.dir, 'x');
    await fs.mkdir(x);
    run('tar', ['-xzf', s.bundle, '-C', x]);
    const logs = (node: string): string => path.join(x, NAME, 'nodes', node, 'logs');
    await fs.appendFile(path.join(logs('primary'), 'sms-info.log'), 'one more line\n');
    await fs.rm(path.join(logs('secondary'), 'ha.log.1'));
    writeFileSync(path.join(logs('primary'), 'ha.log.9'), '2017-10-12 13:45:01,123 INFO added later\n');
    const tarFile = path.join(t.dir, 'edited.tar');
    run('tar', ['-cf', tarFile, '-C', x, NAME]);
    const indexed = path.join(t.dir, 'edited-blocks.tar.gz');
    writeFileSync(indexed, blockGzip(tarFile));
    const plain = path.join(t.dir, 'edited.tar.gz');
    writeFileSync(plain, zlib.gzipSync(readFileSync(tarFile)));
    const size = s.stored.get('nodes/primary/logs/sms-info.log')!.size;
    for (const [file, isIndexed] of [[indexed, true], [plain, false]] as const) {
      assert.equal((await openBundle(file)).indexed, isIndexed);
      const inv = await inventoryFromBundle(file);
      const said = inv.warnings.filter((w) => w.includes('does not match its own manifest'));
      assert.deepEqual(said, [
        `${path.basename(file)} does not match its own manifest (nodes/primary/logs/sms-info.log is ${size + 14} bytes, the manifest says ${size}; nodes/secondary/logs/ha.log.1 is listed but missing; nodes/primary/logs/ha.log.9 is not in the manifest); it was changed after it was collected: run smsdiag verify ${path.basename(file)}`,
      ]);
      // The file the manifest does not list is read all the same.
      assert.ok(inv.nodes[0].files.some((f) => f.path === 'logs/ha.log.9'));
    }
  });

  it('says an analysis file that disagrees with the manifest after the listed logs and before what it does not list', async () => {
    const s = await writeSample(t.dir);
    const x = path.join(t.dir, 'x');
    await fs.mkdir(x);
    run('tar', ['-xzf', s.bundle, '-C', x]);
    await fs.appendFile(path.join(x, NAME, 'analysis', 'findings.json'), '\n');
    await fs.rm(path.join(x, NAME, 'nodes', 'primary', 'logs', 'ha.log'));
    writeFileSync(path.join(x, NAME, 'nodes', 'secondary', 'logs', 'ha.log.9'), '2017-10-12 13:45:01,123 INFO added later\n');
    const file = path.join(t.dir, 'edited.tar.gz');
    run('tar', ['-czf', file, '-C', x, NAME]);
    const size = s.manifest.analysis[0].size;
    const said = (await inventoryFromBundle(file)).warnings.filter((w) => w.includes('does not match its own manifest'));
    assert.deepEqual(said, [
      `edited.tar.gz does not match its own manifest (nodes/primary/logs/ha.log is listed but missing; analysis/findings.json is ${size + 1} bytes, the manifest says ${size}; nodes/secondary/logs/ha.log.9 is not in the manifest); it was changed after it was collected: run smsdiag verify edited.tar.gz`,
    ]);
  });

  it('says which files under a node\'s logs/ it does not read, rather than skip them in silence', async () => {
    const w = await createBundleWriter({ outDir: t.dir, name: NAME });
    const files = [];
    for (const name of ['ha.log', 'ha.log.123456789', 'notes.txt', 'ha.log.bak', 'core.1234', 'ha.log.1']) {
      const body = Buffer.from('2017-10-12 13:45:01,000 INFO  [com.tippingpoint.sms.ha] Local state: Active\n');
      const r = await w.addFile({ path: `nodes/primary/logs/${name}`, size: body.length, mtime: new Date(CREATED), body });
      files.push({ kind: 'ha', source: `/var/log/${name}`, path: r.path, size: r.size, mtime: CREATED, sha256: r.sha256 });
    }
    const done = await w.finish({
      format: 'smsdiag-bundle', version: 1, tool: { name: 'smsdiag', version: '0' }, commandLine: [], createdAt: CREATED, redacted: false, analysis: [],
      nodes: [{ name: 'primary', host: 'sms-a', role: 'primary', facts: {}, errors: [], files }],
    });
    const inv = await inventoryFromBundle(done.path);
    assert.deepEqual(inv.nodes[0].files.map((f) => f.path), ['logs/ha.log.1', 'logs/ha.log']);
    assert.deepEqual(inv.warnings.filter((m) => m.includes('not read')), [
      'primary: 4 file(s) under nodes/primary/logs/ are not named as an SMS log smsdiag reads (ha.log.123456789; notes.txt; ha.log.bak; and 1 more); not read',
    ]);
  });

  it('recognises bundles: gzip with a tar inside, not plain gzip or text', async () => {
    const s = await writeSample(t.dir);
    const gz = path.join(t.dir, 'ha.log.1.gz');
    writeFileSync(gz, zlib.gzipSync(Buffer.from('2017-10-12 13:45:01,123 hello\n'.repeat(100))));
    const txt = path.join(t.dir, 'ha.log');
    writeFileSync(txt, 'hello\n');
    assert.equal(await isBundlePath(s.bundle), true);
    assert.equal(await isBundlePath(gz), false);
    assert.equal(await isBundlePath(txt), false);
    assert.equal(await isBundlePath(path.join(t.dir, 'nope')), false);
  });

  it('rejects a truncated bundle with exit code 3 and the file named', async () => {
    const s = await writeSample(t.dir);
    const data = await fs.readFile(s.bundle);
    const cut = path.join(t.dir, 'cut.tar.gz');
    await fs.writeFile(cut, data.subarray(0, Math.floor(data.length / 2)));
    await assert.rejects(inventoryFromBundle(cut), (e: Error) => e instanceof BundleError && e.exitCode === 3 && e.message.includes(cut));
  });

  it('rejects a tar.gz that is not a bundle (no manifest)', async () => {
    const d = path.join(t.dir, 'top');
    await fs.mkdir(d);
    writeFileSync(path.join(d, 'ha.log'), 'x\n');
    const f = path.join(t.dir, 'plain.tar.gz');
    run('tar', ['-czf', f, '-C', t.dir, 'top']);
    await assert.rejects(inventoryFromBundle(f), (e: Error) => e instanceof BundleError && /no top\/manifest\.json/.test(e.message));
  });
});
