import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { anchorAlternation, builtinRules } from '../src/rules/engine';
import { generate, PLANTED } from './generate';
import { startSshd } from '../test/helpers/sshd';
import { pollSoak, soak } from './soak';
import { createBundleWriter } from '../src/bundle/writer';
import type { ManifestFile } from '../src/sources/bundle/manifest';

const REPO = path.resolve(__dirname, '../..');
const OUT = path.join(REPO, 'bench/out');
const CLI = path.join(REPO, 'bin/run.js');

interface Measure {
  wall: number;
  rssMb: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time: wall seconds and peak RSS of the whole process tree's largest member. */
function timed(cmd: string, args: string[], env: Record<string, string> = {}): Measure {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, TZ: 'UTC', ...env } });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, kb] = last.split(' ').map(Number);
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  return { wall, rssMb: kb / 1024, stdout: r.stdout };
}

function parseSize(s: string): number {
  const m = /^(\d+)([MG])$/i.exec(s);
  if (!m) throw new Error(`size ${s}: use e.g. 256M or 1G`);
  return Number(m[1]) * (m[2].toUpperCase() === 'G' ? 1 << 30 : 1 << 20);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function files(dir: string): { plain: string[]; gz: string[]; bytes: number } {
  const out = { plain: [] as string[], gz: [] as string[], bytes: 0 };
  for (const node of readdirSync(dir).filter((n) => !n.startsWith('.')).sort()) {
    for (const f of readdirSync(path.join(dir, node)).sort()) {
      const p = path.join(dir, node, f);
      if (f.endsWith('.gz')) {
        out.gz.push(p);
        out.bytes += gunzipSync(readFileSync(p)).length;
      } else {
        out.plain.push(p);
        out.bytes += statSync(p).size;
      }
    }
  }
  return out;
}

interface Row {
  size: string;
  mb: number;
  grepE: number;
  grepEi: number;
  smsdiag: number;
  ratio: number;
  ratioI: number;
  rssMb: number;
  correct: boolean;
}

/**
 * The worst input for retention and for the incident story: one node logging `Local state: Failed`
 * ten times a second, every line a finding's evidence and a story event. Memory must stay flat and
 * time linear; the answer is one ha-failed finding.
 */
async function flood(bytes: number, rounds: number): Promise<string> {
  const dir = path.join(OUT, `flood-${bytes >> 20}M`);
  const log = path.join(dir, 'primary', 'ha.log');
  if (!existsSync(path.join(dir, '.complete'))) {
    mkdirSync(path.dirname(log), { recursive: true });
    const out = createWriteStream(log);
    const start = Date.parse('2017-10-12T00:00:00Z');
    let written = 0;
    let batch = '';
    for (let i = 0; written < bytes; i++) {
      const t = new Date(start + i * 100).toISOString();
      batch += `${t.slice(0, 10)} ${t.slice(11, 19)},${t.slice(20, 23)} ERROR [com.tippingpoint.sms.ha] Local state: Failed\n`;
      if (batch.length < 1 << 20 && written + batch.length < bytes) continue;
      written += batch.length;
      if (!out.write(batch)) await new Promise<void>((r) => out.once('drain', () => r()));
      batch = '';
    }
    await new Promise<void>((r) => out.end(() => r()));
    writeFileSync(path.join(dir, '.complete'), 'flood\n');
  }
  const walls: number[] = [];
  const greps: number[] = [];
  let rss = 0;
  let found = '';
  for (let r = 0; r < rounds; r++) {
    const m = timed(process.execPath, [CLI, 'analyze', dir, '--json']);
    walls.push(m.wall);
    rss = Math.max(rss, m.rssMb);
    found = (JSON.parse(m.stdout) as { findings: Array<{ id: string; node: string }> }).findings.map((f) => `${f.id}@${f.node}`).join(', ');
    greps.push(timed('grep', ['-c', 'Local state: Failed', log]).wall);
  }
  const mb = statSync(log).size / (1 << 20);
  return `flood of one matching line, ${mb.toFixed(0)} MB of \`Local state: Failed\` ten times a second: analyze ${median(walls).toFixed(2)} s (${(mb / median(walls)).toFixed(0)} MB/s), grep -c ${median(greps).toFixed(2)} s, peak RSS ${rss.toFixed(0)} MB, findings: ${found || 'none'}`;
}

/**
 * A bundle of `members` tiny logs (two nodes, `ha.log.1` … `ha.log.N` each, one heartbeat line per
 * member), as a node with years of unpruned rotations would give, written by the bundle writer
 * (about a minute for 200,000, once). One round: an analysis of it takes most of a minute.
 */
async function manyMembers(members: number): Promise<string> {
  const dir = path.join(OUT, `members-dated-${members}`);
  const name = 'smsdiag-members-20171012T000000Z';
  const bundle = path.join(dir, `${name}.tar.gz`);
  if (!existsSync(path.join(dir, '.complete'))) {
    process.stderr.write(`writing a bundle of ${members} members in ${dir} …\n`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const w = await createBundleWriter({ outDir: dir, name });
    const mtime = new Date('2017-10-12T00:00:00Z');
    const nodes = [];
    for (const node of ['primary', 'secondary']) {
      const files: ManifestFile[] = [];
      // Dated rotations, one a day going back: numbered ones stop at ha.log.9999, and a member
      // smsdiag does not read as a log would not measure the reading.
      for (let k = members / 2; k >= 1; k--) {
        const t = new Date(mtime.getTime() - k * 86_400_000).toISOString();
        const name = `ha.log-${t.slice(0, 10).replace(/-/g, '')}`;
        const body = Buffer.from(`${t.slice(0, 10)} ${t.slice(11, 19)},000 DEBUG [com.tippingpoint.sms.ha] Heartbeat reply from peer 10.0.0.1 in 60 ms\n`);
        const r = await w.addFile({ path: `nodes/${node}/logs/${name}`, size: body.length, mtime, body, source: `/var/log/${name}` });
        files.push({ kind: 'ha', source: `/var/log/${name}`, path: r.path, size: r.size, mtime: mtime.toISOString(), sha256: r.sha256 });
      }
      nodes.push({ name: node, host: node, role: node, facts: {}, files, errors: [] });
    }
    await w.finish({ format: 'smsdiag-bundle', version: 1, tool: { name: 'smsdiag', version: 'bench' }, commandLine: ['bench'], createdAt: mtime.toISOString(), redacted: false, nodes, analysis: [] });
    writeFileSync(path.join(dir, '.complete'), `${members}\n`);
  }
  const m = timed(process.execPath, [CLI, 'analyze', bundle, '--json']);
  const t = timed('sh', ['-c', `"${process.execPath}" "${CLI}" timeline "${bundle}" --all --format ndjson > /dev/null`]);
  return `bundle of ${members} members (two nodes, one line each, ${(statSync(bundle).size / (1 << 20)).toFixed(0)} MB), one round: analyze ${m.wall.toFixed(2)} s, peak RSS ${m.rssMb.toFixed(0)} MB; timeline --all ${t.wall.toFixed(2)} s, peak RSS ${t.rssMb.toFixed(0)} MB`;
}

/**
 * Many large rotations: two nodes, `count` `ha.log.N` each of 25,000 lines (about 2.7 MB), one
 * after another in time, as a node that keeps months of logs gives. Every file open at once in
 * the timeline's merge was a gigabyte; memory must not grow with the number of files.
 */
async function manyRotations(count: number): Promise<string> {
  const dir = path.join(OUT, `rotations-${count}`);
  if (!existsSync(path.join(dir, '.complete'))) {
    process.stderr.write(`writing ${count} rotations per node in ${dir} …\n`);
    rmSync(dir, { recursive: true, force: true });
    for (const node of ['primary', 'secondary']) {
      mkdirSync(path.join(dir, node), { recursive: true });
      let t = Date.parse('2017-01-01T00:00:00Z');
      for (let r = count; r >= 1; r--) {
        const lines: string[] = [];
        for (let i = 0; i < 25_000; i++) {
          const d = new Date((t += 1000)).toISOString();
          lines.push(`${d.slice(0, 10)} ${d.slice(11, 19)},000 INFO [com.tippingpoint.sms.ha] Peer state: Active; heartbeat ${i} from the other node ok`);
        }
        writeFileSync(path.join(dir, node, `ha.log.${r}`), `${lines.join('\n')}\n`);
      }
    }
    writeFileSync(path.join(dir, '.complete'), `${count}\n`);
  }
  const mb = files(dir).bytes / (1 << 20);
  const t = timed('sh', ['-c', `"${process.execPath}" "${CLI}" timeline "${dir}" --all --format ndjson > /dev/null`]);
  const a = timed(process.execPath, [CLI, 'analyze', dir, '--json']);
  return `${2 * count} rotations of 25,000 lines (two nodes, ${mb.toFixed(0)} MB), one round: timeline --all ${t.wall.toFixed(2)} s, peak RSS ${t.rssMb.toFixed(0)} MB; analyze ${a.wall.toFixed(2)} s, peak RSS ${a.rssMb.toFixed(0)} MB`;
}

/** collect of one node's files over a loopback sshd against `ssh host tar czf` and scp of the same files, same key. */
async function collectVsScp(set: string, rounds: number): Promise<string> {
  const sshd = await startSshd();
  try {
    const dir = path.join(set, 'secondary');
    const mb = readdirSync(dir).reduce((a, f) => a + statSync(path.join(dir, f)).size, 0) / (1 << 20);
    const known = path.join(sshd.dir, 'known_hosts');
    const walls = { collect: [] as number[], scp: [] as number[], tar: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      const out = mkdtempSync(path.join(os.tmpdir(), 'bench-collect-'));
      const target = mkdtempSync(path.join(os.tmpdir(), 'bench-scp-'));
      const collect = (): number =>
        timed(process.execPath, [CLI, 'collect', '--host', 'secondary=127.0.0.1', '--port', String(sshd.port), '--key', sshd.clientKey, '--known-hosts', known, '--accept-new-host-key', '--out', out, '--quiet',
          ...['ha', 'sms-info', 'mysqld'].map((k) => `--path=${k}=${dir}/${k === 'mysqld' ? 'mysqld.err' : `${k}.log`}*`)]).wall;
      const scp = (): number =>
        timed('scp', ['-q', '-P', String(sshd.port), '-i', sshd.clientKey, '-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=accept-new', `root@127.0.0.1:${dir}/*`, target]).wall;
      // What the issue measures against: one compressed archive of the files over ssh.
      const tar = (): number =>
        timed('sh', ['-c', `ssh -q -p ${sshd.port} -i '${sshd.clientKey}' -o UserKnownHostsFile='${known}' -o StrictHostKeyChecking=accept-new root@127.0.0.1 'cd ${dir} && tar czf - .' > '${target}/ref.tgz'`]).wall;
      if (r % 2 === 0) walls.collect.push(collect()), walls.scp.push(scp()), walls.tar.push(tar());
      else walls.tar.push(tar()), walls.scp.push(scp()), walls.collect.push(collect());
      rmSync(out, { recursive: true, force: true });
      rmSync(target, { recursive: true, force: true });
    }
    const c = median(walls.collect);
    const s = median(walls.scp);
    const t = median(walls.tar);
    return `collect over a loopback sshd, one node's ${mb.toFixed(0)} MB: collect ${c.toFixed(2)} s (bundle, hashes and analysis included); ssh host 'tar czf - FILES' ${t.toFixed(2)} s, ratio ${(c / t).toFixed(2)}; scp ${s.toFixed(2)} s, ratio ${(c / s).toFixed(2)}`;
  } finally {
    await sshd.stop();
  }
}

/**
 * Start-up: `smsdiag --version` against a bare `node -e 0`, alternating, median of `rounds`: what
 * every command pays before it does anything (the issue's target is the first, 150 ms). Measured
 * with the code cache bin/run.js keeps (in a directory of the benchmark's own, filled by one run
 * first), and as a first run, which compiles and writes the cache (an empty directory each time).
 */
function startUp(rounds: number): string {
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-bench-cache-'));
  try {
    const cached = { XDG_CACHE_HOME: cacheHome };
    timed(process.execPath, [CLI, '--version'], cached);
    const walls: Record<'cached' | 'first' | 'bare', number[]> = { cached: [], first: [], bare: [] };
    let rss = 0;
    for (let r = 0; r < rounds; r++) {
      const m = timed(process.execPath, [CLI, '--version'], cached);
      walls.cached.push(m.wall);
      rss = Math.max(rss, m.rssMb);
      const empty = mkdtempSync(path.join(cacheHome, 'first-'));
      walls.first.push(timed(process.execPath, [CLI, '--version'], { XDG_CACHE_HOME: empty }).wall);
      walls.bare.push(timed(process.execPath, ['-e', '0']).wall);
    }
    return `start-up, median of ${rounds}: smsdiag --version ${median(walls.cached).toFixed(2)} s (peak RSS ${rss.toFixed(0)} MB; a first run, which compiles and writes the code cache, ${median(walls.first).toFixed(2)} s), node -e 0 ${median(walls.bare).toFixed(2)} s`;
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, def: string): string => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : def;
  };
  // Every smsdiag the benchmark starts keeps its start-up code cache here, not in the user's home.
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-bench-cache-'));
  process.env.XDG_CACHE_HOME = cacheHome;
  process.once('exit', () => rmSync(cacheHome, { recursive: true, force: true }));
  const sizes = opt('sizes', '256M,1G').split(',');
  const rounds = Number(opt('rounds', '3'));
  const soakS = Number(opt('soak', '120'));
  const pollSoakS = Number(opt('poll-soak', '300'));
  // One row alone, to measure a change to it without the whole run.
  const only = opt('only', '');
  if (only === 'soak') {
    process.stdout.write(`${await soak(OUT, CLI, soakS)}\n\n${await pollSoak(pollSoakS)}\n`);
    return;
  }
  if (only === 'startup') {
    process.stdout.write(`${startUp(11)}\n`);
    return;
  }
  if (only === 'members') {
    process.stdout.write(`${await manyMembers(Number(opt('members', '200000')))}\n`);
    return;
  }
  if (only === 'rotations') {
    process.stdout.write(`${await manyRotations(Number(opt('rotations', '100')))}\n`);
    return;
  }
  const alt = anchorAlternation(builtinRules().rules);
  mkdirSync(OUT, { recursive: true });
  const rows: Row[] = [];
  let throughput = '';

  for (const size of sizes) {
    const dir = path.join(OUT, `set-${size}`);
    const marker = path.join(dir, '.complete');
    if (!existsSync(marker)) {
      process.stderr.write(`generating ${size} in ${dir} …\n`);
      await generate(dir, parseSize(size));
      writeFileSync(marker, 'seed 42\n');
    }
    const set = files(dir);
    const grepScript = (flags: string): string[] => [
      '-c',
      `grep -c ${flags} -e "$0" ${set.plain.map((f) => `'${f}'`).join(' ')}; for g in ${set.gz.map((f) => `'${f}'`).join(' ')}; do zcat "$g" | grep -c ${flags} -e "$0"; done`,
      alt,
    ];
    const walls = { grepE: [] as number[], grepEi: [] as number[], smsdiag: [] as number[] };
    let rss = 0;
    let correct = true;
    for (let r = 0; r < rounds; r++) {
      // Alternate the order each round so neither side always runs on a warmer machine.
      const order = r % 2 === 0 ? ['grepE', 'grepEi', 'smsdiag'] : ['smsdiag', 'grepEi', 'grepE'];
      for (const which of order) {
        if (which === 'grepE') walls.grepE.push(timed('sh', grepScript('-E')).wall);
        if (which === 'grepEi') walls.grepEi.push(timed('sh', grepScript('-E -i')).wall);
        if (which === 'smsdiag') {
          const m = timed(process.execPath, [CLI, 'analyze', dir, '--json']);
          walls.smsdiag.push(m.wall);
          rss = Math.max(rss, m.rssMb);
          const found = (JSON.parse(m.stdout) as { findings: Array<{ id: string; node: string }> }).findings.map((f) => `${f.id}@${f.node}`).sort();
          const want = PLANTED.map(([id, node]) => `${id}@${node}`).sort();
          if (JSON.stringify(found) !== JSON.stringify(want)) {
            correct = false;
            process.stderr.write(`WRONG ANSWER at ${size}: found ${found.join(', ')}; planted ${want.join(', ')}\n`);
          }
        }
      }
    }
    const row: Row = {
      size,
      mb: set.bytes / (1 << 20),
      grepE: median(walls.grepE),
      grepEi: median(walls.grepEi),
      smsdiag: median(walls.smsdiag),
      ratio: median(walls.smsdiag) / median(walls.grepE),
      ratioI: median(walls.smsdiag) / median(walls.grepEi),
      rssMb: rss,
      correct,
    };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
    if (size === sizes[0]) {
      // As many rounds as the analysis, the median: one run of it varied 86-133 MB/s from day to day.
      const runs = Array.from({ length: rounds }, () => timed('sh', ['-c', `"${process.execPath}" "${CLI}" timeline "${dir}" --all --format ndjson > /dev/null`]));
      const wall = median(runs.map((t) => t.wall));
      const walls = runs.map((t) => t.wall.toFixed(2)).join(', ');
      throughput = `timeline --all over ${size} (${row.mb.toFixed(0)} MB of log text), median of ${rounds}: ${wall.toFixed(2)} s (${walls}), ${(row.mb / wall).toFixed(0)} MB/s, peak RSS ${Math.max(...runs.map((t) => t.rssMb)).toFixed(0)} MB`;
    }
  }

  const collectRow = await collectVsScp(path.join(OUT, `set-${sizes[0]}`), rounds);
  const floodRow = await flood(parseSize(opt('flood', '256M')), rounds);
  const membersRow = await manyMembers(Number(opt('members', '200000')));
  const rotationsRow = await manyRotations(Number(opt('rotations', '100')));
  const soakRow = `${await soak(OUT, CLI, soakS)}\n\n${await pollSoak(pollSoakS)}`;
  const startRow = startUp(11);

  const table = [
    '| input | MB (decompressed) | grep -E | grep -E -i | smsdiag analyze | ratio vs grep -E | ratio vs grep -E -i | peak RSS | findings = planted |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.size} | ${r.mb.toFixed(0)} | ${r.grepE.toFixed(2)} s | ${r.grepEi.toFixed(2)} s | ${r.smsdiag.toFixed(2)} s | ${r.ratio.toFixed(2)} | ${r.ratioI.toFixed(2)} | ${r.rssMb.toFixed(0)} MB | ${r.correct ? 'yes' : 'NO'} |`),
  ].join('\n');
  const growth = rows.length >= 2 ? `RSS growth from ${rows[0].size} to ${rows[rows.length - 1].size}: ${(((rows[rows.length - 1].rssMb - rows[0].rssMb) / rows[0].rssMb) * 100).toFixed(1)} %` : '';
  const cpu = (execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], { encoding: 'utf8' }) || '').trim();
  const machine = `${os.cpus().length} × ${cpu || os.cpus()[0]?.model}, ${(os.totalmem() / (1 << 30)).toFixed(0)} GiB RAM, Node ${process.version}, ${execFileSync('grep', ['--version'], { encoding: 'utf8' }).split('\n')[0]}`;
  const report = `## Run of ${new Date().toISOString().slice(0, 10)}\n\nMachine: ${machine}. Median of ${rounds} rounds, alternating order, files in the page cache.\n\n${table}\n\n${growth}\n\n${throughput}\n\n${collectRow}\n\n${floodRow}\n\n${membersRow}\n\n${rotationsRow}\n\n${soakRow}\n\n${startRow}\n`;
  process.stdout.write(`${report}\n`);
  writeFileSync(path.join(OUT, 'last-run.md'), report);
  if (rows.some((r) => !r.correct)) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
