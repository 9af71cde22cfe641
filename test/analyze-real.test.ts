import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeInventory } from '../src/analyze';
import { resolveInputs } from '../src/sources/inputs';
import type { Finding } from '../src/types';
import { FIXTURES } from './helpers/cli';

/**
 * The real corpus (fixtures/real): what each file must give is what its SOURCES.md says a DBA or
 * Java engineer would say happened — the findings, nothing more, at the times of the deciding lines.
 */
const REAL = path.join(FIXTURES, 'real');
const MTIME = new Date('2026-11-25T12:00:00Z');

let tmp: string;
beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-real-'))));
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** Analyze one file as the node `sms` holds it under `name`, its zone-less times read as UTC. */
async function analyzeAs(source: string | { text: string }, name: string) {
  const dir = path.join(tmp, 'sms');
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, name);
  if (typeof source === 'string') copyFileSync(source, target);
  else writeFileSync(target, `${source.text}\n`);
  utimesSync(target, MTIME, MTIME);
  const a = await analyzeInventory(await resolveInputs([tmp], { tz: { sms: 0 } }));
  rmSync(dir, { recursive: true, force: true });
  return a.report;
}

const brief = (f: Finding) => [f.id, f.severity, f.first];

interface Expect {
  file: string;
  findings: Array<[string, string, string]>;
  /** Per finding id: what its summary must say, and a line of the file its evidence must cite. */
  says?: Record<string, [RegExp, number]>;
}

const MARIADB: Expect[] = [
  { file: 'clean-restarts.err', findings: [] },
  { file: 'crash-sigsegv.err', findings: [['db-crash', 'critical', '2026-11-25T11:09:12.000Z']], says: { 'db-crash': [/crashed \(signal 11\)$/, 20] } },
  { file: 'crash-sigabrt.err', findings: [['db-crash', 'critical', '2026-11-25T11:09:17.000Z']], says: { 'db-crash': [/crashed \(signal 6\)$/, 20] } },
  { file: 'killed-9.err', findings: [['unclean-shutdown', 'error', '2026-11-25T11:09:24.000Z']], says: { 'unclean-shutdown': [/started again while it was running; crash recovery/, 20] } },
  { file: 'mysqld-safe-restart.err', findings: [['unclean-shutdown', 'error', '2026-11-25T11:09:29.000Z']], says: { 'unclean-shutdown': [/mysqld_safe restarted it/, 23] } },
  { file: 'innodb-page-corruption.err', findings: [['db-corruption', 'critical', '2026-11-25T11:09:34.000Z']], says: { 'db-corruption': [/in \.\/test\/t1\.ibd/, 43] } },
  {
    file: 'innodb-lsn-future.err',
    findings: [['db-corruption', 'critical', '2026-11-25T11:09:45.000Z'], ['db-start-failed', 'critical', '2026-11-25T11:09:45.000Z']],
    says: { 'db-corruption': [/\.\/ibdata1/, 64], 'db-start-failed': [/did not start: InnoDB: Page \[page id: space=0, page number=0\] log sequence number 13095914 is in the future/, 592] },
  },
  { file: 'myisam-corruption.err', findings: [['db-corruption', 'critical', '2026-11-25T11:09:48.000Z']], says: { 'db-corruption': [/\.\/test\/m1\.MYI; \.\/test\/m1/, 47] } },
  { file: 'replication-clean-stop.err', findings: [] },
  { file: 'replication-sql-error.err', findings: [['replication-broken', 'critical', '2026-11-25T11:09:59.000Z']], says: { 'replication-broken': [/SQL thread stopped on an error \(error 1062\) and was not seen running again/, 26] } },
  { file: 'replication-relay-corrupt.err', findings: [['replication-broken', 'critical', '2026-11-25T11:10:03.000Z']], says: { 'replication-broken': [/SQL thread stopped on an error \(error 1594\)/, 30] } },
  { file: 'replication-io-error.err', findings: [['replication-broken', 'warning', '2026-11-25T11:10:08.000Z']], says: { 'replication-broken': [/I\/O thread stopped on an error \(error 2003\) and was running again 12 s later/, 29] } },
  { file: 'disk-full.err', findings: [['resource-exhaustion', 'error', '2026-11-25T11:10:25.000Z']], says: { 'resource-exhaustion': [/ran out of disk space/, 22] } },
  { file: 'too-many-open-files.err', findings: [['resource-exhaustion', 'error', '2026-11-25T11:11:30.000Z']], says: { 'resource-exhaustion': [/too many open files/, 21] } },
  { file: 'too-many-connections.err', findings: [['resource-exhaustion', 'error', '2026-11-25T11:11:53.000Z']], says: { 'resource-exhaustion': [/too many connections/, 21] } },
  {
    file: 'out-of-memory.err',
    findings: [['db-start-failed', 'critical', '2026-11-25T11:12:01.000Z'], ['resource-exhaustion', 'error', '2026-11-25T11:12:01.000Z']],
    says: { 'db-start-failed': [/did not start: InnoDB: Cannot map innodb_buffer_pool_size_max=4096m$/, 12], 'resource-exhaustion': [/could not get the memory/, 6] },
  },
  // The replica's I/O thread waits for space and logs no replication error: the disk is what broke.
  { file: 'replica-disk-full.err', findings: [['resource-exhaustion', 'error', '2026-12-03T19:32:21.000Z']], says: { 'resource-exhaustion': [/ran out of disk space$/, 28] } },
  { file: 'replica-disk-full-primary.err', findings: [] },
  { file: 'startup-failure.err', findings: [['db-start-failed', 'critical', '2026-11-25T11:12:03.000Z']], says: { 'db-start-failed': [/Bind on TCP\/IP port\. Got error: 98: Address already in use$/, 18] } },
];

