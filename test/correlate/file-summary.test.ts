import { strict as assert } from 'node:assert';
import { fileSummary, plainFileSummary } from '../../src/correlate/file-summary';
import { jsonPieces } from '../../src/report/json';

const FIRST = Date.parse('2017-10-12T13:00:01.250Z');
const LAST = Date.parse('2017-10-12T13:59:20.084Z');

describe('file summary', () => {
  it('reads its times as ISO 8601 and writes the contract keys in order', () => {
    const f = fileSummary('ha', 'logs/ha.log', FIRST, LAST, 42);
    assert.equal(f.first, '2017-10-12T13:00:01.250Z');
    assert.equal(f.last, '2017-10-12T13:59:20.084Z');
    assert.equal(JSON.stringify(f), '{"kind":"ha","path":"logs/ha.log","first":"2017-10-12T13:00:01.250Z","last":"2017-10-12T13:59:20.084Z","records":42}');
  });

  it('leaves out a time it does not have, as the plain summary did', () => {
    const f = fileSummary('mysqld', 'logs/mysqld.err', undefined, undefined, 3);
    assert.equal(f.first, undefined);
    assert.equal(JSON.stringify(f), '{"kind":"mysqld","path":"logs/mysqld.err","records":3}');
    assert.equal(JSON.stringify(fileSummary('ha', 'x', FIRST, undefined, 1)), '{"kind":"ha","path":"x","first":"2017-10-12T13:00:01.250Z","records":1}');
  });

  it('goes to another thread as plain data that keeps its times, and the report writer writes it the same', () => {
    const f = fileSummary('ha', 'logs/ha.log', FIRST, LAST, 42);
    const cloned = structuredClone(plainFileSummary(f));
    assert.deepEqual(cloned, { kind: 'ha', path: 'logs/ha.log', first: '2017-10-12T13:00:01.250Z', last: '2017-10-12T13:59:20.084Z', records: 42 });
    const plain = { kind: 'state' as const, path: 'facts/ha.state', records: 1 };
    assert.equal(plainFileSummary(plain), plain);
    const report = { version: 1, nodes: [{ name: 'p', role: 'primary' as const, files: [f, plain] }], findings: [], incidents: [], warnings: [] };
    assert.equal([...jsonPieces(report as never)].join(''), `${JSON.stringify(report, null, 2)}\n`);
    assert.equal(JSON.stringify(report).includes('"first":"2017-10-12T13:00:01.250Z"'), true);
  });
});
