import { strict as assert } from 'node:assert';
import { gaps, overlaps, stateIntervals } from '../../src/correlate/intervals';
import { ev } from '../helpers/events';

const T = (hhmm: string): number => Date.parse(`2017-10-12T${hhmm}:00Z`);

describe('stateIntervals', () => {
  it('opens an interval per logged state and runs the last to the end of the logs', () => {
    const ivs = stateIntervals(
      [ev('p', 'state', '2017-10-12T13:00:00Z', { state: 'Configured' }), ev('p', 'state', '2017-10-12T13:05:00Z', { state: 'active' }), ev('p', 'state', '2017-10-12T13:10:00Z', { state: 'Failed' })],
      T('14:00'),
    );
    assert.deepEqual(ivs.map((i) => [i.state, i.start, i.end]), [['Configured', T('13:00'), T('13:05')], ['Active', T('13:05'), T('13:10')], ['Failed', T('13:10'), T('14:00')]]);
  });

  it('a repeated state does not split its interval', () => {
    const ivs = stateIntervals([ev('p', 'state', '2017-10-12T13:00:00Z', { state: 'Active' }), ev('p', 'state', '2017-10-12T13:05:00Z', { state: 'Active' })], T('13:30'));
    assert.equal(ivs.length, 1);
  });

  it('reverts to the previous state when a synchronization fails', () => {
    const ivs = stateIntervals(
      [
        ev('s', 'state', '2017-10-12T13:00:00Z', { state: 'Configured' }),
        ev('s', 'state', '2017-10-12T13:01:00Z', { state: 'synchronization-target' }),
        ev('s', 'sync', '2017-10-12T13:04:00Z', { phase: 'failed', reason: 'timeout' }),
      ],
      T('13:30'),
    );
    assert.deepEqual(ivs.map((i) => i.state), ['Configured', 'synchronization-target', 'Configured']);
    assert.equal(ivs[2].reverted, true);
    assert.equal(ivs[2].start, T('13:04'));
  });
});

describe('overlaps and gaps', () => {
  const iv = (node: string, state: string, a: string, b: string) => ({ node, state, start: T(a), end: T(b), opened: ev(node, 'state', `2017-10-12T${a}:00Z`, { state }) });
  it('finds where two nodes are in a state at once', () => {
    const o = overlaps([iv('p', 'Active', '13:00', '13:30')], [iv('s', 'Active', '13:10', '13:40')]);
    assert.deepEqual(o.map((x) => [x.start, x.end]), [[T('13:10'), T('13:30')]]);
    assert.equal(overlaps([iv('p', 'Active', '13:00', '13:10')], [iv('s', 'Active', '13:10', '13:40')]).length, 0, 'touching is not overlapping');
  });
  it('finds uncovered spans', () => {
    const g = gaps([iv('p', 'Active', '13:00', '13:10'), iv('s', 'Active', '13:20', '13:25')], T('13:00'), T('13:30'));
    assert.deepEqual(g.map((x) => [x.start, x.end]), [[T('13:10'), T('13:20')], [T('13:25'), T('13:30')]]);
  });
});
