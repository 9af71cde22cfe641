import { strict as assert } from 'node:assert';
import { clockSkew, noActiveNode, noBrain, splitBrain } from '../../src/correlate/cluster';
import { DEFAULT_THRESHOLDS } from '../../src/knowledge/thresholds';
import { ev } from '../helpers/events';
import { every, story } from '../helpers/story';

const D = '2017-10-12';
const at = (hhmm: string): string => `${D}T${hhmm}:00Z`;
const t = { ...DEFAULT_THRESHOLDS };

describe('cluster conditions', () => {
  it('split-brain: 15 minutes of both Active and logging, after heartbeat loss; not a short overlap ended by the guard', () => {
    const { view } = story([
      ev('primary', 'state', at('13:00'), { state: 'Active' }),
      ...every('primary', 'peer-state', D, '13:01', '13:45', { state: 'Passive' }, ev),
      ev('secondary', 'state', at('13:00'), { state: 'Passive' }),
      ev('secondary', 'heartbeat-miss', at('13:28')),
      ev('secondary', 'state', at('13:30'), { state: 'Active' }),
      ...every('secondary', 'peer-state', D, '13:31', '13:44', { state: 'Active' }, ev),
      ...every('secondary', 'peer-state', D, '13:46', '13:50', { state: 'Failed' }, ev),
      ev('primary', 'peer-requested-failed', at('13:45')),
      ev('primary', 'state', at('13:45'), { state: 'Failed' }),
    ]);
    const o = splitBrain(view, t);
    assert.equal(o.length, 1);
    assert.equal(o[0].fields.minutes, '15');
    assert.equal(o[0].cause, 'heartbeat-path');

    const short = story([ev('primary', 'state', at('13:00'), { state: 'Active' }), ev('secondary', 'state', at('13:30'), { state: 'Active' }), ev('primary', 'state', '2017-10-12T13:30:05Z', { state: 'Failed' })]);
    assert.equal(splitBrain(short.view, t).length, 0);
  });

  it('split-brain is not the active node dead: silent, then starting again, it was down, not Active', () => {
    const { view } = story([
      ev('primary', 'state', at('13:00'), { state: 'Active' }),
      ...every('primary', 'peer-state', D, '13:01', '13:20', { state: 'Passive' }, ev),
      ev('primary', 'ha-start', at('13:50')),
      ev('primary', 'state', '2017-10-12T13:50:30Z', { state: 'Failed' }),
      ev('secondary', 'state', at('13:00'), { state: 'Passive' }),
      ...every('secondary', 'heartbeat-miss', D, '13:21', '13:23', {}, ev),
      ev('secondary', 'state', at('13:24'), { state: 'Active' }),
    ]);
    assert.deepEqual(splitBrain(view, t), []);
    assert.equal(view.down.get('primary')!.length, 1);
  });

  it('split-brain needs evidence: a state merely held after a log ended does not count', () => {
    const { view } = story([
      ev('primary', 'state', at('13:00'), { state: 'Active' }),
      ev('secondary', 'state', at('13:00'), { state: 'Passive' }),
      ev('secondary', 'state', at('13:30'), { state: 'Active' }),
      ...every('secondary', 'peer-state', D, '13:31', '14:30', { state: 'Failed' }, ev),
    ]);
    assert.deepEqual(splitBrain(view, t), []);
  });

  it('no-brain: neither Active for ten minutes after a swap; not one still going at the end, which is no-active-node', () => {
    const events = [
      ev('primary', 'state', at('13:00'), { state: 'Active' }),
      ev('secondary', 'state', at('13:00'), { state: 'Passive' }),
      ev('primary', 'admin', at('13:10'), { action: 'Manual swap requested' }),
      ev('primary', 'state', '2017-10-12T13:10:01Z', { state: 'Passive' }),
      ev('secondary', 'state', '2017-10-12T13:20:01Z', { state: 'Active' }),
      ev('primary', 'state', at('14:00'), { state: 'Passive' }),
    ];
    const o = noBrain(story(events).view, t);
    assert.equal(o.length, 1);
    assert.equal(o[0].fields.minutes, '10');
    assert.ok(o[0].evidence.some((e) => e.type === 'admin'));
    const ongoing = story(events.slice(0, 4).concat(ev('secondary', 'state', at('14:00'), { state: 'Passive' })), { now: { primary: 'Passive', secondary: 'Passive' } });
    assert.deepEqual(noBrain(ongoing.view, t), []);
    const none = noActiveNode(ongoing.view);
    assert.equal(none.length, 1);
    assert.equal(none[0].fields.states, 'primary Passive, secondary Passive');
  });

  it('no-active-node: not for a cluster that never formed, nor for nodes back to Configured', () => {
    const { view } = story([ev('primary', 'state', at('13:00'), { state: 'Configured' }), ev('secondary', 'state', at('13:00'), { state: 'Configured' })], { now: { primary: 'Configured', secondary: 'Configured' } });
    assert.deepEqual(noActiveNode(view), []);
  });

  it('clock-skew: a node told to fail before its peer took over means the peer runs ahead', () => {
    const o = clockSkew(story([ev('primary', 'peer-requested-failed', '2017-10-12T13:48:06Z'), ev('secondary', 'takeover-complete', '2017-10-12T13:49:37Z')]).view, t);
    assert.equal(o.length, 1);
    assert.equal(o[0].node, 'secondary');
    assert.equal(o[0].fields.seconds, '91');
    assert.equal(clockSkew(story([ev('primary', 'peer-requested-failed', '2017-10-12T13:48:06Z'), ev('secondary', 'takeover-complete', '2017-10-12T13:48:03Z')]).view, t).length, 0);
  });

  it('clock-skew beyond minutes: told to fail while the peer logged itself Passive, it took over hours later: a zone read wrong, with the flags', () => {
    const events = [
      ev('secondary', 'state', at('11:00'), { state: 'Passive' }),
      ...every('secondary', 'heartbeat-reply', D, '11:01', '15:49', {}, ev),
      ev('primary', 'peer-requested-failed', at('13:48')),
      ev('secondary', 'takeover-considered', '2017-10-12T15:49:35Z'),
    ];
    const o = clockSkew(story(events).view, t);
    assert.equal(o.length, 1);
    assert.equal(o[0].variant, 'zone');
    assert.equal(o[0].fields.fix, '--tz secondary=+02:00 --clock secondary=+95');
    assert.equal(o[0].fields.measure, 'at least');
    // Not known to be anything else when told: hours apart prove nothing (its older lines may be rotated away).
    assert.equal(clockSkew(story(events.slice(2)).view, t).length, 0);
    // Its own lines say it was Active when the peer was told: consistent.
    assert.equal(clockSkew(story([ev('secondary', 'state', at('11:00'), { state: 'Active' }), ...events.slice(1)]).view, t).length, 0);
  });

  it('clock-skew from a synchronization both nodes logged: an estimate when every pair agrees, nothing when they do not', () => {
    const sync = (node: string, role: string, iso: string) => ev(node, 'state', iso, { state: `synchronization-${role}` });
    const pairs = [sync('primary', 'source', '2017-10-12T13:00:09Z'), sync('secondary', 'target', '2017-10-12T14:01:44Z'), sync('primary', 'source', '2017-10-12T16:00:00Z'), sync('secondary', 'target', '2017-10-12T17:01:36Z')];
    const o = clockSkew(story(pairs).view, t);
    assert.equal(o.length, 1);
    assert.equal(o[0].node, 'secondary');
    assert.equal(o[0].fields.measure, 'about');
    assert.equal(o[0].fields.fix, '--tz secondary=+01:00 --clock secondary=+95');
    const disagree = [...pairs.slice(0, 3), sync('secondary', 'target', '2017-10-12T16:20:00Z')];
    assert.equal(clockSkew(story(disagree).view, t).length, 0);
  });
});
