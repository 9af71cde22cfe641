import type { AnalysisReport } from '../types';
import { roleText } from './format';

/**
 * `--verbose`: what was read and what was assumed, one line a file and a line a node, for stderr.
 * The report already holds it (files, their spans, each node's zone); this only says it plainly.
 */
export function renderVerbose(report: AnalysisReport, assumedZone: ReadonlySet<string>, incident?: number): string {
  const lines: string[] = [];
  for (const n of report.nodes) {
    const zone = `UTC${n.utcOffset ?? '+00:00'}${assumedZone.has(n.name) ? " (assumed: this machine's zone; --tz to change)" : ''}`;
    lines.push(`${n.name} (${roleText(n)}): zone-less times read as ${zone}; state ${n.state ?? 'unknown'}`);
    for (const f of n.files ?? []) {
      const span = f.first && f.last ? `${f.first} to ${f.last}` : 'no time read';
      lines.push(`  read ${f.path} as ${f.kind}: ${f.records ?? 0} record${f.records === 1 ? '' : 's'}, ${span}`);
    }
  }
  if (incident !== undefined) lines.push(`incident time: ${new Date(incident).toISOString()}`);
  return lines.map((l) => `smsdiag: ${l}\n`).join('');
}
