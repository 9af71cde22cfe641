import Table from 'cli-table3';
import type { AnalysisReport } from '../types';
import { BORDERLESS, GAP, notCheckedText, roleText, shortTime, trimRight, WIDE, wrap } from './format';

export interface TableOptions {
  /** Terminal width; tables wrap their summary column to fit. */
  width: number;
}


/**
 * Findings at any width under WIDE: `critical  db-crash on primary, first 2017-10-12 13:47:55, 1x`
 * and the summary wrapped beneath it, words never split.
 */
function findingsList(report: AnalysisReport, width: number): string {
  const lines = ['FINDINGS (UTC)'];
  for (const f of report.findings) {
    const cause = f.cause ? ` [cause: ${f.cause}${f.causeConfidence ? `, ${f.causeConfidence} confidence` : ''}]` : '';
    lines.push(wrap(`${f.id} on ${f.node}, first ${shortTime(f.first)}, ${f.count}x`, width, ' '.repeat(10), f.severity.padEnd(10)));
    lines.push(wrap(`${f.summary}${cause}`, width, ' '.repeat(10)));
  }
  return `${lines.join('\n')}\n`;
}

function findingsTable(report: AnalysisReport, width: number): string {
  if (!report.findings.length) return 'No findings: nothing in these logs matches a known HA problem.\n';
  if (width < WIDE) return findingsList(report, width);
  const nodeWidth = Math.max(4, ...report.findings.map((f) => f.node.length));
  const fixed = [8, 20, nodeWidth, 19, 19, 5];
  const summaryWidth = Math.max(30, width - fixed.reduce((a, b) => a + b, 0) - GAP * fixed.length);
  const t = new Table({
    head: ['SEVERITY', 'CONDITION', 'NODE', 'FIRST SEEN (UTC)', 'LAST SEEN (UTC)', 'COUNT', 'SUMMARY'],
    colWidths: [...fixed, summaryWidth],
    colAligns: ['left', 'left', 'left', 'left', 'left', 'right', 'left'],
    wordWrap: true,
    ...BORDERLESS,
  });
  for (const f of report.findings) {
    const cause = f.cause ? ` [cause: ${f.cause}${f.causeConfidence ? `, ${f.causeConfidence} confidence` : ''}]` : '';
    t.push([f.severity, f.id, f.node, shortTime(f.first), shortTime(f.last), String(f.count), `${f.summary}${cause}`]);
  }
  return `${trimRight(t.toString())}\n`;
}

function nodesTable(report: AnalysisReport): string {
  const t = new Table({ head: ['NODE', 'ROLE', 'HA STATE', 'SINCE (UTC)', 'UTC OFFSET', 'FILES', 'RECORDS'], ...BORDERLESS });
  for (const n of report.nodes) {
    const files = n.files ?? [];
    const records = files.reduce((a, f) => a + (f.records ?? 0), 0);
    t.push([n.name, roleText(n), n.state ?? 'unknown', shortTime(n.stateSince), n.utcOffset ?? '', String(files.length), String(records)]);
  }
  return `${trimRight(t.toString())}\n`;
}

function incidentsText(report: AnalysisReport, width: number): string {
  if (!report.incidents.length) return '';
  const lines = report.incidents.map((i) => wrap(`${shortTime(i.start)} → ${shortTime(i.end)}  ${i.summary}${i.meanwhile?.length ? `; meanwhile: ${i.meanwhile.join('; ')}` : ''}`, width, '    ', '  '));
  return `Incidents\n${lines.join('\n')}\n`;
}

function notCheckedSection(report: AnalysisReport, width: number): string {
  const lines = report.nodes.flatMap((n) => (n.notChecked ?? []).map((c) => wrap(`${n.name}: ${notCheckedText(c)}`, width, '    ', '  ')));
  return lines.length ? `Not checked\n${lines.join('\n')}\n` : '';
}

function warningsText(report: AnalysisReport, width: number): string {
  if (!report.warnings.length) return '';
  return `Warnings\n${report.warnings.map((w) => wrap(w, width, '    ', '  - ')).join('\n')}\n`;
}

/** The human report of `analyze`: findings, incidents, node states, warnings. */
export function renderTable(report: AnalysisReport, opts: TableOptions): string {
  return [findingsTable(report, opts.width), incidentsText(report, opts.width), nodesTable(report), notCheckedSection(report, opts.width), warningsText(report, opts.width)].filter(Boolean).join('\n');
}
