import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { pinMtimes, scenarios, type Scenario } from '../helpers/scenarios';

// UPDATE_GOLDEN=1 npm test rewrites the expected files; review the diff before committing it.
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function golden(s: Scenario, file: string, actual: string): void {
  const p = path.join(s.dir, file);
  if (UPDATE) writeFileSync(p, actual);
  assert.ok(existsSync(p), `${p} is missing: run UPDATE_GOLDEN=1 npm test and review it`);
  assert.equal(actual, readFileSync(p, 'utf8'), `${s.name}: output differs from ${file}`);
}

describe('golden outputs of every fixture scenario', function () {
  this.timeout(120000);
  const all = scenarios();

  it('has the scenarios the issues ask for', () => {
    const names = all.map((s) => s.name);
    for (const want of ['healthy', 'failed-improper-shutdown', 'takeover-db', 'degraded-oom', 'replication-after-patch', 'messy', 'dead-active', 'log-cut', 'failed-sync', 'averted-takeover', 'failed-by-design', 'overload-backup', 'degraded-after-upgrade', 'replica-disk-full']) {
      assert.ok(names.includes(want), `fixtures/${want}/scenario.json is missing`);
    }
  });

  for (const s of all) {
    describe(s.name, () => {
      const inputs = s.inputs.map((i) => path.join(s.dir, i));
      before(() => pinMtimes(s));

      it('analyze --json matches analyze.expected.json, and twice gives the same bytes', async () => {
        const a = await runCli(['analyze', ...inputs, ...s.args, ...s.analyzeArgs, '--json']);
        assert.equal(a.code, 0, a.stderr);
        golden(s, 'analyze.expected.json', a.stdout.split(path.join(s.dir, '')).join(''));
        const b = await runCli(['analyze', ...inputs, ...s.args, ...s.analyzeArgs, '--json']);
        assert.equal(b.stdout, a.stdout);
      });

      it('analyze --format text matches summary.expected.txt', async () => {
        const r = await runCli(['analyze', ...inputs, ...s.args, ...s.analyzeArgs, '--format', 'text']);
        assert.equal(r.code, 0, r.stderr);
        golden(s, 'summary.expected.txt', r.stdout.split(path.join(s.dir, '')).join(''));
      });

      it('timeline --format ndjson matches timeline.expected.ndjson', async () => {
        const r = await runCli(['timeline', ...inputs, ...s.args, '--format', 'ndjson']);
        assert.equal(r.code, 0, r.stderr);
        golden(s, 'timeline.expected.ndjson', r.stdout);
      });

      for (const id of s.explain) {
        it(`explain ${id} matches explain-${id}.expected.txt`, async () => {
          const r = await runCli(['explain', id, ...inputs, ...s.args, ...s.analyzeArgs]);
          assert.equal(r.code, 0, r.stderr);
          golden(s, `explain-${id}.expected.txt`, r.stdout);
        });
      }
    });
  }
});
