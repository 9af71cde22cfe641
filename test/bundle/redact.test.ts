import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { createRedactor } from '../../src/bundle/redact';
import { NAME, run, writeSample } from '../helpers/bundle';

const SAMPLE = [
  '2017-10-12 13:45:01,123 INFO [HA] heartbeat from 192.168.10.2 to 192.168.10.1 on eth1 (00:1a:2b:3c:4d:5e) ok',
  '171012 13:45:01 [Note] Access denied for user \'jsmith\'@\'192.168.10.2\' (using password: YES)',
  '2017-10-12 13:45:02,500 WARN peer sms-b.corp.example.com (fe80::21a:2bff:fe3c:4d5e%eth1) unreachable, SMS version 5.0.1 build 10.11.6',
  '2017-10-12 13:45:03,001 INFO login user=alice from 2001:db8:0:1::42 mail alice.admin@example.com, host sms-a; Acme Corp tenant',
  '2017-10-12 13:45:04,000 INFO com.tippingpoint.sms.ha.HAManager wrote ha.log and tpt_sms.txt, netmask 255.255.255.0, loopback 127.0.0.1',
  '2017-10-12 13:45:05,000 INFO replication from 192.168.10.2:3306 at 10.0.0.17, MAC 00-1A-2B-3C-4D-5F, dotted 1.2.3.4.5 and 10.11.6',
].join('\n');

const SECRETS = ['192.168.10.2', '192.168.10.1', '00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5F', 'jsmith', 'sms-b.corp.example.com', 'fe80::21a:2bff:fe3c:4d5e', '2001:db8:0:1::42', 'alice', 'example.com', 'sms-a', 'Acme', '10.0.0.17'];
const KEPT = ['2017-10-12 13:45:01,123', '171012 13:45:01', '5.0.1', '10.11.6', 'com.tippingpoint.sms.ha.HAManager', 'ha.log', 'tpt_sms.txt', '255.255.255.0', '127.0.0.1', '1.2.3.4.5', ':3306', 'eth1'];

function redactor() {
  const r = createRedactor({ words: ['Acme'] });
  r.register('host', 'sms-a.corp.example.com');
  return r;
}

async function streamRedact(text: string, cuts: number[]): Promise<string> {
  const r = redactor();
  const buf = Buffer.from(text, 'latin1');
  const parts: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts, buf.length]) {
    parts.push(buf.subarray(at, Math.min(c, buf.length)));
    at = Math.min(c, buf.length);
  }
  const out: Buffer[] = [];
  for await (const c of Readable.from(parts, { objectMode: false }).pipe(r.stream())) out.push(c as Buffer);
  return Buffer.concat(out).toString('latin1');
}

