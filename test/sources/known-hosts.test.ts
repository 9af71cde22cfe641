import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendHostKey, checkHostKey, fingerprint, KnownHostsError, readKnownHosts } from '../../src/sources/known-hosts';
import { shellQuote } from '../../src/sources/ssh';
import { keygen } from '../helpers/sshd';

function blobOf(pubFile: string): Buffer {
  return Buffer.from(readFileSync(pubFile, 'utf8').split(' ')[1], 'base64');
}

function sshKeygenFinds(file: string, name: string): boolean {
  return spawnSync('ssh-keygen', ['-F', name, '-f', file]).status === 0;
}

describe('known_hosts', () => {
  let tmp: string;
  let a: Buffer;
  let b: Buffer;
  let rsa: Buffer;
  let aLine: string;
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-kh-'));
    keygen(path.join(tmp, 'a'));
    keygen(path.join(tmp, 'b'));
    keygen(path.join(tmp, 'r'), 'rsa');
    a = blobOf(path.join(tmp, 'a.pub'));
    b = blobOf(path.join(tmp, 'b.pub'));
    rsa = blobOf(path.join(tmp, 'r.pub'));
    aLine = `ssh-ed25519 ${a.toString('base64')}`;
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('matches plain, [host]:port, wildcard and negated patterns as ssh-keygen -F does', () => {
    const file = path.join(tmp, 'plain');
    writeFileSync(file, `# comment\n\nsms-b,10.0.0.2 ${aLine}\n[127.0.0.1]:2222 ${aLine}\n*.example.net,!bad.example.net ${aLine}\n`);
    const text = readFileSync(file, 'utf8');
    const cases: Array<[string, number, boolean]> = [['sms-b', 22, true], ['10.0.0.2', 22, true], ['127.0.0.1', 2222, true], ['127.0.0.1', 22, false], ['x.example.net', 22, true], ['bad.example.net', 22, false], ['other', 22, false]];
    for (const [host, port, known] of cases) {
      assert.equal(checkHostKey(text, host, port, a).kind, known ? 'match' : 'unknown', `${host}:${port}`);
      assert.equal(sshKeygenFinds(file, port === 22 ? host : `[${host}]:${port}`), known, `ssh-keygen -F ${host}:${port}`);
    }
  });

  it('reads hashed entries written by ssh-keygen -H', () => {
    const file = path.join(tmp, 'hashed');
    writeFileSync(file, `sms-b ${aLine}\n[127.0.0.1]:2222 ${aLine}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('sms-b'), 'the names are hashed');
    assert.equal(checkHostKey(text, 'sms-b', 22, a).kind, 'match');
    assert.equal(checkHostKey(text, '127.0.0.1', 2222, a).kind, 'match');
    assert.equal(checkHostKey(text, 'sms-c', 22, a).kind, 'unknown');
  });

  it('a known host offering any other key — of another type too, as OpenSSH sees it — has changed; honours @revoked', () => {
    const text = `sms-b ${aLine}\n`;
    const changed = checkHostKey(text, 'sms-b', 22, b);
    assert.equal(changed.kind, 'mismatch');
    assert.equal(changed.kind === 'mismatch' && changed.knownType, 'ssh-ed25519');
    const otherType = checkHostKey(text, 'sms-b', 22, rsa);
    assert.equal(otherType.kind, 'mismatch', 'a key of another type is a change, not a new host');
    assert.equal(otherType.kind === 'mismatch' && otherType.knownKey.toString('base64'), aLine.split(' ')[1]);
    assert.equal(checkHostKey(text, 'sms-c', 22, rsa).kind, 'unknown', 'another host is unknown');
    assert.equal(checkHostKey(`@revoked * ${aLine}\nsms-b ${aLine}\n`, 'sms-b', 22, a).kind, 'revoked');
    assert.equal(checkHostKey(`@cert-authority * ${aLine}\n`, 'sms-b', 22, a).kind, 'unknown');
  });

  it('appends a hashed entry that ssh-keygen -F finds, and never rewrites existing lines', async () => {
    const file = path.join(tmp, 'ssh', 'known_hosts');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `sms-a ${aLine}\n`);
    await appendHostKey(file, '127.0.0.1', 2299, b);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.startsWith(`sms-a ${aLine}\n|1|`));
    assert.ok(sshKeygenFinds(file, '[127.0.0.1]:2299'));
    assert.equal(checkHostKey(text, '127.0.0.1', 2299, b).kind, 'match');
  });

  it('gives the fingerprint ssh-keygen -l gives', () => {
    const out = execFileSync('ssh-keygen', ['-l', '-f', path.join(tmp, 'a.pub')], { encoding: 'utf8' });
    assert.equal(fingerprint(a), out.split(' ')[1]);
  });

  it('fails closed on an unreadable known_hosts, but a missing one is empty', async () => {
    assert.equal(await readKnownHosts(path.join(tmp, 'none')), '');
    await assert.rejects(readKnownHosts(tmp), KnownHostsError);
  });

  it('quotes anything for a POSIX shell', () => {
    for (const nasty of ["it's", 'a b', '$(touch /tmp/pwned)', '`id`', 'x\ny', "'", '"; rm -rf /; "', '-rf']) {
      assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(nasty)}`], { encoding: 'utf8' }), nasty);
    }
  });
});
