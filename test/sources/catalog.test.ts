import { strict as assert } from 'node:assert';
import { classifyFileName, rotationRank } from '../../src/sources/catalog';

describe('catalog', () => {
  it('recognises every rotation form of every kind', () => {
    const cases: Array<[string, string | null]> = [
      ['ha.log', 'ha'], ['ha.log.1', 'ha'], ['ha.log.2.gz', 'ha'], ['ha.log.10.gz', 'ha'], ['ha.log-20171012', 'ha'],
      ['ha.log-20171012.gz', 'ha'], ['sms-info.log', 'sms-info'], ['sms-info.log.3.gz', 'sms-info'], ['mysqld.err', 'mysqld'],
      ['mysqld.err.1', 'mysqld'], ['tpt_sms.txt', 'tpt'], ['ha.state', 'state'],
      ['ha.log.10000', 'ha'], ['ha.log.20171012.gz', 'ha'], ['ha.log.2017-10-12', 'ha'], ['ha.log.123456789', null],
      ['ha.logger', null], ['ha.log.bak', null], ['README.md', null], ['sms-info.log.x', null], ['xha.log', null],
    ];
    for (const [name, kind] of cases) assert.equal(classifyFileName(name)?.kind ?? null, kind, name);
  });

  it('orders rotations oldest first, numbers compared as numbers', () => {
    const names = ['ha.log', 'ha.log.2.gz', 'ha.log.10.gz', 'ha.log.1', 'ha.log.9', 'ha.log-20171011', 'ha.log-20170930.gz'];
    const sorted = [...names].sort((a, b) => rotationRank(classifyFileName(a)!.rotation) - rotationRank(classifyFileName(b)!.rotation));
    assert.deepEqual(sorted, ['ha.log-20170930.gz', 'ha.log-20171011', 'ha.log.10.gz', 'ha.log.9', 'ha.log.2.gz', 'ha.log.1', 'ha.log']);
  });

  it('reads counts past 9,999 and dates after a dot, and eight digits that are no date as a count', () => {
    const names = ['ha.log.10001', 'ha.log.9999', 'ha.log.20171012', 'ha.log.20171011.gz', 'ha.log.99999999', 'ha.log'];
    const sorted = [...names].sort((a, b) => rotationRank(classifyFileName(a)!.rotation) - rotationRank(classifyFileName(b)!.rotation));
    assert.deepEqual(sorted, ['ha.log.20171011.gz', 'ha.log.20171012', 'ha.log.99999999', 'ha.log.10001', 'ha.log.9999', 'ha.log']);
    assert.deepEqual(classifyFileName('ha.log.20171012')!.rotation, { group: 0, value: 20171012, compressedName: false });
    assert.deepEqual(classifyFileName('ha.log.20171332')!.rotation, { group: 1, value: 20171332, compressedName: false });
  });
});
