import { closest } from '../text/closest';
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

/** Title, meaning and next steps for a finding id and cause, for reports that print advice. */
export function adviceFor(id: string, cause?: string): { title: string; meaning: string; nextSteps: string[] } | undefined {
  const topic = findTopic(id);
  if (!topic) return undefined;
  const specific = cause ? causeAdvice(topic, cause) : undefined;
  return { title: topic.title, meaning: topic.meaning, nextSteps: specific?.nextSteps.length ? specific.nextSteps : topic.nextSteps };
}
