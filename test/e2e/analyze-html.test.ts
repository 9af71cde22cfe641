import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, runCli } from '../helpers/cli';

describe('analyze --html', function () {
  this.timeout(60000);
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-html-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes a self-contained report and never replaces an existing file', async () => {
    const out = path.join(tmp, 'report.html');
    const r = await runCli(['analyze', path.join(FIXTURES, 'takeover-db'), '--html', out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /<svg id="lanes"/);
    assert.doesNotMatch(html, /<(?:link|img|script)[^>]+(?:src|href)=["']?https?:/i, 'no external resources');
    assert.ok(html.length < 2_000_000);
    writeFileSync(out, 'mine');
    const again = await runCli(['analyze', path.join(FIXTURES, 'takeover-db'), '--html', out]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /report\.html already exists/);
    assert.equal(readFileSync(out, 'utf8'), 'mine');
  });

  it('is 0600 (it quotes log lines) and leaves no temporary file', async () => {
    const out = path.join(tmp, 'r.html');
    const r = await runCli(['analyze', path.join(FIXTURES, 'takeover-db'), '--html', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(tmp).filter((n) => n.includes('partial')), []);
  });
});
