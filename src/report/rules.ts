import Table from 'cli-table3';
import type { Condition } from '../rules/conditions';
import type { Rule } from '../rules/engine';
import { BORDERLESS, trimRight, WIDE, wrap } from './format';

/**
 * `smsdiag rules`: every line rule of the pack, then the conditions that code finds from event
 * sequences or both nodes together. `titleOf` gives a condition's title (the knowledge base's).
 */
export function renderRules(rules: readonly Rule[], conditions: readonly Condition[], titleOf: (id: string) => string, width: number): string {
  const severityOf = new Map(conditions.map((c) => [c.id, c.severity]));
  const rows = rules.map((r) => [r.id, r.severity ?? (r.condition ? severityOf.get(r.condition) ?? '-' : '-'), r.kinds.join(','), r.condition ?? `event:${r.event}`, r.title]);
  const byCode = conditions.filter((c) => c.detectedBy.some((d) => d !== 'rule'));
  const tail = '\n\nFound from event sequences and both nodes together:\n';
  if (width < WIDE) {
    const lines = rows.flatMap(([id, severity, kinds, reports, title]) => [wrap(`${id}${severity === '-' ? '' : ` (${severity})`}: ${kinds} -> ${reports}`, width, '    ', ''), wrap(title, width, '    ')]);
    const found = byCode.flatMap((c) => [`${c.id} (${c.severity})`, wrap(titleOf(c.id), width, '    ')]);
    return `RULES (id, severity, kinds of file -> what it reports)\n${lines.join('\n')}${tail}${found.join('\n')}\n`;
  }
  const t = new Table({ head: ['RULE', 'SEVERITY', 'KINDS', 'REPORTS', 'TITLE'], ...BORDERLESS });
  for (const row of rows) t.push(row);
  const found = byCode.map((c) => `  ${c.id.padEnd(22)}${c.severity.padEnd(10)}${titleOf(c.id)}`);
  return `${trimRight(t.toString())}${tail}${found.join('\n')}\n`;
}

/** The pack itself as JSON, compiled patterns left out: what --rules reads back. */
export function renderRulePack(rules: readonly Rule[]): string {
  return `${JSON.stringify({ version: 1, rules: rules.map(({ regex: _regex, ...spec }) => spec) }, null, 2)}\n`;
}
