import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TOPICS } from '../../src/knowledge/topics';
import { causeAdvice, findTopic, suggestTopics } from '../../src/knowledge/lookup';
import { renderTopic } from '../../src/report/topic';
import { REPO } from '../helpers/cli';
import { shingles } from '../helpers/shingles';

describe('knowledge', () => {
  const conditions = readFileSync(path.join(REPO, 'docs/spec/conditions.md'), 'utf8');

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
    const guide = new Set(readFileSync(path.join(REPO, 'test/knowledge/guide-shingles.txt'), 'utf8').split('\n').filter(Boolean));
    assert.ok(guide.size > 2000, `${guide.size} hashed runs of the guide`);
    for (const t of TOPICS) {
      const text = [t.meaning, ...t.whatToCheck, ...t.nextSteps, ...t.causes.flatMap((c) => [c.why, ...c.nextSteps])].join(' ');
      for (const [run, hash] of shingles(text)) assert.ok(!guide.has(hash), `${t.id} repeats the guide: "${run}"`);
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
