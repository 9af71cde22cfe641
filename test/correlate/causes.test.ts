import { strict as assert } from 'node:assert';
import { failedCause, takeoverCause } from '../../src/correlate/causes';
import { ev } from '../helpers/events';

describe('failedCause', () => {
  const failed = ev('primary', 'state', '2017-10-12T13:48:06Z', { state: 'Failed' });

  it('peer-requested when the peer asked for it just before', () => {
    const events = [ev('secondary', 'takeover-complete', '2017-10-12T13:48:03Z'), ev('primary', 'peer-requested-failed', '2017-10-12T13:48:05Z'), failed];
    const d = failedCause('primary', failed, events, []);
    assert.equal(d.cause, 'peer-requested');
    assert.ok(d.evidence.some((e) => e.node === 'secondary'), 'the peer takeover is part of the evidence');
    assert.match(d.why, /asked it to/);
  });

  it('improper-shutdown after a restart without a clean stop', () => {
    const restart = ev('primary', 'db-ready', '2017-10-12T13:40:00Z');
    const d = failedCause('primary', failed, [restart, failed], [restart]);
    assert.equal(d.cause, 'improper-shutdown');
    assert.deepEqual(d.evidence, [restart, failed]);
  });

  it('local-health-check with the check that failed', () => {
    const d = failedCause('primary', failed, [ev('primary', 'local-health-failed', '2017-10-12T13:47:00Z', { check: 'JBoss' }), failed], []);
    assert.equal(d.cause, 'local-health-check:jboss');
  });

  it('prefers the peer request over an older health failure (the request is the trigger)', () => {
    const events = [ev('primary', 'local-health-failed', '2017-10-12T13:47:00Z', { check: 'database' }), ev('primary', 'peer-requested-failed', '2017-10-12T13:48:05Z'), failed];
    assert.equal(failedCause('primary', failed, events, []).cause, 'peer-requested');
  });

  it('unknown when nothing explains it, and evidence outside the windows does not count', () => {
    const events = [ev('primary', 'local-health-failed', '2017-10-12T12:00:00Z', { check: 'database' }), ev('secondary', 'peer-requested-failed', '2017-10-12T13:48:05Z'), failed];
    assert.equal(failedCause('primary', failed, events, []).cause, 'unknown');
  });
});

describe('takeoverCause', () => {
  const considered = ev('secondary', 'takeover-considered', '2017-10-12T13:48:00Z');

  it('server:database when the active database crashed', () => {
    const events = [ev('primary', 'db-crash', '2017-10-12T13:47:55Z'), ev('secondary', 'peer-health-failed', '2017-10-12T13:47:59Z', { check: 'database' }), considered, ev('secondary', 'restart-active', '2017-10-12T13:48:01Z')];
    const d = takeoverCause('secondary', considered, events);
    assert.equal(d.cause, 'server:database');
    assert.equal(d.restartAttempted, true);
    assert.ok(d.evidence.some((e) => e.node === 'primary'), 'evidence from the old active node');
  });

  it('network when only heartbeats failed', () => {
    const events = [ev('secondary', 'heartbeat-miss', '2017-10-12T13:46:00Z'), ev('secondary', 'heartbeat-fallback', '2017-10-12T13:46:01Z'), ev('secondary', 'heartbeat-miss', '2017-10-12T13:47:00Z'), considered];
    const d = takeoverCause('secondary', considered, events);
    assert.equal(d.cause, 'network');
    assert.equal(d.restartAttempted, false);
  });

  it('ambiguous: server evidence wins over heartbeat misses, and the earliest server fault is the root', () => {
    const events = [
      ev('primary', 'oom', '2017-10-12T13:45:00Z', { variant: 'Java heap space' }),
      ev('primary', 'local-health-failed', '2017-10-12T13:46:00Z', { check: 'jboss' }),
      ev('secondary', 'heartbeat-miss', '2017-10-12T13:47:00Z'),
      considered,
    ];
    const d = takeoverCause('secondary', considered, events);
    assert.equal(d.cause, 'server:oom');
    assert.match(d.why, /Heartbeat trouble was logged too/);
  });

  it("ignores the taker's own database trouble and reports unknown without signs", () => {
    const d = takeoverCause('secondary', considered, [{ ...ev('secondary', 'db-crash', '2017-10-12T13:47:00Z') }, considered]);
    assert.equal(d.cause, 'unknown');
  });
});
