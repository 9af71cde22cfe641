import { strict as assert } from 'node:assert';
import { classifyFileName, compareRotation } from '../../src/sources/catalog';

describe('catalog', () => {
  it('recognises every rotation form of every kind', () => {
    const cases: Array<[string, string | null]> = [
      ['ha.log', 'ha'], ['ha.log.1', 'ha'], ['ha.log.2.gz', 'ha'], ['ha.log.10.gz', 'ha'], ['ha.log-20171012', 'ha'],
      ['ha.log-20171012.gz', 'ha'], ['sms-info.log', 'sms-info'], ['sms-info.log.3.gz', 'sms-info'], ['mysqld.err', 'mysqld'],
      ['mysqld.err.1', 'mysqld'], ['tpt_sms.txt', 'tpt'], ['ha.state', 'state'],
      ['ha.logger', null], ['ha.log.bak', null], ['README.md', null], ['sms-info.log.x', null], ['xha.log', null],
    ];
    for (const [name, kind] of cases) assert.equal(classifyFileName(name)?.kind ?? null, kind, name);
  });

  it('orders rotations oldest first, numbers compared as numbers', () => {
    const names = ['ha.log', 'ha.log.2.gz', 'ha.log.10.gz', 'ha.log.1', 'ha.log.9', 'ha.log-20171011', 'ha.log-20170930.gz'];
    const sorted = [...names].sort((a, b) => compareRotation(classifyFileName(a)!.rotation, classifyFileName(b)!.rotation));
    assert.deepEqual(sorted, ['ha.log-20170930.gz', 'ha.log-20171011', 'ha.log.10.gz', 'ha.log.9', 'ha.log.2.gz', 'ha.log.1', 'ha.log']);
  });
});
