import Table from 'cli-table3';
import type { Analysis } from '../correlate/analysis';
import { BORDERLESS, shortTime, trimRight } from './format';

export interface StatesOptions {
  json: boolean;
  history: number;
}

/** `smsdiag state`: current state per node plus its last few transitions. */
export function renderStates(analysis: Analysis, opts: StatesOptions): string {
  const rows = analysis.report.nodes.map((n) => {
    const intervals = analysis.intervals.get(n.name) ?? [];
    const history = intervals.slice(-(opts.history + 1), -1).reverse().map((iv) => ({
      state: iv.state,
      from: new Date(iv.start).toISOString(),
      to: new Date(iv.end).toISOString(),
      ...(iv.reverted ? { reverted: true } : {}),
    }));
    const source = (n.files ?? []).some((f) => f.kind === 'state' && f.records) ? 'ha.state' : intervals.length ? 'ha.log' : 'none';
    return { name: n.name, role: n.role, state: n.state ?? 'unknown', since: n.stateSince, source, history };
  });
  if (opts.json) return `${JSON.stringify({ version: 1, nodes: rows }, null, 2)}\n`;
  const t = new Table({ head: ['NODE', 'ROLE', 'HA STATE', 'SINCE (UTC)', 'FROM', 'BEFORE THAT'], ...BORDERLESS });
  for (const r of rows) {
    const before = r.history.map((h) => `${h.state} (${shortTime(h.from)})`).join(', ') || '-';
    t.push([r.name, r.role, r.state, shortTime(r.since), r.source, before]);
  }
  return `${trimRight(t.toString())}\n`;
}
