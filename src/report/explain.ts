import type { Explanation } from '../explain';
import { renderTopic } from '../knowledge/render';
import { shortTime } from './format';

const EVIDENCE_TEXT = 160;

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent.length + line.length + 1 + w.length > width) {
      lines.push(indent + line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

/** Plain-text explanation: the knowledge, then what the given logs show, cause and next steps. */
export function renderExplanation(x: Explanation, width: number): string {
  const parts = [renderTopic(x.topic, width).trimEnd()];
  if (x.findings === undefined) return `${parts.join('\n')}\n`;
  if (!x.findings.length) {
    parts.push(`\nIn these logs\n${wrap(`Nothing of this kind was found in the logs given (${x.topic.id}).`, width, '  ')}`);
    return `${parts.join('\n')}\n`;
  }
  for (const f of x.findings) {
    const head = `\nIn these logs: ${f.node}, ${f.severity}, ${f.count} time${f.count === 1 ? '' : 's'}, first ${shortTime(f.first)} UTC, last ${shortTime(f.last)} UTC`;
    const lines = [head, wrap(f.summary, width, '  ')];
    if (f.cause) lines.push(`\n  Cause: ${f.cause}`);
    if (f.why) lines.push(wrap(f.why, width, '    '));
    lines.push('\n  Evidence (time UTC, node, file:line):');
    const nodeWidth = Math.max(...f.evidence.map((e) => e.node.length), 4);
    for (const e of f.evidence) {
      const text = e.text.split('\n')[0];
      const cut = text.length > EVIDENCE_TEXT ? `${text.slice(0, EVIDENCE_TEXT)}…` : text;
      lines.push(`    ${shortTime(e.time)}  ${e.node.padEnd(nodeWidth)}  ${e.file}:${e.line}\n      ${cut}`);
    }
    lines.push(`\n  What to do${f.cause ? ` (cause ${f.cause})` : ''}:`);
    f.nextSteps.forEach((s, i) => lines.push(wrap(`${i + 1}. ${s}`, width, '    ')));
    parts.push(lines.join('\n'));
  }
  return `${parts.join('\n')}\n`;
}