function check(report: Awaited<ReturnType<typeof analyzeAs>>, e: Expect): void {
  assert.deepEqual(report.findings.map(brief), e.findings, `${e.file}: ${report.findings.map((f) => `${f.id}: ${f.summary}`).join(' | ')}`);
  for (const [id, [says, line]] of Object.entries(e.says ?? {})) {
    const f = report.findings.find((x) => x.id === id)!;
    assert.match(f.summary, says, `${e.file}: ${id}`);
    assert.ok(f.evidence.some((ev) => ev.line === line), `${e.file}: ${id} cites lines ${f.evidence.map((ev) => ev.line).join(', ')}, not ${line}`);
    assert.equal(f.timeUnknown, undefined);
  }
}

describe('real MariaDB 10.11 logs (fixtures/real/mariadb)', () => {
  it('the corpus holds exactly the files this test covers', () => {
    assert.deepEqual(readdirSync(path.join(REAL, 'mariadb')).filter((n) => n.endsWith('.err')).sort(), MARIADB.map((e) => e.file).sort());
  });
  for (const e of MARIADB) {
    it(`${e.file}: ${e.findings.map((f) => f[0]).join(', ') || 'nothing wrong'}`, async () => {
      check(await analyzeAs(path.join(REAL, 'mariadb', e.file), 'mysqld.err'), e);
    });
  }
});

/** The time of the timed line at or before line n (1-based): the record an OOM trace belongs to. */
function recordTime(file: string, n: number): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = n - 1; i >= 0; i--) {
    const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3})/.exec(lines[i]);
    if (m) return `${m[1]}T${m[2]}.${m[3]}Z`;
  }
  throw new Error(`no timed line before ${file}:${n}`);
}

describe('real JVM OutOfMemoryErrors (fixtures/real/jvm)', () => {
  const dir = path.join(REAL, 'jvm');
  const VARIANTS: Record<string, string> = {
    'heap-space': 'Java heap space',
    'gc-overhead': 'GC overhead limit exceeded',
    metaspace: 'Metaspace',
    'compressed-class-space': 'Compressed class space',
    'array-size': 'Requested array size exceeds VM limit',
    'native-thread': 'unable to create native thread: possibly out of memory or process/resource limits reached',
    'direct-buffer': 'Cannot reserve 1048576 bytes of direct buffer memory (allocated: 15736832, limit: 16777216)',
    'caused-by': 'Java heap space',
  };
  for (const [name, variant] of Object.entries(VARIANTS)) {
    for (const [file, as] of [[`${name}.sms-info.log`, 'sms-info.log'], [`${name}.console.txt`, 'tpt_sms.txt']]) {
      it(`${file}: java-oom (${variant.slice(0, 30)}) at the time of its record`, async () => {
        const report = await analyzeAs(path.join(dir, file), as);
        assert.deepEqual(report.findings.map((f) => f.id), ['java-oom']);
        const f = report.findings[0];
        assert.equal(f.summary, `Java ran out of memory (${variant})`);
        assert.equal(f.first, recordTime(path.join(dir, file), f.evidence[0].line));
      });
    }
  }

  it('uncaught-handler.console.txt: both variants are listed, the handler one too', async () => {
    const report = await analyzeAs(path.join(dir, 'uncaught-handler.console.txt'), 'tpt_sms.txt');
    assert.deepEqual(report.findings.map((f) => [f.id, f.summary]), [['java-oom', 'Java ran out of memory (Java heap space; thrown from the UncaughtExceptionHandler)']]);
  });

  it('native-alloc-failure: the VM could not get native memory — a resource, not a heap OOM', async () => {
    const report = await analyzeAs(path.join(dir, 'native-alloc-failure.console.txt'), 'tpt_sms.txt');
    assert.deepEqual(report.findings.map((f) => [f.id, f.summary]), [['resource-exhaustion', 'the Java VM could not get native memory and stopped']]);
    assert.deepEqual(report.findings[0].evidence.map((e) => e.line), [10, 11]);
  });

  it('an hs_err file has no time: its finding says so, and a warning names the file', async () => {
    const report = await analyzeAs(path.join(dir, 'native-alloc-failure.hs_err.txt'), 'tpt_sms.txt');
    assert.equal(report.findings.length, 1);
    assert.equal(report.findings[0].timeUnknown, true);
    assert.match(report.findings[0].summary, /\(time unknown: file mtime\)$/);
    assert.equal(report.findings[0].first, MTIME.toISOString());
    assert.ok(report.warnings.some((w) => /no line of tpt_sms\.txt starts with a time smsdiag understands \(\d+ line\(s\)\)/.test(w)), report.warnings.join('\n'));
  });

  it('healthy.sms-info.log and lines that only mention OutOfMemory are no finding', async () => {
    assert.deepEqual((await analyzeAs(path.join(dir, 'healthy.sms-info.log'), 'sms-info.log')).findings, []);
  });
});

