import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, runCli } from '../helpers/cli';

const TAKEOVER = path.join(REPO, 'fixtures/takeover-db');

describe('installing and starting smsdiag', function () {
  this.timeout(180000);

  it('npm pack ships the program and its README, no tests, and names no missing main', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{ files: Array<{ path: string }> }>;
    const files = pack.files.map((f) => f.path).sort();
    assert.deepEqual(files, ['README.md', 'bin/code-cache.js', 'bin/run.js', 'dist/smsdiag.js', 'package.json']);
    const pjson = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { main?: string; bin: Record<string, string> };
    assert.ok(pjson.main === undefined || files.includes(pjson.main), `main ${pjson.main} is not in the package`);
    assert.ok(files.includes(pjson.bin.smsdiag.replace(/^\.\//, '')));
  });

  it('npx smsdiag runs the checkout\'s own command', () => {
    const r = spawnSync('npx', ['--no-install', 'smsdiag', '--version'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^smsdiag\/\d+\.\d+\.\d+ /);
  });

  it('-h, help COMMAND, version and -v answer as people expect', async () => {
    const h = await runCli(['-h']);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /USAGE[\s\S]*COMMANDS[\s\S]*analyze/);
    const ha = await runCli(['help', 'analyze']);
    assert.equal(ha.code, 0, ha.stderr);
    assert.match(ha.stdout, /\$ smsdiag analyze \[PATH\.\.\.\]/);
    const ah = await runCli(['analyze', '-h']);
    assert.equal(ah.stdout, ha.stdout);
    const v = await runCli(['version', '--json']);
    const info = JSON.parse(v.stdout) as { version: string; singleExecutable: boolean };
    assert.equal(info.version, (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
    assert.equal(info.singleExecutable, false);
    assert.match((await runCli(['-v'])).stdout, new RegExp(`^smsdiag/${info.version} `));
  });

  it('a mistyped command is a usage error that says what was meant', async () => {
    const r = await runCli(['analyse', TAKEOVER]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'smsdiag: "analyse" is not a smsdiag command; did you mean "analyze"? (smsdiag help lists them)\n');
    const far = await runCli(['frobnicate']);
    assert.equal(far.code, 2);
    assert.match(far.stderr, /"frobnicate" is not a smsdiag command \(smsdiag help/);
  });

  it('bash completes commands, flag values and explain topics with the script autocomplete prints', async () => {
    const script = (await runCli(['autocomplete', 'bash'])).stdout;
    const complete = (words: string[]): string[] => {
      const line = ['smsdiag', ...words];
      const program = `${script}\nCOMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}; _smsdiag_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(complete(['exp']), ['explain']);
    assert.deepEqual(complete(['analyze', '--format', '']), ['json', 'table', 'text']);
    assert.ok(complete(['explain', 'fail']).includes('failed'));
    assert.ok(complete(['collect', '--acc']).includes('--accept-new-host-key'));
    const zsh = (await runCli(['autocomplete', 'zsh'])).stdout;
    assert.match(zsh, /bashcompinit/);
  });

  describe('the single executable (npm run package)', () => {
    const binary = path.join(REPO, 'release', `smsdiag-${process.platform}-${process.arch}`);
    let empty: string;

    before(() => {
      execFileSync(process.execPath, [path.join(REPO, 'scripts/package.mjs')], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
      empty = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-sea-run-'));
    });
    after(() => rmSync(empty, { recursive: true, force: true }));

    // No node, npm or node_modules: an empty directory and a PATH without Node.js on it.
    const run = (args: string[]) => spawnSync(binary, args, { cwd: empty, encoding: 'utf8', env: { PATH: empty, TZ: 'UTC', HOME: empty } });

    it('is one executable file', () => {
      assert.ok(existsSync(binary));
      assert.ok((statSync(binary).mode & 0o111) !== 0, 'executable');
      assert.notEqual(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: empty } }).status, 0, 'node must not be on the test PATH');
    });

    it('analyzes a fixture exactly as the npm install does, with no Node.js on the machine', async () => {
      const sea = run(['analyze', TAKEOVER, '--json']);
      assert.equal(sea.status, 0, sea.stderr);
      assert.equal(sea.stderr, '');
      const npm = await runCli(['analyze', TAKEOVER, '--json']);
      assert.equal(sea.stdout, npm.stdout);
      const explain = run(['explain', 'failed', TAKEOVER]);
      assert.equal(explain.status, 0, explain.stderr);
      assert.match(explain.stdout, /peer-requested/);
    });

    it('runs timeline --all in worker threads, which it starts from the source it carries', async () => {
      const sea = run(['timeline', TAKEOVER, '--all', '--format', 'ndjson', '--threads', '2']);
      assert.equal(sea.status, 0, sea.stderr);
      const npm = await runCli(['timeline', TAKEOVER, '--all', '--format', 'ndjson', '--threads', '1']);
      assert.ok(npm.stdout.length > 1000);
      assert.equal(sea.stdout, npm.stdout);
    });

    it('watches a node and stops on SIGINT with exit 0', async () => {
      const child = spawn(binary, ['watch', path.join(TAKEOVER, 'primary'), '--local-name', 'primary', '--from', '2017-10-12 13:40', '--no-collect', '--format', 'ndjson'], { cwd: empty, env: { PATH: empty, TZ: 'UTC', HOME: empty } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      for (let i = 0; i < 100 && out.split('\n').length < 3; i++) await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, err);
      assert.deepEqual(out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id), ['db-crash', 'ha-failed']);
    });

    it('knows it is the single executable, and keeps the exit codes', () => {
      assert.equal((JSON.parse(run(['version', '--json']).stdout) as { singleExecutable: boolean }).singleExecutable, true);
      assert.equal(run(['analyse']).status, 2);
      assert.equal(run(['analyze', path.join(empty, 'missing')]).status, 3);
    });
  });
});
