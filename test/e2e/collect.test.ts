import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, runCli } from '../helpers/cli';
import { keygen, startSshd, type Sshd } from '../helpers/sshd';
import { startFaultServer } from '../helpers/fault-server';
import { launchBrowser } from '../helpers/browser';

interface Finding {
  id: string;
  node: string;
  cause?: string;
  first: string;
  count: number;
}

const brief = (fs: Finding[]): string[] => fs.map((f) => `${f.id}@${f.node} ${f.cause ?? '-'} ${f.first} x${f.count}`);

describe('collect against a real sshd on 127.0.0.1', function () {
  this.timeout(120000);
  let sshd: Sshd;
  let tmp: string;
  let src: string;
  let out: string;
  let knownHosts: string;

  before(async () => {
    sshd = await startSshd();
  });
  after(async () => sshd?.stop());
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-collect-'));
    // A source tree whose names need quoting on the remote shell.
    src = path.join(tmp, "logs of 'node' $(x)");
    cpSync(path.join(FIXTURES, 'takeover-db'), src, { recursive: true });
    out = path.join(tmp, 'out');
    mkdirSync(out);
    knownHosts = path.join(tmp, 'known_hosts');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const sshArgs = (key = sshd.clientKey): string[] => ['--port', String(sshd.port), '--key', key, '--known-hosts', knownHosts, '--out', out, '--quiet'];
  const paths = (node: string): string[] =>
    ['ha', 'sms-info', 'mysqld', 'state'].map((k) => `--path=${node}:${k}=${path.join(src, node, k === 'state' ? 'ha.state' : k === 'mysqld' ? 'mysqld.err*' : `${k}.log*`)}`);
  const bundles = (): string[] => readdirSync(out).filter((f) => f.endsWith('.tar.gz'));

  it('collects this node and the peer into a bundle GNU tools and verify accept, with the same findings as the sources', async () => {
    const r = await runCli(['collect', '--peer', 'secondary=127.0.0.1', '--accept-new-host-key', ...sshArgs(), ...paths('primary'), ...paths('secondary'), '--case', 'TT-1', '--description', 'db crash test']);
    assert.equal(r.code, 0, r.stderr);
    const [bundle] = bundles();
    assert.ok(bundle, `no bundle in ${out}: ${r.stdout}${r.stderr}`);
    const file = path.join(out, bundle);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    execFileSync('sha256sum', ['-c', `${bundle}.sha256`], { cwd: out });
    const listing = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' });
    for (const want of ['nodes/primary/logs/ha.log', 'nodes/secondary/logs/sms-info.log.1.gz', 'nodes/primary/logs/mysqld.err', 'nodes/primary/facts/date.txt', 'analysis/findings.json', 'analysis/report.html', 'manifest.json']) {
      assert.ok(listing.includes(want), `${want} missing from\n${listing}`);
    }
    const x = path.join(tmp, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xzf', file, '-C', x]);
    const top = readdirSync(x)[0];
    assert.deepEqual(readFileSync(path.join(x, top, 'nodes/secondary/logs/ha.log')), readFileSync(path.join(src, 'secondary/ha.log')), 'copied byte for byte over SSH');
    assert.equal((await runCli(['verify', file])).code, 0);
    assert.ok(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', knownHosts], { encoding: 'utf8' }).includes('|1|'), 'the accepted key is recorded hashed');
    const fromBundle = JSON.parse((await runCli(['analyze', file, '--json'])).stdout).findings as Finding[];
    const fromSource = JSON.parse((await runCli(['analyze', src, '--json'])).stdout).findings as Finding[];
    assert.deepEqual(brief(fromBundle), brief(fromSource));
    assert.ok(fromBundle.length >= 3);
  });

  it('refuses an unknown host key with its fingerprint; the local node still makes a bundle (exit 4)', async () => {
    const r = await runCli(['collect', '--peer', 'secondary=127.0.0.1', ...sshArgs(), ...paths('primary'), ...paths('secondary'), '--description', 'x']);
    assert.equal(r.code, 4, r.stderr);
    const fp = execFileSync('ssh-keygen', ['-l', '-f', `${sshd.hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1];
    assert.ok(r.stderr.includes(fp), `fingerprint ${fp} not shown:\n${r.stderr}`);
    assert.match(r.stderr, /--accept-new-host-key/);
    assert.equal(bundles().length, 1);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', path.join(out, bundles()[0]), '--wildcards', '*/manifest.json'], { encoding: 'utf8' }));
    assert.match(manifest.nodes.find((n: { name: string }) => n.name === 'secondary').errors[0].message, /not in .*known_hosts/);
  });

  it('refuses a changed host key even with --accept-new-host-key, and writes nothing when no node is reachable (exit 5)', async () => {
    keygen(path.join(tmp, 'other'));
    const other = readFileSync(path.join(tmp, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${other}\n`);
    const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--accept-new-host-key', ...sshArgs(), ...paths('secondary')]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /CHANGED/);
    assert.deepEqual(readdirSync(out), []);
    assert.equal(readFileSync(knownHosts, 'utf8'), `[127.0.0.1]:${sshd.port} ${other}\n`, 'known_hosts untouched');
  });

  it('a wrong client key is an authentication failure (exit 5)', async () => {
    keygen(path.join(tmp, 'stranger'));
    const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--accept-new-host-key', ...sshArgs(path.join(tmp, 'stranger')), ...paths('secondary')]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /refused the key/);
  });

  it('one dead node never costs the other its data: partial bundle, failure in the manifest (exit 4)', async () => {
    const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--host', 'primary=127.0.0.2', '--accept-new-host-key', ...sshArgs(), ...paths('secondary'), ...paths('primary')]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /primary: cannot connect to root@127\.0\.0\.2/);
    const listing = execFileSync('tar', ['-tzf', path.join(out, bundles()[0])], { encoding: 'utf8' });
    assert.ok(listing.includes('nodes/secondary/logs/ha.log'));
    assert.ok(!listing.includes('nodes/primary/logs/'));
  });

  it('without an SFTP subsystem it streams each file instead, byte for byte, and the analysis follows it whole', async () => {
    const plain = await startSshd({ sftp: false });
    // Several follow pieces (1 MiB) of a live log, so the analysis reads it while it streams.
    const filler = Array.from({ length: 60000 }, (_, i) => `2017-10-12 12:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}:00,000 INFO  [pool-3-thread-1] Segment statistics refreshed ${i}\n`).join('');
    appendFileSync(path.join(src, 'secondary/sms-info.log'), filler);
    try {
      const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--accept-new-host-key', '--port', String(plain.port), '--key', plain.clientKey, '--known-hosts', knownHosts, '--out', out, '--quiet', ...paths('secondary')]);
      assert.equal(r.code, 0, r.stderr);
      const x = path.join(tmp, 'x');
      mkdirSync(x);
      execFileSync('tar', ['-xzf', path.join(out, bundles()[0]), '-C', x]);
      const top = readdirSync(x)[0];
      assert.deepEqual(readFileSync(path.join(x, top, 'nodes/secondary/logs/sms-info.log.1.gz')), readFileSync(path.join(src, 'secondary/sms-info.log.1.gz')));
      assert.deepEqual(readFileSync(path.join(x, top, 'nodes/secondary/logs/sms-info.log')), readFileSync(path.join(src, 'secondary/sms-info.log')));
      // Told on disk only once written: the analysis never read past the copy, nor was cut short.
      const said = readFileSync(path.join(x, top, 'analysis/summary.txt'), 'utf8') + readFileSync(path.join(x, top, 'analysis/findings.json'), 'utf8');
      assert.doesNotMatch(said, /stopped early|said landed/);
    } finally {
      await plain.stop();
    }
  });

  it('--redact leaves no original address in the bundle, the map only beside it, and the same findings', async () => {
    const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--host', 'primary=localhost', '--accept-new-host-key', ...sshArgs(), ...paths('secondary'), ...paths('primary'), '--redact', '--redact-word', 'tippingpoint']);
    assert.equal(r.code, 0, r.stderr);
    const bundle = path.join(out, bundles()[0]);
    const x = path.join(tmp, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xzf', bundle, '-C', x]);
    const text = execFileSync('sh', ['-c', 'for f in $(find . -type f); do case "$f" in *.gz) zcat "$f";; *) cat "$f";; esac; done'], { cwd: x, encoding: 'latin1', maxBuffer: 1 << 28 });
    for (const secret of ['10.0.0.1', '10.0.0.2', '10.0.0.10', 'tippingpoint']) assert.ok(!text.includes(secret), `${secret} is still in the bundle`);
    const map = readdirSync(out).find((f) => f.endsWith('.map.json'));
    assert.ok(map, 'the redaction map is written beside the bundle');
    assert.equal(statSync(path.join(out, map)).mode & 0o777, 0o600);
    assert.ok(!execFileSync('tar', ['-tzf', bundle], { encoding: 'utf8' }).includes('map.json'));
    const redacted = JSON.parse((await runCli(['analyze', bundle, '--json'])).stdout).findings as Finding[];
    const original = JSON.parse((await runCli(['analyze', src, '--json'])).stdout).findings as Finding[];
    assert.deepEqual(brief(redacted), brief(original));
  });

  for (const fault of ['drop', 'stall'] as const) {
    it(`a peer that ${fault === 'drop' ? 'drops the connection mid-file' : 'stalls'} costs only its own file: local data kept, failure recorded (exit 4)`, async () => {
      const server = await startFaultServer(sshd.hostKey, `${sshd.clientKey}.pub`, fault);
      try {
        const started = Date.now();
        const r = await runCli(['collect', '--peer', `secondary=127.0.0.1`, '--accept-new-host-key', '--port', String(server.port), '--key', sshd.clientKey, '--known-hosts', knownHosts, '--out', out, '--quiet', '--stall-timeout', '2', '--path', 'secondary:ha=/logs/ha.log*', ...paths('primary')], { timeoutMs: 30000 });
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stderr, fault === 'drop' ? /secondary: .*(dropped|closed)/ : /secondary: .*sent nothing of \/logs\/ha\.log for 2 s/);
        assert.ok(Date.now() - started < 20000, 'bounded by the stall timer, not hanging');
        const listing = execFileSync('tar', ['-tzf', path.join(out, bundles()[0])], { encoding: 'utf8' });
        assert.ok(listing.includes('nodes/primary/logs/ha.log'));
        assert.ok(!listing.includes('nodes/secondary/logs/ha.log'), 'a partial copy is not passed off as the file');
      } finally {
        await server.close();
      }
    });
  }

  it('a file the peer may not read is recorded, the rest collected (exit 4)', async () => {
    const server = await startFaultServer(sshd.hostKey, `${sshd.clientKey}.pub`, 'denied');
    try {
      const r = await runCli(['collect', '--peer', 'secondary=127.0.0.1', '--accept-new-host-key', '--port', String(server.port), '--key', sshd.clientKey, '--known-hosts', knownHosts, '--out', out, '--quiet', '--path', 'secondary:ha=/logs/ha.log*', ...paths('primary')]);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /secondary: \/logs\/ha\.log: .*Permission denied/);
      const manifest = JSON.parse(execFileSync('tar', ['-xzOf', path.join(out, bundles()[0]), '--wildcards', '*/manifest.json'], { encoding: 'utf8' }));
      assert.match(manifest.nodes.find((n: { name: string }) => n.name === 'secondary').errors[0].message, /Permission denied/);
    } finally {
      await server.close();
    }
  });

  it('a file rotated away between listing and copying is taken from its new name', async () => {
    const server = await startFaultServer(sshd.hostKey, `${sshd.clientKey}.pub`, 'rotated');
    try {
      const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--accept-new-host-key', '--port', String(server.port), '--key', sshd.clientKey, '--known-hosts', knownHosts, '--out', out, '--quiet', '--path', 'secondary:ha=/logs/ha.log*']);
      assert.equal(r.code, 0, r.stderr);
      const text = execFileSync('tar', ['-xzOf', path.join(out, bundles()[0]), '--wildcards', '*/nodes/secondary/logs/ha.log'], { encoding: 'utf8' });
      assert.equal(text.split('\n').filter(Boolean).length, 4000);
    } finally {
      await server.close();
    }
  });

  const manifestOf = (bundle: string) => JSON.parse(execFileSync('tar', ['-xzOf', bundle, '--wildcards', '*/manifest.json'], { encoding: 'utf8' }));
  const member = (bundle: string, name: string) => execFileSync('tar', ['-xzOf', bundle, '--wildcards', `*/${name}`], { encoding: 'latin1', maxBuffer: 1 << 26 });

  it('a peer that accepts TCP and never speaks: one sentence, exit 4, the local node kept, and the analysis says the peer was not collected', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const r = await runCli(['collect', '--peer', 'secondary=127.0.0.1', '--port', String(port), '--connect-timeout', '2', '--key', sshd.clientKey, '--known-hosts', knownHosts, '--out', out, '--quiet', ...paths('primary')], { timeoutMs: 30000 });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /secondary: root@127\.0\.0\.1:\d+ did not answer within 2 s/);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      const bundle = path.join(out, bundles()[0]);
      assert.ok(member(bundle, 'nodes/primary/logs/ha.log').length > 0);
      const findings = JSON.parse(member(bundle, 'analysis/findings.json')).findings as Array<{ id: string; node: string; summary: string }>;
      const missing = findings.find((f) => f.id === 'not-collected');
      assert.ok(missing, JSON.stringify(findings.map((f) => f.id)));
      assert.equal(missing.node, 'secondary');
      assert.match(missing.summary, /was not collected: .*did not answer within 2 s/);
      assert.match(member(bundle, 'analysis/summary.txt'), /not-collected on secondary/);
      // Read back, the bundle says the same.
      const again = JSON.parse((await runCli(['analyze', bundle, '--json'])).stdout).findings as Array<{ id: string; node: string }>;
      assert.ok(again.some((f) => f.id === 'not-collected' && f.node === 'secondary'));
    } finally {
      silent.close();
    }
  });

  it('a symlinked log is copied whole; a name with a newline is refused and recorded, never fetched as another file; a second file of the same name is recorded', async () => {
    const target = path.join(tmp, 'elsewhere.log');
    writeFileSync(target, '2017-10-12 13:00:00,000 INFO  [com.tippingpoint.sms.ha] Local state: Passive\n'.repeat(130));
    symlinkSync(target, path.join(src, 'secondary', 'ha.log.3'));
    writeFileSync(path.join(src, 'secondary', 'ha.log.7\nha\t161\t0\t.profile'), 'NOT A LOG\n');
    const second = path.join(tmp, 'second');
    mkdirSync(second);
    writeFileSync(path.join(second, 'ha.log'), 'another ha.log\n');
    const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--accept-new-host-key', ...sshArgs(), ...paths('secondary'), `--path=secondary:ha=${second}/ha.log`]);
    assert.equal(r.code, 4, r.stderr);
    const bundle = path.join(out, bundles()[0]);
    assert.equal(member(bundle, 'nodes/secondary/logs/ha.log.3'), readFileSync(target, 'latin1'), 'the link target, whole');
    const listing = execFileSync('tar', ['-tzf', bundle], { encoding: 'utf8' });
    assert.ok(!/ha\.log\.7|profile/.test(listing), listing);
    const errors = manifestOf(bundle).nodes.find((n: { name: string }) => n.name === 'secondary').errors as Array<{ source: string; message: string }>;
    assert.ok(errors.some((e) => e.source.endsWith('ha.log.7\nha\t161\t0\t.profile') && /control characters/.test(e.message)), JSON.stringify(errors));
    assert.ok(errors.some((e) => e.source === `${second}/ha.log` && /same name .* was collected already/.test(e.message)), JSON.stringify(errors));
    assert.equal((await runCli(['verify', bundle])).code, 0);
  });

  it('a host known with a key of another type is refused with both fingerprints, even with --accept-new-host-key', async () => {
    const rsa = path.join(tmp, 'rsa');
    keygen(rsa, 'rsa');
    const known = `[127.0.0.1]:${sshd.port} ${readFileSync(`${rsa}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
    writeFileSync(knownHosts, known);
    const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--accept-new-host-key', ...sshArgs(), ...paths('secondary')]);
    assert.equal(r.code, 5, r.stderr);
    const offered = execFileSync('ssh-keygen', ['-l', '-f', `${sshd.hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1];
    const was = execFileSync('ssh-keygen', ['-l', '-f', `${rsa}.pub`], { encoding: 'utf8' }).split(' ')[1];
    assert.match(r.stderr, /is not the one known: it offers only ssh-ed25519/);
    assert.ok(r.stderr.includes(offered) && r.stderr.includes(was), r.stderr);
    assert.equal(readFileSync(knownHosts, 'utf8'), known, 'known_hosts is left as it was');
  });

  it('a host known by its ECDSA key is checked with that key, though it offers ed25519 too', async () => {
    const both = await startSshd({ extraHostKeyTypes: ['ecdsa'] });
    try {
      const ecdsa = readFileSync(path.join(both.dir, 'host_key_ecdsa.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
      writeFileSync(knownHosts, `[127.0.0.1]:${both.port} ${ecdsa}\n`);
      const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--port', String(both.port), '--key', both.clientKey, '--known-hosts', knownHosts, '--out', out, '--quiet', ...paths('secondary')]);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await both.stop();
    }
  });

  it('two collects into the same --out within a second both keep their bundle', async () => {
    const args = ['collect', '--host', 'secondary=127.0.0.1', '--accept-new-host-key', ...sshArgs(), ...paths('secondary')];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(bundles().length, 2, readdirSync(out).join(', '));
  });

  it('bad names and values are usage errors before any host is reached (exit 2)', async () => {
    for (const bad of [['--local-name', '../../x'], ['--peer', '../up=127.0.0.1'], ['--incident', '99999999999d']]) {
      const r = await runCli(['collect', '--peer', 'secondary=127.0.0.9', ...sshArgs(), ...bad]);
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error/);
    }
    assert.deepEqual(readdirSync(out), []);
  });

  it('--redact: no seeded identifier is left in any member or in the bundle name, public names and versions stay, and the report renders', async () => {
    const seeded = [
      '2017-10-12 13:50:00,000 INFO  [com.tippingpoint.sms.ha] (main) Dec 31 23:58:00 sms-b smsha[1200]: seen in a forwarded syslog line',
      'Dec 31 23:58:01 sms-b smsha[1200]: Local state: Passive',
      "2017-10-12 13:50:01,000 INFO  [db] (io) connected to master 'repl@10.20.30.40:3306',replication started; peer sms_b.acme-bank.com via db.acme-bank.com",
      '2017-10-12 13:50:02,000 INFO  [net] (main) MACs 001a.2b3c.4d60 and 00:1a:2b:3c:4d:5e, link fe80::1:2:3:4, mail ops@acme-bank.com',
      '2017-10-12 13:50:03,000 INFO  [json] (main) {"m":"down\\nsms_b.acme-bank.com"} and &quot;sms-b&quot;',
      '2017-10-12 13:50:04,000 INFO  [upd] (main) Upgrade to 5.0.1.34 started; Applying patch sms-5.0.1.34; see https://mariadb.com/kb/en/ and update.tippingpoint.com; master.info relay-log.info',
    ].join('\n');
    const info = path.join(src, 'secondary', 'sms-info.log');
    writeFileSync(info, `${readFileSync(info, 'utf8')}${seeded}\n`);
    const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', '--host', 'primary=localhost', '--accept-new-host-key', ...sshArgs(), ...paths('secondary'), ...paths('primary'), '--redact']);
    assert.equal(r.code, 0, r.stderr);
    const name = bundles()[0];
    const x = path.join(tmp, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xzf', path.join(out, name), '-C', x]);
    const text = execFileSync('sh', ['-c', 'for f in $(find . -type f); do case "$f" in *.gz) zcat "$f";; *) cat "$f";; esac; done'], { cwd: x, encoding: 'latin1', maxBuffer: 1 << 28 });
    const members = execFileSync('tar', ['-tzf', path.join(out, name)], { encoding: 'utf8' });
    const secrets = ['sms-b', 'sms_b', 'acme-bank', '10.20.30.40', 'repl@', '001a.2b3c.4d60', '00:1a:2b:3c:4d:5e', 'fe80::1:2:3:4', 'ops@', '10.0.0.1', '10.0.0.2', '10.0.0.10'];
    if (os.hostname() !== 'localhost') secrets.push(os.hostname());
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), `${secret} is still in a member`);
      assert.ok(!members.includes(secret) && !name.includes(secret), `${secret} is in a member path or the bundle name`);
    }
    for (const kept of ['Upgrade to 5.0.1.34 started', 'Applying patch sms-5.0.1.34', 'https://mariadb.com/kb/en/', 'update.tippingpoint.com', 'master.info relay-log.info']) {
      assert.ok(text.includes(kept), `${kept} was redacted`);
    }
    const report = path.join(x, readdirSync(x)[0], 'analysis', 'report.html');
    assert.ok(readFileSync(report, 'utf8').includes('www.w3.org'), "the report's own code is untouched");
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${report}`);
      assert.deepEqual(errors, []);
      assert.deepEqual(await page.$$eval('g.lane', (gs) => gs.map((g) => g.getAttribute('data-node'))), ['secondary', 'primary']);
      assert.ok((await page.$$('g.lane rect')).length >= 2, 'the swimlanes are drawn');
    } finally {
      await browser.close();
    }
  });

  it('a missing key file is named in a clear error', async () => {
    const r = await runCli(['collect', '--host', 'secondary=127.0.0.1', ...sshArgs(path.join(tmp, 'nope')), ...paths('secondary')]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /cannot read the SSH key .*nope/);
    assert.ok(!existsSync(path.join(out, 'x')));
  });
});
