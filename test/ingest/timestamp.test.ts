import { strict as assert } from 'node:assert';
import { formatOffset, looksTimestamped, parseOffset, parseTimestamp, parseTimestampAt } from '../../src/ingest/timestamp';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('parseTimestamp', () => {
  const cases: Array<[string, string, string, boolean, string]> = [
    // [family label, line, expected ISO (wall clock as UTC when zoned=false), zoned, family]
    ['MySQL 5.1/5.5', '171012 13:45:01 [ERROR] /usr/sbin/mysqld: Table \'./sms/events\' is marked as crashed and should be repaired', '2017-10-12T13:45:01.000Z', false, 'mysql-short'],
    ['MySQL 5.5 space-padded hour', '171012  3:45:01  InnoDB: Database was not shut down normally!', '2017-10-12T03:45:01.000Z', false, 'mysql-short'],
    ['MySQL 5.6', '2017-10-12 13:45:01 7f0c3a5ff700 [Note] InnoDB: Starting crash recovery.', '2017-10-12T13:45:01.000Z', false, 'iso'],
    ['MySQL 5.7', '2017-10-12T13:45:01.123456Z 0 [Note] InnoDB: page_cleaner: 1000ms intended loop took 4236ms.', '2017-10-12T13:45:01.123Z', true, 'iso'],
    ['MySQL 8.0', '2017-10-12T13:45:01.000123Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.11) starting as process 1', '2017-10-12T13:45:01.000Z', true, 'iso'],
    ['MariaDB 10.11', '2026-11-22 18:19:01 16 [ERROR] InnoDB: Database page corruption on disk or a failed read of file', '2026-11-22T18:19:01.000Z', false, 'iso'],
    ['MariaDB crash report', '261122 18:19:01 [ERROR] mariadbd got signal 11 ;', '2026-11-22T18:19:01.000Z', false, 'mysql-short'],
    ['MariaDB 10.11.19 padded hour', '2026-11-24  0:25:39 0 [Note] mariadbd: ready for connections.', '2026-11-24T00:25:39.000Z', false, 'iso'],
    ['MariaDB 10.11.19 crash report padded hour', '261124  0:25:39 [ERROR] mariadbd got signal 11 ;', '2026-11-24T00:25:39.000Z', false, 'mysql-short'],
    ['log4j comma', '2017-10-12 13:45:01,123 ERROR [com.tippingpoint.sms.ha] (HA-Monitor) Local state: Failed', '2017-10-12T13:45:01.123Z', false, 'iso'],
    ['log4j dot', '2017-10-12 13:45:01.9 WARN  [x] y', '2017-10-12T13:45:01.900Z', false, 'iso'],
    ['ISO offset', '2017-10-12T13:45:01+02:00 Local state: Active', '2017-10-12T11:45:01.000Z', true, 'iso'],
    ['ISO offset no colon', '2017-10-12T13:45:01.5-0130 x', '2017-10-12T15:15:01.500Z', true, 'iso'],
    ['RFC 3164', 'Oct 12 13:45:01 sms-a smsha[1234]: Local state: Active', '2017-10-12T13:45:01.000Z', false, 'rfc3164'],
    ['RFC 3164 padded day', 'Oct  2 03:04:05 sms-b smsha: x', '2017-10-02T03:04:05.000Z', false, 'rfc3164'],
    ['RFC 3164 with PRI', '<134>Oct 12 13:45:01 sms-a smsha: x', '2017-10-12T13:45:01.000Z', false, 'rfc3164'],
    ['RFC 5424', '<134>1 2017-10-12T13:45:01.003Z sms-b smsha 1234 - - Local state: Passive', '2017-10-12T13:45:01.003Z', true, 'rfc5424'],
    ['epoch', '1507815901 Local state: Active', '2017-10-12T13:45:01.000Z', true, 'epoch'],
    ['epoch millis', '1507815901.123 x', '2017-10-12T13:45:01.123Z', true, 'epoch'],
  ];
  for (const [label, line, want, zoned, family] of cases) {
    it(`reads ${label}`, () => {
      const t = parseTimestamp(line, { mtimeMs: Date.parse('2017-10-13T00:00:00Z') });
      assert.ok(t, `no time found in ${line}`);
      assert.equal(iso(t.ms), want);
      assert.equal(t.zoned, zoned);
      assert.equal(t.family, family);
      assert.equal(looksTimestamped(Buffer.from(line), 0), true, 'byte shape check must agree with the parser');
    });
  }

  const untimed = [
    '\tat com.tippingpoint.sms.db.Pool.get(Pool.java:42)',
    'Caused by: java.lang.OutOfMemoryError: Java heap space',
    'This could be because you hit a bug. It is also possible that this binary',
    'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
    'Dumping heap to /tmp/java_pid1234.hprof ...',
    '0x55d4c9a1f2b3 my_print_stacktrace + 0x3b',
    '12345 is a number, not a time',
    '',
    'Octopus 12 13:45:01 not a month',
    '2017-13-40 25:61:00 impossible date',
  ];
  for (const line of untimed) {
    it(`finds no time in ${JSON.stringify(line.slice(0, 40))}`, () => {
      assert.equal(parseTimestamp(line), null);
    });
  }

  it('reads a line within a piece of text as it reads the line alone, whatever comes after it', () => {
    const ctx = { mtimeMs: Date.parse('2017-10-13T00:00:00Z'), nearMs: Date.parse('2017-10-12T13:00:00Z') };
    const lines = [...cases.map((c) => c[1]), ...untimed, '1507815901', '1507815901123', '<13', '<1', '2017-10-12 13:45', '171012 13:45:0', 'Thu Oct 12 13:45:15.5', '13:45:08 UTC', '2017-10-12T13:45:01+02'];
    // What follows a line could complete a stamp it cut short, if the parser read past the line break.
    const after = ['', '\n', '\n:00 x', '\n>3 x', '\n2017 x', '\n00 x', '\n:01+02:00', '\r\nx'];
    for (const line of lines) {
      const alone = parseTimestamp(line, ctx);
      for (const [i, next] of after.entries()) {
        const before = `${'x'.repeat(i)}\n`;
        const piece = `${before}${line}${next}`;
        assert.deepEqual(parseTimestampAt(piece, before.length, before.length + line.length, ctx), alone, `${JSON.stringify(line)} followed by ${JSON.stringify(next)}`);
      }
    }
  });

  it('gives RFC 3164 lines the year of the file, and the year before across December→January', () => {
    const ctx = { mtimeMs: Date.parse('2018-01-01T00:10:00Z') };
    assert.equal(iso(parseTimestamp('Dec 31 23:58:00 sms-a smsha: x', ctx)?.ms), '2017-12-31T23:58:00.000Z');
    assert.equal(iso(parseTimestamp('Jan  1 00:03:00 sms-a smsha: x', ctx)?.ms), '2018-01-01T00:03:00.000Z');
  });

  it('dates each line by its own day, however the days follow each other (a leap second rolls over as Date.UTC does)', () => {
    const lines = ['2017-12-31 23:59:59,999', '2018-01-01 00:00:00,000', '2017-12-31 23:59:60,500', '2018-02-28 12:00:00', '2018-01-01 00:00:01', '2016-02-29 23:00:00'];
    const got = lines.map((l) => new Date(parseTimestamp(l)!.ms).toISOString());
    assert.deepEqual(got, ['2017-12-31T23:59:59.999Z', '2018-01-01T00:00:00.000Z', '2018-01-01T00:00:00.500Z', '2018-02-28T12:00:00.000Z', '2018-01-01T00:00:01.000Z', '2016-02-29T23:00:00.000Z']);
  });

  it('rejects impossible clock values', () => {
    assert.equal(parseTimestamp('171312 13:45:01 x'), null);
    assert.equal(parseTimestamp('2017-10-12 24:00:00,000 x'), null);
  });
});

describe('offsets', () => {
  it('parses and formats UTC offsets', () => {
    assert.equal(parseOffset('+02:00'), 120);
    assert.equal(parseOffset('-0530'), -330);
    assert.equal(parseOffset('+2'), 120);
    assert.equal(parseOffset('Z'), 0);
    assert.equal(parseOffset('+25:00'), null);
    assert.equal(parseOffset('two'), null);
    assert.equal(formatOffset(-330), '-05:30');
    assert.equal(formatOffset(0), '+00:00');
  });
});