describe('redaction', () => {
  it('replaces addresses, hosts, users, e-mails and words, keeping times, versions and code names', () => {
    const out = redactor().redactText(SAMPLE);
    for (const s of SECRETS) assert.ok(!out.toLowerCase().includes(s.toLowerCase()), `"${s}" left in:\n${out}`);
    for (const k of KEPT) assert.ok(out.includes(k), `"${k}" lost in:\n${out}`);
    assert.match(out, /heartbeat from 192\.0\.2\.1 to 192\.0\.2\.2 on eth1 \(00:00:5e:00:53:01\)/);
    assert.match(out, /for user 'user-1'@'192\.0\.2\.1'/);
    assert.match(out, /peer host-\d+\.example \(2001:db8::1%eth1\)/);
    assert.match(out, /user=user-2 from 2001:db8::2 mail email-1@mail\.example, host host-1\.example; word-1 Corp/);
    assert.match(out, /from 192\.0\.2\.1:3306 at 192\.0\.2\.3/);
  });

  it('an address after server, receiver, dev or SMS is an address; four numbers after a version word are a version', () => {
    const r = createRedactor();
    for (const l of ['NTP server 10.20.30.41 unreachable', 'Sent trap to receiver 10.20.30.43', 'DNS resolver 10.20.30.44', 'dev 10.20.30.45', 'Peer SMS 10.20.30.42']) {
      assert.doesNotMatch(r.redactText(l), /10\.20\.30\./, l);
    }
    for (const l of ['Upgrade to 5.0.1.34 started', 'Applying patch sms-5.0.1.34', 'SMS version 5.0.1.34', 'v5.0.1.2', 'build 10.11.6.1']) assert.equal(r.redactText(l), l);
  });

  it('learns host names from syslog headers only, not from lines that merely start with a number', () => {
    const r = createRedactor();
    assert.equal(r.redactText('1 row in set, 1 warning'), '1 row in set, 1 warning');
    assert.equal(r.redactText('Dec 31 23:58:00 sms-b smsha[1200]: Local state: Active'), 'Dec 31 23:58:00 host-1.example smsha[1200]: Local state: Active');
    assert.equal(r.redactText('<134>1 2018-01-01T00:00:01.000Z sms-c smsha - - - x'), '<134>1 2018-01-01T00:00:01.000Z host-2.example smsha - - - x');
    assert.equal(r.redactText('peer sms-b, then sms-c, in set'), 'peer host-1.example, then host-2.example, in set');
    assert.deepEqual(Object.keys(r.mapping().mappings.host).sort(), ['sms-b', 'sms-c']);
  });

  it('gives the same value the same pseudonym across files and nodes', () => {
    const r = redactor();
    const a = r.redactText('primary: peer 192.168.10.2 user=bob\n');
    const b = r.redactText('secondary: from 192.168.10.1 and 192.168.10.2, user=bob, SMS-A.corp.example.com\n');
    assert.equal(a, 'primary: peer 192.0.2.1 user=user-1\n');
    assert.equal(b, 'secondary: from 192.0.2.2 and 192.0.2.1, user=user-1, host-1.example\n');
    assert.equal(r.redactText(a), a, 'pseudonyms are left alone when redacted again');
    const m = r.mapping();
    assert.equal(m.mappings.ipv4['192.168.10.2'], '192.0.2.1');
    assert.equal(m.mappings.host['sms-a.corp.example.com'], 'host-1.example');
    assert.equal(m.mappings.user.bob, 'user-1');
  });

  it('redacts a stream cut at any byte the same as the whole text', async () => {
    const whole = redactor().redactText(SAMPLE);
    let seed = 7;
    for (let round = 0; round < 40; round++) {
      const cuts: number[] = [];
      let at = 0;
      while (at < SAMPLE.length) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        at += 1 + (seed % 23);
        cuts.push(at);
      }
      assert.equal(await streamRedact(SAMPLE, cuts), whole, `cuts ${cuts.join(',')}`);
    }
    const everyByte = Array.from({ length: SAMPLE.length }, (_, i) => i + 1);
    assert.equal(await streamRedact(SAMPLE, everyByte), whole);
  });

  it('redacts a bundle: logs (gzip too), facts, manifest; the map sits beside it, 0600, not inside', async () => {
    const t = (await import('../helpers/bundle')).tempDir();
    try {
      const s = await writeSample(t.dir, { redactor: createRedactor({ words: ['corp'] }) });
      assert.equal(s.mapFile, path.join(t.dir, `${NAME}.map.json`));
      assert.equal(statSync(s.mapFile!).mode & 0o777, 0o600);
      const listing = run('tar', ['-tzf', s.bundle]);
      assert.ok(!listing.includes('map.json'));
      const x = path.join(t.dir, 'x');
      await fs.mkdir(x);
      run('tar', ['-xzf', s.bundle, '-C', x]);
      const root = path.join(x, NAME);
      const current = readFileSync(path.join(root, 'nodes/primary/logs/ha.log'), 'utf8');
      const rotated = zlib.gunzipSync(readFileSync(path.join(root, 'nodes/primary/logs/ha.log.2.gz'))).toString('utf8');
      const manifest = readFileSync(path.join(root, 'manifest.json'), 'utf8');
      for (const text of [current, rotated, manifest]) {
        assert.ok(!text.includes('192.168.'), text.slice(0, 300));
        assert.ok(!text.includes('sms-a.corp.example.com'));
        assert.ok(!/corp/i.test(text));
      }
      assert.match(current, /^2017-10-12 00:08:20,123 INFO \[HA\] primary heartbeat from 192\.0\.2\.\d+ seq=500$/m);
      const m = JSON.parse(manifest);
      assert.equal(m.redacted, true);
      assert.equal(m.nodes[0].host, 'host-1.example');
      assert.equal(m.nodes[0].facts.hostname, 'host-1.example');
      const map = JSON.parse(readFileSync(s.mapFile!, 'utf8'));
      assert.equal(map.mappings.host['sms-a.corp.example.com'], 'host-1.example');
      // Stored sizes and hashes describe the redacted bytes, and tar/verify agree.
      const { verifyBundle } = await import('../../src/bundle/verify');
      assert.equal((await verifyBundle(s.bundle)).ok, true);
    } finally {
      t.cleanup();
    }
  });
});
