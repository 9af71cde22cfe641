import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { BundleEntryError, createBundleWriter } from '../../src/bundle/writer';
import { bareManifest, CREATED, NAME, run, sha256, tempDir, writeSample } from '../helpers/bundle';

describe('bundle writer', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('writes a tar.gz that GNU tar lists and extracts byte-identically to the manifest', async () => {
    const s = await writeSample(t.dir);
    assert.equal(s.bundle, path.join(t.dir, `${NAME}.tar.gz`));
    const listing = run('tar', ['-tzf', s.bundle]).trim().split('\n');
    assert.ok(listing.every((l) => l.startsWith(`${NAME}/`)), listing.join('\n'));
    for (const f of s.files) assert.ok(listing.includes(`${NAME}/${f.path}`), `${f.path} listed`);
    assert.ok(listing.includes(`${NAME}/manifest.json`));
    assert.ok(listing.includes(`${NAME}/description.txt`));
    assert.ok(listing.includes(`${NAME}/analysis/findings.json`));
    const x = path.join(t.dir, 'x');
    await fs.mkdir(x);
    run('tar', ['-xzf', s.bundle, '-C', x]);
    const manifest = JSON.parse(readFileSync(path.join(x, NAME, 'manifest.json'), 'utf8'));
    let checked = 0;
    for (const n of manifest.nodes) {
      for (const f of n.files) {
        const bytes = readFileSync(path.join(x, NAME, f.path));
        assert.equal(sha256(bytes), f.sha256, f.path);
        assert.equal(bytes.length, f.size, f.path);
        const sample = s.files.find((sf) => sf.path === f.path)!;
        assert.ok(bytes.equals(sample.bytes), `${f.path} byte-identical to its source`);
        checked++;
      }
    }
    assert.equal(checked, s.files.length);
    assert.equal(sha256(readFileSync(path.join(x, NAME, 'analysis/findings.json'))), manifest.analysis[0].sha256);
    assert.match(readFileSync(path.join(x, NAME, 'description.txt'), 'utf8'), /Case: 1234\nIncident: 2017-10-12T13:48:00.000Z\n/);
  });

  it('cuts a stream that grows past its declared size at that size', async () => {
    const s = await writeSample(t.dir);
    const ha = s.files.find((f) => f.path === 'nodes/primary/logs/ha.log')!;
    const stored = s.stored.get(ha.path)!;
    assert.equal(stored.size, ha.size);
    assert.equal(stored.sha256, sha256(ha.bytes));
  });

  it('stores 0600 files and 0700 directories with fixed owners, and the bundle is 0600', async () => {
    const s = await writeSample(t.dir);
    assert.equal(statSync(s.bundle).mode & 0o777, 0o600);
    assert.equal(statSync(s.sha256File).mode & 0o777, 0o600);
    const verbose = run('tar', ['--numeric-owner', '-tvzf', s.bundle]).trim().split('\n');
    for (const l of verbose) {
      assert.match(l, /^(-rw-------|drwx------) 0\/0 /, l);
    }
  });

  it('writes a .sha256 that sha256sum -c accepts', async () => {
    const s = await writeSample(t.dir);
    assert.equal(path.basename(s.sha256File), `${NAME}.tar.gz.sha256`);
    assert.match(readFileSync(s.sha256File, 'utf8'), new RegExp(`^[0-9a-f]{64}  ${NAME}\\.tar\\.gz\\n$`));
    assert.match(run('sha256sum', ['-c', path.basename(s.sha256File)], t.dir), /: OK/);
  });

  it('is deterministic: the same collection gives a byte-identical bundle', async () => {
    const a = await writeSample(path.join(t.dir));
    const other = path.join(t.dir, 'again');
    await fs.mkdir(other);
    const b = await writeSample(other);
    assert.ok(readFileSync(a.bundle).equals(readFileSync(b.bundle)));
  });

  it('never overwrites an existing bundle', async () => {
    const existing = path.join(t.dir, `${NAME}.tar.gz`);
    writeFileSync(existing, 'precious');
    await assert.rejects(createBundleWriter({ outDir: t.dir, name: NAME }), (e: Error) => e.message.includes(existing) && /already exists/.test(e.message));
    assert.equal(readFileSync(existing, 'utf8'), 'precious');
  });

  it('never overwrites a bundle that appeared while writing, and keeps the new one', async () => {
    const w = await createBundleWriter({ outDir: t.dir, name: NAME });
    const existing = path.join(t.dir, `${NAME}.tar.gz`);
    writeFileSync(existing, 'precious');
    await assert.rejects(
      w.finish(bareManifest()),
      (e: Error) => e.message.includes(existing),
    );
    assert.equal(readFileSync(existing, 'utf8'), 'precious');
    const left = await fs.readdir(t.dir);
    assert.ok(left.includes(`.${NAME}.tar.gz.partial`), left.join(','));
  });

  it('with `unique`, takes the next free name when one is there or being written, also when started at once', async () => {
    const manifest = bareManifest();
    // Started together, before either has written anything: each has a name of its own.
    const [a, b] = await Promise.all([createBundleWriter({ outDir: t.dir, name: NAME, unique: true }), createBundleWriter({ outDir: t.dir, name: NAME, unique: true })]);
    // A third while they are being written, and a fourth after a bundle's .sha256 alone is left there.
    const c = await createBundleWriter({ outDir: t.dir, name: NAME, unique: true });
    const done = await Promise.all([a, b, c].map((w) => w.finish(manifest)));
    assert.deepEqual(done.map((d) => path.basename(d.path)).sort(), [`${NAME}-2.tar.gz`, `${NAME}-3.tar.gz`, `${NAME}.tar.gz`]);
    writeFileSync(path.join(t.dir, `${NAME}-4.tar.gz.sha256`), 'left by hand\n');
    const d = await createBundleWriter({ outDir: t.dir, name: NAME, unique: true });
    assert.equal(path.basename((await d.finish(manifest)).path), `${NAME}-5.tar.gz`);
    // Each bundle's top directory is its own name.
    for (const k of ['', '-2', '-5']) assert.match(run('tar', ['-tzf', path.join(t.dir, `${NAME}${k}.tar.gz`)]), new RegExp(`^${NAME}${k}/manifest\\.json$`, 'm'));
    // Without `unique`, a name being written is refused, naming the file.
    const e = await createBundleWriter({ outDir: t.dir, name: 'other', unique: true });
    await assert.rejects(createBundleWriter({ outDir: t.dir, name: 'other' }), (err: Error) => err.message.includes('.other.tar.gz.partial exists: another smsdiag is writing this bundle'));
    await e.abort();
  });

  it('with `unique`, does not take a name whose writer finished while it was taking it, nor one a stopped writer left', async () => {
    const manifest = bareManifest();
    const a = await createBundleWriter({ outDir: t.dir, name: NAME, unique: true });
    // The second writer's temp file is made only once the first has put its bundle in place and
    // let go of its temp file: between the two, the name looked free.
    const { open } = fs;
    let held = false;
    fs.open = (async (...args: Parameters<typeof open>) => {
      if (!held && String(args[0]).endsWith(`.${NAME}.tar.gz.partial`)) {
        held = true;
        await a.finish(manifest);
      }
      return open(...args);
    }) as typeof open;
    let b;
    try {
      b = await createBundleWriter({ outDir: t.dir, name: NAME, unique: true });
    } finally {
      fs.open = open;
    }
    assert.ok(held);
    assert.equal(path.basename((await b.finish(manifest)).path), `${NAME}-2.tar.gz`);
    // A temp file left by a writer that was stopped: skipped with `unique`, named without.
    writeFileSync(path.join(t.dir, `.${NAME}-3.tar.gz.partial`), '');
    const c = await createBundleWriter({ outDir: t.dir, name: NAME, unique: true });
    assert.equal(path.basename((await c.finish(manifest)).path), `${NAME}-4.tar.gz`);
    await assert.rejects(createBundleWriter({ outDir: t.dir, name: `${NAME}-3` }), /\.tar\.gz\.partial exists: .* \(remove the file if none is running\)$/);
    assert.deepEqual((await fs.readdir(t.dir)).filter((n) => n.includes('partial')), [`.${NAME}-3.tar.gz.partial`]);
  });

  it('writes to a 0600 temporary name and abort() removes it', async () => {
    const w = await createBundleWriter({ outDir: t.dir, name: NAME });
    const temp = path.join(t.dir, `.${NAME}.tar.gz.partial`);
    assert.equal(statSync(temp).mode & 0o777, 0o600);
    await w.addFile({ path: 'nodes/primary/logs/ha.log', size: 5, mtime: new Date(CREATED), body: Buffer.from('hello') });
    await w.abort();
    assert.deepEqual(await fs.readdir(t.dir), []);
    await assert.rejects(w.addFile({ path: 'nodes/primary/logs/ha.log.1', size: 1, mtime: new Date(CREATED), body: Buffer.from('x') }), /aborted/);
  });

  it('fails an entry whose stream ends early and keeps the bundle intact', async () => {
    const w = await createBundleWriter({ outDir: t.dir, name: NAME });
    const ok = await w.addFile({ path: 'nodes/primary/logs/ha.log', size: 5, mtime: new Date(CREATED), body: Buffer.from('hello') });
    await assert.rejects(
      w.addFile({ path: 'nodes/primary/logs/ha.log.1', size: 4096, mtime: new Date(CREATED), body: Readable.from([Buffer.alloc(3000, 65)], { objectMode: false }), source: '/var/log/ha.log.1' }),
      (e: Error) => e instanceof BundleEntryError && /\/var\/log\/ha\.log\.1: only 3000 of 4096 bytes/.test(e.message),
    );
    await assert.rejects(
      w.addFile({
        path: 'nodes/primary/logs/ha.log.2',
        size: 10,
        mtime: new Date(CREATED),
        body: new Readable({
          read() {
            this.destroy(new Error('connection reset'));
          },
        }),
      }),
      (e: Error) => e instanceof BundleEntryError && /connection reset/.test(e.message),
    );
    const done = await w.finish({
      format: 'smsdiag-bundle',
      version: 1,
      tool: { name: 'smsdiag', version: '0' },
      commandLine: [],
      createdAt: CREATED,
      redacted: false,
      nodes: [{ name: 'primary', host: 'a', role: 'primary', facts: {}, files: [{ kind: 'ha', source: '/var/log/ha.log', path: ok.path, size: ok.size, mtime: CREATED, sha256: ok.sha256 }], errors: [{ source: '/var/log/ha.log.1', message: 'shrank' }] }],
      analysis: [],
    });
    const listing = run('tar', ['-tzf', done.path]);
    assert.ok(!listing.includes('ha.log.1') && !listing.includes('ha.log.2'), listing);
    assert.match(run('sha256sum', ['-c', path.basename(done.sha256File)], t.dir), /OK/);
  });

  it('writes entries added without waiting one at a time, in call order', async () => {
    const w = await createBundleWriter({ outDir: t.dir, name: NAME });
    const names = ['ha.log.3', 'ha.log.2', 'ha.log.1', 'ha.log'];
    const results = await Promise.all(
      names.map((n, i) => w.addFile({ path: `nodes/p/logs/${n}`, size: 4000 + i, mtime: new Date(CREATED), body: Readable.from([Buffer.alloc(4000 + i, 97 + i)], { objectMode: false }) })),
    );
    await w.finish({
      format: 'smsdiag-bundle',
      version: 1,
      tool: { name: 's', version: '0' },
      commandLine: [],
      createdAt: CREATED,
      redacted: false,
      nodes: [{ name: 'p', host: '', role: 'primary', facts: {}, files: results.map((r) => ({ kind: 'ha', source: '', path: r.path, size: r.size, mtime: CREATED, sha256: r.sha256 })), errors: [] }],
      analysis: [],
    });
    const files = run('tar', ['-tzf', path.join(t.dir, `${NAME}.tar.gz`)])
      .split('\n')
      .filter((l) => l.includes('/logs/ha'));
    assert.deepEqual(files, names.map((n) => `${NAME}/nodes/p/logs/${n}`));
  });

  it('refuses unsafe or reserved entry paths and a manifest that does not match what was added', async () => {
    const w = await createBundleWriter({ outDir: t.dir, name: NAME });
    const add = (p: string): Promise<unknown> => w.addFile({ path: p, size: 1, mtime: new Date(CREATED), body: Buffer.from('x') });
    await assert.rejects(add('../x'), /"\.\." segment/);
    await assert.rejects(add('/etc/passwd'), /absolute/);
    await assert.rejects(add('manifest.json'), /written by finish/);
    const r = await w.addFile({ path: 'nodes/p/logs/ha.log', size: 1, mtime: new Date(CREATED), body: Buffer.from('x') });
    await assert.rejects(add('nodes/p/logs/ha.log'), /already added/);
    await assert.rejects(add('nodes/p/logs/ha.log/x'), /would sit inside the file nodes\/p\/logs\/ha\.log/);
    await assert.rejects(add('nodes/p/logs/ha.log/deeper/x'), /would sit inside the file nodes\/p\/logs\/ha\.log/);
    const base = { format: 'smsdiag-bundle' as const, version: 1 as const, tool: { name: 's', version: '0' }, commandLine: [], createdAt: CREATED, redacted: false, analysis: [] };
    await assert.rejects(w.finish({ ...base, nodes: [] }), /was added but the manifest does not list it/);
    await assert.rejects(
      w.finish({ ...base, nodes: [{ name: 'p', host: '', role: 'primary', facts: {}, files: [{ kind: 'ha', source: '', path: r.path, size: 1, mtime: CREATED, sha256: '0'.repeat(64) }], errors: [] }] }),
      /differ from what addFile stored/,
    );
    await w.abort();
  });
});
