import { strict as assert } from 'node:assert';
import type { Occurrence } from '../../src/correlate/events';
import { databaseLifecycleDetector, heartbeatDetector, replicationThreadDetector, maintenanceDetector, replicationDelayDetector, syncDetector } from '../../src/correlate/sequences';
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

  it('database: a start while the server was running is unclean, dated at the new start; after a clean stop or a crash it is not', () => {
    const occ = run(databaseLifecycleDetector(), [
      ev('p', 'db-start', '2017-10-12T09:59:00Z'),
      ev('p', 'db-ready', '2017-10-12T10:00:00Z'),
      ev('p', 'db-shutdown', '2017-10-12T11:00:00Z'),
      ev('p', 'db-start', '2017-10-12T11:00:30Z'),
      ev('p', 'db-ready', '2017-10-12T11:01:00Z'),
      ev('p', 'db-crash', '2017-10-12T12:00:00Z'),
      ev('p', 'db-start', '2017-10-12T12:00:30Z'),
      ev('p', 'db-crash-recovery', '2017-10-12T12:00:40Z'),
      ev('p', 'db-ready', '2017-10-12T12:01:00Z'),
      ev('p', 'db-start', '2017-10-12T13:00:00Z'),
      ev('p', 'db-crash-recovery', '2017-10-12T13:00:10Z'),
      ev('p', 'db-ready', '2017-10-12T13:01:00Z'),
    ]);
    assert.equal(occ.length, 1, 'only the start while running; the crash is its own condition');
    assert.equal(occ[0].startTime, Date.parse('2017-10-12T13:00:00Z'));
    assert.deepEqual(occ[0].evidence.map((e) => e.type), ['db-start', 'db-crash-recovery']);
    assert.equal(occ[0].fields.how, 'started again while it was running; crash recovery at start-up');
  });

  it('database: mysqld_safe restarting the server is unclean; its own start line after it is the same start-up', () => {
    const occ = run(databaseLifecycleDetector(), [
      ev('p', 'db-start', '2017-10-12T09:59:00Z'),
      ev('p', 'db-ready', '2017-10-12T10:00:00Z'),
      ev('p', 'db-restarted', '2017-10-12T10:05:00Z'),
      ev('p', 'db-start', '2017-10-12T10:05:01Z'),
      ev('p', 'db-crash-recovery', '2017-10-12T10:05:02Z'),
      ev('p', 'db-ready', '2017-10-12T10:05:03Z'),
    ]);
    assert.equal(occ.length, 1);
    assert.equal(occ[0].startTime, Date.parse('2017-10-12T10:05:00Z'));
  });

  it('database: the first start in the logs is unclean only when it runs crash recovery', () => {
    assert.equal(run(databaseLifecycleDetector(), [ev('p', 'db-start', '2017-10-12T09:59:00Z'), ev('p', 'db-ready', '2017-10-12T10:00:00Z')]).length, 0);
    assert.equal(run(databaseLifecycleDetector(), [ev('p', 'db-start', '2017-10-12T09:59:00Z'), ev('p', 'db-crash-recovery', '2017-10-12T09:59:30Z'), ev('p', 'db-ready', '2017-10-12T10:00:00Z')]).length, 1);
  });

  it('database: a start-up that aborts before it is ready failed, with the first error as the reason', () => {
    const occ = run(databaseLifecycleDetector(), [
      ev('p', 'db-start', '2017-10-12T09:59:00Z'),
      ev('p', 'db-error', '2017-10-12T09:59:01Z', { message: "Can't start server: Bind on TCP/IP port. Got error: 98: Address already in use" }),
      ev('p', 'db-error', '2017-10-12T09:59:01Z', { message: 'Do you already have another server running on port: 3306 ?' }),
      ev('p', 'db-abort', '2017-10-12T09:59:02Z'),
    ]);
    assert.equal(occ.length, 1);
    assert.equal(occ[0].condition, 'db-start-failed');
    assert.equal(occ[0].fields.reason, "Can't start server: Bind on TCP/IP port. Got error: 98: Address already in use");
  });

  it('replication: an error opens an episode per thread; running again closes it (warning), the end of the log does not (critical)', () => {
    const det = replicationThreadDetector();
    const out: Occurrence[] = [];
    const line = (type: string, iso: string, text: string) => ({ ...ev('s', type, iso), text });
    const feed = [
      line('db-replication-error', '2017-10-12T10:00:00Z', "5 [ERROR] Slave I/O: error reconnecting to master 'root@127.0.0.1:13319' - retry-time: 2  maximum-retries: 100000  message: Can't connect, Internal MariaDB error code: 2003"),
      line('db-replication-running', '2017-10-12T10:00:12Z', "5 [Note] Slave: connected to master 'root@127.0.0.1:13319',replication resumed in log 'bin.000001' at position 2120"),
      line('db-replication-error', '2017-10-12T11:00:00Z', "6 [ERROR] Slave SQL: Error 'Duplicate entry '100' for key 'PRIMARY'' on query. Internal MariaDB error code: 1062"),
      line('db-replication-running', '2017-10-12T11:00:05Z', "5 [Note] Slave I/O thread: connected to master 'root@127.0.0.1:13319',replication starts at GTID position ''"),
    ];
    for (const e of feed) det.feed(e, (o) => out.push(o));
    det.end?.((o) => out.push(o));
    assert.deepEqual(out.map((o) => [o.variant, o.severity, o.fields.thread, o.fields.code]), [['resumed', 'warning', 'I/O', 'error 2003'], ['stopped', 'critical', 'SQL', 'error 1062']]);
    assert.equal(out[0].fields.after, '12 s');
    // The thread is the word after Slave/Replica, not a word in a host name.
    const hostDet = replicationThreadDetector();
    const got: Occurrence[] = [];
    hostDet.feed(line('db-replication-error', '2023-03-15T10:00:00Z', "5 [ERROR] Slave I/O: Got fatal error 1236 from master when reading data from binary log, Internal MariaDB error code: 1236"), (o) => got.push(o));
    hostDet.feed(line('db-replication-running', '2023-03-15T10:02:00Z', "5 [Note] Slave I/O thread: connected to master 'repl@sms-sql.corp.local:3306',replication starts at GTID position '0-1-5'"), (o) => got.push(o));
    hostDet.end?.((o) => got.push(o));
    assert.deepEqual(got.map((o) => [o.variant, o.fields.thread, o.fields.after]), [['resumed', 'I/O', '2 min']]);
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

  it('replication delay: one episode over the threshold (which --threshold changes); caught up is a warning, still behind critical', () => {
    const at = (iso: string, seconds: string) => ev('s', 'replication-delay', iso, { seconds });
    const delays = [at('2017-10-12T13:00:00Z', '45'), at('2017-10-12T13:10:00Z', '380'), at('2017-10-12T13:15:00Z', '960'), at('2017-10-12T13:20:00Z', '0'), at('2017-10-12T14:00:00Z', '500')];
    const out: Occurrence[] = [];
    const det = replicationDelayDetector(DEFAULT_THRESHOLDS);
    for (const e of delays) det.feed(e, (o) => out.push(o));
    det.end?.((o) => out.push(o));
    assert.deepEqual(out.map((o) => [o.variant, o.severity, o.fields.seconds, o.fields.after]), [['delay-recovered', 'warning', '960', '10 min'], ['delay', 'critical', '500', undefined]]);
    const low: Occurrence[] = [];
    const strict = replicationDelayDetector({ ...DEFAULT_THRESHOLDS, replicationDelayMs: 30_000 });
    for (const e of delays) strict.feed(e, (o) => low.push(o));
    assert.equal(low[0].startTime, Date.parse('2017-10-12T13:00:00Z'), 'a lower threshold starts the episode at 45 s');
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

