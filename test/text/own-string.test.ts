import { strict as assert } from 'node:assert';
import { ownSlice } from '../../src/text/own-string';

describe('own string', () => {
  it('is the slice, for any name a bundle may hold', () => {
    for (const name of ['nodes/primary/logs/ha.log-20171012', 'nodes/sms-ä/logs/ha.log.1 ✓', 'nodes/p/logs/', 'nodes/日本/logs/ha.log']) {
      const from = name.indexOf('/') + 1;
      assert.equal(ownSlice(name, from), name.slice(from));
    }
  });
});
