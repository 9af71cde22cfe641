import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { verifyBundle } from '../../src/bundle/verify';
import { FIXTURES, spawnCli } from '../helpers/cli';
import { startSshd, type Sshd } from '../helpers/sshd';
import { splitAt } from '../helpers/split';

/** The CLI left running, as a service would run it: its output as it comes, and how it ended. */
function startCli(args: string[]): { child: ChildProcess; out: () => string; err: () => string; ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> } {
  const child = spawnCli(args);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return { child, out: () => out, err: () => err, ended };
}

const until = async (what: string, test: () => boolean, more: () => string, ms = 30000): Promise<void> => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; output so far:\n${more()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** The case's current files cut before the crash (13:47): the first part written now, the rest returned by path. */
function writeBefore(dir: string, node: string): Map<string, string> {
  const rest = new Map<string, string>();
  mkdirSync(path.join(dir, node), { recursive: true });
  for (const [name, part] of splitAt(path.join(FIXTURES, 'takeover-db', node), '13:47:00')) {
    writeFileSync(path.join(dir, node, name), part.before);
    rest.set(path.join(dir, node, name), part.after);
  }
  return rest;
}

describe('watch against a real sshd on 127.0.0.1', function () {
  this.timeout(120000);
  let sshd: Sshd;
  let tmp: string;
  let src: string;
  let out: string;
  let running: ReturnType<typeof startCli> | undefined;

  beforeEach(async () => {
    sshd = await startSshd();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-watch-e2e-'));
    src = path.join(tmp, 'logs');
    out = path.join(tmp, 'out');
    mkdirSync(out);
  });
  afterEach(async () => {
    running?.child.kill('SIGKILL');
    running = undefined;
    // Both unset when the first beforeEach failed (no sshd on this machine): its error is the one to read.
    await (sshd as Sshd | undefined)?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const args = (): string[] => [
    'watch',
    path.join(src, 'primary'),
    '--local-name', 'primary',
    '--peer', 'secondary=127.0.0.1',
    '--port', String(sshd.port),
    '--key', sshd.clientKey,
    '--known-hosts', path.join(tmp, 'known_hosts'),
    '--accept-new-host-key',
    '--connect-timeout', '3',
    ...['ha', 'sms-info'].map((k) => `--path=secondary:${k}=${path.join(src, 'secondary', `${k}.log*`)}`),
    '--format', 'ndjson',
    '--out', out,
  ];
  const lines = (): Array<{ type: string; id?: string; node?: string; time: string; bundle?: string; complete?: boolean; trigger?: { time: string } }> =>
    running!.out().split('\n').filter(Boolean).map((l) => JSON.parse(l));

  it('follows the peer through its death and return, finds the incident on both nodes, collects one verified bundle, and stops on SIGTERM with exit 0', async () => {
    const rest = new Map([...writeBefore(src, 'primary'), ...writeBefore(src, 'secondary')]);
    running = startCli(args());
    const all = (): string => `${running!.err()}${running!.out()}`;
    await until('both nodes followed', () => /secondary: following/.test(running!.err()) && /primary: following/.test(running!.err()), all);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(lines(), [], 'a quiet pair: nothing printed');

    sshd.crash();
    await until('the peer lost', () => /secondary: .*trying again in/.test(running!.err()), all);
    // While the peer is away its logs go on: the takeover is written then, and read on its return.
    for (const [file, text] of rest) appendFileSync(file, text);
    await sshd.restart();
    await until('the peer back', () => /secondary: connected again/.test(running!.err()), all, 60000);
    await until('the findings and a bundle', () => lines().some((l) => l.type === 'bundle') && lines().filter((l) => l.type === 'finding').length >= 3, all, 60000);
    const found = lines().filter((l) => l.type === 'finding').map((l) => `${l.id}@${l.node}`).sort();
    assert.deepEqual(found, ['db-crash@primary', 'ha-failed@primary', 'passive-takeover@secondary']);
    const [bundle] = lines().filter((l) => l.type === 'bundle');
    assert.ok(bundle.bundle && bundle.complete, JSON.stringify(bundle));
    const verified = await verifyBundle(bundle.bundle);
    assert.ok(verified.ok, JSON.stringify(verified.problems));
    // Its nodes: both, the peer's logs fetched over SSH.
    assert.ok(verified.listed >= 6, `${verified.listed} entries`);

    // SIGHUP (logrotate's postrotate, systemctl reload): the files opened again, read on where they were.
    running.child.kill('SIGHUP');
    await until('the reopen', () => /SIGHUP: opening the files again/.test(running!.err()), all);
    appendFileSync(path.join(src, 'primary', 'ha.log'), '2017-10-12 14:10:00,000 INFO  [com.tippingpoint.sms.ha] Local state: Active\n2017-10-12 14:40:00,000 ERROR [com.tippingpoint.sms.ha] Local state: Failed\n');
    await until('the failure again', () => lines().some((l) => l.type === 'finding' && l.id === 'ha-failed' && l.time === '2017-10-12T14:40:00.000Z'), all);

    const asked = Date.now();
    running.child.kill('SIGTERM');
    const end = await running.ended;
    assert.deepEqual([end.code, end.signal], [0, null], running.err());
    assert.ok(end.at - asked < 5000, `took ${end.at - asked} ms to stop`);
    // The second failure is another incident, but within the cool-down (30 min): its bundle would come after it.
    assert.equal(lines().filter((l) => l.type === 'bundle').length, 1);
    assert.deepEqual(readdirSync(out).filter((f) => !/\.tar\.gz(\.sha256)?$/.test(f)), []);
  });

  it('after the peer comes back it reads on where it stopped: nothing read twice, nothing old taken for new', async () => {
    writeBefore(src, 'primary');
    mkdirSync(path.join(src, 'secondary'), { recursive: true });
    // An old failure, then more than the kept context (--context 1 MiB) of healthy heartbeats.
    const beat = (i: number): string => `2017-10-11 ${String(Math.floor(i / 3600) % 24).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},000 DEBUG [com.tippingpoint.sms.ha] Heartbeat reply from peer 10.0.0.1 in 80 ms\n`;
    writeFileSync(path.join(src, 'secondary', 'ha.log'), `2017-10-10 09:00:00,000 ERROR [com.tippingpoint.sms.ha] Local state: Failed\n${Array.from({ length: 20000 }, (_, i) => beat(i)).join('')}`);
    running = startCli([...args(), '--context', '1', '--no-collect']);
    const all = (): string => `${running!.err()}${running!.out()}`;
    await until('both nodes followed', () => /secondary: following/.test(running!.err()), all);
    sshd.crash();
    await until('the peer lost', () => /secondary: .*trying again in/.test(running!.err()), all);
    await sshd.restart();
    await until('the peer back', () => /secondary: connected again/.test(running!.err()), all, 60000);
    appendFileSync(path.join(src, 'secondary', 'ha.log'), beat(20001));
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(running.out(), '', running.err());
    assert.doesNotMatch(running.err(), /another file than before|rotated|truncated/);
  });

  it('a peer whose host key is not known ends the watch at once with exit 5 and the fingerprint', async () => {
    writeBefore(src, 'primary');
    running = startCli(args().filter((a) => a !== '--accept-new-host-key'));
    const end = await running.ended;
    assert.equal(end.code, 5, running.err());
    assert.match(running.err(), /the host key of 127\.0\.0\.1:\d+ is not in .*known_hosts: ssh-ed25519 SHA256:/);
    assert.equal(running.out(), '');
  });

  it('SIGINT during a collection ends with exit 0 within 5 s and leaves no half-written bundle', async () => {
    const rest = new Map([...writeBefore(src, 'primary'), ...writeBefore(src, 'secondary')]);
    // A rotation large enough that the peer's copy is still running when the signal comes.
    const big = Buffer.alloc(48 << 20);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((Math.imul(i, 2654435761) ^ i) >>> 0, i);
    writeFileSync(path.join(src, 'secondary', 'sms-info.log.1'), big);
    running = startCli(args());
    const all = (): string => `${running!.err()}${running!.out()}`;
    await until('both nodes followed', () => /secondary: following/.test(running!.err()), all);
    for (const [file, text] of rest) appendFileSync(file, text);
    await until('a collection', () => /collecting a bundle/.test(running!.err()), all);
    await new Promise((r) => setTimeout(r, 300));
    const asked = Date.now();
    running.child.kill('SIGINT');
    const end = await running.ended;
    assert.deepEqual([end.code, end.signal], [0, null], running.err());
    assert.ok(end.at - asked < 5000, `took ${end.at - asked} ms to stop`);
    assert.equal(lines().filter((l) => l.type === 'bundle').length, 0, 'stopped before it was written');
    assert.deepEqual(readdirSync(out), [], 'nothing half-written left');
  });
});
