import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { analyzeInventory, type Analysis } from '../src/analyze';
import { resolveInputs } from '../src/sources/inputs';
import { builtinRules, RuleSet, type RulePack } from '../src/rules/engine';
import type { Inventory } from '../src/types';
import { FIXTURES } from './helpers/cli';
import { junkFile, silentFile } from './helpers/memory-file';
import { CREATED, haLines, NAME, tempDir } from './helpers/bundle';
import { createBundleWriter } from '../src/bundle/writer';
import type { ManifestFile, ManifestNode } from '../src/sources/bundle/manifest';

describe('analyzeInventory', () => {
  let tmp: string;
  const write = (rel: string, lines: string[]): void => {
    mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    writeFileSync(path.join(tmp, rel), `${lines.join('\n')}\n`);
  };
  beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-analyze-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));
  const run = async (opts: Partial<Parameters<typeof analyzeInventory>[1]> = {}) => analyzeInventory(await resolveInputs([tmp]), opts);

  it('ha.state overrides the last logged state; since is kept only when they agree', async () => {
    write('primary/ha.log', ['2017-10-12 13:00:00,000 INFO Local state: Active']);
    write('primary/ha.state', ['Failed']);
    write('secondary/ha.log', ['2017-10-12 13:00:00,000 INFO Local state: Passive']);
    write('secondary/ha.state', ['passive']);
    const a = await run();
    assert.deepEqual(a.report.nodes.map((n) => [n.state, n.stateSince]), [['Failed', undefined], ['Passive', '2017-10-12T13:00:00.000Z']]);
    // Failed and Passive now, after the primary had been Active: nothing is Active.
    assert.deepEqual(a.report.findings.map((f) => [f.id, f.node, f.evidence[0].file]), [['no-active-node', 'cluster', 'ha.state'], ['ha-failed', 'primary', 'ha.state']]);
  });

  it('a --clock smaller than the bundle\'s clock sample could tell is applied as given, not called measured', async () => {
    // The bundle measured the secondary's clock within ±5 ms; the user says it ran 3 ms ahead.
    const a = await analyzeInventory(await resolveInputs([path.join(FIXTURES, 'bundle', 'smsdiag-sms-a-20171012T135000Z.tar.gz')], { clock: { secondary: 3 } }));
    assert.ok(a.report.warnings.some((w) => /^secondary: .*moved its times by -0\.003 s to correct its clock/.test(w)), a.report.warnings.join('\n'));
    assert.ok(!a.report.warnings.some((w) => /secondary: .*measured 3 ms/.test(w)), a.report.warnings.join('\n'));
  });

  it('zone and clock corrections move a node onto the true timeline', async () => {
    write('secondary/ha.log', ['2017-10-12 15:49:37,000 INFO Local state: Failed']);
    const a = await analyzeInventory(await resolveInputs([tmp], { tz: { secondary: 120 }, clock: { secondary: 95_000 } }));
    assert.equal(a.report.findings[0].first, '2017-10-12T13:48:02.000Z');
    assert.ok(a.report.warnings.some((w) => /secondary: read zone-less times as UTC\+02:00 and moved its times by -95 s/.test(w)), a.report.warnings.join('\n'));
  });

  it('--since/--until limit what counts', async () => {
    write('primary/ha.log', ['2017-10-12 13:00:00,000 INFO Local state: Failed', '2017-10-12 15:00:00,000 INFO Local state: Failed']);
    const a = await run({ window: { since: Date.parse('2017-10-12T14:00:00Z') } });
    assert.equal(a.report.findings[0].count, 1);
    assert.equal(a.report.findings[0].first, '2017-10-12T15:00:00.000Z');
  });

  it('keeps Java exceptions only when they precede trouble on the node (degraded evidence)', async () => {
    write('primary/ha.log', ['2017-10-12 13:10:00,000 WARN DEGRADED HA']);
    write('primary/sms-info.log', [
      '2017-10-12 12:00:00,000 ERROR [a] (b) failed', 'com.tippingpoint.sms.EarlyException: long before',
      '2017-10-12 13:05:00,000 ERROR [a] (b) failed', 'com.tippingpoint.sms.DeviceException: device lost',
    ]);
    const a = await run();
    const exceptions = a.events.filter((e) => e.type === 'exception').map((e) => e.fields.exception);
    assert.deepEqual(exceptions, ['com.tippingpoint.sms.DeviceException']);
  });

  it('a crash report of many lines is one db-crash occurrence', async () => {
    write('primary/mysqld.err', [
      '171012 13:47:55 [ERROR] mysqld got signal 11 ;',
      'InnoDB: Assertion failure in thread 1234 in file btr0cur.cc line 42',
      '171012 13:47:56 [ERROR] mysqld got signal 6 ;',
      '171012 18:00:00 [ERROR] mysqld got signal 11 ;',
    ]);
    const a = await run();
    assert.equal(a.report.findings[0].id, 'db-crash');
    assert.equal(a.report.findings[0].count, 2);
  });
});

