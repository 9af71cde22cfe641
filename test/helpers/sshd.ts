import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  dir: string;
  hostKey: string;
  clientKey: string;
  stop(): Promise<void>;
  /** The host dies: sshd and every session it serves killed at once (connections reset). */
  crash(): void;
  /** The host back: sshd started again on the same port with the same keys. */
  restart(): Promise<void>;
}

/** Processes under `pid` (children, their children…), from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Fields after the command (which may hold spaces) in parentheses: state, ppid.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [c, pp] of parent) if (pp === p) (out.push(c), walk(c));
  };
  walk(pid);
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export function keygen(file: string, type = 'ed25519'): void {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
}

/** A real OpenSSH sshd on 127.0.0.1 and a free port, with throw-away host and client keys. */
export async function startSshd(opts: { sftp?: boolean; extraHostKeyTypes?: string[] } = {}): Promise<Sshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: apt-get install -y openssh-server (.ci/run does this)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-sshd-'));
  const hostKey = path.join(dir, 'host_key');
  const clientKey = path.join(dir, 'client_key');
  keygen(hostKey);
  keygen(clientKey);
  const extra = (opts.extraHostKeyTypes ?? []).map((type) => {
    const file = path.join(dir, `host_key_${type}`);
    keygen(file, type);
    return file;
  });
  execFileSync('cp', [`${clientKey}.pub`, path.join(dir, 'authorized_keys')]);
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, ...extra.map((k) => `HostKey ${k}`), `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`, `PidFile ${path.join(dir, 'sshd.pid')}`,
      'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'LogLevel ERROR',
      ...(opts.sftp === false ? [] : ['Subsystem sftp internal-sftp']), ''].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  let child!: ChildProcess;
  let stderr = '';
  const launch = async (): Promise<void> => {
    child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 50 && !(await accepts(port)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await accepts(port))) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start on 127.0.0.1:${port}: ${stderr}`);
    }
  };
  await launch();
  return {
    port,
    dir,
    hostKey,
    clientKey,
    crash: () => {
      for (const pid of [...descendants(child.pid!), child.pid!]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Ended already.
        }
      }
    },
    restart: launch,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        // Gone already (stopped, or killed by crash(): then it has a signal and no exit code).
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(t);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}
