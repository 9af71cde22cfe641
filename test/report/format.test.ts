import { strict as assert } from 'node:assert';
import { fit, wrapVerbatim } from '../../src/report/format';

describe('format', () => {
  it('wrapVerbatim breaks a log line at spaces, keeping its own spacing, and gives it back whole', () => {
    const line = '2017-10-12 13:48:06,000 WARN  [com.tippingpoint.sms.ha] Peer requested local node to enter Failed state (active peer detected)';
    for (const width of [40, 60, 80]) {
      const out = wrapVerbatim(line, width, '    ', '  ');
      const pieces = out.split('\n');
      assert.ok(pieces.every((l) => l.length <= width), `${width}: ${out}`);
      assert.equal(pieces.map((l) => l.trimStart()).join(' '), line.trimStart());
    }
    assert.ok(wrapVerbatim(line, 80, '    ', '  ').includes('WARN  ['), 'the double space after the level stays');
    const token = 'x'.repeat(100);
    assert.equal(wrapVerbatim(token, 80, '  '), `  ${token}`, 'a word longer than the line is not cut');
  });

  it('fit keeps a row whole when it fits and puts the tail under the head when it does not', () => {
    assert.equal(fit('  primary  Failed', '(7 files)', 80, '    '), '  primary  Failed  (7 files)');
    assert.equal(fit('  primary  Failed', '(7 files)', 20, '    '), '  primary  Failed\n    (7 files)');
  });
});
