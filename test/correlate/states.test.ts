import { strict as assert } from 'node:assert';
import { Activity } from '../../src/correlate/activity';
import { downSpans, gaps, nodeStates, overlaps, type StateInterval } from '../../src/correlate/states';
import { ev } from '../helpers/events';
import { every, story } from '../helpers/story';

const T = (hhmm: string): number => Date.parse(`2017-10-12T${hhmm}:00Z`);
const D = '2017-10-12';
const at = (hhmm: string): string => `${D}T${hhmm}:00Z`;
const shape = (ivs: StateInterval[]) => ivs.map((i) => [i.state, i.source, new Date(i.start).toISOString().slice(11, 16), new Date(i.end).toISOString().slice(11, 16)]);

describe('state model', () => {
  it('own state lines open stretches; a repeated state does not split one', () => {
    const { view } = story([
      ev('primary', 'state', at('13:00'), { state: 'Configured' }),
      ev('primary', 'state', at('13:05'), { state: 'active' }),
      ev('primary', 'state', at('13:06'), { state: 'Active' }),
      ev('primary', 'state', at('13:10'), { state: 'Failed' }),
      ev('secondary', 'state', at('14:00'), { state: 'Passive' }),
    ]);
    // Failed was the node's last line: from then on it is held, and the stretch is opened by that line.
    const p = view.intervals.get('primary')!;
    assert.deepEqual(shape(p), [['Configured', 'log', '13:00', '13:05'], ['Active', 'log', '13:05', '13:10'], ['Failed', 'held', '13:10', '14:00']]);
    assert.equal(p[2].opened?.fields.state, 'Failed');
  });

  it('a log that ends is no state change: the state is held, with low confidence, to the end of the other logs', () => {
    const { view } = story([ev('primary', 'state', at('13:00'), { state: 'Active' }), ...every('primary', 'peer-state', D, '13:01', '14:00', { state: 'Passive' }, ev), ev('secondary', 'state', at('13:00'), { state: 'Passive' }), ev('secondary', 'state', at('16:00'), { state: 'Passive' })]);
    const p = view.intervals.get('primary')!;
    assert.deepEqual(shape(p), [['Active', 'log', '13:00', '14:00'], ['Active', 'held', '14:00', '16:00']]);
    assert.equal(p[1].confidence, 'low');
  });

  it('the peer hearing from a node and seeing it Active keeps it evidenced after its own log ends', () => {
    const { view } = story([
      ev('primary', 'state', at('13:00'), { state: 'Active' }),
      ev('primary', 'peer-state', at('13:30'), { state: 'Passive' }),
      ev('secondary', 'state', at('13:00'), { state: 'Passive' }),
      ...every('secondary', 'heartbeat-reply', D, '13:01', '15:00', { ms: '80' }, ev),
      ev('secondary', 'peer-state', at('14:30'), { state: 'Active' }),
    ]);
    assert.deepEqual(shape(view.intervals.get('primary')!), [['Active', 'log', '13:00', '15:00']]);
  });

  it('silence ended by a start-up is down, from the last sign of life; the state after it is unknown until logged', () => {
    const events = [
      ev('primary', 'state', at('13:00'), { state: 'Active' }),
      ...every('primary', 'peer-state', D, '13:01', '13:30', { state: 'Passive' }, ev),
      ev('primary', 'db-start', at('13:50')),
      ev('primary', 'db-crash-recovery', '2017-10-12T13:50:01Z'),
      ev('primary', 'ha-start', '2017-10-12T13:50:10Z'),
      ev('primary', 'state', at('13:51'), { state: 'Failed' }),
      ev('secondary', 'state', at('13:00'), { state: 'Passive' }),
    ];
    const { view } = story(events);
    assert.deepEqual(shape(view.intervals.get('primary')!), [['Active', 'log', '13:00', '13:30'], ['Down', 'restart', '13:30', '13:50'], ['unknown', 'restart', '13:50', '13:51'], ['Failed', 'log', '13:51', '13:51']]);
    assert.equal(view.down.get('primary')![0].unclean, true);
  });

  it('a database restart alone is not the node down, and a short silence is not either', () => {
    const life = new Activity();
    for (const t of ['13:00', '13:01', '13:02']) life.add(T(t));
    assert.deepEqual(downSpans('p', [ev('p', 'db-start', at('13:10')), ev('p', 'db-crash-recovery', at('13:10'))], life, 60_000), []);
    assert.deepEqual(downSpans('p', [ev('p', 'ha-start', '2017-10-12T13:02:30Z')], life, 60_000), []);
    assert.equal(downSpans('p', [ev('p', 'ha-start', at('13:10'))], life, 60_000).length, 1);
  });

  it('reverts to the previous state when a synchronization fails', () => {
    const life = new Activity();
    const events = [ev('s', 'state', at('13:00'), { state: 'Configured' }), ev('s', 'state', at('13:01'), { state: 'synchronization-target' }), ev('s', 'sync', at('13:04'), { phase: 'failed', reason: 'timeout' })];
    for (const e of events) life.add(e.time!);
    const ivs = nodeStates('s', undefined, events, life, life, [], T('13:30'));
    assert.deepEqual(ivs.map((i) => [i.state, i.source]), [['Configured', 'log'], ['synchronization-target', 'log'], ['Configured', 'held']]);
    assert.equal(ivs[2].reverted, true);
    assert.equal(ivs[2].start, T('13:04'));
  });

  it('ha.state that says otherwise than the held state makes what follows the log unknown', () => {
    const { view } = story([ev('primary', 'state', at('13:00'), { state: 'Active' }), ev('secondary', 'state', at('14:00'), { state: 'Passive' })], { now: { primary: 'Failed' } });
    assert.deepEqual(shape(view.intervals.get('primary')!), [['unknown', 'held', '13:00', '14:00']]);
  });
});

describe('overlaps and gaps', () => {
  const iv = (node: string, state: string, a: string, b: string): StateInterval => ({ node, state, start: T(a), end: T(b), source: 'log', confidence: 'high' });
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
