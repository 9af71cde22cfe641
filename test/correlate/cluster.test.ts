import { strict as assert } from 'node:assert';
import { clockSkew, DEFAULT_THRESHOLDS, noBrain, splitBrain, type ClusterView } from '../../src/correlate/cluster';
import { stateIntervals } from '../../src/correlate/intervals';
import type { NodeEvent } from '../../src/correlate/events';
import { ev } from '../helpers/events';

function view(events: NodeEvent[], until: string): ClusterView {
  const end = Date.parse(until);
  const nodes = ['primary', 'secondary'];
  return {
    nodes,
    events,
    intervals: new Map(nodes.map((n) => [n, stateIntervals(events.filter((e) => e.node === n), end)])),
    facts: new Map(nodes.map((n) => [n, {}])),
    files: new Map(),
  };
}

describe('cluster conditions', () => {
  it('split-brain: a 15 minute active/active with heartbeat loss, not a short one ended by the guard', () => {
    const long = view(
      [
        ev('primary', 'state', '2017-10-12T13:00:00Z', { state: 'Active' }),
        ev('secondary', 'state', '2017-10-12T13:00:00Z', { state: 'Passive' }),
        ev('secondary', 'heartbeat-miss', '2017-10-12T13:28:00Z'),
        ev('secondary', 'state', '2017-10-12T13:30:00Z', { state: 'Active' }),
        ev('primary', 'peer-requested-failed', '2017-10-12T13:45:00Z'),
        ev('primary', 'state', '2017-10-12T13:45:00Z', { state: 'Failed' }),
      ],
      '2017-10-12T14:00:00Z',
    );
    const o = splitBrain(long, DEFAULT_THRESHOLDS);
    assert.equal(o.length, 1);
    assert.equal(o[0].fields.minutes, '15');
    assert.equal(o[0].cause, 'heartbeat-path');

    const short = view(
      [
        ev('primary', 'state', '2017-10-12T13:00:00Z', { state: 'Active' }),
        ev('secondary', 'state', '2017-10-12T13:30:00Z', { state: 'Active' }),
        ev('primary', 'state', '2017-10-12T13:30:05Z', { state: 'Failed' }),
      ],
      '2017-10-12T14:00:00Z',
    );
    assert.equal(splitBrain(short, DEFAULT_THRESHOLDS).length, 0);
  });

  it('no-brain: neither Active for ten minutes after a swap', () => {
    const v = view(
      [
        ev('primary', 'state', '2017-10-12T13:00:00Z', { state: 'Active' }),
        ev('secondary', 'state', '2017-10-12T13:00:00Z', { state: 'Passive' }),
        ev('primary', 'admin', '2017-10-12T13:10:00Z', { action: 'Manual swap requested' }),
        ev('primary', 'state', '2017-10-12T13:10:01Z', { state: 'Passive' }),
        ev('secondary', 'state', '2017-10-12T13:20:01Z', { state: 'Active' }),
      ],
      '2017-10-12T14:00:00Z',
    );
    const o = noBrain(v, DEFAULT_THRESHOLDS);
    assert.equal(o.length, 1);
    assert.equal(o[0].fields.minutes, '10');
    assert.ok(o[0].evidence.some((e) => e.type === 'admin'));
  });

  it('clock-skew: a node told to fail before its peer took over means the peer runs ahead', () => {
    const v = view(
      [ev('primary', 'peer-requested-failed', '2017-10-12T13:48:06Z'), ev('secondary', 'takeover-complete', '2017-10-12T13:49:37Z')],
      '2017-10-12T14:00:00Z',
    );
    const o = clockSkew(v, DEFAULT_THRESHOLDS);
    assert.equal(o.length, 1);
    assert.equal(o[0].node, 'secondary');
    assert.equal(o[0].fields.seconds, '91');
    assert.equal(clockSkew(view([ev('primary', 'peer-requested-failed', '2017-10-12T13:48:06Z'), ev('secondary', 'takeover-complete', '2017-10-12T13:48:03Z')], '2017-10-12T14:00:00Z'), DEFAULT_THRESHOLDS).length, 0);
  });
});
