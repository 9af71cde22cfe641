import { said } from '../knowledge/lookup';
import type { Topic } from '../knowledge/topics';
import { wrap } from './format';

/** Where the marks come from, said once under every topic. */
export const MARKS_NOTE = '[guide: …] rests on that section of the vendor\'s SMS HA troubleshooting guide; [smsdiag] is smsdiag\'s own inference or convention.';

/** A topic as plain text, wrapped at `width`: meaning, checks, steps, causes, related topics. */
export function renderTopic(topic: Topic, width = 80): string {
  const out: string[] = [`${topic.title} (${topic.id})`, '', 'What it means', wrap(topic.meaning.map(said).join(' '), width, '  ')];
  if (topic.whatToCheck.length) {
    out.push('', 'What to check');
    for (const c of topic.whatToCheck) out.push(wrap(said(c), width, '    ', '  - '));
  }
  if (topic.nextSteps.length) {
    out.push('', 'What to do');
    topic.nextSteps.forEach((s, i) => out.push(wrap(said(s), width, '     ', `  ${i + 1}. `)));
  }
  if (topic.causes.length) {
    out.push('', 'Possible causes');
    for (const c of topic.causes) out.push(wrap(`${c.id}: ${c.title}. ${said(c.why)}`, width, '    ', '  - '));
  }
  if (topic.related.length) out.push('', wrap(`See also: ${topic.related.join(', ')}`, width, '  ', ''));
  out.push('', wrap(MARKS_NOTE, width, '', ''));
  return `${out.join('\n')}\n`;
}

/** `explain --list`: conditions, then topics, each with its title and aliases. */
export function renderTopicList(topics: readonly Topic[]): string {
  const rows = (kind: Topic['kind']): string[] =>
    topics.filter((t) => t.kind === kind).map((t) => `  ${t.id.padEnd(22)}${t.title}${t.aliases.length ? `  (also: ${t.aliases.join(', ')})` : ''}`);
  return `Conditions\n${rows('condition').join('\n')}\n\nTopics\n${rows('topic').join('\n')}\n`;
}

export function renderTopicListJson(topics: readonly Topic[]): string {
  return `${JSON.stringify(topics.map((t) => ({ id: t.id, kind: t.kind, title: t.title, aliases: t.aliases })), null, 2)}\n`;
}
