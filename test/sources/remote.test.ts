import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localAccess, sshAccess } from '../../src/sources/remote';
import { connect, type SshSession } from '../../src/sources/ssh';
import { surveyNode } from '../../src/sources/facts';
import { startSshd, type Sshd } from '../helpers/sshd';
import { startFaultServer, type Fault } from '../helpers/fault-server';

describe('a node surveyed in one remote shell (real sshd on 127.0.0.1)', function () {
  this.timeout(60000);
  let sshd: Sshd;
  let tmp: string;
  let session: SshSession;
  let execs: string[];

  before(async () => {
    sshd = await startSshd();
  });
  after(async () => sshd?.stop());
  beforeEach(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-survey-'));
    const real = await connect({ host: '127.0.0.1', port: sshd.port, user: 'root', keyFile: sshd.clientKey, knownHosts: path.join(tmp, 'known_hosts'), acceptNewHostKey: true });
    // The real session, with each remote command it starts counted.
    execs = [];
    session = { ...real, exec: (command, prompt) => (execs.push(command), real.exec(command, prompt)) };
  });
  afterEach(() => {
    session.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('lists the files, runs every command and reads the clock, all in one shell, as the same calls on this machine do', async () => {
    const dir = path.join(tmp, "logs of 'node' $(x)");
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'ha.log'), 'a\n');
    writeFileSync(path.join(dir, 'ha.log.1'), 'bb\n');
    writeFileSync(path.join(dir, 'other.txt'), 'c\n');
    const globs = [{ kind: 'ha' as const, glob: `${dir}/ha.log*` }];
    const commands = [['echo', 'one two'], ['false'], ['cat', path.join(dir, 'ha.log')]];
    const clock = ['date', '+%s.%N'];
    const before = Date.now();
    const remote = await sshAccess(session).survey(globs, commands, clock);
    const after = Date.now();
    assert.equal(execs.length, 1);
    const local = await localAccess().survey(globs, commands, clock);
    const brief = (fs: Array<{ path: string; size: number; kind: string }>): string[] => fs.map((f) => `${f.kind} ${f.path} ${f.size}`).sort();
    assert.deepEqual(brief(remote.files), [`ha ${dir}/ha.log 2`, `ha ${dir}/ha.log.1 3`]);
    assert.deepEqual(brief(remote.files), brief(local.files));
    assert.deepEqual(remote.outputs, ['one two\n', undefined, 'a\n']);
    assert.deepEqual(remote.outputs, local.outputs);
    // Same machine, same clock: the host's reading lies between the two local ones, and the
    // interval is the answer's round trip, well inside the whole command (shell start-up included).
    const c = remote.clock!;
    const read = Number(c.text.trim()) * 1000;
    assert.ok(before <= c.before && c.before <= c.after && c.after <= after, JSON.stringify({ before, c, after }));
    assert.ok(c.before - 1 <= read && read <= c.after + 1, `${read} not within ${c.before}..${c.after}`);
    assert.ok(c.after - c.before < after - before, `the sample (${c.after - c.before} ms) is not shorter than the command (${after - before} ms)`);
  });

  it('lists over SFTP, without a shell, the files the shell lists: links followed, directories, dot files and missing targets left out, hostile names refused', async () => {
    const dir = path.join(tmp, "logs of 'node' $(x)");
    const elsewhere = path.join(tmp, 'elsewhere');
    mkdirSync(dir);
    mkdirSync(elsewhere);
    writeFileSync(path.join(dir, 'ha.log'), 'a\n');
    writeFileSync(path.join(dir, 'ha.log.1'), 'bb\n');
    utimesSync(path.join(dir, 'ha.log.1'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    writeFileSync(path.join(dir, 'ha.log\nforged'), 'c\n');
    writeFileSync(path.join(elsewhere, 'target'), 'dddd\n');
    symlinkSync(path.join(elsewhere, 'target'), path.join(dir, 'ha.log.2'));
    symlinkSync(path.join(elsewhere, 'missing'), path.join(dir, 'ha.log.3'));
    symlinkSync(elsewhere, path.join(dir, 'ha.log.4'));
    mkdirSync(path.join(dir, 'ha.log.old'));
    writeFileSync(path.join(dir, 'sms-info.log'), 'e\n');
    writeFileSync(path.join(dir, '.sms-info.log'), 'hidden\n');
    writeFileSync(path.join(dir, '.x.log'), 'dot pattern\n');
    const globs = [
      { kind: 'ha' as const, glob: `${dir}/ha.log*` },
      { kind: 'sms-info' as const, glob: `${dir}/*sms-info.log` },
      { kind: 'tpt' as const, glob: `${dir}/.x*` },
      { kind: 'mysqld' as const, glob: `${tmp}/no such dir/mysqld.err` },
    ];
    const listed = await sshAccess(session).list(globs);
    assert.equal(execs.length, 0, 'no remote command');
    const shell = (await sshAccess(session).survey(globs, [], ['true'])).files;
    const brief = (fs: Array<{ kind: string; path: string; size: number; mtime: Date; refused?: string }>): string[] =>
      fs.map((f) => JSON.stringify([f.kind, f.path, f.size, f.mtime.getTime(), !!f.refused])).sort();
    assert.deepEqual(brief(listed!), brief(shell));
    assert.deepEqual(
      listed!.map((f) => [f.kind, path.basename(f.path), f.size, !!f.refused]),
      [
        ['ha', 'ha.log', 2, false],
        ['ha', 'ha.log\nforged', 2, true],
        ['ha', 'ha.log.1', 3, false],
        ['ha', 'ha.log.2', 5, false],
        ['sms-info', 'sms-info.log', 2, false],
        ['tpt', '.x.log', 12, false],
      ],
    );
    assert.equal(listed!.find((f) => f.path.endsWith('ha.log.1'))!.mtime.toISOString(), '2026-01-02T03:04:05.000Z');
  });

  it('lists nothing over SFTP on a host without it: the survey lists there', async () => {
    const plain = await startSshd({ sftp: false });
    let s: ReturnType<typeof sshAccess> | undefined;
    try {
      s = sshAccess(await connect({ host: '127.0.0.1', port: plain.port, user: 'root', keyFile: plain.clientKey, knownHosts: path.join(tmp, 'plain_known_hosts'), acceptNewHostKey: true }));
      writeFileSync(path.join(tmp, 'ha.log'), 'a\n');
      const globs = [{ kind: 'ha' as const, glob: `${tmp}/ha.log*` }];
      assert.equal(await s.list(globs), undefined);
      assert.deepEqual((await s.survey(globs, [], ['true'])).files.map((f) => f.path), [path.join(tmp, 'ha.log')]);
    } finally {
      s?.close();
      await plain.stop();
    }
  });

  for (const fault of ['listing-drop', 'listing-silent'] as const) {
    it(`a listing over SFTP whose ${fault === 'listing-drop' ? 'connection drops' : 'server never answers'} fails with one sentence, it does not hang`, async () => {
      const server = await startFaultServer(sshd.hostKey, `${sshd.clientKey}.pub`, fault as Fault);
      try {
        const s = sshAccess(await connect({ host: '127.0.0.1', port: server.port, user: 'root', keyFile: sshd.clientKey, knownHosts: path.join(tmp, 'fault_known_hosts'), acceptNewHostKey: true, stallMs: 1500 }));
        const started = Date.now();
        await assert.rejects(s.list([{ kind: 'ha', glob: '/logs/ha.log*' }]), fault === 'listing-drop' ? /dropped/ : /did not answer readdir \/logs for 1\.5 s/);
        assert.ok(Date.now() - started < 10_000);
        s.close();
      } finally {
        await server.close();
      }
    });
  }

  it('answers a prompt only once the reads of a copy under way are in, and holds new ones until the reply', async () => {
    const server = await startFaultServer(sshd.hostKey, `${sshd.clientKey}.pub`, 'busy');
    try {
      const s = await connect({ host: '127.0.0.1', port: server.port, user: 'root', keyFile: sshd.clientKey, knownHosts: path.join(tmp, 'busy_known_hosts'), acceptNewHostKey: true });
      let copied = 0;
      const copy = s.fetch('/logs/big.log', 1 << 30, path.join(tmp, 'big'), (n) => (copied = n));
      copy.catch(() => undefined);
      while (copied < 4 << 20) await new Promise((r) => setTimeout(r, 10));
      const r = await s.exec('clock', { ask: '\n@@ask@@\n', answer: '\n' });
      assert.equal(r.stdout.toString(), '\n@@ask@@\n12345\n');
      const answer = server.events.find((e) => e.what === 'answer')!.at;
      const reply = server.events.find((e) => e.what === 'reply')!.at;
      const readsMeanwhile = server.events.filter((e) => e.what === 'read' && e.at > answer && e.at <= reply).length;
      assert.equal(readsMeanwhile, 0, `${readsMeanwhile} reads came while the answer waited for its reply`);
      // And the copy goes on afterwards.
      const after = copied;
      while (copied < after + (4 << 20)) await new Promise((res) => setTimeout(res, 10));
      s.close();
    } finally {
      await server.close();
    }
  });

  it('gives the facts a clock offset and an uncertainty of that round trip, and the listing beside them', async () => {
    writeFileSync(path.join(tmp, 'mysqld.err'), 'x\n');
    const { facts, files } = await surveyNode(sshAccess(session), true, [{ kind: 'mysqld', glob: `${tmp}/mysqld.err` }]);
    assert.deepEqual(files.map((f) => f.path), [path.join(tmp, 'mysqld.err')]);
    assert.equal(facts.values.hostname, os.hostname());
    const off = facts.values.clockOffsetMs as number;
    const unc = facts.values.clockUncertaintyMs as number;
    assert.ok(Number.isInteger(off) && Number.isInteger(unc) && unc >= 0, JSON.stringify(facts.values));
    // The host is this machine: whatever was measured is inside the stated uncertainty (plus rounding).
    assert.ok(Math.abs(off) <= unc + 1, JSON.stringify(facts.values));
    // What a fresh machine lacks (ip, free) is left out, not failed: date and /etc/hosts are always there.
    const names = facts.files.map((f) => f.name);
    assert.ok(names.includes('date.txt') && names.includes('hosts.txt'), names.join());
    assert.deepEqual(names.filter((n) => !['ha.state', 'uptime.txt', 'df.txt', 'free.txt', 'ip-addr.txt', 'hosts.txt', 'date.txt'].includes(n)), []);
    assert.match(facts.files.find((f) => f.name === 'date.txt')!.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}\nsampled between collector times /);
  });

  it('copies a file in order: what it tells is on disk is there, byte for byte; a file that shrank ends where it ends, one that grew at its listed size', async () => {
    const src = path.join(tmp, 'sms-info.log');
    const data = randomBytes(3_000_000 + 777);
    writeFileSync(src, data);
    const dest = path.join(tmp, 'copy');
    const told: number[] = [];
    const wrong: string[] = [];
    const access = sshAccess(session);
    const n = await access.copy(src, data.length, dest, (k) => {
      told.push(k);
      if (!readFileSync(dest).subarray(0, k).equals(data.subarray(0, k))) wrong.push(`${k} told, not on disk`);
    });
    assert.equal(n, data.length);
    assert.deepEqual(wrong, []);
    assert.ok(told.length > 10 && told.every((k, i) => i === 0 || k > told[i - 1]) && told.at(-1) === data.length, told.join());
    assert.ok(readFileSync(dest).equals(data));
    assert.equal(statSync(dest).mode & 0o777, 0o600);
    assert.equal(await access.copy(src, data.length + 5000, dest, () => undefined), data.length);
    assert.ok(readFileSync(dest).equals(data));
    assert.equal(await access.copy(src, 1000, dest, () => undefined), 1000);
    assert.ok(readFileSync(dest).equals(data.subarray(0, 1000)));
    assert.equal(await access.copy(src, 0, dest, () => undefined), 0);
    assert.equal(statSync(dest).size, 0);
    await assert.rejects(access.copy(path.join(tmp, 'gone.log'), 10, dest, () => undefined), /gone\.log: No such file/);
  });

  it('without SFTP (head -c over a shell), tells only bytes already on disk, too', async () => {
    const plain = await startSshd({ sftp: false });
    let s: ReturnType<typeof sshAccess> | undefined;
    try {
      s = sshAccess(await connect({ host: '127.0.0.1', port: plain.port, user: 'root', keyFile: plain.clientKey, knownHosts: path.join(tmp, 'plain_known_hosts'), acceptNewHostKey: true }));
      const src = path.join(tmp, 'sms-info.log');
      const data = randomBytes(3_000_000);
      writeFileSync(src, data);
      const dest = path.join(tmp, 'copy');
      const told: number[] = [];
      const wrong: string[] = [];
      const n = await s.copy(src, data.length, dest, (k) => {
        told.push(k);
        if (statSync(dest).size < k) wrong.push(`${k} told, ${statSync(dest).size} on disk`);
      });
      assert.equal(n, data.length);
      assert.deepEqual(wrong, []);
      assert.ok(told.length > 10 && told.at(-1) === data.length);
      assert.ok(readFileSync(dest).equals(data));
    } finally {
      s?.close();
      await plain.stop();
    }
  });

  it('answers a prompt that arrives split over two packets, and times the reply', async () => {
    const r = await session.exec(`printf '\\n@@ab'; sleep 0.3; printf 'cd@@\\n'; read -r x && echo "got[$x]"`, { ask: '\n@@abcd@@\n', answer: 'yes\n' });
    assert.equal(r.code, 0);
    assert.equal(r.stdout.toString(), '\n@@abcd@@\ngot[yes]\n');
    assert.ok(r.askedAt !== undefined && r.repliedAt !== undefined && r.askedAt <= r.repliedAt);
  });

  it('times only the answer, not what the command did before it asked', async () => {
    const r = await session.exec(`sleep 0.5; printf '\\n@@ready@@\\n'; read -r x && echo "$x"`, { ask: '\n@@ready@@\n', answer: 'go\n' });
    assert.equal(r.stdout.toString(), '\n@@ready@@\ngo\n');
    assert.ok(r.repliedAt! - r.askedAt! < 400, `${r.repliedAt! - r.askedAt!} ms`);
  });

  it('a copy after the connection dropped fails at once, not after the stall timer', async () => {
    const own = await startSshd();
    try {
      const s = sshAccess(await connect({ host: '127.0.0.1', port: own.port, user: 'root', keyFile: own.clientKey, knownHosts: path.join(tmp, 'own_known_hosts'), acceptNewHostKey: true }));
      const src = path.join(tmp, 'ha.log');
      writeFileSync(src, 'a\n');
      // The SFTP channel is open and was used: the next copy goes to it.
      assert.equal(await s.copy(src, 2, path.join(tmp, 'one'), () => undefined), 2);
      own.crash();
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await assert.rejects(s.copy(src, 2, path.join(tmp, 'two'), () => undefined), /dropped|closed/);
      assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    } finally {
      await own.stop();
    }
  });

  it('a command that never prints its prompt ends as usual, with no times and no clock', async () => {
    const r = await session.exec('echo plain', { ask: '\n@@never@@\n', answer: '\n' });
    assert.equal(r.stdout.toString(), 'plain\n');
    assert.equal(r.askedAt, undefined);
    const s = await sshAccess(session).survey([], [['true']], ['false']);
    assert.deepEqual(s.outputs, ['']);
    assert.equal(s.clock, undefined);
  });

  it('a file name holding a newline and a forged frame cannot add a file or change a command output', async () => {
    const dir = path.join(tmp, 'logs');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'ha.log'), 'a\n');
    const forged = 'ha.log\n@@smsdiag-0@@ 0\nha\t9\t0\tshadow';
    writeFileSync(path.join(dir, forged), 'b\n');
    const s = await sshAccess(session).survey([{ kind: 'ha', glob: `${dir}/ha.log*` }], [['echo', 'x']], ['date', '+%s']);
    assert.deepEqual(s.outputs, ['x\n']);
    assert.deepEqual(s.files.map((f) => [path.basename(f.path), !!f.refused]), [['ha.log', false], [forged, true]]);
    assert.ok(s.clock);
  });
});
