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

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** Up to three ids or aliases close to a mistyped one. */
export function suggestTopics(input: string): string[] {
  const q = input.trim().toLowerCase();
  return [...INDEX.keys()]
    .map((k) => ({ k, d: k.startsWith(q) && q.length >= 3 ? 0 : distance(q, k) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1))
    .slice(0, 3)
    .map((x) => x.k);
}
