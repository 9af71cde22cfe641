import { strict as assert } from 'node:assert';
import type { Occurrence } from '../../src/correlate/events';
import { databaseLifecycleDetector, heartbeatDetector, maintenanceDetector, replicationDelayDetector, syncDetector } from '../../src/correlate/sequences';
import { DEFAULT_THRESHOLDS } from '../../src/knowledge/thresholds';
import { ev } from '../helpers/events';

function run(det: ReturnType<typeof heartbeatDetector>, events: ReturnType<typeof ev>[]): Occurrence[] {
  const out: Occurrence[] = [];
  for (const e of events) det.feed(e, (o) => out.push(o));
  return out;
}

describe('sequence detectors', () => {
  it('heartbeat: three misses in a row is critical; a reply resets the run; slow replies warn', () => {
    const t = (m: number) => `2017-10-12T13:${String(m).padStart(2, '0')}:00Z`;
    const occ = run(heartbeatDetector(DEFAULT_THRESHOLDS), [
      ev('s', 'heartbeat-miss', t(1)), ev('s', 'heartbeat-miss', t(2)), ev('s', 'heartbeat-reply', t(3), { ms: '80' }),
      ev('s', 'heartbeat-miss', t(4)), ev('s', 'heartbeat-miss', t(5)), ev('s', 'heartbeat-miss', t(6)),
      ev('s', 'heartbeat-reply', t(7), { ms: '450' }),
    ]);
    assert.deepEqual(occ.map((o) => o.severity), ['warning', 'warning', 'warning', 'warning', 'critical', 'warning']);
    assert.equal(occ[4].evidence.length, 3, 'the run that reached three cites all three misses');
    assert.equal(occ[5].fields.slowMs, '450');
  });

  it('database: a restart with no clean stop is unclean; after a clean stop or a crash it is not', () => {
    const occ = run(databaseLifecycleDetector(), [
      ev('p', 'db-ready', '2017-10-12T10:00:00Z'),
      ev('p', 'db-shutdown', '2017-10-12T11:00:00Z'),
      ev('p', 'db-ready', '2017-10-12T11:01:00Z'),
      ev('p', 'db-crash', '2017-10-12T12:00:00Z'),
      ev('p', 'db-ready', '2017-10-12T12:01:00Z'),
      ev('p', 'db-crash-recovery', '2017-10-12T13:00:00Z'),
      ev('p', 'db-ready', '2017-10-12T13:01:00Z'),
    ]);
    assert.equal(occ.length, 1);
    assert.equal(occ[0].evidence.length, 2, 'crash recovery line and the ready line');
    assert.equal(occ[0].evidence[1].time, Date.parse('2017-10-12T13:01:00Z'));
  });

  it('database: the first start in the logs is unclean only when crash recovery preceded it', () => {
    assert.equal(run(databaseLifecycleDetector(), [ev('p', 'db-ready', '2017-10-12T10:00:00Z')]).length, 0);
    assert.equal(run(databaseLifecycleDetector(), [ev('p', 'db-crash-recovery', '2017-10-12T09:59:00Z'), ev('p', 'db-ready', '2017-10-12T10:00:00Z')]).length, 1);
  });

  it('maintenance: a database patch counts only while HA is enabled', () => {
    const occ = run(maintenanceDetector(), [
      ev('p', 'patch', '2017-10-12T10:00:00Z', { name: 'p1', db: 'no' }),
      ev('p', 'patch', '2017-10-12T10:01:00Z', { name: 'p2', db: 'yes' }),
      ev('p', 'admin', '2017-10-12T10:02:00Z', { action: 'HA disabled' }),
      ev('p', 'upgrade', '2017-10-12T10:03:00Z', { version: '5.0.1' }),
      ev('p', 'admin', '2017-10-12T10:04:00Z', { action: 'HA enabled' }),
      ev('p', 'upgrade', '2017-10-12T10:05:00Z', { version: '5.0.2' }),
    ]);
    assert.deepEqual(occ.map((o) => o.fields.what), ['patch p2', 'upgrade to 5.0.2']);
  });

  it('replication delay: broken beyond the threshold, which --threshold changes', () => {
    const delays = [ev('s', 'replication-delay', '2017-10-12T13:00:00Z', { seconds: '45' }), ev('s', 'replication-delay', '2017-10-12T13:10:00Z', { seconds: '380' })];
    assert.deepEqual(run(replicationDelayDetector(DEFAULT_THRESHOLDS), delays).map((o) => o.fields.seconds), ['380']);
    assert.deepEqual(run(replicationDelayDetector({ ...DEFAULT_THRESHOLDS, replicationDelayMs: 30_000 }), delays).map((o) => o.fields.seconds), ['45', '380']);
  });

  it('sync: a failed synchronization names the state the node went back to', () => {
    const occ = run(syncDetector(), [
      ev('s', 'state', '2017-10-12T13:00:00Z', { state: 'Configured' }),
      ev('s', 'state', '2017-10-12T13:01:00Z', { state: 'synchronization-target' }),
      ev('s', 'sync', '2017-10-12T13:04:00Z', { phase: 'failed', reason: 'timeout' }),
    ]);
    assert.deepEqual(occ.map((o) => [o.condition, o.fields.state, o.fields.reason]), [['sync-failed', 'Configured', 'timeout']]);
  });
});

