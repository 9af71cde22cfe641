import { strict as assert } from 'node:assert';
import { orderFiles } from '../../src/sources/local';
import { classifyFileName, rotationRank } from '../../src/sources/catalog';
import type { LogFile } from '../../src/types';
import { memoryFile } from '../helpers/memory-file';

describe('orderFiles', () => {
  it('puts a node\'s files oldest first within each kind, kinds in their fixed order, and numbers them', () => {
    const names = ['ha.log', 'sms-info.log', 'ha.log.2.gz', 'ha.log.10', 'ha.log-20171011', 'mysqld.err', 'ha.log.1', 'sms-info.log.1.gz', 'ha.log-20171009.gz'];
    const files: LogFile[] = names.map((n) => ({ ...memoryFile('', { kind: classifyFileName(n)!.kind, path: n, mtime: new Date(0) }), node: 'primary', order: -1 }));
    const sorted = orderFiles(files, names.map((n) => rotationRank(classifyFileName(n)!.rotation)));
    assert.deepEqual(
      sorted.map((f) => f.path),
      ['ha.log-20171009.gz', 'ha.log-20171011', 'ha.log.10', 'ha.log.2.gz', 'ha.log.1', 'ha.log', 'sms-info.log.1.gz', 'sms-info.log', 'mysqld.err'],
    );
    assert.deepEqual(sorted.map((f) => f.order), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(files[0].order, 5, 'the files given are the ones numbered');
  });
});
