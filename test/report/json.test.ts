import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { jsonPieces, renderJson } from '../../src/report/json';
import { analyzeInventory } from '../../src/analyze';
import { resolveInputs } from '../../src/sources/inputs';
import { FIXTURES } from '../helpers/cli';
import type { AnalysisReport } from '../../src/types';

/** A value of every kind JSON.stringify treats apart, nested, from a seeded generator. */
function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  const leaves: unknown[] = [null, true, false, 0, -0, 1.5e-7, -42, NaN, Infinity, 2 ** 53, '', 'plain', 'quote " back \\ nl \n tab \t', 'é ü 日本 😀', '\ud800 lone', '\u2028\u2029', undefined, () => 1, Symbol('s'), new Date(Date.UTC(2017, 9, 12, 13, 45))];
  if (depth <= 0 || r < 0.4) return leaves[Math.floor(next() * leaves.length)];
  const n = Math.floor(next() * 5);
  if (r < 0.7) return Array.from({ length: n }, () => randomValue(next, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) o[['a', 'b c', '"k"', 'ä', String(i), '__proto__x'][Math.floor(next() * 6)] + i] = randomValue(next, depth - 1);
  if (r > 0.95) o.toJSON = (k: string) => ({ from: k });
  return o;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('report/json: the --json document in pieces', () => {
  it('gives the bytes of JSON.stringify(value, null, 2) for values of every kind', () => {
    const next = seeded(7);
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(next, 5);
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      const want = `${JSON.stringify(v, null, 2)}\n`;
      assert.equal(renderJson(v as AnalysisReport), want, want);
    }
  });

  it('cuts a large document into pieces of about 64 K characters that join to the same bytes', () => {
    const files = Array.from({ length: 20000 }, (_, i) => ({ kind: 'ha', path: `logs/ha.log.${i}`, first: '2017-10-12T13:45:01.000Z', last: '2017-10-12T13:45:01.000Z', records: i }));
    const doc = { version: 1, nodes: [{ name: 'primary', files }, { name: 'secondary', files: [] }], findings: [] } as unknown as AnalysisReport;
    const pieces = [...jsonPieces(doc)];
    assert.ok(pieces.length > 20, `${pieces.length} pieces`);
    assert.ok(Math.max(...pieces.map((p) => p.length)) < 65 * 1024);
    assert.equal(pieces.join(''), `${JSON.stringify(doc, null, 2)}\n`);
  });

  it('refuses a structure inside itself, as JSON.stringify does, and writes a shared one twice', () => {
    const shared = { a: [1] };
    assert.equal(renderJson({ x: shared, y: [shared, shared] } as unknown as AnalysisReport), `${JSON.stringify({ x: shared, y: [shared, shared] }, null, 2)}\n`);
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = { back: [loop] };
    assert.throws(() => renderJson(loop as unknown as AnalysisReport), TypeError);
  });

  it('writes a fixture\'s analysis as JSON.stringify does', async () => {
    const inventory = await resolveInputs([path.join(FIXTURES, 'takeover-db')]);
    const report = (await analyzeInventory(inventory)).report;
    assert.equal(renderJson(report), `${JSON.stringify(report, null, 2)}\n`);
  });
});
