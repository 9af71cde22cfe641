import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeInventory } from '../src/analyze';
import { resolveInputs } from '../src/sources/inputs';

describe('analyzeInventory', () => {
  let tmp: string;
  const write = (rel: string, lines: string[]): void => {
    mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    writeFileSync(path.join(tmp, rel), `${lines.join('\n')}\n`);
  };
  beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-analyze-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));
  const run = async (opts: Partial<Parameters<typeof analyzeInventory>[1]> = {}) => analyzeInventory(await resolveInputs([tmp]), opts);

  it('ha.state overrides the last logged state; since is kept only when they agree', async () => {
    write('primary/ha.log', ['2017-10-12 13:00:00,000 INFO Local state: Active']);
    write('primary/ha.state', ['Failed']);
    write('secondary/ha.log', ['2017-10-12 13:00:00,000 INFO Local state: Passive']);
    write('secondary/ha.state', ['passive']);
    const a = await run();
    assert.deepEqual(a.report.nodes.map((n) => [n.state, n.stateSince]), [['Failed', undefined], ['Passive', '2017-10-12T13:00:00.000Z']]);
    // Failed and Passive now, after the primary had been Active: nothing is Active.
    assert.deepEqual(a.report.findings.map((f) => [f.id, f.node, f.evidence[0].file]), [['no-active-node', 'cluster', 'ha.state'], ['ha-failed', 'primary', 'ha.state']]);
  });

  it('zone and clock corrections move a node onto the true timeline', async () => {
    write('secondary/ha.log', ['2017-10-12 15:49:37,000 INFO Local state: Failed']);
    const a = await analyzeInventory(await resolveInputs([tmp], { tz: { secondary: 120 }, clock: { secondary: 95_000 } }));
    assert.equal(a.report.findings[0].first, '2017-10-12T13:48:02.000Z');
    assert.ok(a.report.warnings.some((w) => /secondary: read zone-less times as UTC\+02:00 and moved its times by -95 s/.test(w)), a.report.warnings.join('\n'));
  });

  it('--since/--until limit what counts', async () => {
    write('primary/ha.log', ['2017-10-12 13:00:00,000 INFO Local state: Failed', '2017-10-12 15:00:00,000 INFO Local state: Failed']);
    const a = await run({ window: { since: Date.parse('2017-10-12T14:00:00Z') } });
    assert.equal(a.report.findings[0].count, 1);
    assert.equal(a.report.findings[0].first, '2017-10-12T15:00:00.000Z');
  });

  it('keeps Java exceptions only when they precede trouble on the node (degraded evidence)', async () => {
    write('primary/ha.log', ['2017-10-12 13:10:00,000 WARN DEGRADED HA']);
    write('primary/sms-info.log', [
      '2017-10-12 12:00:00,000 ERROR [a] (b) failed', 'com.tippingpoint.sms.EarlyException: long before',
      '2017-10-12 13:05:00,000 ERROR [a] (b) failed', 'com.tippingpoint.sms.DeviceException: device lost',
    ]);
    const a = await run();
    const exceptions = a.events.filter((e) => e.type === 'exception').map((e) => e.fields.exception);
    assert.deepEqual(exceptions, ['com.tippingpoint.sms.DeviceException']);
  });

  it('a crash report of many lines is one db-crash occurrence', async () => {
    write('primary/mysqld.err', [
      '171012 13:47:55 [ERROR] mysqld got signal 11 ;',
      'InnoDB: Assertion failure in thread 1234 in file btr0cur.cc line 42',
      '171012 13:47:56 [ERROR] mysqld got signal 6 ;',
      '171012 18:00:00 [ERROR] mysqld got signal 11 ;',
    ]);
    const a = await run();
    assert.equal(a.report.findings[0].id, 'db-crash');
    assert.equal(a.report.findings[0].count, 2);
  });
});
