import { strict as assert } from 'node:assert';
import { degradedCause, failedCause, replicationCause, takeoverCause } from '../../src/correlate/causes';
import { ev } from '../helpers/events';
import { every, story } from '../helpers/story';

const D = '2017-10-12';
const at = (hhmm: string): string => `${D}T${hhmm}:00Z`;

describe('causes', () => {
  describe('ha-failed', () => {
    const failed = ev('primary', 'state', '2017-10-12T13:48:06Z', { state: 'Failed' });

    it('by design when the peer asked for it, the peer takeover being part of the evidence', () => {
      const { ctx } = story([ev('secondary', 'state', '2017-10-12T13:48:03Z', { state: 'Active' }), ev('primary', 'peer-requested-failed', '2017-10-12T13:48:05Z'), failed]);
      const d = failedCause(ctx, 'primary', failed);
      assert.equal(d.cause, 'peer-requested');
      assert.equal(d.confidence, 'high');
      assert.ok(d.evidence.some((e) => e.node === 'secondary'));
    });

    it('by design, inferred and at most medium, when the peer became Active seconds before without a request line', () => {
      const { ctx } = story([ev('primary', 'local-health-failed', '2017-10-12T13:47:50Z', { check: 'jboss' }), ev('secondary', 'state', '2017-10-12T13:48:02Z', { state: 'Active' }), failed]);
      const d = failedCause(ctx, 'primary', failed);
      assert.equal(d.cause, 'peer-requested');
      assert.equal(d.confidence, 'medium');
      assert.deepEqual(d.candidates.map((c) => c.cause), ['peer-requested', 'local-health-check:jboss']);
    });

    it('improper-shutdown when the node was down and came back with crash recovery', () => {
      const { ctx } = story([
        ev('primary', 'state', at('13:00'), { state: 'Active' }),
        ev('primary', 'peer-state', at('13:20'), { state: 'Passive' }),
        ev('primary', 'db-start', at('13:47')),
        ev('primary', 'db-crash-recovery', at('13:47')),
        ev('primary', 'ha-start', '2017-10-12T13:47:30Z'),
        failed,
      ]);
      const d = failedCause(ctx, 'primary', failed);
      assert.equal(d.cause, 'improper-shutdown');
      assert.match(d.why, /not clean/);
    });

    it('unknown, with low confidence, when nothing in the windows explains it', () => {
      const { ctx } = story([ev('primary', 'local-health-failed', '2017-10-12T12:00:00Z', { check: 'database' }), ev('secondary', 'peer-requested-failed', '2017-10-12T13:48:05Z'), failed]);
      const d = failedCause(ctx, 'primary', failed);
      assert.equal(d.cause, 'unknown');
      assert.equal(d.confidence, 'low');
    });
  });

  describe('takeover', () => {
    const considered = ev('secondary', 'takeover-considered', at('13:48'));

    it('server:database outweighs the heartbeat misses a failing server also causes', () => {
      const { ctx } = story([ev('primary', 'db-crash', '2017-10-12T13:47:55Z'), ev('secondary', 'heartbeat-miss', '2017-10-12T13:47:58Z'), considered]);
      assert.equal(takeoverCause(ctx, 'secondary', considered).cause, 'server:database');
    });

    it('network when the old active kept logging through the misses', () => {
      const { ctx } = story([...every('primary', 'peer-state', D, '13:40', '13:50', { state: 'Passive' }, ev), ...every('secondary', 'heartbeat-miss', D, '13:45', '13:47', {}, ev), considered]);
      const d = takeoverCause(ctx, 'secondary', considered);
      assert.equal(d.cause, 'network');
      assert.match(d.why, /kept logging/);
    });

    it('node-down, not network, when the old active fell silent and started again later', () => {
      const { ctx } = story([
        ev('primary', 'state', at('13:00'), { state: 'Active' }),
        ...every('primary', 'peer-state', D, '13:01', '13:44', { state: 'Passive' }, ev),
        ...every('secondary', 'heartbeat-miss', D, '13:45', '13:47', {}, ev),
        considered,
        ev('primary', 'db-crash-recovery', at('14:10')),
        ev('primary', 'ha-start', at('14:10')),
      ]);
      const d = takeoverCause(ctx, 'secondary', considered);
      assert.equal(d.cause, 'node-down');
      const network = d.candidates.find((c) => c.cause === 'network')!;
      assert.ok(network.against.some((a) => /logged nothing/.test(a)));
    });

    it('server:load when the old active ran a backup and replies slowed, though it kept logging', () => {
      const { ctx } = story([
        ev('primary', 'backup', at('13:30'), { phase: 'started' }),
        ...every('primary', 'peer-state', D, '13:30', '13:50', { state: 'Passive' }, ev),
        ev('secondary', 'heartbeat-reply', at('13:40'), { ms: '1200' }),
        ...every('secondary', 'heartbeat-miss', D, '13:45', '13:47', {}, ev),
        considered,
      ]);
      assert.equal(takeoverCause(ctx, 'secondary', considered).cause, 'server:load');
    });

    it('server:oom, with the JBoss failures it explains, rather than server:jboss', () => {
      const { ctx } = story([ev('primary', 'oom', '2017-10-12T13:47:00Z', { variant: 'Java heap space' }), ev('primary', 'local-health-failed', '2017-10-12T13:47:30Z', { check: 'jboss' }), ev('secondary', 'peer-health-failed', '2017-10-12T13:47:40Z', { check: 'jboss' }), considered]);
      const d = takeoverCause(ctx, 'secondary', considered);
      assert.equal(d.cause, 'server:oom');
      assert.ok(!d.candidates.some((c) => c.cause === 'server:jboss'));
    });

    it('unknown when nothing was logged', () => {
      const { ctx } = story([considered]);
      assert.equal(takeoverCause(ctx, 'secondary', considered).cause, 'unknown');
    });
  });

  it('replication broken by the replica running out of disk, not by the conflict it caused', () => {
    const err = ev('secondary', 'db-replication-error', at('14:00'), {});
    err.text = "Slave SQL: Error 'Duplicate entry' on query";
    const { ctx } = story([ev('secondary', 'db-resource', '2017-10-12T13:59:40Z'), err]);
    assert.equal(replicationCause(ctx, 'secondary', err).cause, 'server:resources');
  });

  it('degraded: the nodes on different versions after one was upgraded', () => {
    const degraded = ev('primary', 'degraded', at('14:00'));
    const { ctx } = story([ev('primary', 'upgrade', at('13:00'), { version: '5.0.1.34' }), ev('primary', 'exception', '2017-10-12T13:59:00Z'), degraded]);
    assert.equal(degradedCause(ctx, 'primary', degraded).cause, 'version-mismatch');
  });
});
