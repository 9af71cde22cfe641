import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, createWriteStream } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';

const NO_STACK = /\n\s+at .+:\d+:\d+/;

describe('bad input gets a clear message and the right exit code', function () {
  this.timeout(120000);
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-bad-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const node = (name: string): string => {
    const d = path.join(tmp, name);
    mkdirSync(d, { recursive: true });
    return d;
  };

  it('a command left with nothing to wait for is a bug (exit 70, one sentence), never a silent exit 0', async () => {
    // Every directory listing made to wait for ever, with nothing else pending: Node would end the
    // process with status 0 and no output.
    const preload = path.join(tmp, 'strand.js');
    writeFileSync(preload, "require('node:fs').promises.readdir = () => new Promise(() => {});\n");
    const r = await runCli(['analyze', node('primary')], { env: { NODE_OPTIONS: `--require ${preload}` } });
    assert.equal(r.code, 70, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^smsdiag: internal error: the command stopped before it finished, with nothing left to wait for; please report this\n$/);
  });

  it('a missing path: exit 3 naming it, no stack trace', async () => {
    const r = await runCli(['analyze', path.join(tmp, 'nope')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /cannot read .*nope: no such file or directory/);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  it('a directory without SMS logs: exit 3 saying what was expected', async () => {
    writeFileSync(path.join(node('empty'), 'notes.txt'), 'hello\n');
    const r = await runCli(['analyze', path.join(tmp, 'empty')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no SMS log files found in .*expected ha\.log/);
  });

  it('only binary junk: exit 3, the junk named in the message', async () => {
    const junk = Buffer.alloc(10000);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 131) % 256;
    writeFileSync(path.join(node('primary'), 'ha.log'), junk);
    const r = await runCli(['analyze', path.join(tmp, 'primary')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /ha\.log holds binary data/);
  });

  it('usage errors exit 2: unknown flag, bad time, bad --tz', async () => {
    writeFileSync(path.join(node('primary'), 'ha.log'), '2017-10-12 13:45:01,000 INFO Local state: Active\n');
    for (const args of [['--bogus'], ['--since', 'yesterday'], ['--tz', 'primary=+99:00'], ['--min-severity', 'fatal']]) {
      const r = await runCli(['analyze', path.join(tmp, 'primary'), ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, NO_STACK);
    }
  });

  it('a broken rule pack is a usage error naming the file and rule', async () => {
    writeFileSync(path.join(node('primary'), 'ha.log'), '2017-10-12 13:45:01,000 INFO Local state: Active\n');
    const pack = path.join(tmp, 'pack.json');
    writeFileSync(pack, JSON.stringify({ version: 1, rules: [{ id: 'x', title: 'x', kinds: ['ha'], anchors: ['Local'], pattern: '(', event: 'state' }] }));
    const r = await runCli(['analyze', path.join(tmp, 'primary'), '--rules', pack]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pack\.json: rule x: bad pattern/);
  });

  it('a 50 MB line is cut for display and counted; the anchor inside it still counts', async () => {
    const d = node('primary');
    const out = createWriteStream(path.join(d, 'ha.log'));
    out.write('2017-10-12 13:45:00,000 INFO Local state: Active\n2017-10-12 13:45:01,000 WARN ');
    const block = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 25; i++) out.write(block);
    out.write(' DEGRADED HA ');
    for (let i = 0; i < 25; i++) out.write(block);
    out.write('\n2017-10-12 13:46:00,000 INFO Local state: Degraded\n');
    await new Promise<void>((res) => out.end(res));
    const r = await runCli(['analyze', d, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.findings.map((f: { id: string }) => f.id), ['ha-degraded']);
    const text: string = report.findings[0].evidence[0].text;
    assert.ok(text.length < 1.1 * 1024 * 1024, `evidence text is ${text.length} chars`);
    assert.match(text, /line cut: \d+ more bytes/);
    assert.ok(report.warnings.some((w: string) => /1 line\(s\) longer than 1 MiB in ha\.log were cut/.test(w)), report.warnings.join('\n'));
    assert.equal(report.nodes[0].state, 'Degraded');
    // The other views of the same file finish too (bounded by this test's timeout, measured in bench/).
    for (const args of [['timeline', d], ['timeline', '--all', d], ['state', d]]) {
      const v = await runCli(args);
      assert.equal(v.code, 0, `${args.join(' ')}: ${v.stderr}`);
    }
    const table = await runCli(['timeline', d]);
    assert.ok(table.stdout.length < 20_000, `the key-event table stays readable (${table.stdout.length} chars)`);
  });

  it('a run of NULs from a power cut: the NULs go, the file and its Failed state stay', async () => {
    const d = node('primary');
    const text = (s: string) => Buffer.from(s);
    writeFileSync(path.join(d, 'ha.log'), Buffer.concat([Buffer.alloc(64 * 1024), text('2017-10-12 13:45:01,000 ERROR [ha] Local state: Failed\n'), Buffer.alloc(100), text('\n')]));
    const r = await runCli(['analyze', d, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.findings.map((f: { id: string }) => f.id), ['ha-failed']);
    assert.ok(report.warnings.some((w: string) => /dropped 65636 NUL byte\(s\) from ha\.log/.test(w)), report.warnings.join('\n'));
  });

  it('200,000 matching lines: counted in the finding, kept as a bounded number of events', async () => {
    const d = node('primary');
    const out = createWriteStream(path.join(d, 'ha.log'));
    for (let s = 0; s < 200; s++) {
      const stamp = `2017-10-12 13:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
      out.write(Array.from({ length: 1000 }, (_, i) => `${stamp},${String(i % 1000).padStart(3, '0')} WARN [ha] DEGRADED HA\n`).join(''));
    }
    await new Promise<void>((res) => out.end(res));
    const r = await runCli(['analyze', d, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.findings[0].id, 'ha-degraded');
    assert.equal(report.findings[0].count, 200_000);
    assert.ok(report.warnings.some((w: string) => /repeated line\(s\) were counted but not kept as separate events/.test(w)), report.warnings.join('\n'));
    const timeline = await runCli(['timeline', d, '--format', 'ndjson']);
    const rows = timeline.stdout.split('\n').filter(Boolean).length;
    assert.ok(rows <= 4 * 6, `key events kept: ${rows} (at most 6 of a kind per minute over 4 minutes)`);
  });

  it('unreadable entries (a dangling link, a directory with a log name) are warnings when other files remain', async () => {
    const d = node('primary');
    writeFileSync(path.join(d, 'ha.log'), '2017-10-12 13:45:01,000 INFO Local state: Failed\n');
    symlinkSync(path.join(tmp, 'gone'), path.join(d, 'ha.log.1'));
    mkdirSync(path.join(d, 'mysqld.err'));
    const r = await runCli(['analyze', d, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.ok(report.warnings.some((w: string) => /cannot read ha\.log\.1: ENOENT/.test(w)), report.warnings.join('\n'));
    assert.deepEqual(report.findings.map((f: { id: string }) => f.id), ['ha-failed']);
  });

  it('a truncated gzip rotation keeps the lines before the damage and warns', async () => {
    const d = node('primary');
    const lines = Array.from({ length: 5000 }, (_, i) => `2017-10-12 13:${String(Math.floor(i / 100)).padStart(2, '0')}:00,000 INFO heartbeat ${i}`).join('\n');
    const gz = gzipSync(`${lines}\n2017-10-12 13:50:00,000 INFO Local state: Failed\n`);
    writeFileSync(path.join(d, 'ha.log.1.gz'), gz.subarray(0, gz.length - 40));
    writeFileSync(path.join(d, 'ha.log'), '2017-10-12 14:00:00,000 INFO Local state: Active\n');
    const r = await runCli(['analyze', d, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.ok(report.warnings.some((w: string) => /ha\.log\.1\.gz is a damaged or truncated gzip file/.test(w)), report.warnings.join('\n'));
    assert.ok(report.nodes[0].files[0].records > 4000, 'the complete lines before the damage were read');
  });

  it('--fail-on: exit 1 when a finding reaches it, 0 below it', async () => {
    const d = node('primary');
    writeFileSync(path.join(d, 'ha.log'), '2017-10-12 13:45:01,000 INFO Local state: Failed\n');
    assert.equal((await runCli(['analyze', d, '--fail-on', 'critical'])).code, 1);
    assert.equal((await runCli(['analyze', d, '--fail-on', 'critical', '--since', '2017-10-13'])).code, 0);
  });
});