interface PublicLine {
  id: string;
  category: string;
  text: string;
}

describe('real lines from public repositories (fixtures/real/public/lines.jsonl)', () => {
  const lines = readFileSync(path.join(REAL, 'public', 'lines.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as PublicLine);
  const ids = (report: Awaited<ReturnType<typeof analyzeAs>>) => report.findings.map((f) => f.id);

  it('lines that must not fire (F: other programs, other times, harmless server chatter) give nothing', async () => {
    for (const l of lines.filter((x) => x.category === 'F')) {
      assert.deepEqual(ids(await analyzeAs({ text: l.text }, 'mysqld.err')), [], `${l.id}: ${l.text}`);
      assert.deepEqual(ids(await analyzeAs({ text: l.text }, 'sms-info.log')), [], `${l.id} as sms-info.log`);
    }
  });

  it('a normal start-up of MySQL 8, Percona and Galera (X Plugin, WSREP ready) is not an unclean restart', async () => {
    const chatter = lines.filter((x) => /X Plugin ready for connections|Synchronized with group, ready for connections|initializing of server|starting as process/.test(x.text));
    assert.ok(chatter.length >= 4);
    assert.deepEqual(ids(await analyzeAs({ text: chatter.map((x) => x.text).join('\n') }, 'mysqld.err')), []);
  });

  it('every crash banner and assertion is a database crash, with its signal', async () => {
    const crashes = lines.filter((x) => x.category === 'A' && /got signal \d+ ;|Assertion failure|Failing assertion|Assertion `/.test(x.text));
    assert.ok(crashes.length >= 8);
    for (const l of crashes) {
      const report = await analyzeAs({ text: l.text }, 'mysqld.err');
      assert.deepEqual(ids(report), ['db-crash'], `${l.id}: ${l.text}`);
      const signal = /got signal (\d+)/.exec(l.text)?.[1];
      if (signal) assert.match(report.findings[0].summary, new RegExp(`signal ${signal}\\b`), l.id);
    }
  });

  it('a MySQL 8 crash stamped with the time of day only takes its date from the line before', async () => {
    const before = lines.find((x) => x.id === 'B-021')!.text;
    const crash = lines.find((x) => x.id === 'A-015')!.text;
    const report = await analyzeAs({ text: `${before}\n${crash}` }, 'mysqld.err');
    assert.deepEqual(report.findings.map(brief), [['db-crash', 'critical', '2024-07-26T15:31:30.000Z']]);
  });

  it('replication errors of MySQL 8 (Replica, for channel) and 5.x (fatal error from master) break replication', async () => {
    for (const l of lines.filter((x) => x.category === 'C' && /\[ERROR\].*Replica I\/O|Got fatal error/.test(x.text))) {
      assert.deepEqual(ids(await analyzeAs({ text: l.text }, 'mysqld.err')), ['replication-broken'], `${l.id}: ${l.text}`);
    }
  });

  it('JVM OutOfMemoryErrors written by other programs are found too', async () => {
    for (const l of lines.filter((x) => x.category === 'G')) assert.deepEqual(ids(await analyzeAs({ text: l.text }, 'sms-info.log')), ['java-oom'], l.id);
  });

  it('MySQL 5.7 mixing mysqld_safe local times with UTC lines: the implied zone is named', async () => {
    const text = ['B-001', 'B-002'].map((id) => lines.find((x) => x.id === id)!.text).join('\n');
    const report = await analyzeAs({ text }, 'mysqld.err');
    assert.ok(report.warnings.some((w) => /mysqld\.err mixes times with a zone and times without one; .* zone-less times are UTC\+01:00, while smsdiag read them as UTC\+00:00/.test(w)), report.warnings.join('\n'));
  });
});
