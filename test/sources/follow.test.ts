import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { follower, localFollowFs, type FollowChunk, type FollowFs, type FollowHandle } from '../../src/sources/follow';

/** This machine's files without their identity: what a peer's SFTP server gives. */
function withoutIds(): FollowFs {
  const fsys = localFollowFs();
  return {
    ...fsys,
    stat: async (p) => {
      const s = await fsys.stat(p);
      return s && { size: s.size, mtimeMs: s.mtimeMs };
    },
    open: async (p) => {
      const { id: _id, ...h } = await fsys.open(p);
      return h;
    },
  };
}

describe('follower (tail -F on this machine)', () => {
  let tmp: string;
  let file: string;
  const fsys = localFollowFs();
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-follow-'));
    file = path.join(tmp, 'ha.log');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  /** Every line a poll gave, as "generation:line:text", and whether it was context. */
  const lines = (chunks: FollowChunk[]): string[] =>
    chunks.flatMap((c) =>
      c.data
        .toString()
        .split('\n')
        .slice(0, -1)
        .map((t, i) => `${c.generation}:${c.firstLine + i}:${t}${c.context ? ' (context)' : ''}`),
    );
  const numbered = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

  it('starts at the end with context, then reads only appended whole lines', async () => {
    writeFileSync(file, numbered(1, 10));
    const f = follower(file, { contextBytes: 20 });
    // 20 bytes back from the end fall inside "line 8": context starts at the next whole line.
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['1:9:line 9 (context)', '1:10:line 10 (context)']);
    appendFileSync(file, 'line 11\nline 1');
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['1:11:line 11']);
    appendFileSync(file, '2\n');
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['1:12:line 12']);
    assert.deepEqual(lines((await f.poll(fsys)).chunks), []);
    await f.close();
  });

  it('reads the rest of a renamed file (then gzipped), then the new file from its start: nothing lost, nothing twice', async () => {
    writeFileSync(file, numbered(1, 3));
    const f = follower(file, { contextBytes: 0 });
    await f.poll(fsys);
    appendFileSync(file, numbered(4, 5));
    renameSync(file, `${file}.1`);
    // Written to the old file after the rename, before the logger reopened: still read.
    appendFileSync(`${file}.1`, numbered(6, 6));
    writeFileSync(file, 'new 1\n');
    const r = await f.poll(fsys);
    assert.deepEqual(lines(r.chunks), ['1:4:line 4', '1:5:line 5', '1:6:line 6', '2:1:new 1']);
    assert.match(r.notes.join('\n'), /ha\.log was rotated/);
    execFileSync('gzip', [`${file}.1`]);
    appendFileSync(file, 'new 2\n');
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['2:2:new 2']);
    await f.close();
  });

  it('reads a truncated file (copytruncate) again from its start, also when it grew past the old end between polls', async () => {
    writeFileSync(file, numbered(1, 2));
    const f = follower(file, { contextBytes: 0 });
    await f.poll(fsys);
    truncateSync(file, 0);
    appendFileSync(file, 'after 1\n');
    let r = await f.poll(fsys);
    assert.deepEqual(lines(r.chunks), ['2:1:after 1']);
    assert.match(r.notes.join('\n'), /truncated \(copytruncate\)/);
    // Truncated and rewritten longer than before: the first bytes differ, so it is seen.
    truncateSync(file, 0);
    appendFileSync(file, 'other first line, longer than everything before it\nsecond\n');
    r = await f.poll(fsys);
    assert.deepEqual(lines(r.chunks), ['3:1:other first line, longer than everything before it', '3:2:second']);
    await f.close();
  });

  it('waits for a file that does not exist yet and reads it whole when it appears; survives its removal', async () => {
    const f = follower(file, { contextBytes: 1024 });
    let r = await f.poll(fsys);
    assert.deepEqual(r.chunks, []);
    assert.match(r.notes[0], /does not exist \(yet\)/);
    assert.deepEqual((await f.poll(fsys)).notes, [], 'said once');
    writeFileSync(file, numbered(1, 2));
    r = await f.poll(fsys);
    assert.deepEqual(lines(r.chunks), ['1:1:line 1', '1:2:line 2']);
    unlinkSync(file);
    assert.deepEqual(lines((await f.poll(fsys)).chunks), []);
    writeFileSync(file, 'back\n');
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['2:1:back']);
    await f.close();
  });

  it('cuts a line longer than 1 MiB, keeps memory to that, and counts it as one line', async () => {
    writeFileSync(file, '');
    const f = follower(file, { contextBytes: 0 });
    await f.poll(fsys);
    const long = Buffer.alloc(3 << 20, 0x61);
    appendFileSync(file, long);
    assert.deepEqual((await f.poll(fsys)).chunks, []);
    appendFileSync(file, 'tail\nnext\n');
    const r = await f.poll(fsys);
    assert.equal(r.chunks.length, 1);
    const [first, second] = r.chunks[0].data.toString().split('\n');
    assert.equal(first.length, 1 << 20);
    assert.equal(second, 'next');
    assert.equal(r.chunks[0].firstLine, 1);
    await f.close();
  });

  it('tells the same file from another by its first bytes where there is no inode (SFTP)', async () => {
    const noIds = withoutIds();
    writeFileSync(file, numbered(1, 3));
    const f = follower(file, { contextBytes: 0 });
    await f.poll(noIds);
    renameSync(file, `${file}.1`);
    // The new file is already longer than what was read of the old one.
    writeFileSync(file, `${'x'.repeat(40)}\n${numbered(1, 3)}`);
    const r = await f.poll(noIds);
    assert.equal(lines(r.chunks)[0], `2:1:${'x'.repeat(40)}`);
    assert.match(r.notes.join('\n'), /ha\.log was rotated/);
    await f.close();
  });

  it('tells a truncation from a rotation where there is no inode, and says what may be missed', async () => {
    const noIds = withoutIds();
    writeFileSync(file, numbered(1, 3));
    const f = follower(file, { contextBytes: 0 });
    await f.poll(noIds);
    truncateSync(file, 0);
    appendFileSync(file, 'after 1\n');
    const r = await f.poll(noIds);
    assert.deepEqual(lines(r.chunks), ['2:1:after 1']);
    assert.match(r.notes.join('\n'), /truncated \(copytruncate\); lines written between the last read and the truncation were not seen/);
    await f.close();
  });

  it('a file shorter than its first-bytes check at the start is not taken for a new one when it grows', async () => {
    writeFileSync(file, 'short\n');
    const f = follower(file, { contextBytes: 1024 });
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['1:1:short (context)']);
    appendFileSync(file, 'more\n');
    const r = await f.poll(fsys);
    assert.deepEqual(lines(r.chunks), ['1:2:more']);
    assert.deepEqual(r.notes, []);
    await f.close();
  });

  it('after a failed poll (a lost connection) goes on where it stood: nothing read twice', async () => {
    writeFileSync(file, numbered(1, 5));
    let down = false;
    const flaky: FollowFs = {
      ...withoutIds(),
      stat: async (p) => {
        if (down) throw new Error('the connection to 127.0.0.1:22 is closed');
        return withoutIds().stat(p);
      },
    };
    const f = follower(file, { contextBytes: 0 });
    await f.poll(flaky);
    appendFileSync(file, numbered(6, 6));
    down = true;
    assert.match((await f.poll(flaky)).notes[0], /cannot read .*closed; trying again/);
    appendFileSync(file, numbered(7, 7));
    down = false;
    f.reopen();
    assert.deepEqual(lines((await f.poll(flaky)).chunks), ['1:6:line 6', '1:7:line 7']);
    await f.close();
  });

  it('reads what a writer still appends to the renamed file after the rotation was seen', async () => {
    writeFileSync(file, numbered(1, 2));
    const f = follower(file, { contextBytes: 0 });
    await f.poll(fsys);
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'new 1\n');
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['2:1:new 1']);
    // The writer reopens its log only on its signal: until then it writes the old file, the last line unended.
    appendFileSync(`${file}.1`, 'line 3\nline 4 without end');
    appendFileSync(file, 'new 2\n');
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['1:3:line 3', '2:2:new 2']);
    await f.poll(fsys);
    await f.poll(fsys);
    // Quiet for three polls: the old file is left, its unended last line given as it is.
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['1:4:line 4 without end']);
    await f.close();
  });

  it('a new file that cannot be opened yet at a rotation does not cut the old one short', async () => {
    writeFileSync(file, numbered(1, 2));
    let failOpen = false;
    const flaky: FollowFs = { ...fsys, open: async (p) => (failOpen ? Promise.reject(Object.assign(new Error('permission denied'), { code: 'EACCES' })) : fsys.open(p)) };
    const f = follower(file, { contextBytes: 0 });
    await f.poll(flaky);
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'new 1\n');
    failOpen = true;
    assert.match((await f.poll(flaky)).notes.join('\n'), /rotated[\s\S]*cannot read .*EACCES/);
    appendFileSync(`${file}.1`, 'old 3\n');
    failOpen = false;
    assert.deepEqual(lines((await f.poll(flaky)).chunks), ['1:3:old 3', '2:1:new 1']);
    await f.close();
  });

  it('a read that fails while the context is read gives the context once, from where it stopped', async () => {
    writeFileSync(file, numbered(1, 20));
    let failRead = true;
    const flaky: FollowFs = {
      ...fsys,
      open: async (p) => {
        const h = await fsys.open(p);
        // The first 64 bytes are read when the file is opened; the context after that fails once.
        return { ...h, read: (pos: number, len: number) => (failRead && len > 64 ? Promise.reject(Object.assign(new Error('I/O error'), { code: 'EIO' })) : h.read(pos, len)) };
      },
    };
    const f = follower(file, { contextBytes: 1024 });
    let r = await f.poll(flaky);
    assert.deepEqual(r.chunks, []);
    assert.match(r.notes[0], /cannot read .*EIO/);
    failRead = false;
    r = await f.poll(flaky);
    assert.deepEqual(lines(r.chunks), Array.from({ length: 20 }, (_, i) => `1:${i + 1}:line ${i + 1} (context)`));
    await f.close();
  });

  it('a rotation found by a reopen (SIGHUP) is drained like one found by a poll', async () => {
    writeFileSync(file, numbered(1, 2));
    const f = follower(file, { contextBytes: 0 });
    await f.poll(fsys);
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'new 1\n');
    appendFileSync(`${file}.1`, 'old 3\n');
    f.reopen();
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['1:3:old 3', '2:1:new 1']);
    appendFileSync(`${file}.1`, 'old 4\n');
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['1:4:old 4']);
    await f.close();
  });

  it('lines counted in a file rotated meanwhile are not used: the next poll starts again', async () => {
    writeFileSync(file, numbered(1, 30));
    let rotateOnCount = true;
    const racing: FollowFs = {
      ...withoutIds(),
      countLines: async (p, h, bytes) => {
        // The peer rotates the file between the open and the count: the count is of another file.
        if (rotateOnCount) {
          rotateOnCount = false;
          renameSync(file, `${file}.1`);
          writeFileSync(file, numbered(101, 140));
        }
        return withoutIds().countLines(p, h, bytes);
      },
    };
    const f = follower(file, { contextBytes: 40 });
    const r1 = await f.poll(racing);
    assert.deepEqual(r1.chunks, []);
    assert.match(r1.notes[0], /rotated while it was opened/);
    // Now the file at the path is counted and read as itself: its last lines with their own numbers.
    assert.deepEqual(lines((await f.poll(racing)).chunks), ['1:37:line 137 (context)', '1:38:line 138 (context)', '1:39:line 139 (context)', '1:40:line 140 (context)']);
    await f.close();
  });

  it('after a reopen goes on where it was in the same file, and from the start of another', async () => {
    writeFileSync(file, numbered(1, 2));
    const f = follower(file, { contextBytes: 0 });
    await f.poll(fsys);
    appendFileSync(file, numbered(3, 3));
    f.reopen();
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['1:3:line 3']);
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'fresh\n');
    f.reopen();
    assert.deepEqual(lines((await f.poll(fsys)).chunks), ['2:1:fresh']);
    await f.close();
  });

  it('says once that a file cannot be read, and reads on when it can', async () => {
    writeFileSync(file, numbered(1, 1));
    let failing = true;
    const flaky: FollowFs = {
      ...fsys,
      open: async (p): Promise<FollowHandle> => {
        if (failing) throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
        return fsys.open(p);
      },
    };
    const f = follower(file, { contextBytes: 100 });
    assert.deepEqual((await f.poll(flaky)).notes, [`cannot read ${file}: EACCES; trying again`]);
    assert.deepEqual((await f.poll(flaky)).notes, []);
    failing = false;
    const r = await f.poll(flaky);
    assert.deepEqual(lines(r.chunks), ['1:1:line 1 (context)']);
    assert.deepEqual(r.notes, [`${file} is readable again`]);
    await f.close();
  });
});
