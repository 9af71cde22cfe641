import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { analyzeInventory } from '../../src/analyze';
import { adviceFor } from '../../src/knowledge/lookup';
import { renderHtml } from '../../src/report/html';
import { resolveInputs } from '../../src/sources/inputs';
import { launchBrowser } from '../helpers/browser';
import { FIXTURES, REPO } from '../helpers/cli';
import { pinMtimes, scenarios } from '../helpers/scenarios';

const ARTIFACTS = path.join(REPO, 'test/artifacts');

async function report(name: string): Promise<string> {
  const s = scenarios().find((x) => x.name === name)!;
  pinMtimes(s);
  const inv = await resolveInputs(s.inputs.map((i) => path.join(s.dir, i)), {});
  return renderHtml(await analyzeInventory(inv), { explain: adviceFor });
}

describe('HTML report in headless Chromium', function () {
  this.timeout(120000);
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => browser?.close());

  for (const name of ['takeover-db', 'takeover-network', 'no-brain', 'healthy', 'dead-active']) {
    it(`${name}: lanes for both nodes, no console errors, no requests, zoom on click`, async () => {
      const html = await report(name);
      const file = path.join(ARTIFACTS, `${name}.html`);
      writeFileSync(file, html);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${file}`);
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [`file://${file}`], 'the page loads nothing but itself');
      const lanes = await page.$$eval('g.lane', (gs) => gs.map((g) => g.getAttribute('data-node')));
      assert.deepEqual(lanes, ['primary', 'secondary']);
      const states = await page.$$eval('g.lane[data-node="secondary"] rect', (rs) => rs.map((r) => r.getAttribute('data-state')));
      if (name.startsWith('takeover')) {
        assert.equal(states[states.length - 1], 'Active', `secondary ends Active: ${states.join(',')}`);
        const primary = await page.$$eval('g.lane[data-node="primary"] rect', (rs) => rs.map((r) => r.getAttribute('data-state')));
        assert.equal(primary[primary.length - 1], 'Failed');
        assert.ok((await page.$$('[data-marker="takeover-considered"]')).length >= 1);
      }
      if (name === 'takeover-network') assert.equal((await page.$$('rect[data-span="split-brain"]')).length, 1);
      if (name === 'dead-active') {
        // The dead primary is drawn down, not Active beside the new active node.
        const primary = await page.$$eval('g.lane[data-node="primary"] rect', (rs) => rs.map((r) => r.getAttribute('data-state')));
        assert.ok(primary.includes('Down'), primary.join(','));
        assert.equal((await page.$$('rect[data-span="split-brain"]')).length, 0);
      }
      if (name === 'takeover-db') {
        // The secondary has no mysqld.err: the page says what could not be checked there.
        const unchecked = await page.$$eval('td.unchecked', (tds) => tds.map((td) => td.textContent ?? ''));
        assert.deepEqual(unchecked, ['—', 'active-on-db-errors, db-corruption, db-crash, db-start-failed, unclean-shutdown (no mysqld.err)']);
      }
      if (name === 'no-brain') assert.equal((await page.$$('rect[data-span="no-brain"]')).length, 1);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
      const zoom = await page.$('button.zoom');
      if (name === 'healthy') {
        assert.equal(zoom, null, 'a healthy cluster has no incidents');
      } else {
        const before = await page.$eval('#lanes', (s) => [Number(s.getAttribute('data-from')), Number(s.getAttribute('data-to'))]);
        await zoom!.click();
        const after = await page.$eval('#lanes', (s) => [Number(s.getAttribute('data-from')), Number(s.getAttribute('data-to'))]);
        assert.ok(after[1] - after[0] < before[1] - before[0], `zoomed from ${before} to ${after}`);
        await page.screenshot({ path: path.join(ARTIFACTS, `${name}-zoomed.png`) });
      }
      await page.close();
    });
  }

  it('escapes log text: a line with markup stays text', async () => {
    const a = await analyzeInventory(await resolveInputs([path.join(FIXTURES, 'takeover-db')]));
    a.report.findings[0].evidence[0].text = '<script>window.hacked=1</script><img src=x onerror=alert(1)>';
    const html = renderHtml(a, {});
    assert.ok(!html.includes('<script>window.hacked'), 'raw markup must not reach the page');
    const page = await browser.newPage();
    await page.setContent(html);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { hacked?: number }).hacked), undefined);
    await page.close();
  });

  it('is deterministic', async () => {
    assert.equal(await report('takeover-db'), await report('takeover-db'));
  });
});
