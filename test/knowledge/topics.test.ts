import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GUIDE_PHRASES, GUIDE_SECTIONS, type Said } from '../../src/knowledge/guide';
import { TOPICS } from '../../src/knowledge/topics';
import { causeAdvice, findTopic, suggestTopics } from '../../src/knowledge/lookup';
import { renderTopic } from '../../src/report/topic';
import { FIXTURES, REPO } from '../helpers/cli';
import { readdirSync, statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { shingles } from '../helpers/shingles';

/** Every statement of the knowledge base, with where it stands. */
function statements(): Array<Said & { where: string }> {
  return TOPICS.flatMap((t) => [
    ...t.meaning.map((s) => ({ ...s, where: `${t.id} meaning` })),
    ...t.whatToCheck.map((s) => ({ ...s, where: `${t.id} what to check` })),
    ...t.nextSteps.map((s) => ({ ...s, where: `${t.id} what to do` })),
    ...t.causes.flatMap((c) => [{ ...c.why, where: `${t.id} cause ${c.id}` }, ...c.nextSteps.map((s) => ({ ...s, where: `${t.id} cause ${c.id} what to do` }))]),
  ]);
}

/** Lines of every fixture log; `real` those written by real programs (not smsdiag's ha.log convention). */
function fixtureLines(): { all: string[]; real: string[] } {
  const all: string[] = [];
  const real: string[] = [];
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir)) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) {
        if (n !== 'make') walk(p);
        continue;
      }
      if (/\.expected\.|\.json$|\.md$/.test(n)) continue;
      const raw = readFileSync(p);
      const lines = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }) : raw).toString('utf8').split('\n');
      all.push(...lines);
      if (/^(?:mysqld\.err|tpt_sms\.txt)|\.err$|\.txt$/.test(n) || p.includes(`${path.sep}real${path.sep}`)) real.push(...lines);
    }
  };
  walk(FIXTURES);
  return { all, real };
}

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

  it('has advice for every cause smsdiag can conclude', () => {
    const causes: Record<string, string[]> = {
      'ha-failed': ['peer-requested', 'improper-shutdown', 'local-health-check:database', 'local-health-check:jboss', 'local-health-check:interface', 'local-health-check:heartbeat', 'operator', 'unknown'],
      'passive-takeover': ['network', 'server:database', 'server:jboss', 'server:oom', 'server:resources', 'server:load', 'node-down', 'operator', 'unknown'],
      'takeover-averted': ['network', 'server:database', 'server:jboss', 'server:oom', 'server:resources', 'server:load', 'node-down', 'operator', 'unknown'],
      'replication-broken': ['maintenance-under-ha', 'server:resources', 'source-down', 'data-conflict', 'network', 'unknown'],
      'db-crash': ['server:resources', 'unknown'],
      'ha-degraded': ['version-mismatch', 'server:oom', 'server:database', 'exceptions', 'unknown'],
      'split-brain': ['heartbeat-path', 'unknown'],
    };
    for (const [id, list] of Object.entries(causes)) {
      for (const cause of list) {
        const advice = causeAdvice(findTopic(id)!, cause);
        assert.ok(advice && advice.nextSteps.length && advice.id === cause, `${id} ${cause}`);
      }
    }
  });

  it('every statement rests on a section of the guide or is marked as smsdiag\'s own', () => {
    for (const s of statements()) assert.ok(s.basis === 'smsdiag' || s.basis in GUIDE_SECTIONS, `${s.where}: ${s.text}`);
    assert.ok(statements().filter((s) => s.basis !== 'smsdiag').length > 60);
  });

  it('every phrase it tells people to look for is in a fixture, and is the guide\'s or marked as smsdiag\'s convention', () => {
    const lines = fixtureLines();
    const problems: string[] = [];
    for (const s of statements()) {
      const grepped = [...s.text.matchAll(/grep "([^"]+)"/g)].map((m) => m[1]);
      // Quoted phrases in what to check are lines to look for; elsewhere quotes hold example values.
      const quoted = s.where.endsWith('what to check') ? [...s.text.matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [];
      for (const phrase of new Set([...grepped, ...quoted])) {
        if (/^[a-z ]+$/.test(phrase) && !grepped.includes(phrase) && !lines.all.some((l) => l.includes(phrase))) continue; // a quoted word of prose, not a log phrase
        const real = lines.real.some((l) => l.includes(phrase));
        const anywhere = real || lines.all.some((l) => l.includes(phrase));
        if (!anywhere) problems.push(`${s.where}: "${phrase}" occurs in no fixture`);
        else if (s.basis !== 'smsdiag' && !GUIDE_PHRASES.includes(phrase)) problems.push(`${s.where}: "${phrase}" is not one of the guide's phrases, in a statement citing the guide`);
        else if (s.basis === 'smsdiag' && !real && !GUIDE_PHRASES.includes(phrase) && !/convention/.test(s.text)) problems.push(`${s.where}: "${phrase}" is smsdiag's convention but not said to be`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('tells shell commands as service-mode commands, and greps the live ha.log too', () => {
    for (const s of statements()) {
      if (/\b(?:grep|cat) /.test(s.text)) assert.match(s.text, /service mode/, `${s.where}: ${s.text}`);
      assert.ok(!/ha\.log\.\*(?! leaves| would)/.test(s.text) || /guide's glob/.test(s.text), `${s.where} uses ha.log.*, which skips the live ha.log: ${s.text}`);
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
      const text = [...t.meaning, ...t.whatToCheck, ...t.nextSteps, ...t.causes.flatMap((c) => [c.why, ...c.nextSteps])].map((s) => s.text).join(' ');
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
