import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TOPICS } from '../../src/knowledge/topics';
import { causeAdvice, findTopic, suggestTopics } from '../../src/knowledge/lookup';
import { renderTopic } from '../../src/knowledge/render';
import { REPO } from '../helpers/cli';

const SHARED = path.resolve(REPO, '../shared');

function spec(file: string): string {
  const p = path.join(SHARED, file);
  assert.ok(existsSync(p), `${p} is missing: the tests expect ../shared beside the repository`);
  return readFileSync(p, 'utf8');
}

describe('knowledge', () => {
  const conditions = spec('spec/conditions.md');

  it('has an entry for every condition id and explain topic of conditions.md', () => {
    const ids = [...conditions.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    assert.ok(ids.length >= 15, `parsed ${ids.length} condition ids`);
    const topicLine = conditions.split('\n').filter((l) => l.startsWith('`upgrade`') || /^\(both nodes|^private then/.test(l)).join(' ');
    const topics = [...conditions.slice(conditions.indexOf('## explain topics')).matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]).filter((t) => !t.includes('explain'));
    assert.ok(topics.includes('power-off') && topics.includes('upgrade'), `topics parsed: ${topics.join(',')} ${topicLine.length}`);
    for (const id of [...ids, ...topics]) assert.ok(findTopic(id), `no knowledge for ${id}`);
  });

  it('has advice for every cause conditions.md names', () => {
    const causes: Array<[string, string]> = [
      ['ha-failed', 'improper-shutdown'], ['ha-failed', 'peer-requested'], ['ha-failed', 'unknown'],
      ...['database', 'jboss', 'interface', 'heartbeat'].map((c): [string, string] => ['ha-failed', `local-health-check:${c}`]),
      ['passive-takeover', 'network'], ...['database', 'jboss', 'oom', 'overload'].map((c): [string, string] => ['passive-takeover', `server:${c}`]),
      ['split-brain', 'heartbeat-path'],
    ];
    for (const [id, cause] of causes) {
      const advice = causeAdvice(findTopic(id)!, cause);
      assert.ok(advice && advice.nextSteps.length, `${id} ${cause}`);
    }
  });

  it('aliases never collide with ids or each other, and lookup ignores case', () => {
    const keys = TOPICS.flatMap((t) => [t.id, ...t.aliases]);
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(findTopic(' FAILED ')?.id, 'ha-failed');
    assert.equal(findTopic('active-active')?.id, 'split-brain');
    assert.deepEqual(suggestTopics('takover'), ['takeover']);
    assert.deepEqual(suggestTopics('zzzzzzzz'), []);
  });

  it('related topics exist', () => {
    for (const t of TOPICS) for (const r of t.related) assert.ok(findTopic(r), `${t.id} → ${r}`);
  });

  it('is in the project\'s own words: no run of 8 words from the vendor guide', () => {
    // Commands and paths are facts to copy exactly, not prose: they are left out of the comparison.
    const words = (s: string): string[] => s.replace(/\S*[/@]\S*/g, ' ').toLowerCase().split(/[^a-z]+/).filter(Boolean);
    const guide = words(spec('seeds/sms-ha-troubleshooting-guide.txt'));
    const shingles = new Set<string>();
    for (let i = 0; i + 8 <= guide.length; i++) shingles.add(guide.slice(i, i + 8).join(' '));
    for (const t of TOPICS) {
      const text = [t.meaning, ...t.whatToCheck, ...t.nextSteps, ...t.causes.flatMap((c) => [c.why, ...c.nextSteps])].join(' ');
      const w = words(text);
      for (let i = 0; i + 8 <= w.length; i++) assert.ok(!shingles.has(w.slice(i, i + 8).join(' ')), `${t.id} repeats the guide: "${w.slice(i, i + 8).join(' ')}"`);
    }
  });

  it('renders wrapped at the width asked, the same every time', () => {
    for (const t of TOPICS) {
      const text = renderTopic(t, 60);
      for (const line of text.split('\n')) {
        const oneWord = !/\S\s+\S/.test(line.trim().replace(/^(?:- |\d+\. )/, ''));
        assert.ok(line.length <= 60 || oneWord, `${t.id}: "${line}"`);
      }
      assert.equal(renderTopic(t, 60), text);
    }
  });
});
