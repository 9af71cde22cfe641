import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collect, type CollectOptions } from '../src/collect';
import { analyzeInventory } from '../src/analyze';
import { resolveInputs } from '../src/sources/inputs';
import { renderJson } from '../src/report/json';
import type { ProgressEvent } from '../src/report/progress';
import { FIXTURES } from './helpers/cli';

describe('collect: the analysis runs while the files land', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-collect-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  /** This machine's collection of a fixture node's logs; how often an analysis was started. */
  const run = async (progress: (node: string, e: ProgressEvent) => void = () => undefined) => {
    const logs = path.join(tmp, 'logs');
    cpSync(path.join(FIXTURES, 'takeover-db', 'primary'), logs, { recursive: true });
    const out = path.join(tmp, 'out');
    mkdirSync(out);
    let analyses = 0;
    const opts: CollectOptions = {
      nodes: [{ name: 'primary', role: 'primary' }],
      ssh: { user: 'root', port: 22, keyFile: '/nonexistent', knownHosts: '/nonexistent', acceptNewHostKey: false },
      paths: ['mysqld', 'ha', 'sms-info'].map((kind) => ({ glob: { kind: kind as 'ha', glob: `${logs}/${kind === 'mysqld' ? 'mysqld.err' : `${kind}.log`}*` } })),
      outDir: out,
      redact: false,
      commandLine: ['smsdiag', 'collect'],
      toolVersion: '0.0.0-test',
      defaultOffsetMinutes: 0,
      progress,
      // Worker threads: the files are read from the spool by the main thread as they land.
      analysisThreads: () => (analyses++, 2),
    };
    const result = await collect(opts);
    const bundle = path.join(out, readdirSync(out).find((f) => f.endsWith('.tar.gz'))!);
    const inside = execFileSync('tar', ['-xzOf', bundle, '--wildcards', '*/analysis/findings.json'], { encoding: 'utf8' });
    // Read again from the bundle, its files are under logs/, and the manifest's errors are warned of too.
    const report = (await analyzeInventory(await resolveInputs([bundle]), { threads: 1 })).report;
    report.warnings = report.warnings.filter((w) => !w.includes(': collection: '));
    const again = renderJson(report).replace(/"logs\//g, '"');
    return { result, analyses, inside, again, logs };
  };

  it('starts once the node is listed and keeps it when every file landed: the analysis of the bundle as read again', async () => {
    const r = await run();
    assert.equal(r.result.exitCode, 0);
    assert.equal(r.analyses, 1, 'one analysis, the early one');
    assert.equal(r.inside, r.again, 'the analysis in the bundle is that of the bundle');
    assert.ok(JSON.parse(r.inside).findings.some((f: { id: string }) => f.id === 'db-crash'));
  });

  it("copies a node's files in the order its analysis reads them: kind by kind, the oldest rotation first", async () => {
    const copied: string[] = [];
    const r = await run((_node, e) => {
      if (e.phase === 'copying' && e.file && !copied.includes(e.file)) copied.push(e.file);
    });
    assert.equal(r.result.exitCode, 0);
    // Listed, the live sms-info.log comes before its rotations (and mysqld.err before them all, by
    // its --path): copied in that order, the analysis would wait for the oldest rotation.
    assert.deepEqual(copied, ['ha.log', 'sms-info.log.3.gz', 'sms-info.log.2.gz', 'sms-info.log.1.gz', 'sms-info.log', 'mysqld.err']);
  });

  it('analyses again what the spool holds when a planned file did not land (it vanished after the listing)', async () => {
    let removed = false;
    const r = await run((_node, e) => {
      // The first file is being copied: the rotated sms-info logs are listed, not yet copied.
      if (e.phase === 'copying' && !removed) {
        removed = true;
        for (const n of ['sms-info.log.1.gz', 'sms-info.log.1']) rmSync(path.join(tmp, 'logs', n), { force: true });
      }
    });
    assert.ok(removed);
    assert.equal(r.result.exitCode, 4, JSON.stringify(r.result.nodes));
    assert.match(r.result.nodes[0].errors.join('\n'), /sms-info\.log\.1\.gz/);
    assert.equal(r.analyses, 2, 'the early analysis read a file the bundle does not hold: done again');
    assert.equal(r.inside, r.again, 'the analysis in the bundle is that of the bundle');
  });
});
