import Table from 'cli-table3';
import type { Analysis } from '../correlate/analysis';
import { DOWN, type StateInterval } from '../correlate/states';
import { BORDERLESS, roleText, shortTime, trimRight, WIDE, wrap } from './format';

export interface StatesOptions {
  json: boolean;
  history: number;
  /** Columns to fit: below WIDE each node is a line with its history wrapped under it. */
  width: number;
}

/** Stretches of one state, consecutive ones joined: the node's own line and what followed it are one stay. */
function stays(intervals: readonly StateInterval[]): StateInterval[] {
  const out: StateInterval[] = [];
  for (const iv of intervals) {
    const last = out[out.length - 1];
    if (last && last.state === iv.state && last.end === iv.start) out[out.length - 1] = { ...last, end: iv.end };
    else out.push(iv);
  }
  return out;
}

/** How a stay is known, in a few words for the table: nothing for the node's own lines. */
function how(s: { state: string; source: StateInterval['source'] }): string {
  if (s.source === 'restart') return s.state === DOWN ? ', last seen; down until it started again' : ', started; no state logged yet';
  return { log: '', peer: ', told by the peer', held: ', assumed: nothing logged since' }[s.source];
}

/**
 * `smsdiag state`: each node's state now, and the states before it — each with where it is known
 * from (the node's own lines, its peer's, a start-up after silence, or assumed) and how surely.
 */
export function renderStates(analysis: Analysis, opts: StatesOptions): string {
  const rows = analysis.report.nodes.map((n) => {
    const all = stays(analysis.intervals.get(n.name) ?? []);
    const history = all.slice(-(opts.history + 1), -1).reverse().map((iv) => ({
      state: iv.state,
      from: new Date(iv.start).toISOString(),
      to: new Date(iv.end).toISOString(),
      source: iv.source,
      confidence: iv.confidence,
      ...(iv.reverted ? { reverted: true } : {}),
    }));
    const fromFile = (n.files ?? []).some((f) => f.kind === 'state' && f.records);
    const last = all[all.length - 1];
    const source = fromFile ? 'ha.state' : last ? last.source : 'none';
    return { name: n.name, role: n.role, ...(n.roleBasis ? { roleBasis: n.roleBasis } : {}), state: n.state ?? 'unknown', stateSince: n.stateSince, source, confidence: fromFile ? 'high' : (last?.confidence ?? 'low'), history };
  });
  if (opts.json) return `${JSON.stringify({ version: 1, nodes: rows }, null, 2)}\n`;
  const before = (r: (typeof rows)[number]) => r.history.map((h) => `${h.state} (${shortTime(h.from)}${how(h)})`).join(', ') || '-';
  if (opts.width < WIDE) {
    const lines = rows.flatMap((r) => [
      wrap(`${r.name} (${roleText(r)}): ${r.state} since ${shortTime(r.stateSince)} UTC, from ${r.source}`, opts.width, '    ', ''),
      wrap(`before: ${before(r)}`, opts.width, '      ', '    '),
    ]);
    return `${lines.join('\n')}\n`;
  }
  const t = new Table({ head: ['NODE', 'ROLE', 'HA STATE', 'SINCE (UTC)', 'FROM', 'BEFORE THAT'], ...BORDERLESS });
  for (const r of rows) t.push([r.name, roleText(r), r.state, shortTime(r.stateSince), r.source, before(r)]);
  return `${trimRight(t.toString())}\n`;
}
