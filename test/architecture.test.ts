import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO } from './helpers/cli';

/**
 * The import graph is the pipeline (ARCHITECTURE.md): a module imports only from its own layer or
 * the layers before it. Use cases are the files directly in src/.
 */
const LAYERS: Array<[string, RegExp]> = [
  ['foundation', /^src\/(types|errors|heap)\.ts$|^src\/text\//],
  ['sources', /^src\/sources\//],
  ['ingest', /^src\/ingest\//],
  ['rules and knowledge', /^src\/(rules|knowledge)\//],
  ['correlate', /^src\/correlate\//],
  ['report and bundle', /^src\/(report|bundle)\//],
  ['use cases', /^src\/[^/]+\.ts$/],
  ['command-line support', /^src\/cli\//],
  ['commands', /^commands\//],
  ['entry', /^bin\//],
];

function layerOf(file: string): number {
  const i = LAYERS.findIndex(([, re]) => re.test(file));
  assert.ok(i >= 0, `${file} belongs to no layer of the pipeline`);
  return i;
}

function sources(dir: string): string[] {
  return readdirSync(path.join(REPO, dir)).flatMap((n) => {
    const rel = `${dir}/${n}`;
    if (statSync(path.join(REPO, rel)).isDirectory()) return sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

/** The repository files a module imports (relative specifiers only), with the line they are on. */
function imports(file: string): Array<{ target: string; line: number }> {
  const out: Array<{ target: string; line: number }> = [];
  readFileSync(path.join(REPO, file), 'utf8').split('\n').forEach((text, i) => {
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
      const target = [`${base}.ts`, `${base}/index.ts`, base].find((c) => { try { return statSync(path.join(REPO, c)).isFile(); } catch { return false; } }) ?? base;
      out.push({ target, line: i + 1 });
    }
  });
  return out;
}

describe('architecture', () => {
  const files = [...sources('src'), ...sources('commands'), ...sources('bin')];

  it('every module imports only from its own layer or the ones before it', () => {
    const upward: string[] = [];
    for (const f of files) {
      for (const { target, line } of imports(f)) {
        if (target.endsWith('.json') && target.startsWith(path.posix.dirname(f))) continue;
        if (target === 'package.json') continue;
        if (layerOf(target) > layerOf(f)) upward.push(`${f}:${line} (${LAYERS[layerOf(f)][0]}) imports ${target} (${LAYERS[layerOf(target)][0]})`);
      }
    }
    assert.deepEqual(upward, []);
  });

  it('has no exit-status literal outside src/errors.ts', () => {
    const literal = /\bexit\(\s*\d+\s*\)|exitCode\s*(?:[=:!]=?=?|===)\s*\d/;
    const found = files.filter((f) => f !== 'src/errors.ts').flatMap((f) => readFileSync(path.join(REPO, f), 'utf8').split('\n').map((t, i) => [f, i + 1, t] as const)).filter(([, , t]) => literal.test(t));
    assert.deepEqual(found.map(([f, l, t]) => `${f}:${l}: ${t.trim()}`), []);
  });
});
