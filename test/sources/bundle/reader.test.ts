import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { promises as fs, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { BundleError } from '../../../src/errors';
import { openBundle } from '../../../src/sources/bundle/reader';
import { verifyBundle } from '../../../src/bundle/verify';
import { createBundleWriter } from '../../../src/bundle/writer';
import type { Manifest, ManifestFile } from '../../../src/sources/bundle/manifest';
import { blockGzip, CREATED, haLines, NAME, run, sha256, tempDir } from '../../helpers/bundle';

describe('bundle reader: unsafe entries', () => {
  let t: ReturnType<typeof tempDir>;
  let work: string;
  beforeEach(async () => {
    t = tempDir();
    work = path.join(t.dir, 'w', 'top');
    await fs.mkdir(path.join(work, 'nodes', 'primary', 'logs'), { recursive: true });
    writeFileSync(path.join(work, 'manifest.json'), '{}');
    writeFileSync(path.join(work, 'nodes', 'primary', 'logs', 'ha.log'), 'x\n');
    writeFileSync(path.join(t.dir, 'w', 'x'), 'outside\n');
  });
  afterEach(() => t.cleanup());

  const rejects = async (archive: string, entry: RegExp, why: RegExp): Promise<void> => {
    for (const fn of [openBundle, verifyBundle]) {
      await assert.rejects(fn(archive), (e: Error) => {
        assert.ok(e instanceof BundleError, e.stack);
        assert.equal(e.exitCode, 3);
        assert.match(e.message, entry);
        assert.match(e.message, why);
        return true;
      });
    }
  };

  it('rejects an entry with a ".." segment', async () => {
    const a = path.join(t.dir, 'dotdot.tar.gz');
    run('tar', ['-czPf', a, 'top/manifest.json', 'top/../x'], path.join(t.dir, 'w'));
    assert.match(run('tar', ['-tzPf', a]), /top\/\.\.\/x/);
    await rejects(a, /"top\/\.\.\/x"/, /"\.\." segment/);
  });

  it('rejects a leading "../" entry', async () => {
    const a = path.join(t.dir, 'up.tar.gz');
    run('tar', ['-czPf', a, '../x'], work);
    await rejects(a, /"\.\.\/x"/, /"\.\." segment/);
  });

  it('rejects an absolute path', async () => {
    const a = path.join(t.dir, 'abs.tar.gz');
    const abs = path.join(t.dir, 'w', 'x');
    run('tar', ['-czPf', a, abs]);
    await rejects(a, new RegExp(`"${abs.replace(/[.]/g, '\\.')}"`), /absolute/);
  });

  it('rejects a symbolic link', async () => {
    symlinkSync('/etc/passwd', path.join(work, 'nodes', 'primary', 'logs', 'ha.log.1'));
    const a = path.join(t.dir, 'link.tar.gz');
    run('tar', ['-czf', a, 'top'], path.join(t.dir, 'w'));
    await rejects(a, /"top\/nodes\/primary\/logs\/ha\.log\.1"/, /symbolic link/);
  });

  it('rejects a hard link', async () => {
    await fs.link(path.join(work, 'nodes', 'primary', 'logs', 'ha.log'), path.join(work, 'nodes', 'primary', 'logs', 'ha.log.1'));
    const a = path.join(t.dir, 'hard.tar.gz');
    run('tar', ['-czf', a, 'top'], path.join(t.dir, 'w'));
    await rejects(a, /ha\.log(\.1)?"/, /hard link/);
  });

  it('rejects an entry outside the top directory', async () => {
    const a = path.join(t.dir, 'two.tar.gz');
    run('tar', ['-czf', a, 'top', 'x'], path.join(t.dir, 'w'));
    await rejects(a, /"x"/, /outside the bundle's top directory "top\/"/);
  });
});

describe('bundle reader: many members', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  /**
   * 6,000 one-line members (a block each: their compressed bytes span several of the reader's
   * 1 MiB windows, headers straddling a window's end), one member of random bytes whose block is
   * larger than a window, and a manifest of about 1.8 MB (over two blocks).
   */
  async function manyMembers(): Promise<{ bundle: string; bodies: Map<string, Buffer> }> {
    const w = await createBundleWriter({ outDir: t.dir, name: NAME });
    const mtime = new Date(CREATED);
    const bodies = new Map<string, Buffer>();
    const files: ManifestFile[] = [];
    const add = async (p: string, body: Buffer): Promise<void> => {
      const r = await w.addFile({ path: p, size: body.length, mtime, body });
      bodies.set(r.path, body);
      files.push({ kind: 'ha', source: `/var/log/${path.posix.basename(p)}`, path: r.path, size: r.size, mtime: CREATED, sha256: r.sha256 });
    };
    for (let k = 3000; k >= 1; k--) await add(`nodes/primary/logs/ha.log.${k}`, Buffer.from(haLines('primary', k, 1)));
    await add('nodes/primary/logs/noise.bin', randomBytes(1536 * 1024));
    for (let k = 3000; k >= 1; k--) await add(`nodes/primary/logs/sms-info.log.${k}`, Buffer.from(`${k}\n`));
    const manifest: Manifest = { format: 'smsdiag-bundle', version: 1, tool: { name: 'smsdiag', version: '0' }, commandLine: [], createdAt: CREATED, redacted: false, analysis: [], nodes: [{ name: 'primary', host: 'sms-a', role: 'primary', facts: {}, errors: [], files }] };
    const done = await w.finish(manifest);
    return { bundle: done.path, bodies };
  }

  it('lists every entry as GNU tar does and reads each one back, the manifest over several blocks', async () => {
    const { bundle, bodies } = await manyMembers();
    const b = await openBundle(bundle);
    assert.equal(b.indexed, true);
    const listed = run('tar', ['-tvzf', bundle])
      .split('\n')
      .filter((l) => l.startsWith('-'))
      .map((l) => {
        const f = l.split(/\s+/);
        return `${f[5].slice(NAME.length + 1)} ${f[2]}`;
      });
    assert.deepEqual([...b.entries.values()].map((e) => `${e.path} ${e.size}`), listed);
    assert.ok((await b.read('manifest.json')).length > 1.5 * 1024 * 1024);
    // Every listed file was read and checked against its entry (one the reading missed would be
    // "not in the manifest"), and none is kept.
    assert.deepEqual(b.mismatches, []);
    assert.deepEqual(b.manifest.nodes[0].files, []);
    for (const [p, body] of bodies) {
      const parts: Buffer[] = [];
      for await (const c of b.open(p)) parts.push(c as Buffer);
      assert.ok(Buffer.concat(parts).equals(body), p);
      // At once as well, for a member within a block; the large one only as a stream.
      const place = b.place(p);
      assert.equal(b.reading.fitsInHand(place, body.length), body.length <= 64 * 1024, p);
      if (body.length <= 64 * 1024) assert.ok(b.reading.inHand(place, body.length).equals(body), p);
    }
    // Small members read at once in any order: backwards, and two kinds in turn (as two nodes are
    // read at the same time), each from the runs of blocks read and inflated together.
    const small = [...bodies].filter(([, body]) => body.length <= 64 * 1024);
    const half = Math.floor(small.length / 2);
    const turns = small.slice(0, half).flatMap((x, i) => [x, small[half + i]]);
    for (const [p, body] of [...small.reverse(), ...turns]) {
      const got = b.reading.inHand(b.place(p), body.length);
      assert.ok(got.equals(body), p);
      // A buffer of its own: a worker thread may take it over.
      assert.equal(got.buffer.byteLength, body.length, p);
    }
  });

  it('names the damaged block of a small member', async () => {
    const { bundle } = await manyMembers();
    const data = await fs.readFile(bundle);
    // A byte in the middle of the compressed one-line members: a block's CRC or its deflate data.
    data[Math.floor(data.length / 4)] ^= 0x55;
    const bad = path.join(t.dir, 'bad.tar.gz');
    await fs.writeFile(bad, data);
    await assert.rejects(openBundle(bad), (e: Error) => e instanceof BundleError && e.message.startsWith(`${bad} is damaged or truncated (gzip block at byte `));
  });
});

describe('bundle reader: the manifest read block by block', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  /**
   * A block-indexed bundle made by GNU tar and cut into gzip blocks of 512 bytes, as smsdiag's
   * writer cuts them at 1 MiB: the manifest spans many blocks.
   */
  function blockBundle(manifest: string): { file: string; manifestAt: number } {
    const top = path.join(t.dir, 'w', 'top');
    mkdirSync(path.join(top, 'nodes', 'primary', 'logs'), { recursive: true });
    writeFileSync(path.join(top, 'manifest.json'), manifest);
    writeFileSync(path.join(top, 'nodes', 'primary', 'logs', 'ha.log'), 'x\n');
    const tarFile = path.join(t.dir, 'plain.tar');
    run('tar', ['-cf', tarFile, '--format=gnu', 'top/manifest.json', 'top/nodes/primary/logs/ha.log'], path.join(t.dir, 'w'));
    const file = path.join(t.dir, 'blocks.tar.gz');
    const data = blockGzip(tarFile);
    writeFileSync(file, data);
    // GNU tar reads it as any .tar.gz: the blocks are gzip members.
    assert.match(run('tar', ['-tzf', file]), /top\/manifest\.json/);
    return { file, manifestAt: data.readUInt32LE(16) };
  }

  const openFds = (): number => readdirSync('/proc/self/fd').length;

  it('names the byte of malformed JSON and leaves no file open', async () => {
    const good = JSON.stringify({ nodes: [{ files: Array.from({ length: 200 }, (_, i) => ({ path: `nodes/primary/logs/ha.log.${i}`, size: i })) }] });
    // A stray byte after the 51st file's path: that file's record (taken whole) is not JSON.
    const at = good.indexOf('ha.log.50"') + 'ha.log.50"'.length;
    const record = good.lastIndexOf('{', at);
    const { file } = blockBundle(`${good.slice(0, at)}x${good.slice(at)}`);
    const before = openFds();
    await assert.rejects(openBundle(file), (e: Error) => {
      assert.ok(e instanceof BundleError, e.stack);
      assert.match(e.message, new RegExp(`^${file.replace(/[.]/g, '\\.')}: manifest\\.json is not valid JSON \\(.* at byte ${record}\\); the bundle is damaged$`));
      return true;
    });
    assert.equal(openFds(), before);
  });

  it('names a damaged block of the manifest and leaves no file open', async () => {
    const { file, manifestAt } = blockBundle(JSON.stringify({ padding: 'y'.repeat(4000) }));
    const data = readFileSync(file);
    // The third block of the manifest's text (the first block is its tar header), which only
    // reading the manifest inflates.
    let coff = manifestAt;
    for (let i = 0; i < 2; i++) coff += data.readUInt32LE(coff + 16);
    data[coff + 30] ^= 0xff;
    writeFileSync(file, data);
    const before = openFds();
    await assert.rejects(openBundle(file), (e: Error) => e instanceof BundleError && e.message.startsWith(`${file} is damaged or truncated (gzip block at byte ${coff}`));
    assert.equal(openFds(), before);
  });
});

describe('bundle reader: a small member over several blocks', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('is streamed, not read at once, so that a damaged block keeps the text before it', async () => {
    const log = haLines('primary', 0, 120);
    const top = path.join(t.dir, 'w', 'top');
    mkdirSync(path.join(top, 'nodes', 'primary', 'logs'), { recursive: true });
    const file = { kind: 'ha', source: '/var/log/ha.log', path: 'nodes/primary/logs/ha.log', size: log.length, mtime: CREATED, sha256: sha256(Buffer.from(log)) };
    const manifest = { format: 'smsdiag-bundle', version: 1, tool: { name: 'smsdiag', version: '0' }, commandLine: [], createdAt: CREATED, redacted: false, analysis: [], nodes: [{ name: 'primary', host: 'sms-a', role: 'primary', facts: {}, errors: [], files: [file] }] };
    writeFileSync(path.join(top, 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(path.join(top, 'nodes', 'primary', 'logs', 'ha.log'), log);
    const tarFile = path.join(t.dir, 'plain.tar');
    run('tar', ['-cf', tarFile, '--format=gnu', 'top/manifest.json', 'top/nodes/primary/logs/ha.log'], path.join(t.dir, 'w'));
    const data = blockGzip(tarFile);
    // The blocks: the manifest's header and text, ha.log's header, then its text in 512-byte blocks.
    const starts: number[] = [];
    for (let at = 0; at < data.length; at += data.readUInt32LE(at + 16)) starts.push(at);
    const firstText = 1 + Math.ceil(Buffer.byteLength(JSON.stringify(manifest)) / 512) + 1;
    assert.ok(firstText + Math.ceil(log.length / 512) <= starts.length);
    const damaged = firstText + 5;
    data[starts[damaged] + 30] ^= 0xff;
    const bundle = path.join(t.dir, 'damaged.tar.gz');
    writeFileSync(bundle, data);
    const b = await openBundle(bundle);
    assert.equal(b.indexed, true);
    const inHand = (p: string): Buffer | undefined => {
      const size = b.entries.get(p)!.size;
      return b.reading.fitsInHand(b.place(p), size) ? b.reading.inHand(b.place(p), size) : undefined;
    };
    assert.equal(inHand('nodes/primary/logs/ha.log'), undefined);
    // The manifest, within one block, is read at once.
    assert.equal(inHand('manifest.json')?.toString(), JSON.stringify(manifest));
    const parts: Buffer[] = [];
    await assert.rejects(
      (async () => {
        for await (const c of b.open('nodes/primary/logs/ha.log')) parts.push(c as Buffer);
      })(),
      (e: Error) => e instanceof BundleError && e.message.includes(`gzip block at byte ${starts[damaged]}`),
    );
    assert.equal(Buffer.concat(parts).toString(), log.slice(0, 5 * 512));
  });
});

describe('bundle reader: tar headers read from blocks inflated together', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('lists every entry when a block of a file the open does not read is damaged, and that file names it', async () => {
    const top = path.join(t.dir, 'w', 'top');
    const logs = path.join(top, 'nodes', 'primary', 'logs');
    mkdirSync(logs, { recursive: true });
    const manifest = { format: 'smsdiag-bundle', version: 1, tool: { name: 'smsdiag', version: '0' }, commandLine: [], createdAt: CREATED, redacted: false, analysis: [], nodes: [] };
    writeFileSync(path.join(top, 'manifest.json'), JSON.stringify(manifest));
    const names: string[] = [];
    for (let k = 1; k <= 400; k++) {
      writeFileSync(path.join(logs, `ha.log.${k}`), haLines('primary', k, 1));
      names.push(`nodes/primary/logs/ha.log.${k}`);
    }
    const tarFile = path.join(t.dir, 'plain.tar');
    run('tar', ['-cf', tarFile, '--format=gnu', 'top/manifest.json', ...names.map((n) => `top/${n}`)], path.join(t.dir, 'w'));
    const data = blockGzip(tarFile);
    const starts: number[] = [];
    for (let at = 0; at < data.length; at += data.readUInt32LE(at + 16)) starts.push(at);
    // Blocks: the manifest's header and text, then a header and a text block for each file.
    const victim = 200;
    const textBlock = 2 + 2 * (victim - 1) + 1;
    data[starts[textBlock] + 30] ^= 0xff;
    const bundle = path.join(t.dir, 'damaged.tar.gz');
    writeFileSync(bundle, data);
    const b = await openBundle(bundle);
    assert.deepEqual([...b.entries.keys()], ['manifest.json', ...names]);
    await assert.rejects(b.read(`nodes/primary/logs/ha.log.${victim}`), (e: Error) => e instanceof BundleError && e.message.includes(`gzip block at byte ${starts[textBlock]}`));
    assert.equal((await b.read(`nodes/primary/logs/ha.log.${victim + 1}`)).toString(), haLines('primary', victim + 1, 1));
    // Read at once in archive order, as a node's members are (blocks inflated together in runs,
    // the damaged one among them): that member names its block, every other one reads.
    for (const [k, p] of names.entries()) {
      const size = b.entries.get(p)!.size;
      assert.ok(b.reading.fitsInHand(b.place(p), size), p);
      if (k + 1 === victim) {
        assert.throws(() => b.reading.inHand(b.place(p), size), (e: Error) => e instanceof BundleError && e.message === `${bundle} is damaged or truncated (gzip block at byte ${starts[textBlock]} fails its CRC check); get the bundle again or check it with "smsdiag verify"`);
      } else assert.equal(b.reading.inHand(b.place(p), size).toString(), haLines('primary', k + 1, 1), p);
    }
  });
});

describe('bundle reader: an entry twice', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('refuses a bundle holding a file twice, block-indexed or not', async () => {
    const top = path.join(t.dir, 'w', 'top');
    mkdirSync(path.join(top, 'nodes', 'primary', 'logs'), { recursive: true });
    writeFileSync(path.join(top, 'manifest.json'), '{}');
    writeFileSync(path.join(top, 'nodes', 'primary', 'logs', 'ha.log'), 'x\n');
    const tarFile = path.join(t.dir, 'twice.tar');
    const twice = 'top/nodes/primary/logs/ha.log';
    run('tar', ['-cf', tarFile, '--format=gnu', '--hard-dereference', 'top/manifest.json', twice, twice], path.join(t.dir, 'w'));
    assert.equal(run('tar', ['-tf', tarFile]).split('\n').filter((l) => l === twice).length, 2);
    const indexed = path.join(t.dir, 'twice-blocks.tar.gz');
    writeFileSync(indexed, blockGzip(tarFile));
    const plain = path.join(t.dir, 'twice.tar.gz');
    writeFileSync(plain, zlib.gzipSync(readFileSync(tarFile)));
    for (const file of [indexed, plain]) {
      await assert.rejects(openBundle(file), (e: Error) => e instanceof BundleError && e.message === `${file} holds the entry "${twice}" twice; the bundle is ambiguous and was not read`);
    }
  });
});
