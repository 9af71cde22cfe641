import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveInputs } from '../../src/sources/inputs';
import { InputError } from '../../src/errors';

describe('resolveInputs', () => {
  let tmp: string;
  const file = (rel: string, text = '2017-10-12 13:45:01,000 INFO Local state: Active\n'): void => {
    mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    writeFileSync(path.join(tmp, rel), text);
  };
  beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-inputs-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads a directory of node directories, primary first, rotations oldest first', async () => {
    for (const f of ['secondary/ha.log', 'primary/ha.log', 'primary/ha.log.2.gz', 'primary/ha.log.10.gz', 'primary/ha.log.1', 'primary/sms-info.log', 'primary/notes.txt']) file(f);
    const inv = await resolveInputs([tmp]);
    assert.deepEqual(inv.nodes.map((n) => [n.name, n.role]), [['primary', 'primary'], ['secondary', 'secondary']]);
    assert.deepEqual(inv.nodes[0].files.map((f) => [f.path, f.order]), [['ha.log.10.gz', 0], ['ha.log.2.gz', 1], ['ha.log.1', 2], ['ha.log', 3], ['sms-info.log', 4]]);
  });

  it('names a single node directory after itself, or NAME=DIR', async () => {
    file('sms-a/ha.log');
    file('sms-b/var/log/ha.log');
    const inv = await resolveInputs([path.join(tmp, 'sms-a'), `secondary=${path.join(tmp, 'sms-b')}`]);
    assert.deepEqual(inv.nodes.map((n) => [n.name, n.role, n.files[0].path]), [['secondary', 'secondary', 'var/log/ha.log'], ['sms-a', 'unknown', 'ha.log']]);
  });

  it('reads an unpacked bundle (nodes/<node>/logs, facts/ha.state)', async () => {
    file('bundle/nodes/primary/logs/ha.log');
    file('bundle/nodes/primary/facts/ha.state', 'Active\n');
    file('bundle/manifest.json', '{}');
    const inv = await resolveInputs([path.join(tmp, 'bundle')]);
    assert.deepEqual(inv.nodes[0].files.map((f) => [f.kind, f.path]), [['ha', 'logs/ha.log'], ['state', 'facts/ha.state']]);
  });

  it('applies --tz and --clock, and warns about a node name that does not exist', async () => {
    file('primary/ha.log');
    const inv = await resolveInputs([tmp], { tz: { primary: 120 }, clock: { secondry: 5000 } });
    assert.equal(inv.nodes[0].facts.utcOffsetMinutes, 120);
    assert.match(inv.warnings.join('\n'), /no such node.*secondry|"secondry"/);
  });

  it('refuses a file it does not recognise, and a missing path, as input errors', async () => {
    file('random.txt', 'hello world\n');
    await assert.rejects(resolveInputs([path.join(tmp, 'random.txt')]), (e: Error) => e instanceof InputError && /not a file smsdiag recognises/.test(e.message));
    await assert.rejects(resolveInputs([path.join(tmp, 'missing')]), /no such file or directory/);
  });
});
