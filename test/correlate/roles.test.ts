import { strict as assert } from 'node:assert';
import { inferRoles } from '../../src/correlate/roles';
import type { NodeReport } from '../../src/types';
import { ev } from '../helpers/events';

const node = (name: string, role: NodeReport['role'] = 'unknown'): NodeReport => ({ name, role });
const sync = (n: string, role: string, iso: string) => ev(n, 'state', iso, { state: `synchronization-${role}` });

describe('roles inferred from the logs', () => {
  it('the first synchronization names each node; a later one the other way does not', () => {
    const got = inferRoles([node('a'), node('b')], [sync('a', 'source', '2017-10-12T13:00:09Z'), sync('b', 'target', '2017-10-12T13:00:09Z'), sync('b', 'source', '2017-10-12T16:00:00Z')]);
    assert.deepEqual(got.map((r) => [r.node, r.role]), [['a', 'primary'], ['b', 'secondary']]);
    assert.match(got[0].basis, /ha\.log:1 at 2017-10-12T13:00:09\.000Z\) was as synchronization-source/);
  });

  it('one named node gives its unnamed peer the other role; named nodes are left alone', () => {
    assert.deepEqual(inferRoles([node('primary', 'primary'), node('sms-b')], []).map((r) => [r.node, r.role, r.basis]), [['sms-b', 'secondary', 'its peer primary is the primary']]);
    assert.deepEqual(inferRoles([node('primary', 'primary'), node('secondary', 'secondary')], [sync('primary', 'target', '2017-10-12T13:00:09Z')]), []);
  });

  it('logs that make both nodes the same role claim nothing; no synchronization, nothing', () => {
    assert.deepEqual(inferRoles([node('a'), node('b')], [sync('a', 'source', '2017-10-12T13:00:09Z'), sync('b', 'source', '2017-10-12T13:00:09Z')]), []);
    assert.deepEqual(inferRoles([node('a'), node('b')], [ev('a', 'state', '2017-10-12T13:00:09Z', { state: 'Active' })]), []);
  });
});
