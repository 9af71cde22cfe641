import { strict as assert } from 'node:assert';
import { promises as fs, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BundleError } from '../../../src/errors';
import { openBundle } from '../../../src/sources/bundle/reader';
import { verifyBundle } from '../../../src/bundle/verify';
import { run, tempDir } from '../../helpers/bundle';

describe('bundle reader: unsafe entries', () => {
  let t: ReturnType<typeof tempDir>;
  let work: string;
  beforeEach(async () => {
    t = tempDir();
    work = path.join(t.dir, 'w', 'top');
    await fs.mkdir(path.join(work, 'nodes', 'primary', 'logs'), { recursive: true });
    writeFileSync(path.join(work, 'manifest.json'), '{}');
    writeFileSync(path.join(work, 'nodes', 'primary', 'logs', 'ha.log'), 'x\n');
    writeFileSync(path.join(t.dir, 'w', 'x'), 'outside\n');
  });
  afterEach(() => t.cleanup());

  const rejects = async (archive: string, entry: RegExp, why: RegExp): Promise<void> => {
    for (const fn of [openBundle, verifyBundle]) {
      await assert.rejects(fn(archive), (e: Error) => {
        assert.ok(e instanceof BundleError, e.stack);
        assert.equal(e.exitCode, 3);
        assert.match(e.message, entry);
        assert.match(e.message, why);
        return true;
      });
    }
  };

  it('rejects an entry with a ".." segment', async () => {
    const a = path.join(t.dir, 'dotdot.tar.gz');
    run('tar', ['-czPf', a, 'top/manifest.json', 'top/../x'], path.join(t.dir, 'w'));
    assert.match(run('tar', ['-tzPf', a]), /top\/\.\.\/x/);
    await rejects(a, /"top\/\.\.\/x"/, /"\.\." segment/);
  });

  it('rejects a leading "../" entry', async () => {
    const a = path.join(t.dir, 'up.tar.gz');
    run('tar', ['-czPf', a, '../x'], work);
    await rejects(a, /"\.\.\/x"/, /"\.\." segment/);
  });

  it('rejects an absolute path', async () => {
    const a = path.join(t.dir, 'abs.tar.gz');
    const abs = path.join(t.dir, 'w', 'x');
    run('tar', ['-czPf', a, abs]);
    await rejects(a, new RegExp(`"${abs.replace(/[.]/g, '\\.')}"`), /absolute/);
  });

  it('rejects a symbolic link', async () => {
    symlinkSync('/etc/passwd', path.join(work, 'nodes', 'primary', 'logs', 'ha.log.1'));
    const a = path.join(t.dir, 'link.tar.gz');
    run('tar', ['-czf', a, 'top'], path.join(t.dir, 'w'));
    await rejects(a, /"top\/nodes\/primary\/logs\/ha\.log\.1"/, /symbolic link/);
  });

  it('rejects a hard link', async () => {
    await fs.link(path.join(work, 'nodes', 'primary', 'logs', 'ha.log'), path.join(work, 'nodes', 'primary', 'logs', 'ha.log.1'));
    const a = path.join(t.dir, 'hard.tar.gz');
    run('tar', ['-czf', a, 'top'], path.join(t.dir, 'w'));
    await rejects(a, /ha\.log(\.1)?"/, /hard link/);
  });

  it('rejects an entry outside the top directory', async () => {
    const a = path.join(t.dir, 'two.tar.gz');
    run('tar', ['-czf', a, 'top', 'x'], path.join(t.dir, 'w'));
    await rejects(a, /"x"/, /outside the bundle's top directory "top\/"/);
  });
});