describe('analyzeInventory in worker threads', function () {
  this.timeout(120_000);
  const inputs: Record<string, string> = { bundle: 'bundle/smsdiag-sms-a-20171012T135000Z.tar.gz', 'syslog-central': 'syslog-central/messages' };
  const same = async (inv: () => Promise<Inventory>, rules?: RuleSet): Promise<Analysis> => {
    const one = await analyzeInventory(await inv(), { rules, threads: 1 });
    const three = await analyzeInventory(await inv(), { rules, threads: 3 });
    assert.equal(JSON.stringify(three.report), JSON.stringify(one.report));
    assert.deepEqual(three.events, one.events);
    return one;
  };

  it('gives the answer of one thread on every fixture, bundles and syslog included', async () => {
    const dirs = readdirSync(FIXTURES).filter((d) => !['README.md', 'make', 'real'].includes(d));
    for (const d of dirs) {
      const a = await same(() => resolveInputs([path.join(FIXTURES, inputs[d] ?? d)], { hosts: { primary: 'sms-a', secondary: 'sms-b' } }));
      assert.ok(a.report.nodes.length >= 1, d);
    }
  });

  it('and on a flood, a file without times, a damaged gzip, a read that fails, and a pack of its own', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-threads-'));
    try {
      const lines = Array.from({ length: 60_000 }, (_, i) => `2017-10-12 13:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}:${String(Math.floor(i / 17) % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} INFO Local state: ${i % 3 ? 'Failed' : 'Active'}; Heartbeat reply from peer in ${i % 500} ms`);
      mkdirSync(path.join(tmp, 'primary'));
      mkdirSync(path.join(tmp, 'secondary'));
      writeFileSync(path.join(tmp, 'primary/ha.log'), `${lines.join('\n')}\n`);
      writeFileSync(path.join(tmp, 'primary/tpt_sms.txt'), 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n\tat x\n'.repeat(3000));
      const gz = gzipSync(`${lines.slice(0, 20_000).join('\n')}\n`);
      writeFileSync(path.join(tmp, 'secondary/ha.log.1.gz'), gz.subarray(0, gz.length - 100));
      writeFileSync(path.join(tmp, 'secondary/ha.log'), `${lines.slice(30_000).join('\n')}\n`);
      const withFailingRead = async (): Promise<Inventory> => {
        const inv = await resolveInputs([tmp]);
        const f = inv.nodes[1].files.find((x) => x.path === 'ha.log')!;
        const open = f.open;
        f.open = () => {
          const src = open();
          let n = 0;
          return src.pipe(new Transform({ transform: (c: Buffer, _e, done) => (++n > 1 ? done(new Error('EIO: i/o error, read')) : done(null, c)) }));
        };
        return inv;
      };
      const a = await same(withFailingRead);
      assert.ok(a.report.findings.some((f) => f.id === 'ha-failed'));
      assert.ok(a.report.findings.some((f) => f.id === 'java-oom'));
      const warned = [...a.report.warnings].join('\n');
      assert.match(warned, /truncated/);
      assert.match(warned, /EIO/);
      // Files a node's worker stops reading early (binary data, as stored and once decompressed),
      // each longer than what is sent ahead: the rest is only acknowledged, the next file still read.
      const junk = Buffer.alloc(600 << 10);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
      writeFileSync(path.join(tmp, 'primary/ha.log.2'), junk);
      writeFileSync(path.join(tmp, 'primary/ha.log.3.gz'), gzipSync(junk));
      const withJunk = await same(() => resolveInputs([tmp]));
      const junkWarnings = withJunk.report.warnings.join('\n');
      assert.match(junkWarnings, /ha\.log\.2 holds binary data/);
      assert.match(junkWarnings, /ha\.log\.3\.gz decompresses to binary data/);
      assert.ok(withJunk.report.findings.some((f) => f.id === 'ha-failed' && f.node === 'primary'));
      // A plain local file a worker opens itself, gone since it was listed: said as one thread says it.
      const tpt = path.join(tmp, 'primary/tpt_sms.txt');
      const gone = await same(async () => {
        writeFileSync(tpt, 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n\tat x\n'.repeat(3000));
        const inv = await resolveInputs([tmp]);
        rmSync(tpt);
        return inv;
      });
      assert.match(gone.report.warnings.join('\n'), /cannot read tpt_sms\.txt: ENOENT/);
      writeFileSync(tpt, 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n\tat x\n'.repeat(3000));
      const pack = JSON.parse(JSON.stringify(builtinRules().pack)) as RulePack;
      pack.rules = pack.rules.filter((r) => r.kinds.includes('tpt'));
      const own = await same(() => resolveInputs([tmp]), new RuleSet(pack));
      assert.ok(own.report.findings.every((f) => f.id !== 'ha-failed'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('and on a bundle of many small members, sent to the workers several to a message', async () => {
    const t = tempDir('smsdiag-threads-');
    try {
      const w = await createBundleWriter({ outDir: t.dir, name: NAME });
      const mtime = new Date(CREATED);
      const nodes: ManifestNode[] = [];
      for (const node of ['primary', 'secondary']) {
        const files: ManifestFile[] = [];
        const add = async (name: string, body: Buffer): Promise<void> => {
          const r = await w.addFile({ path: `nodes/${node}/logs/${name}`, size: body.length, mtime, body });
          files.push({ kind: name.startsWith('ha') ? 'ha' : 'sms-info', source: `/var/log/${name}`, path: r.path, size: r.size, mtime: CREATED, sha256: r.sha256 });
        };
        // Members of a day each, more than a message holds, some of them failed states.
        for (let k = 1500; k >= 1; k--) {
          const day = new Date(Date.UTC(2010, 0, 1) + (1500 - k) * 86_400_000).toISOString().slice(0, 10);
          const state = k % 97 ? 'Active' : 'Failed';
          await add(`ha.log-${day.replace(/-/g, '')}`, Buffer.from(`${day} 10:00:00,000 INFO Local state: ${state}\n${day} 10:00:01,000 INFO Heartbeat reply from peer in ${k % 700} ms\n`));
        }
        // Between them: an empty one, one gzip, one of binary junk, one with a run of NULs, and a
        // large one that is streamed, not read at once.
        await add('ha.log-20170101', Buffer.alloc(0));
        await add('ha.log-20170102.gz', gzipSync('2017-01-02 10:00:00,000 INFO Local state: Failed\n'));
        await add('ha.log-20170103', Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 2654435761) >>> 24)));
        await add('ha.log-20170104', Buffer.concat([Buffer.from('2017-01-04 10:00:00,000 INFO Local state: Act'), Buffer.alloc(300), Buffer.from('2017-01-04 10:00:02,000 INFO Local state: Active\n')]));
        await add('ha.log', Buffer.from(haLines(node, 0, 3000)));
        for (let k = 40; k >= 1; k--) await add(`sms-info.log.${k}`, Buffer.from(`2017-10-${String(12 - (k % 10)).padStart(2, '0')} 13:00:00,000 ERROR java.lang.OutOfMemoryError: Java heap space\n`));
        nodes.push({ name: node, host: node, role: node, facts: {}, files, errors: [] });
      }
      const done = await w.finish({ format: 'smsdiag-bundle', version: 1, tool: { name: 'smsdiag', version: '0' }, commandLine: [], createdAt: CREATED, redacted: false, nodes, analysis: [] });
      // One member that cannot be read at once: said as one thread says it.
      const failing = async (): Promise<Inventory> => {
        const inv = await resolveInputs([done.path]);
        const f = inv.nodes[1].files.find((x) => x.path === 'logs/ha.log-20110505')!;
        assert.ok(f.bytes, 'a small member is read at once');
        f.bytes = () => {
          throw new Error('EIO: i/o error, read');
        };
        return inv;
      };
      const a = await same(failing);
      const warned = a.report.warnings.join('\n');
      assert.match(warned, /cannot read logs\/ha\.log-20110505: EIO/);
      assert.match(warned, /ha\.log-20170103 holds binary data/);
      assert.match(warned, /dropped 300 NUL byte\(s\) from logs\/ha\.log-20170104/);
      assert.ok(a.report.findings.some((f) => f.id === 'ha-failed'));
      assert.ok(a.report.findings.some((f) => f.id === 'java-oom'));
      assert.equal(a.report.nodes[0].files?.length, 1500 + 5 + 40);
    } finally {
      t.cleanup();
    }
  });

  it('a node that cannot be handed to its worker fails the analysis, and stops the other node\'s worker', async () => {
    const inv = await resolveInputs([path.join(FIXTURES, 'takeover-db')]);
    // Facts that cannot cross to a thread: the analysis must end with the reason, not wait forever.
    (inv.nodes[1].facts as Record<string, unknown>).hostname = () => 'sms-b';
    await assert.rejects(analyzeInventory(inv, { threads: 2 }), /could not be cloned/);
  });

  it('stops reading a file its worker gave up on, and lets go of a silent source when the analysis fails', async () => {
    const inv = await resolveInputs([path.join(FIXTURES, 'takeover-db')]);
    const [a, b] = inv.nodes;
    const junk = junkFile({ ...a.files[0], kind: 'ha', path: 'ha.log.9', order: 9 }, 256 << 20);
    a.files.push(junk.file);
    const found = await analyzeInventory(inv, { threads: 2 });
    assert.match(found.report.warnings.join('\n'), /ha\.log\.9 holds binary data/);
    assert.ok(junk.read() < 8 << 20, `${junk.read()} bytes of 256 MiB of junk read`);
    assert.ok(junk.destroyed());

    const silent = silentFile({ ...b.files[0], kind: 'ha', path: 'ha.log.9', order: 9 });
    b.files.unshift(silent.file);
    (a.facts as Record<string, unknown>).hostname = () => 'sms-a';
    await assert.rejects(analyzeInventory(inv, { threads: 2 }), /could not be cloned/);
    assert.ok(silent.destroyed());
  });
});
