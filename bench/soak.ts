import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { watch } from '../src/watch';
import { gzipSync } from 'node:zlib';
import { haLine, prng, smsInfoLine } from './generate';
import { startSshd } from '../test/helpers/sshd';
import { localWatchOptions } from '../test/helpers/watch';

const DAY_MS = 24 * 3600_000;
/** Log lines per log-second and node: ha.log a heartbeat every 2 s, sms-info.log two lines a second. */
const HA_PER_S = 0.5;
const INFO_PER_S = 2;
/** Log time between rotations of each file (rename, new file, the old one gzipped). */
const ROTATE_MS = 6 * 3600_000;

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) the process has used. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * `watch` left running on a healthy pair for 24 hours of logs, written in `wallS` seconds by a
 * fast writer: this node's files on disk, the peer's over a loopback sshd, every file rotated
 * every 6 hours. Its RSS is sampled each second; then a Failed line is written and the time until
 * the finding is printed is measured, then SIGTERM and the time to exit.
 */
export async function soak(out: string, cli: string, wallS: number): Promise<string> {
  const dir = path.join(out, 'soak');
  rmSync(dir, { recursive: true, force: true });
  const nodes = ['primary', 'secondary'] as const;
  for (const n of nodes) mkdirSync(path.join(dir, n), { recursive: true });
  const file = (n: string, name: string): string => path.join(dir, n, name);
  const start = Date.UTC(2017, 9, 1);
  const ha = { primary: haLine('primary'), secondary: haLine('secondary') };
  const info = smsInfoLine(prng(7));
  // An hour of history before the watch starts: its context.
  let logNow = start;
  let lines = 0;
  let bytes = 0;
  let rotations = 0;
  const writeUntil = (until: number): void => {
    for (const n of nodes) {
      let haText = '';
      let infoText = '';
      for (let t = logNow; t < until; t += 1000 / HA_PER_S) haText += ha[n](lines++, t);
      for (let t = logNow; t < until; t += 1000 / INFO_PER_S) infoText += info(lines++, t);
      appendFileSync(file(n, 'ha.log'), haText);
      appendFileSync(file(n, 'sms-info.log'), infoText);
      bytes += haText.length + infoText.length;
    }
    logNow = until;
  };
  writeUntil(start + 3600_000);

  const sshd = await startSshd();
  const child = spawn(
    process.execPath,
    [cli, 'watch', path.join(dir, 'primary'), '--local-name', 'primary', '--peer', 'secondary=127.0.0.1', '--port', String(sshd.port), '--key', sshd.clientKey, '--known-hosts', path.join(sshd.dir, 'known_hosts'), '--accept-new-host-key',
      ...['ha', 'sms-info'].map((k) => `--path=secondary:${k}=${file('secondary', `${k}.log`)}*`), '--format', 'ndjson', '--no-collect'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    for (let i = 0; i < 100 && !/secondary: following/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    const samples: number[] = [];
    const began = Date.now();
    const cpu0 = cpuSeconds(child.pid!);
    const step = DAY_MS / wallS / 4;
    let nextRotation = start + ROTATE_MS;
    for (let k = 0; k < wallS * 4; k++) {
      writeUntil(logNow + step);
      if (logNow >= nextRotation) {
        nextRotation += ROTATE_MS;
        rotations++;
        for (const n of nodes) {
          for (const name of ['ha.log', 'sms-info.log']) {
            const p = file(n, name);
            renameSync(p, `${p}.1`);
            writeFileSync(p, '');
            // logrotate's delaycompress, compressed at once: the old name is gone by the next look.
            writeFileSync(`${p}.1.gz`, gzipSync(readFileSync(`${p}.1`)));
            rmSync(`${p}.1`);
          }
        }
      }
      if (k % 4 === 0) samples.push(rssMb(child.pid!));
      const due = began + (k + 1) * 250;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
    const cpu = (cpuSeconds(child.pid!) - cpu0) / ((Date.now() - began) / 1000);
    const healthyOut = stdout;
    const wrote = Date.now();
    appendFileSync(file('secondary', 'ha.log'), `${new Date(logNow).toISOString().replace('T', ' ').replace('.', ',').slice(0, 23)} ERROR [com.tippingpoint.sms.ha] Local state: Failed\n`);
    while (!/"id":"ha-failed"/.test(stdout) && Date.now() - wrote < 30000) await new Promise((r) => setTimeout(r, 20));
    const found = /"id":"ha-failed"/.test(stdout) ? `${((Date.now() - wrote) / 1000).toFixed(1)} s` : 'NOT within 30 s';
    const asked = Date.now();
    child.kill('SIGTERM');
    const code = await ended;
    const stopS = (Date.now() - asked) / 1000;
    // The first half fills each file's kept lines (--context) and warms the heap; after that the
    // memory must stay where it is: the third quarter's median against the last's.
    const q = Math.max(1, Math.floor(samples.length / 4));
    const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const third = mid(samples.slice(2 * q, 3 * q));
    const fourth = mid(samples.slice(3 * q));
    const trace = samples.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 12)) === 0).map((x) => x.toFixed(0)).join(' ');
    const printed = healthyOut.split('\n').filter(Boolean).length;
    return (
      `watch soak: 24 h of a healthy pair's logs (${lines} lines, ${(bytes / (1 << 20)).toFixed(0)} MB; this node on disk, the peer over a loopback sshd; every file rotated ${rotations} times, gzipped) written in ${wallS} s: ` +
      `RSS median ${third.toFixed(0)} MB in the third quarter, ${fourth.toFixed(0)} MB in the last (${(((fourth - third) / third) * 100).toFixed(1)} %), ${Math.max(...samples).toFixed(0)} MB at most, ${samples[0].toFixed(0)} MB at the start (through the day: ${trace}); ` +
      `CPU ${(cpu * 100).toFixed(0)} % of one core; lines printed during the healthy day: ${printed}; a Failed line on the peer printed after ${found}; SIGTERM: exit ${code} after ${stopS.toFixed(2)} s`
    );
  } finally {
    child.kill('SIGKILL');
    await sshd.stop();
  }
}

