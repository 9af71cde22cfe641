import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderTable } from '../../src/report/table';
import type { AnalysisReport } from '../../src/types';
import { FIXTURES } from '../helpers/cli';

/** Every scenario's report (its golden analyze --json) as the analyze table. */
function reports(): Array<[string, AnalysisReport]> {
  return readdirSync(FIXTURES)
    .map((d) => [d, path.join(FIXTURES, d, 'analyze.expected.json')] as const)
    .filter(([, f]) => existsSync(f))
    .map(([d, f]) => [d, JSON.parse(readFileSync(f, 'utf8')) as AnalysisReport]);
}

describe('the analyze table', () => {
  it('fits 80 columns for every scenario, words whole', () => {
    for (const [name, report] of reports()) {
      const out = renderTable(report, { width: 80 });
      const long = out.split('\n').filter((l) => l.length > 80);
      assert.deepEqual(long, [], name);
      // Every word of every summary is there, unbroken.
      for (const f of report.findings) for (const w of f.summary.split(/\s+/)) assert.ok(out.includes(w), `${name}: "${w}" lost or split`);
    }
  });

  it('on a wide terminal keeps the columns, summary last', () => {
    const report = reports().find(([n]) => n === 'takeover-db')![1];
    const out = renderTable(report, { width: 160 });
    assert.match(out, /^SEVERITY\s+CONDITION\s+NODE\s+FIRST SEEN \(UTC\)\s+LAST SEEN \(UTC\)\s+COUNT\s+SUMMARY$/m);
    assert.ok(out.split('\n').every((l) => l.length <= 160));
  });
});
