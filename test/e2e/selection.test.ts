import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, REPO, runCli } from '../helpers/cli';

describe('selections that cannot be meant are refused; empty ones say why', function () {
  this.timeout(60000);
  const fx = path.join(FIXTURES, 'takeover-db');

  it('a --node that names no node: exit 2, naming the nodes there are (analyze and timeline)', async () => {
    for (const cmd of ['analyze', 'timeline']) {
      const r = await runCli([cmd, fx, '--node', 'primry']);
      assert.equal(r.code, 2, `${cmd}: ${r.stderr}`);
      assert.match(r.stderr, /--node primry: no such node in the input; the nodes are primary, secondary/);
    }
  });

  it('--since after --until, and --json with another --format: exit 2', async () => {
    const a = await runCli(['analyze', fx, '--since', '2017-10-13', '--until', '2017-10-12']);
    assert.equal(a.code, 2, a.stderr);
    assert.match(a.stderr, /--since 2017-10-13 is after --until 2017-10-12/);
    const b = await runCli(['analyze', fx, '--json', '--format', 'text']);
    assert.equal(b.code, 2, b.stderr);
    assert.match(b.stderr, /--json and --format text ask for two different outputs/);
    assert.equal(b.stdout, '');
  });

  it('a window outside the logs: the empty answer names the span the logs do cover', async () => {
    const a = await runCli(['analyze', fx, '--since', '2020-01-01']);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stderr, /lies after all of the logs, which span 2017-10-12T12:59:00\.000Z to 2017-10-12T13:50:01\.000Z/);
    const t = await runCli(['timeline', fx, '--until', '2017-01-01']);
    assert.match(t.stderr, /lies before all of the logs/);
    const inside = await runCli(['analyze', fx, '--since', '2017-10-12 13:00']);
    assert.doesNotMatch(inside.stderr, /lies (after|before)/, 'a window over the logs needs no note');
  });

  it('--verbose says on stderr what was read and assumed, and changes nothing on stdout', async () => {
    const quiet = await runCli(['analyze', fx, '--json']);
    const loud = await runCli(['analyze', fx, '--json', '--verbose', '--incident', '2017-10-12 13:48']);
    assert.equal(loud.code, 0, loud.stderr);
    assert.match(loud.stderr, /^smsdiag: primary \(primary\): zone-less times read as UTC[+-]\d\d:\d\d \(assumed: this machine's zone; --tz to change\); state Failed$/m);
    assert.match(loud.stderr, /^smsdiag: {3}read mysqld\.err as mysqld: \d+ records, 2017-10-12T12:59:00\.000Z to /m);
    assert.match(loud.stderr, /^smsdiag: incident time: 2017-10-12T13:48:00\.000Z$/m);
    const strip = (s: string) => { const d = JSON.parse(s); return JSON.stringify(d.findings); };
    assert.equal(strip(loud.stdout), strip(quiet.stdout));
  });

  it('a node read in the wrong zone: the finding names the --tz and --clock that make the story consistent, and they do', async () => {
    const skewed = path.join(FIXTURES, 'skewed-clocks');
    const bare = JSON.parse((await runCli(['analyze', skewed, '--json'])).stdout);
    const skew = bare.findings.find((f: { id: string }) => f.id === 'clock-skew');
    assert.ok(skew, 'no clock-skew finding without --tz');
    const fix = /try (--tz \S+(?: --clock \S+)?)/.exec(skew.summary);
    assert.ok(fix, skew.summary);
    assert.equal(fix[1], '--tz secondary=+02:00 --clock secondary=+95');
    const fixed = JSON.parse((await runCli(['analyze', skewed, '--json', ...fix[1].split(' ')])).stdout);
    assert.deepEqual(fixed.findings.filter((f: { id: string }) => f.id === 'clock-skew'), []);
    assert.equal(fixed.findings.find((f: { id: string }) => f.id === 'passive-takeover').cause, 'server:database');
  });

  it('nodes whose folder names do not say their role: inferred from the logs, marked and explained', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-roles-'));
    try {
      cpSync(path.join(fx, 'primary'), path.join(tmp, 'node-a'), { recursive: true });
      cpSync(path.join(fx, 'secondary'), path.join(tmp, 'node-b'), { recursive: true });
      const r = await runCli(['analyze', tmp, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(doc.nodes.map((n: { name: string; role: string; roleBasis?: string }) => [n.name, n.role, n.roleBasis]), [['node-a', 'primary', 'logs'], ['node-b', 'secondary', 'logs']]);
      assert.ok(doc.warnings.some((w: string) => /^node-a: taken to be the primary \(smsdiag's inference/.test(w)), doc.warnings.join('\n'));
      const table = await runCli(['state', tmp]);
      assert.match(table.stdout, /^node-a \(primary\?\): Failed since /m);
      const named = JSON.parse((await runCli(['analyze', fx, '--json'])).stdout);
      assert.ok(named.nodes.every((n: { roleBasis?: string }) => n.roleBasis === undefined));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('two folders whose names would make one node are read as two, and said so', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-apart-'));
    try {
      for (const [from, to] of [['primary', 'a'], ['secondary', 'b']]) {
        mkdirSync(path.join(tmp, to));
        cpSync(path.join(fx, from), path.join(tmp, to, 'logs'), { recursive: true });
      }
      const r = await runCli(['analyze', path.join(tmp, 'a', 'logs'), path.join(tmp, 'b', 'logs'), '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(doc.nodes.map((n: { name: string }) => n.name).sort(), ['b-logs', 'logs']);
      assert.ok(doc.warnings.some((w: string) => /two inputs would both be node "logs" .* read as node "b-logs"/.test(w)), doc.warnings.join('\n'));
      assert.ok(doc.findings.some((f: { id: string; node: string }) => f.id === 'passive-takeover' && f.node === 'b-logs'), 'the takeover is the second node\'s, not one node\'s with itself');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('explain with no PATH reads this machine, as analyze does', function () {
  this.timeout(60000);

  it('on a node with SMS logs in the usual place, explains them; elsewhere, the topic alone', async () => {
    // The SMS's own log directory, in a private mount namespace: nothing outside the test sees it.
    const ha = path.join(FIXTURES, 'takeover-db', 'primary', 'ha.log');
    const bin = path.join(REPO, 'bin', 'run.js');
    const script = `mount -t tmpfs tmpfs /opt && mkdir -p /opt/tpt/sms/logs && cp '${ha}' /opt/tpt/sms/logs/ && node '${bin}' explain failed`;
    const out = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8' });
    assert.match(out, /In these logs: local, critical, 1 time, first 2017-10-12 13:48:06 UTC/);
    const plain = await runCli(['explain', 'failed']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /In these logs/);
  });
});
