import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { builtinRules, loadRules, RulePackError } from '../../src/rules/engine';
import { FIXTURES } from '../helpers/cli';

/**
 * Every line of every log under fixtures/ (gzip opened), and of the real lines quoted from public
 * repositories (fixtures/real/public/lines.jsonl), to find a sample's origin in.
 */
function fixtureLines(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir)) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) {
        if (n !== 'make') walk(p);
        continue;
      }
      if (n === 'lines.jsonl') {
        for (const entry of readFileSync(p, 'utf8').split('\n').filter(Boolean)) for (const line of (JSON.parse(entry) as { text: string }).text.split('\n')) out.add(line);
        continue;
      }
      if (/\.expected\.|^scenario\.json$|\.md$/.test(n)) continue;
      const raw = readFileSync(p);
      const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }) : raw).toString('utf8');
      for (const line of text.split(/\r?\n/)) out.add(line);
    }
  };
  walk(FIXTURES);
  return out;
}

describe('rule samples', () => {
  const rules = builtinRules().rules;

  it('every rule has sample lines it must report', () => {
    assert.deepEqual(rules.filter((r) => !r.samples?.match.length).map((r) => r.id), []);
  });

  it('every rule reports its match samples and none of its nomatch samples', () => {
    assert.deepEqual(builtinRules().sampleProblems(), []);
  });

  it('every sample is a line a fixture holds verbatim, so its origin is on record', () => {
    const lines = fixtureLines();
    const orphans = rules.flatMap((r) => [...(r.samples?.match ?? []), ...(r.samples?.nomatch ?? [])].filter((l) => !lines.has(l)).map((l) => `${r.id}: ${l}`));
    assert.deepEqual(orphans, []);
  });

  it('a pack given with --rules is refused when a rule misses its own sample', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-pack-'));
    try {
      const file = path.join(dir, 'pack.json');
      const pack = { version: 1, rules: [{ id: 'x.oom', title: 'OOM', kinds: ['tpt'], anchors: ['OutOfMemoryError'], pattern: 'OutOfMemoryError: Metaspace', condition: 'java-oom', samples: { match: ['java.lang.OutOfMemoryError: Java heap space'] } }] };
      writeFileSync(file, JSON.stringify(pack));
      assert.throws(() => loadRules(file), (e: Error) => e instanceof RulePackError && e.message.includes('rule x.oom does not match its sample'));
      pack.rules[0].samples.match = ['java.lang.OutOfMemoryError: Metaspace'];
      writeFileSync(file, JSON.stringify(pack));
      assert.equal(loadRules(file).rules.length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
