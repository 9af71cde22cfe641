import { strict as assert } from 'node:assert';
import { Activity } from '../../src/correlate/activity';
import { ev } from '../helpers/events';
import { story } from '../helpers/story';

const T0 = Date.parse('2017-10-12T10:00:00Z');
const sec = (s: number): number => T0 + s * 1000;

/** Sightings at these seconds after T0, added in the given order. */
function seen(...seconds: number[]): Activity {
  const a = new Activity();
  for (const s of seconds) a.add(sec(s));
  return a;
}

describe('activity', () => {
  it('joins sightings no more than 30 s apart into one span, in any order of adding', () => {
    assert.deepEqual(seen(0, 10, 20, 100, 110).toSpans(), [sec(0), sec(20), sec(100), sec(110)]);
    assert.deepEqual(seen(110, 0, 100, 20, 10).toSpans(), [sec(0), sec(20), sec(100), sec(110)]);
    // A sighting between two spans that comes close to both makes them one.
    assert.deepEqual(seen(0, 50, 25).toSpans(), [sec(0), sec(50)]);
  });

  it('added in any order, the spans are those of the sorted times joined where 30 s apart or less', () => {
    // A fixed pseudo-random sequence (same every run): bursts, gaps of every size, repeats.
    let x = 12345;
    const rnd = (m: number): number => ((x = (x * 1103515245 + 12345) % 2 ** 31) % m);
    for (let round = 0; round < 20; round++) {
      const times = Array.from({ length: 500 }, () => rnd(4000)).map(sec);
      const a = new Activity();
      for (const t of times) a.add(t);
      const want: number[] = [];
      for (const t of [...times].sort((p, q) => p - q)) {
        if (want.length && t - want[want.length - 1] <= 30_000) want[want.length - 1] = t;
        else want.push(t, t);
      }
      assert.deepEqual(a.toSpans(), want);
      assert.deepEqual(Activity.fromSpans(a.toSpans()).toSpans(), want);
    }
  });

  it('merged, a span keeps its middle: a node seen every 10 s for 10 min was alive all along', () => {
    const own = seen(...Array.from({ length: 61 }, (_, k) => k * 10));
    const life = new Activity();
    life.merge(own);
    assert.deepEqual(life.toSpans(), [sec(0), sec(600)]);
    assert.equal(life.within(sec(200), sec(250)), true);
    assert.equal(life.lastBefore(sec(300)), sec(300) - 1);
  });

  it('merging is the union of both, joined where they come within 30 s, whichever is merged first', () => {
    const a = seen(0, 10, 200, 210);
    const b = seen(30, 40, 100, 400);
    const ab = new Activity();
    ab.merge(a);
    ab.merge(b);
    const ba = new Activity();
    ba.merge(b);
    ba.merge(a);
    const expected = [sec(0), sec(40), sec(100), sec(100), sec(200), sec(210), sec(400), sec(400)];
    assert.deepEqual(ab.toSpans(), expected);
    assert.deepEqual(ba.toSpans(), expected);
    assert.deepEqual(seen(0, 10, 30, 40, 100, 200, 210, 400).toSpans(), expected);
  });

  it('a node that logs through its HA service restarting is not down (its life merged with what its peer heard)', () => {
    // Every 10 s from 10:00 to 10:20 on both nodes, and the primary's HA service starting at 10:10.
    const events = [];
    for (let s = 0; s <= 1200; s += 10) {
      const iso = new Date(sec(s)).toISOString();
      events.push(ev('primary', 'heartbeat-reply', iso), ev('secondary', 'heartbeat-reply', iso));
      if (s === 600) events.push(ev('primary', 'ha-start', iso));
    }
    const { view } = story(events);
    assert.deepEqual(view.down.get('primary'), []);
    // The same restart after 5 min in which the primary logged nothing and its peer heard nothing
    // from it is down, from its last sign of life.
    const silent = events.filter((e) => e.type === 'ha-start' || e.time! <= sec(300) || e.time! >= sec(600));
    const down = story(silent).view.down.get('primary')!;
    assert.equal(down.length, 1);
    assert.equal(down[0].start, sec(300));
    assert.equal(down[0].end, sec(600));
  });
});
