import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(REPO, 'fixtures');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI started as a user would (bin/run.js), in UTC, without colour; its output piped, its input when `stdin`. */
export function spawnCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; stdin?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, [path.join(REPO, 'bin/run.js'), ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, TZ: 'UTC', NO_COLOR: '1', ...opts.env },
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
}

/** Runs the built CLI (spawnCli) with a time limit; `input` is its standard input. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; input?: Buffer | string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, { cwd: opts.cwd, env: opts.env, stdin: opts.input !== undefined });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`smsdiag ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 60000} ms`));
    }, opts.timeoutMs ?? 60000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
