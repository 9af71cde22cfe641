import { strict as assert } from 'node:assert';
import { anchorAlternation, builtinRules, RulePackError, RuleSet } from '../../src/rules/engine';
import builtin from '../../src/rules/pack.json';
import { CONDITIONS } from '../../src/rules/conditions';
import { scanFile, type Hit } from '../../src/ingest/scan';
import { memoryFile } from '../helpers/memory-file';
import type { LogKind } from '../../src/types';

describe('rule engine', () => {
  const rules = builtinRules();
  const hit = (kind: Parameters<typeof rules.match>[0], line: string) => rules.match(kind, line).map((m) => m.rule.id);

  it("matches a line the same with the scan's hint (its one anchor and where) as without it", async () => {
    const kinds: LogKind[] = ['ha', 'sms-info', 'mysqld', 'tpt'];
    let hinted = 0;
    for (const kind of kinds) {
      const samples = builtin.rules.filter((r) => (r.kinds as string[]).includes(kind)).flatMap((r) => [...(r.samples?.match ?? []), ...(r.samples?.nomatch ?? [])]);
      const lines = [
        ...samples,
        // Two anchors; UTF-8 before the anchor (offsets differ); a control byte (they do not).
        '2017-10-12 13:48:06,500 INFO [ha] Local state: Failed; Peer state: Active; considering cluster takeover',
        '2017-10-12 13:48:06,500 INFO [ha] état — Local state: Failed',
        '2017-10-12 13:48:06,500 INFO [ha] \u0001 Peer state: Active',
      ].map((l) => Buffer.from(`${l}\n`));
      // Bytes that are not UTF-8 (each one U+FFFD), and a CRLF ending.
      lines.push(Buffer.concat([Buffer.from('2017-10-12 13:48:06,500 INFO [ha] '), Buffer.from([0xff, 0xfe]), Buffer.from(' Local state: Failed\r\n')]));
      const hits: Hit[] = [];
      await scanFile(memoryFile(Buffer.concat(lines), { kind }), { anchors: rules.search(kind), onHit: (h) => hits.push(h), warn: () => undefined });
      assert.ok(hits.length >= samples.length / 2, `${kind}: ${hits.length} hits`);
      for (const h of hits) {
        if (h.anchor !== undefined) hinted++;
        assert.deepEqual(rules.match(kind, h.text, h), rules.match(kind, h.text), `${kind}: ${h.text}`);
      }
    }
    assert.ok(hinted > 50, `${hinted} hinted`);
  });

  it('tries the rules of every anchor in a line, where anchors overlap or one begins another, with and without the scan\'s hint', async () => {
    // A user's pack: "Local state" begins "Local state: Failed", and "state:" lies within both.
    const set = new RuleSet({
      version: 1,
      rules: [
        { id: 'u.state', title: 'S', kinds: ['ha'], anchors: ['Local state'], pattern: 'Local state: (?<state>\\w+)', event: 'state' },
        { id: 'u.failed', title: 'F', kinds: ['ha'], anchors: ['Local state: Failed'], pattern: 'Local state: Failed', event: 'state' },
        { id: 'u.any', title: 'A', kinds: ['ha'], anchors: ['state: fail'], pattern: 'state: fail', event: 'state' },
      ],
    });
    const line = '2017-10-12 13:48:06,500 INFO [ha] Local state: Failed';
    assert.deepEqual(set.match('ha', line).map((m) => m.rule.id), ['u.state', 'u.failed', 'u.any']);
    const hits: Hit[] = [];
    await scanFile(memoryFile(`${line}\n2017-10-12 13:48:07,000 INFO [ha] Local state: Active\n`, { kind: 'ha' }), { anchors: set.search('ha'), onHit: (h) => hits.push(h), warn: () => undefined });
    assert.deepEqual(hits.map((h) => set.match('ha', h.text, h).map((m) => m.rule.id)), [['u.state', 'u.failed', 'u.any'], ['u.state']]);
  });

  it('matches the guide phrases case-insensitively', () => {
    assert.deepEqual(hit('ha', '2017-10-12 13:48:06,500 INFO [ha] LOCAL STATE: failed'), ['ha.local-state', 'ha.local-state-failed']);
    assert.deepEqual(hit('ha', 'x considering cluster takeover'), ['ha.takeover-considered']);
    assert.deepEqual(hit('ha', 'x DEGRADED HA y'), ['ha.degraded']);
  });

  it('reads every OutOfMemoryError variant and its field', () => {
    for (const v of ['Java heap space', 'GC overhead limit exceeded', 'Metaspace', 'unable to create new native thread', 'Requested array size exceeds VM limit']) {
      const m = rules.match('sms-info', `Caused by: java.lang.OutOfMemoryError: ${v}`).find((x) => x.rule.id === 'java.oom');
      assert.equal(m?.fields.variant, v);
    }
  });

  it('tells replication errors from normal replica chatter', () => {
    assert.ok(hit('mysqld', "2026-11-22 18:19:01 5 [ERROR] Slave I/O: error connecting to master 'repl@127.0.0.1:3306' - retry-time: 60").includes('db.replication-error'));
    assert.ok(hit('mysqld', '2026-11-22 18:19:01 6 [ERROR] Slave SQL: Error \'Duplicate entry \'1\' for key \'PRIMARY\'\' on query').includes('db.replication-error'));
    assert.deepEqual(hit('mysqld', "2026-11-22 18:19:01 5 [Note] Slave I/O thread: connected to master 'repl@127.0.0.1:3306'"), ['db.replication-running']);
    // MySQL 8 words: Replica, source, for channel.
    assert.deepEqual(hit('mysqld', "2023-10-24T23:28:18.046893Z 15 [ERROR] [MY-013117] [Repl] Replica I/O for channel 'x': Fatal error: The replica I/O thread stops").sort(), ['db.error', 'db.replication-error']);
    assert.deepEqual(hit('mysqld', "2023-10-24T23:28:18.046893Z 15 [Note] [MY-010562] [Repl] Replica I/O thread for channel '': connected to source 'repl@h:3306',replication started"), ['db.replication-running']);
  });

  it('folds a field spelled name__N into name, so alternatives can share it', () => {
    const pack = new RuleSet({ version: 1, rules: [{ id: 'x.t', title: 'T', kinds: ['mysqld'], anchors: ['table'], pattern: "Table '(?<table>[^']+)' is crashed|Index for table '(?<table__2>[^']+)' is corrupt", condition: 'db-corruption' }] });
    assert.deepEqual(pack.match('mysqld', "Index for table 't1' is corrupt").map((m) => m.fields), [{ table: 't1' }]);
  });

  it('finds a pattern that begins with the line\'s first anchor where that anchor occurs again, not only at its first place', () => {
    const pack = { version: 1 as const, rules: [{ id: 't.failed', title: 't', kinds: ['ha' as const], anchors: ['Local state:'], pattern: 'Local state: (?<state>Failed)', event: 'state' }] };
    const set = new RuleSet(pack);
    assert.equal(set.rules[0].lead?.anchor, 'local state:', 'the pattern begins with its anchor');
    assert.deepEqual(set.match('ha', 'Local state: Active, was Local state: Failed').map((m) => m.fields), [{ state: 'Failed' }]);
    assert.deepEqual(set.match('ha', 'x LOCAL STATE: failed').map((m) => m.fields), [{ state: 'failed' }]);
    assert.deepEqual(set.match('ha', 'Local state: Active'), []);
    // A pattern that may match without its anchor first (an alternation at the top, a quantifier
    // after the anchor) has no lead: the leftmost match is the regex's own.
    const alt = new RuleSet({ version: 1, rules: [{ ...pack.rules[0], anchors: ['disk full'], pattern: 'disk full|volume (?<vol>\\S+) at 100%' }] });
    assert.equal(alt.rules[0].lead, undefined);
    assert.deepEqual(alt.match('ha', 'volume /data at 100% - disk full').map((m) => m.fields), [{ vol: '/data' }]);
    const opt = new RuleSet({ version: 1, rules: [{ ...pack.rules[0], anchors: ['errors'], pattern: 'errors?: (?<n>\\d+)' }] });
    assert.equal(opt.rules[0].lead, undefined);
    assert.deepEqual(opt.match('ha', 'error: 5, errors: 7').map((m) => m.fields), [{ n: '5' }]);
    // Inside a group or a class, | is no alternative of the whole: the lead stays.
    assert.ok(new RuleSet({ version: 1, rules: [{ ...pack.rules[0], pattern: 'Local state: (?<state>Failed|Active)[|]' }] }).rules[0].lead);
    // A pattern with context before its anchor has no lead: it is searched from the start.
    const ctx = new RuleSet({ version: 1, rules: [{ ...pack.rules[0], pattern: '\\] Local state: (?<state>\\w+)' }] });
    assert.equal(ctx.rules[0].lead, undefined);
    assert.deepEqual(ctx.match('ha', '[ha] Local state: Passive').map((m) => m.fields), [{ state: 'Passive' }]);
  });

  it('reads the crash, however the server words it, and not a requested shutdown', () => {
    const how = (line: string) => rules.match('mysqld', line).find((m) => m.rule.id === 'db.crash')?.fields.how;
    assert.equal(how('15:31:30 UTC - mysqld got signal 6 ;'), 'signal 6');
    assert.equal(how('2019-03-24T13:44:34Z UTC - mysqld got signal 11 ;'), 'signal 11');
    assert.equal(how('190324 13:44:34 [ERROR] mysqld.exe got exception 0xc0000005 ;'), 'exception 0xc0000005');
    assert.equal(how('InnoDB: Failing assertion: trx->roll_limit <= trx->undo_no'), 'Failing assertion');
    assert.equal(how('110914 15:12:33 [Note] Got signal 15 to shutdown mysqld'), undefined);
  });

  it('applies a rule\'s numeric condition (a pack may report a delay over its own limit)', () => {
    const pack = new RuleSet({
      version: 1,
      rules: [{ id: 'x.delay', title: 'Delay', kinds: ['ha'], anchors: ['Replication delay:'], pattern: 'Replication delay:\\s*(?<seconds>\\d+)', condition: 'replication-broken', when: { field: 'seconds', op: 'gt', value: 120 } }],
    });
    assert.deepEqual(pack.match('ha', 'Replication delay: 45 seconds'), []);
    assert.deepEqual(pack.match('ha', 'Replication delay: 300 seconds').map((m) => m.fields.seconds), ['300']);
  });

  it('has a prefilter that lets every rule pattern example through', () => {
    const re = rules.prefilter('ha');
    re.lastIndex = 0;
    assert.ok(re.test('foo Local state: Active'));
    re.lastIndex = 0;
    assert.ok(!re.test('2017-10-12 13:45:01,000 INFO Heartbeat sent to peer 10.0.0.2 via primary interface'));
  });

  it('anchors are distinctive phrases, at least five characters long', () => {
    for (const r of rules.rules) {
      const lits = r.anchors.map((a) => a.toLowerCase());
      assert.ok(lits.every((a) => a.length >= 5), `${r.id}: anchors must be distinctive`);
    }
    assert.match(anchorAlternation(rules.rules), /Local state:/);
  });

  it('refuses a broken pack with a message naming the rule', () => {
    assert.throws(() => new RuleSet({ version: 1, rules: [{ ...builtin.rules[0], pattern: '(' } as never] }, 'my.json'), (e: Error) => e instanceof RulePackError && /my\.json: rule ha\.local-state: bad pattern/.test(e.message));
    assert.throws(() => new RuleSet({ version: 1, rules: [{ ...builtin.rules[0], condition: 'nope' } as never] }, 'my.json'), /unknown condition "nope"/);
    assert.throws(() => new RuleSet({ version: 1, rules: [builtin.rules[0], builtin.rules[0]] as never }, 'my.json'), /appears twice/);
  });

  it('every condition a rule reports exists in the condition table', () => {
    const ids = new Set(CONDITIONS.map((c) => c.id));
    for (const r of rules.rules) if (r.condition) assert.ok(ids.has(r.condition), r.id);
  });
});
