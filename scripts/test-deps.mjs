#!/usr/bin/env node
// What the test suite needs from the operating system, provided before any test runs: the collect
// tests talk to a real OpenSSH sshd on 127.0.0.1 (and make keys with ssh-keygen); the bundle tests
// compare with GNU tar, gzip and sha256sum. The HTML tests' browser comes from npm
// (@sparticuz/chromium), not from here. Missing packages are installed through apt-get when this
// user may install them; otherwise the run stops at once, naming the package to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';

const NEEDS = [
  { what: 'OpenSSH server (sshd)', path: '/usr/sbin/sshd', pkg: 'openssh-server' },
  { what: 'ssh-keygen', path: '/usr/bin/ssh-keygen', pkg: 'openssh-client' },
  { what: 'GNU tar', path: '/usr/bin/tar', alt: '/bin/tar', pkg: 'tar' },
  { what: 'gzip', path: '/usr/bin/gzip', alt: '/bin/gzip', pkg: 'gzip' },
  { what: 'sha256sum', path: '/usr/bin/sha256sum', pkg: 'coreutils' },
];

const missing = NEEDS.filter((n) => !existsSync(n.path) && !(n.alt && existsSync(n.alt)));
if (missing.length === 0) process.exit(0);

const pkgs = [...new Set(missing.map((n) => n.pkg))];
const names = missing.map((n) => n.what).join(', ');
const root = process.getuid?.() === 0;
const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
const apt = existsSync('/usr/bin/apt-get');
if (!apt || (!root && !sudo)) {
  process.stderr.write(`The tests need ${names}: install ${pkgs.join(' ')} (e.g. sudo apt-get install ${pkgs.join(' ')}) and run npm test again.\n`);
  process.exit(1);
}

process.stderr.write(`Installing ${pkgs.join(' ')} for the tests (${names} missing)...\n`);
const asRoot = (argv) => execFileSync(root ? argv[0] : 'sudo', root ? argv.slice(1) : ['-n', ...argv], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
// Debian starts a freshly installed sshd as a system service on port 22; the tests start their
// own on loopback, so keep the package from starting anything while it installs.
const policy = '/usr/sbin/policy-rc.d';
const ownPolicy = !existsSync(policy);
try {
  if (ownPolicy) {
    if (root) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    else asRoot(['sh', '-c', `printf '#!/bin/sh\\nexit 101\\n' > ${policy} && chmod 755 ${policy}`]);
  }
  asRoot(['apt-get', 'update', '-qq']);
  asRoot(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
} catch {
  process.stderr.write(`Installing ${pkgs.join(' ')} failed: install it yourself (apt-get install ${pkgs.join(' ')}) and run npm test again.\n`);
  process.exit(1);
} finally {
  if (ownPolicy) {
    if (root) rmSync(policy, { force: true });
    else spawnSync('sudo', ['-n', 'rm', '-f', policy]);
  }
}
const still = NEEDS.filter((n) => !existsSync(n.path) && !(n.alt && existsSync(n.alt)));
if (still.length) {
  process.stderr.write(`The tests still lack ${still.map((n) => n.what).join(', ')} after installing: install ${[...new Set(still.map((n) => n.pkg))].join(' ')} and run npm test again.\n`);
  process.exit(1);
}
