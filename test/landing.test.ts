import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLanding, following } from '../src/landing';

describe('a file followed while it lands in the spool', () => {
  let tmp: string;
  let file: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-landing-'));
    file = path.join(tmp, 'ha.log');
    writeFileSync(file, '');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

  it('gives whole pieces as the copy says they are on disk, the rest once landed, and the same bytes', async () => {
    const landing = createLanding();
    const got: Buffer[] = [];
    const reader = (async () => {
      for await (const b of following(file, landing, 4)) got.push(b);
    })();
    const lines = ['abc', 'defgh', 'ij', 'klmnopq', 'r'];
    let size = 0;
    for (const l of lines) {
      appendFileSync(file, l);
      size += l.length;
      landing.grew(size);
      await tick();
      await tick();
    }
    // Before the end, only whole pieces: the last bytes wait for the copy to end.
    assert.ok(got.every((b) => b.length === 4), got.map(String).join('|'));
    landing.landed();
    await reader;
    assert.equal(Buffer.concat(got).toString(), lines.join(''));
    assert.ok(got.slice(0, -1).every((b) => b.length === 4));
  });

  it('fails when the copy fails, with its error, even while waiting for more', async () => {
    const landing = createLanding();
    appendFileSync(file, 'abcdef');
    landing.grew(6);
    const got: string[] = [];
    const reader = (async () => {
      for await (const b of following(file, landing, 4)) got.push(String(b));
    })();
    await tick();
    landing.failed(new Error('the connection dropped'));
    await assert.rejects(reader, /the connection dropped/);
    assert.deepEqual(got, ['abcd']);
  });

  it('refuses a file holding less than the copy said had landed', async () => {
    const landing = createLanding();
    appendFileSync(file, 'ab');
    landing.grew(5);
    landing.landed();
    const reader = (async () => {
      for await (const _ of following(file, landing, 4)) void _;
    })();
    await assert.rejects(reader, /2 bytes on disk, 5 said landed/);
  });

  it('an empty file that lands ends at once; a landing ends only once', async () => {
    const landing = createLanding();
    landing.landed();
    landing.failed(new Error('late'));
    assert.equal(landing.end, 'landed');
    const got: Buffer[] = [];
    for await (const b of following(file, landing, 4)) got.push(b);
    assert.deepEqual(got, []);
  });
});
