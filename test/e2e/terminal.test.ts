import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FIXTURES, REPO, runCli } from '../helpers/cli';

const fx = path.join(FIXTURES, 'takeover-db');
const ESC = '\x1b[';

/** Runs smsdiag on a pseudo-terminal of `cols` columns (util-linux `script`), as a person at a terminal would. */
function onTerminal(args: string[], cols: number, env: Record<string, string> = {}): string {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const out = execFileSync('script', ['-qec', `stty cols ${cols} rows 50; node bin/run.js ${quoted}`, '/dev/null'], {
    cwd: REPO,
    env: { ...process.env, TZ: 'UTC', TERM: 'xterm', NO_COLOR: '', ...env },
    timeout: 60_000,
  });
  return out.toString().replace(/\r\n/g, '\n');
}

/** Lines over `width`, leaving out a line that is one word too long to break (a path, a hash). */
function tooWide(text: string, width: number): string[] {
  return text.split('\n').filter((l) => l.length > width && l.trim().includes(' '));
}

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

describe('smsdiag at a terminal and in a pipe', () => {
  it('every command fits 80 columns when not on a terminal, and no word is split or lost', async () => {
    const runs: string[][] = [
      ['analyze', fx],
      ['analyze', fx, '--format', 'text'],
      ['timeline', fx],
      ['state', fx],
      ['rules'],
      ['explain', 'failed', fx],
    ];
    for (const args of runs) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.deepEqual(tooWide(r.stdout, 80), [], args.join(' '));
      assert.ok(!r.stdout.includes(ESC), `${args.join(' ')}: colour in a pipe`);
    }
    // The narrow timeline says all the wide one says: the same words, none cut in two.
    const narrow = new Set(words((await runCli(['timeline', fx])).stdout));
    const wide = onTerminal(['timeline', fx, '--no-color'], 200);
    assert.deepEqual(tooWide(wide, 200), []);
    const missing = words(wide).filter((w) => !narrow.has(w) && !/^[A-Z()]+$/.test(w));
    assert.deepEqual(missing, []);
  });

  it('on a terminal: the readable summary by default, most important line first, in colour unless NO_COLOR or --no-color', () => {
    const out = onTerminal(['analyze', fx], 100);
    assert.match(out.replace(/\x1b\[[0-9;]*m/g, ''), /^SMS HA: primary Failed, secondary Active; 3 findings \(3 critical\), 1 incident\nMost severe: db-crash on primary/);
    assert.ok(out.includes(`${ESC}31mFailed${ESC}0m`), 'Failed in red');
    assert.ok(out.includes(`${ESC}1mNODES${ESC}0m`), 'headings in bold');
    assert.deepEqual(tooWide(out.replace(/\x1b\[[0-9;]*m/g, ''), 100), []);
    for (const env of [{ NO_COLOR: '1' }, { TERM: 'dumb' }] as Array<Record<string, string>>) assert.ok(!onTerminal(['analyze', fx], 100, env).includes(ESC), JSON.stringify(env));
    const plain = onTerminal(['analyze', fx, '--no-color'], 100);
    assert.ok(!plain.includes(ESC));
    assert.equal(plain, out.replace(/\x1b\[[0-9;]*m/g, ''), 'colour changes no character');
    // A wide terminal keeps the columns of state and rules.
    assert.match(onTerminal(['state', fx, '--no-color'], 200), /^NODE\s+ROLE\s+HA STATE\s+SINCE \(UTC\)\s+FROM\s+BEFORE THAT$/m);
    assert.match(onTerminal(['rules', '--no-color'], 200), /^RULE\s+SEVERITY\s+KINDS\s+REPORTS\s+TITLE$/m);
  });

  it('in a pipe: the table by default, colour only when asked with --color', async () => {
    const piped = await runCli(['analyze', fx], { env: { NO_COLOR: '' } });
    assert.match(piped.stdout, /^FINDINGS \(UTC\)$/m);
    assert.ok(!piped.stdout.includes(ESC));
    const forced = await runCli(['analyze', fx, '--color'], { env: { NO_COLOR: '' } });
    assert.ok(forced.stdout.includes(`${ESC}1;31mcritical${ESC}0m`));
    const json = await runCli(['analyze', fx, '--json', '--color']);
    assert.doesNotThrow(() => JSON.parse(json.stdout), 'JSON is never coloured');
  });

  it('--format is one flag across commands; --json is --format json, and the two disagreeing are refused', async () => {
    for (const args of [['state', fx], ['rules'], ['explain', 'failed', fx]]) {
      const a = await runCli([...args, '--json']);
      const b = await runCli([...args, '--format', 'json']);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(a.stdout, b.stdout, args.join(' '));
      const both = await runCli([...args, '--json', '--format', args[0] === 'explain' ? 'text' : 'table']);
      assert.equal(both.code, 2, args.join(' '));
      assert.match(both.stderr, /--json and --format \w+ ask for two different outputs/);
    }
  });
});

describe('- reads one log from standard input', () => {
  const primary = path.join(fx, 'primary');

  it('a piped log gives what the same file gives, its kind told by its lines, gzip or not', async () => {
    for (const file of ['ha.log', 'mysqld.err']) {
      const fromFile = JSON.parse((await runCli(['analyze', `stdin=${path.join(primary, file)}`, '--json'])).stdout);
      for (const input of [readFileSync(path.join(primary, file)), gzipSync(readFileSync(path.join(primary, file)))]) {
        const r = await runCli(['analyze', '-', '--json'], { input });
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.nodes[0].name, 'stdin');
        assert.equal(doc.nodes[0].files[0].kind, fromFile.nodes[0].files[0].kind, file);
        assert.deepEqual(doc.findings.map((f: { id: string; first: string }) => [f.id, f.first]), fromFile.findings.map((f: { id: string; first: string }) => [f.id, f.first]), file);
      }
    }
  });

  it('NAME=- names the node; a syslog stream is split by host as a syslog file is', async () => {
    const r = await runCli(['timeline', 'secondary=-', '--format', 'ndjson'], { input: readFileSync(path.join(fx, 'secondary', 'ha.log')) });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split('\n').filter(Boolean).every((l) => JSON.parse(l).node === 'secondary'));
    const syslog = path.join(FIXTURES, 'syslog-central', 'messages');
    const hosts = ['--node', 'primary=sms-a', '--node', 'secondary=sms-b'];
    const piped = JSON.parse((await runCli(['analyze', '-', ...hosts, '--json'], { input: readFileSync(syslog) })).stdout);
    assert.deepEqual(piped.findings.map((f: { id: string; node: string }) => [f.id, f.node]), [['db-crash', 'primary'], ['passive-takeover', 'secondary'], ['ha-failed', 'primary']]);
    const unnamed = await runCli(['analyze', '-'], { input: readFileSync(syslog) });
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.stderr, /^smsdiag: standard input is a syslog file with lines from .*--node primary=/);
  });

  it('empty, unrecognisable or given twice: one sentence and the right exit status', async () => {
    const empty = await runCli(['analyze', '-'], { input: '' });
    assert.equal(empty.code, 3);
    assert.match(empty.stderr, /standard input \(-\) was empty/);
    const junk = await runCli(['analyze', '-'], { input: Buffer.alloc(100_000, 0) });
    assert.equal(junk.code, 3);
    assert.match(junk.stderr, /standard input \(-\) does not look like ha\.log, .*save it under its own name/);
    const twice = await runCli(['analyze', '-', 'x=-'], { input: 'Local state: Active\n' });
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /can be given once/);
  });
});
