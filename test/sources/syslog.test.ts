import { strict as assert } from 'node:assert';
import { kindOfApp, syslogHeader } from '../../src/sources/syslog';

describe('syslog', () => {
  it('reads HOSTNAME and tag from RFC 3164 and RFC 5424 lines', () => {
    assert.deepEqual(syslogHeader('Oct 12 13:45:01 sms-a smsha[1234]: Local state: Active'), { host: 'sms-a', app: 'smsha' });
    assert.deepEqual(syslogHeader('<134>Oct  2 03:04:05 sms-b mysqld: x'), { host: 'sms-b', app: 'mysqld' });
    assert.deepEqual(syslogHeader('<134>1 2017-10-12T13:45:01.003Z sms-b smsha 1234 - - Local state: Passive'), { host: 'sms-b', app: 'smsha' });
    assert.equal(syslogHeader('2017-10-12 13:45:01,000 INFO x'), null);
  });
  it('maps tags to kinds', () => {
    assert.equal(kindOfApp('mysqld'), 'mysqld');
    assert.equal(kindOfApp('mariadbd'), 'mysqld');
    assert.equal(kindOfApp('java'), 'sms-info');
    assert.equal(kindOfApp('smsha'), 'ha');
  });
});
