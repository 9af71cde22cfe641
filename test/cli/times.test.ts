import { strict as assert } from 'node:assert';
import { parseDuration, parseNodeClocks, parseNodeOffsets, parseUserTime } from '../../src/cli/times';
import { UsageError } from '../../src/errors';

describe('user times', () => {
  const now = new Date('2017-10-12T14:00:00Z');
  it('accepts ISO 8601, "YYYY-MM-DD HH:MM" as UTC, and spans back from now', () => {
    assert.equal(parseUserTime('2017-10-12T13:45:00Z', '--since', now), Date.parse('2017-10-12T13:45:00Z'));
    assert.equal(parseUserTime('2017-10-12T13:45:00+02:00', '--since', now), Date.parse('2017-10-12T11:45:00Z'));
    assert.equal(parseUserTime('2017-10-12 13:45', '--since', now), Date.parse('2017-10-12T13:45:00Z'));
    assert.equal(parseUserTime('2h', '--since', now), Date.parse('2017-10-12T12:00:00Z'));
    assert.equal(parseUserTime('7d', '--since', now), Date.parse('2017-10-05T14:00:00Z'));
  });
  it('refuses anything else with a usage error naming the flag', () => {
    assert.throws(() => parseUserTime('yesterday', '--since', now), (e: Error) => e instanceof UsageError && /--since "yesterday" is not a time/.test(e.message));
    assert.throws(() => parseDuration('ten', '--window'), UsageError);
  });
  it('parses --tz and --clock per node', () => {
    assert.deepEqual(parseNodeOffsets(['secondary=+02:00', 'primary=-0530']), { secondary: 120, primary: -330 });
    assert.deepEqual(parseNodeClocks(['secondary=+95', 'primary=-1.5']), { secondary: 95000, primary: -1500 });
    assert.throws(() => parseNodeOffsets(['secondary']), UsageError);
    assert.throws(() => parseNodeClocks(['secondary=fast']), UsageError);
  });
});
