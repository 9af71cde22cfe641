import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { FIXTURES, runCli } from '../helpers/cli';

describe('worker threads from the bundle (they start from the source it embeds)', function () {
  this.timeout(120_000);

  it('analyze --threads 3 says what --threads 1 says, byte for byte', async () => {
    for (const fx of ['takeover-db', 'messy', 'skewed-clocks']) {
      const one = await runCli(['analyze', path.join(FIXTURES, fx), '--json', '--threads', '1']);
      const three = await runCli(['analyze', path.join(FIXTURES, fx), '--json', '--threads', '3']);
      assert.equal(one.code, three.code);
      assert.ok(one.stdout.length > 500, one.stderr);
      assert.equal(three.stdout, one.stdout, fx);
      assert.equal(three.stderr, one.stderr, fx);
    }
  });

  it('timeline --all gives the same bytes and warnings with --threads 3 as with --threads 1', async () => {
    for (const args of [['messy'], ['skewed-clocks'], ['syslog-central/messages', '--node', 'primary=sms-a', '--node', 'secondary=sms-b'], ['bundle/smsdiag-sms-a-20171012T135000Z.tar.gz']]) {
      const input = [path.join(FIXTURES, args[0]), ...args.slice(1)];
      for (const format of ['ndjson', 'text']) {
        const one = await runCli(['timeline', ...input, '--all', '--format', format, '--threads', '1']);
        const three = await runCli(['timeline', ...input, '--all', '--format', format, '--threads', '3']);
        assert.equal(one.code, 0, one.stderr);
        assert.ok(one.stdout.split('\n').length > 20, `${args[0]}: ${one.stdout.slice(0, 200)}`);
        assert.equal(three.code, 0, three.stderr);
        assert.equal(three.stdout, one.stdout, `${args[0]} ${format}`);
        assert.equal(three.stderr, one.stderr, `${args[0]} ${format}`);
      }
    }
  });

  it('refuses a table of every record, and a thread count of 0, as usage errors', async () => {
    const table = await runCli(['timeline', path.join(FIXTURES, 'messy'), '--all', '--format', 'table']);
    assert.equal(table.code, 2);
    assert.match(table.stderr, /--all writes every record.*--format text, ndjson or json/);
    const zero = await runCli(['timeline', path.join(FIXTURES, 'messy'), '--all', '--threads', '0']);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /threads/);
  });
});
