import type { AnalysisReport, Finding } from '../types';
import { severityRank } from '../types';
import { dataSpan, fit, notCheckedText, roleText, shortTime, wrap } from './format';

/** Next steps for a finding (from the knowledge base), injected so this module stays plain text. */
export type AdviceLookup = (id: string, cause?: string) => { title: string; nextSteps: string[] } | undefined;

const STEPS_PER_FINDING = 4;

function span(report: AnalysisReport): string {
  const { first, last } = dataSpan(report.nodes);
  return first && last ? `Logs cover ${shortTime(first)} to ${shortTime(last)} UTC.` : 'The logs carry no usable times.';
}

/** Most severe first, then earliest: what an engineer should read first. */
function ranked(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.first.localeCompare(b.first));
}

/** The first page an engineer reads: nodes and states, incidents, top findings with causes, what to do. */
export function renderSummary(report: AnalysisReport, advice: AdviceLookup, width = 80): string {
  const critical = report.findings.filter((f) => f.severity === 'critical').length;
  const lines: string[] = [];
  const n = report.findings.length;
  // The line to read if nothing else is read: where each node stands, then how much is wrong.
  const states = report.nodes.map((x) => `${x.name} ${x.state ?? 'state unknown'}`).join(', ') || 'no nodes';
  lines.push(wrap(`SMS HA: ${states}; ${n} finding${n === 1 ? '' : 's'}${critical ? ` (${critical} critical)` : ''}, ${report.incidents.length} incident${report.incidents.length === 1 ? '' : 's'}`, width, '  ', ''));
  const top = ranked(report.findings)[0];
  if (top) lines.push(wrap(`Most severe: ${top.id} on ${top.node}, first ${shortTime(top.first)} UTC: ${top.summary}`, width, '  ', ''));
  lines.push(span(report), '');

  lines.push('NODES');
  const w = Math.max(...report.nodes.map((x) => x.name.length), 4);
  for (const node of report.nodes) {
    const since = node.stateSince ? ` since ${shortTime(node.stateSince)} UTC` : '';
    const files = (node.files ?? []).length;
    lines.push(fit(`  ${node.name.padEnd(w)}  ${roleText(node).padEnd(9)}  ${(node.state ?? 'state unknown').padEnd(13)}${since}`, `(times read as UTC${node.utcOffset}, ${files} file${files === 1 ? '' : 's'})`, width, `${' '.repeat(w + 4)}`));
    for (const n of node.notChecked ?? []) lines.push(wrap(`not checked: ${notCheckedText(n)}`, width, `${' '.repeat(w + 4)}  `, `${' '.repeat(w + 4)}`));
  }

  if (report.incidents.length) {
    lines.push('', 'INCIDENTS');
    report.incidents.forEach((i, k) => {
      lines.push(fit(`  ${k + 1}. ${shortTime(i.start)} to ${shortTime(i.end)} UTC`, `[${i.findings.join(', ')}]`, width, '     '));
      lines.push(wrap(i.summary, width, '     '));
      if (i.meanwhile?.length) lines.push(wrap(`meanwhile: ${i.meanwhile.join('; ')}`, width, '     '));
    });
  }

  lines.push('', n ? 'FINDINGS (most severe first)' : 'FINDINGS');
  if (!n) lines.push('  None: nothing in these logs matches a known HA problem.');
  for (const f of ranked(report.findings)) {
    const cause = f.cause ? `cause ${f.cause}${f.causeConfidence ? ` (${f.causeConfidence} confidence)` : ''}` : '';
    const head = `  ${f.severity.padEnd(8)}  ${f.id} on ${f.node}, ${f.count}x, first ${shortTime(f.first)} UTC`;
    lines.push(cause ? fit(`${head},`, cause, width, '            ', ' ') : head);
    lines.push(wrap(f.summary, width, '            '));
  }

  const todo = ranked(report.findings).filter((f, i, all) => all.findIndex((g) => g.id === f.id && g.cause === f.cause) === i);
  if (todo.length) {
    lines.push('', 'WHAT TO DO');
    for (const f of todo) {
      const a = advice(f.id, f.cause);
      if (!a) continue;
      lines.push(`  ${a.title}${f.cause ? ` (${f.cause})` : ''}:`);
      a.nextSteps.slice(0, STEPS_PER_FINDING).forEach((s, i) => lines.push(wrap(s, width, '       ', `    ${i + 1}. `)));
    }
    lines.push('  For the evidence and the reasoning: smsdiag explain <condition> <same inputs>.');
  }

  if (report.warnings.length) {
    lines.push('', 'WARNINGS');
    for (const x of report.warnings) lines.push(wrap(x, width, '    ', '  - '));
  }
  return `${lines.join('\n')}\n`;
}
