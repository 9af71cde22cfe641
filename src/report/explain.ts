import type { Evidence, Severity } from '../types';
import type { Topic } from '../knowledge/topics';
import { said } from '../knowledge/lookup';
import { MARKS_NOTE, renderTopic } from './topic';
import { shortTime, wrap, wrapVerbatim } from './format';

const EVIDENCE_TEXT = 160;

/** One finding of the explained condition, with its concluded cause and what to do about it. */
export interface ExplainedFinding {
  node: string;
  severity: Severity;
  first: string;
  last: string;
  count: number;
  summary: string;
  cause?: string;
  causeConfidence?: 'high' | 'medium' | 'low';
  /** Why the cause was concluded, naming the deciding lines. */
  why?: string;
  /** The other causes weighed, with what spoke for and against each. */
  considered?: Array<{ cause: string; evidence: string[]; against: string[] }>;
  evidence: Evidence[];
  nextSteps: string[];
}

export interface Explanation {
  topic: Topic;
  /** Undefined when no logs were given; empty when logs were given and hold no such finding. */
  findings?: ExplainedFinding[];
}

/** Plain-text explanation: the knowledge, then what the given logs show, cause and next steps. */
export function renderExplanation(x: Explanation, width: number): string {
  if (x.findings === undefined) return renderTopic(x.topic, width);
  if (!x.findings.length) {
    const none = wrap(`Nothing of this kind was found in the logs given. What follows is the general knowledge.`, width, '  ');
    return `In these logs\n${none}\n\n${renderTopic(x.topic, width)}`;
  }
  // With evidence, the answer comes first: what it means, then what these logs show and what to do.
  const parts = [`${x.topic.title} (${x.topic.id})\n\nWhat it means\n${wrap(x.topic.meaning.map(said).join(' '), width, '  ')}`];
  for (const f of x.findings) {
    const head = `\n${wrap(`In these logs: ${f.node}, ${f.severity}, ${f.count} time${f.count === 1 ? '' : 's'}, first ${shortTime(f.first)} UTC, last ${shortTime(f.last)} UTC`, width, '  ', '')}`;
    const lines = [head, wrap(f.summary, width, '  ')];
    if (f.cause) lines.push(`\n  Cause: ${f.cause}${f.causeConfidence ? ` (confidence: ${f.causeConfidence})` : ''}`);
    if (f.why) lines.push(wrap(f.why, width, '    '));
    if (f.considered?.length) {
      lines.push('\n  Also considered:');
      for (const c of f.considered) {
        const against = c.against.length ? `; against it: ${c.against.join('; ')}` : '';
        lines.push(wrap(`${c.cause}: ${c.evidence.join('; ')}${against}`, width, '      ', '    - '));
      }
    }
    lines.push('\n  Evidence (time UTC, node, file:line):');
    const nodeWidth = Math.max(...f.evidence.map((e) => e.node.length), 4);
    for (const e of f.evidence) {
      const text = e.text.split('\n')[0];
      const cut = text.length > EVIDENCE_TEXT ? `${text.slice(0, EVIDENCE_TEXT)}…` : text;
      lines.push(`    ${shortTime(e.time)}  ${e.node.padEnd(nodeWidth)}  ${e.file}:${e.line}\n${wrapVerbatim(cut, width, '        ', '      ')}`);
    }
    lines.push(`\n  What to do${f.cause ? ` (cause ${f.cause})` : ''}:`);
    f.nextSteps.forEach((s, i) => lines.push(wrap(s, width, '       ', `    ${i + 1}. `)));
    parts.push(lines.join('\n'));
  }
  if (x.topic.related.length) parts.push(`\n${wrap(`See also: ${x.topic.related.join(', ')} (smsdiag explain ${x.topic.id} without logs shows everything known about it)`, width, '  ', '')}`);
  parts.push(`\n${wrap(MARKS_NOTE, width, '', '')}`);
  return `${parts.join('\n')}\n`;
}
