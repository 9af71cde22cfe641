import { closest } from '../text/closest';
import type { Said } from './guide';
import { formatThreshold, THRESHOLD_SPECS } from './thresholds';
import { TOPICS, type CauseAdvice, type Topic } from './topics';

const INDEX = new Map<string, Topic>();
for (const t of TOPICS) for (const key of [t.id, ...t.aliases]) INDEX.set(key.toLowerCase(), t);

/** A topic by id or alias, case-insensitive. */
export function findTopic(idOrAlias: string): Topic | undefined {
  return INDEX.get(idOrAlias.trim().toLowerCase());
}

/** Advice for a concluded cause: exact id, else the family (`server:x` → `server`). */
export function causeAdvice(topic: Topic, cause: string): CauseAdvice | undefined {
  return topic.causes.find((c) => c.id === cause) ?? topic.causes.find((c) => c.id === cause.split(':')[0]);
}

/** Up to three ids or aliases close to a mistyped one. */
export function suggestTopics(input: string): string[] {
  return closest(input, INDEX.keys());
}

/**
 * A statement as the reader sees it: thresholds filled in with their value and who chose it, and
 * what it rests on — `[guide: section]` or `[smsdiag]` for smsdiag's own inference.
 */
export function said(s: Said): string {
  const text = s.text.replace(/\{threshold:([a-z-]+)\}/g, (_, name: string) => {
    const spec = THRESHOLD_SPECS.find((t) => t.name === name);
    if (!spec) throw new Error(`no threshold ${name}`);
    return `${formatThreshold(spec)} (${spec.basis === 'guide' ? "the guide's number" : "smsdiag's default"}; --threshold ${name}=…)`;
  });
  return `${text} ${s.basis === 'smsdiag' ? '[smsdiag]' : `[guide: ${s.basis}]`}`;
}

/** Title, meaning and next steps for a finding id and cause, as text, for reports that print advice. */
export function adviceFor(id: string, cause?: string): { title: string; meaning: string; nextSteps: string[] } | undefined {
  const topic = findTopic(id);
  if (!topic) return undefined;
  const specific = cause ? causeAdvice(topic, cause) : undefined;
  return { title: topic.title, meaning: topic.meaning.map(said).join(' '), nextSteps: (specific?.nextSteps.length ? specific.nextSteps : topic.nextSteps).map(said) };
}
