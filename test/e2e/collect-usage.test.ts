import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, runCli } from '../helpers/cli';

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

describe('collect: progress', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-progress-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('without a terminal: one line per phase and per file, never one per chunk', async () => {
    const logs = path.join(dir, 'logs');
    mkdirSync(logs);
    // 3 MB of log: copied in many chunks.
    writeFileSync(path.join(logs, 'ha.log'), '2017-10-12 13:45:01,000 INFO  [com.tippingpoint.sms.ha] Local state: Active\n'.repeat(40_000));
    writeFileSync(path.join(logs, 'sms-info.log'), '');
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const r = await runCli(['collect', '--local-name', 'primary', '--path', `ha=${logs}/ha.log*`, '--path', `sms-info=${logs}/sms-info.log*`, '--out', out, '--description', 'progress test']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trim().split('\n');
    for (const phase of ['connecting', 'listing', 'analysing', 'writing']) assert.ok(lines.some((l) => l.endsWith(phase)), `no "${phase}" line in:\n${r.stderr}`);
    assert.ok(lines.some((l) => /^primary: 2 files, 2\.9 MB, .* done$/.test(l)), r.stderr);
    assert.ok(lines.length <= 12, `${lines.length} lines:\n${r.stderr}`);
  });

  it('nothing readable to analyse still gives a bundle of what was collected: exit 4, the reason in the manifest', async () => {
    const logs = path.join(dir, 'empty');
    mkdirSync(logs);
    writeFileSync(path.join(logs, 'sms-info.log'), '');
    const out = path.join(dir, 'out-empty');
    mkdirSync(out);
    const r = await runCli(['collect', '--local-name', 'primary', '--path', `sms-info=${logs}/sms-info.log*`, '--out', out, '--quiet', '--description', 'empty']);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /analysis: not written: no readable log data/);
    const bundle = readdirSync(out).find((f) => f.endsWith('.tar.gz'))!;
    assert.ok(bundle, readdirSync(out).join(', '));
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', path.join(out, bundle), '--wildcards', '*/manifest.json'], { encoding: 'utf8' }));
    assert.match(manifest.analysisError, /no readable log data/);
    assert.equal((await runCli(['verify', path.join(out, bundle)])).code, 0);
  });

  it('the incident time is recorded and used: evidence rotated away before it is a finding in the bundle and when it is read again', async () => {
    const out = path.join(dir, 'out-incident');
    mkdirSync(out);
    const ha = path.join(FIXTURES, 'takeover-db', 'primary', 'ha.log');
    const r = await runCli(['collect', '--local-name', 'primary', '--path', `ha=${ha}`, '--incident', '2017-10-12 09:00', '--out', out, '--quiet', '--description', 'incident test']);
    assert.equal(r.code, 0, r.stderr);
    const bundle = path.join(out, readdirSync(out).find((f) => f.endsWith('.tar.gz'))!);
    const inside = JSON.parse(execFileSync('tar', ['-xzOf', bundle, '--wildcards', '*/analysis/findings.json'], { encoding: 'utf8' }));
    assert.ok(inside.findings.some((f: { id: string }) => f.id === 'log-rollover-gap'), JSON.stringify(inside.findings.map((f: { id: string }) => f.id)));
    const again = JSON.parse((await runCli(['analyze', bundle, '--json'])).stdout);
    assert.ok(again.findings.some((f: { id: string }) => f.id === 'log-rollover-gap'));
  });

  it("the bundle's own analysis reads what analyze reads from the bundle: the disk facts, the logs' modification times", async () => {
    const out = path.join(dir, 'out-facts');
    const bin = path.join(dir, 'bin');
    mkdirSync(out);
    mkdirSync(bin);
    // This machine's df, as a node whose disk is full would answer it.
    writeFileSync(path.join(bin, 'df'), '#!/bin/sh\nprintf "Filesystem 1024-blocks Used Available Capacity Mounted on\\n/dev/sda1 10000000 9700000 300000 97%% /\\n"\n', { mode: 0o755 });
    // A crash report whose date no line gives: it is dated by its file's modification time.
    const logs = path.join(dir, 'logs-facts');
    mkdirSync(logs);
    writeFileSync(path.join(logs, 'mysqld.err'), '15:31:30 UTC - mysqld got signal 6 ;\n');
    const when = new Date('2017-10-12T13:50:00Z');
    utimesSync(path.join(logs, 'mysqld.err'), when, when);
    const ha = path.join(FIXTURES, 'takeover-db', 'primary', 'ha.log');
    const r = await runCli(['collect', '--local-name', 'primary', '--path', `ha=${ha}`, '--path', `mysqld=${logs}/mysqld.err*`, '--out', out, '--quiet', '--description', 'facts test'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(r.code, 0, r.stderr);
    const bundle = path.join(out, readdirSync(out).find((f) => f.endsWith('.tar.gz'))!);
    const brief = (fs: Array<{ id: string; first: string; summary: string }>): string[] => fs.map((f) => `${f.id} ${f.first} ${f.summary}`);
    const inside = JSON.parse(execFileSync('tar', ['-xzOf', bundle, '--wildcards', '*/analysis/findings.json'], { encoding: 'utf8' }));
    const again = JSON.parse((await runCli(['analyze', bundle, '--json'])).stdout);
    assert.ok(brief(inside.findings).some((f) => /^resource-exhaustion .*97%/.test(f)), brief(inside.findings).join('\n'));
    assert.ok(brief(inside.findings).some((f) => f.startsWith('db-crash 2017-10-12T13:50:00')), brief(inside.findings).join('\n'));
    assert.deepEqual(brief(inside.findings), brief(again.findings));
  });
});