/**
 * The watch's own loop driven fast, in this process: a healthy pair on this machine, a heartbeat
 * line every 50 ms on each node, polled every 10 ms (a hundred times the command's rate); the
 * heap after a full collection is sampled along the way. What a watch holds per
 * poll or per wait shows up here as growth.
 */
export async function pollSoak(seconds: number): Promise<string> {
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-pollsoak-'));
  const stop = new AbortController();
  try {
    const nodes = (['primary', 'secondary'] as const).map((name) => {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'ha.log'), '');
      return { name, role: name, files: [{ kind: 'ha' as const, path: path.join(dir, name, 'ha.log') }] };
    });
    let printed = 0;
    const w = watch(localWatchOptions({ nodes, pollMs: 10, signal: stop.signal, emit: (e) => void (e.type === 'finding' && printed++) }));
    const ha = { primary: haLine('primary'), secondary: haLine('secondary') };
    const heap: number[] = [];
    const began = Date.now();
    let i = 0;
    let t = Date.UTC(2017, 9, 1);
    while (Date.now() - began < seconds * 1000) {
      for (const n of nodes) appendFileSync(n.files[0].path, ha[n.name](i++, (t += 1000)));
      await new Promise((r) => setTimeout(r, 50));
      if (i % 200 === 0) {
        gc();
        heap.push(process.memoryUsage().heapUsed / (1 << 20));
      }
    }
    stop.abort();
    await w.done;
    const q = Math.max(1, Math.floor(heap.length / 4));
    const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return `watch loop polled every 10 ms for ${seconds} s (up to ${seconds * 100} polls per node; a day of 1 s polls is 86,400), ${i} lines written: heap after GC ${mid(heap.slice(q, 2 * q)).toFixed(1)} MB in the second quarter, ${mid(heap.slice(3 * q)).toFixed(1)} MB in the last; findings printed: ${printed}`;
  } finally {
    stop.abort();
    rmSync(dir, { recursive: true, force: true });
  }
}
