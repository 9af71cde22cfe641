import { strict as assert } from 'node:assert';
import { causalStory, groupIncidents } from '../../src/correlate/incidents';
import type { Finding } from '../../src/types';
import { ev } from '../helpers/events';

describe('incidents', () => {
  it('tells the causal chain along the rules, with the time between steps', () => {
    const { chain, meanwhile } = causalStory([
      ev('primary', 'db-crash', '2017-10-12T13:47:55Z'),
      ev('secondary', 'takeover-considered', '2017-10-12T13:47:59Z'),
      ev('secondary', 'state', '2017-10-12T13:48:02Z', { state: 'Active' }),
      ev('primary', 'peer-requested-failed', '2017-10-12T13:50:02Z'),
    ]);
    assert.equal(chain, "primary's database crashed → secondary considered taking over 4 s later → secondary became Active 3 s later → primary was told by its peer to enter Failed 2 min later");
    assert.deepEqual(meanwhile, []);
  });

  it('does not join unrelated events with arrows: they happened meanwhile', () => {
    const { chain, meanwhile } = causalStory([
      ev('secondary', 'db-corruption', '2017-10-12T13:40:00Z'),
      ev('secondary', 'heartbeat-miss', '2017-10-12T13:45:00Z'),
      ev('secondary', 'takeover-considered', '2017-10-12T13:47:00Z'),
    ]);
    assert.equal(chain, 'secondary got no heartbeat reply → secondary considered taking over 2 min later');
    assert.deepEqual(meanwhile, ["secondary's database reported corruption"]);
  });

  it('a flood of one line (Failed ten times a second for hours) tells the same story as one such line', () => {
    const story = [
      ev('primary', 'db-crash', '2017-10-12T13:47:55Z'),
      ev('secondary', 'takeover-considered', '2017-10-12T13:47:59Z'),
      ev('secondary', 'state', '2017-10-12T13:48:02Z', { state: 'Active' }),
      ev('primary', 'peer-requested-failed', '2017-10-12T13:48:05Z'),
      ev('primary', 'state', '2017-10-12T13:48:06Z', { state: 'Failed' }),
    ];
    const start = Date.parse('2017-10-12T13:48:06Z');
    const flood = Array.from({ length: 200_000 }, (_, i) => ({ ...ev('primary', 'state', '2017-10-12T13:48:06Z', { state: 'Failed' }, 100 + i), time: start + 100 * (i + 1) }));
    const once = causalStory(story);
    assert.match(once.chain, /primary entered Failed 1 s later$/);
    assert.deepEqual(causalStory([...story, ...flood]), once);
  });

  it('groups findings close in time and splits distant ones', () => {
    const f = (id: string, t: string): Finding => ({ id, severity: 'critical', node: 'primary', first: t, last: t, count: 1, summary: id, evidence: [] });
    const incidents = groupIncidents(
      [f('db-crash', '2017-10-12T13:47:55.000Z'), f('ha-failed', '2017-10-12T13:50:00.000Z'), f('java-oom', '2017-10-12T18:00:00.000Z')],
      [ev('primary', 'db-crash', '2017-10-12T13:47:55Z')],
      new Map(),
      () => 0,
      600_000,
    );
    assert.deepEqual(incidents.map((i) => i.findings), [['db-crash', 'ha-failed'], ['java-oom']]);
    assert.equal(incidents[0].start, '2017-10-12T13:47:55.000Z');
  });
});
