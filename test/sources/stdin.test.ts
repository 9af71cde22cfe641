import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { classifyFileName } from '../../src/sources/catalog';
import { sniffKind } from '../../src/sources/stdin';
import { FIXTURES } from '../helpers/cli';

/** Every file under `dir` whose name says its kind, with that kind. */
function named(dir: string): Array<[string, string]> {
  return readdirSync(dir).flatMap((e): Array<[string, string]> => {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) return named(p);
    const c = classifyFileName(e);
    return c ? [[p, c.kind]] : [];
  });
}

function head(file: string): Buffer {
  return readFileSync(file).subarray(0, 64 * 1024);
}

/** Binary junk (the messy scenario's) is no log whatever its name: most of its bytes are not text. */
function isJunk(b: Buffer): boolean {
  if (b[0] === 0x1f && b[1] === 0x8b) return false;
  const odd = b.filter((x) => x < 9 || (x > 13 && x < 32) || x === 127).length;
  return odd * 10 > b.length;
}

describe('sniffKind (what `-` reads is told by its lines)', () => {
  it('gives every shipped log the kind its name gives, gzip included', () => {
    const all = named(FIXTURES).filter(([p]) => statSync(p).size > 0);
    const files = all.filter(([p]) => !isJunk(head(p)));
    assert.ok(files.length > 100, `${files.length} files`);
    for (const [p] of all.filter(([p]) => isJunk(head(p)))) assert.equal(sniffKind(head(p)), undefined, p);
    const wrong = files.filter(([p, kind]) => sniffKind(head(p)) !== kind).map(([p, kind]) => `${path.relative(FIXTURES, p)}: ${kind} read as ${sniffKind(head(p))}`);
    assert.deepEqual(wrong, []);
  });

  it('reads MariaDB error logs as mysqld.err, and tells a JVM console from sms-info.log by what only the JVM prints', () => {
    const real = path.join(FIXTURES, 'real');
    for (const f of readdirSync(path.join(real, 'mariadb')).filter((f) => f.endsWith('.err'))) assert.equal(sniffKind(head(path.join(real, 'mariadb', f))), 'mysqld', f);
    const jvm = readdirSync(path.join(real, 'jvm'));
    for (const f of jvm.filter((f) => f.endsWith('.console.txt'))) assert.equal(sniffKind(head(path.join(real, 'jvm', f))), 'tpt', f);
    for (const f of jvm.filter((f) => f.endsWith('.sms-info.log'))) assert.equal(sniffKind(head(path.join(real, 'jvm', f))), 'sms-info', f);
  });

  it('says nothing of text that is none of them', () => {
    assert.equal(sniffKind(Buffer.from('hello\nworld\n')), undefined);
    assert.equal(sniffKind(Buffer.alloc(4096)), undefined);
    assert.equal(sniffKind(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01])), undefined);
  });
});
