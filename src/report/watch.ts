import type { Finding } from '../types';

/** What a triggered collection left: its bundle (complete or not), and what it could not collect. */
export interface BundleOutcome {
  bundle?: string;
  sha256File?: string;
  complete: boolean;
  problems: string[];
}

export type WatchEvent =
  /** A finding new since the watch started, or back after a quiet spell (`again`). */
  | {
      type: 'finding';
      time: string;
      again: boolean;
      finding: Finding;
      /** A finding about both nodes drawn while a node's logs could not be read since `since`. */
      unread?: Array<{ node: string; since: string }>;
    }
  /** A collection started by a finding: its outcome, or why it wrote nothing. */
  | { type: 'bundle'; time: string; trigger: { id: string; node: string; time: string }; outcome?: BundleOutcome; error?: string }
  /** Something the user should know that is not a finding: a file rotated, the peer lost. */
  | { type: 'notice'; node?: string; message: string };

/**
 * How `watch` says what happens: findings and bundles on stdout (a line each, text or ndjson),
 * notices on stderr, so a script reading stdout sees only what it acts on.
 */
export function watchLine(e: WatchEvent, format: 'text' | 'ndjson'): { out?: string; err?: string } {
  if (e.type === 'notice') return { err: `smsdiag watch: ${e.node ? `${e.node}: ` : ''}${e.message}\n` };
  if (format === 'ndjson') {
    if (e.type === 'finding') return { out: `${JSON.stringify({ type: 'finding', time: e.time, ...(e.again ? { again: true } : {}), ...(e.unread ? { unread: e.unread } : {}), ...e.finding })}\n` };
    const o = e.outcome ?? { complete: false, problems: [] };
    return { out: `${JSON.stringify({ type: 'bundle', time: e.time, trigger: e.trigger, ...o, ...(e.error ? { error: e.error } : {}) })}\n` };
  }
  if (e.type === 'finding') {
    const f = e.finding;
    const cause = f.cause ? ` (cause: ${f.cause})` : '';
    const unread = (e.unread ?? []).map((u) => ` (${u.node}'s logs unread since ${u.since}: its side may differ)`).join('');
    return { out: `${e.time}  ${f.severity}  ${f.node}  ${f.id}${e.again ? ', again' : ''}: ${f.summary}${cause}${unread}\n` };
  }
  const what = `for ${e.trigger.id} on ${e.trigger.node} at ${e.trigger.time}`;
  const o = e.outcome;
  if (o?.bundle) return { out: `${e.time}  bundle  ${o.bundle} (${what}${o.complete ? '' : `; incomplete: ${o.problems.join('; ')}`})\n` };
  return { out: `${e.time}  bundle  none written ${what}: ${e.error ?? (o?.problems.length ? o.problems.join('; ') : 'no node could be reached')}\n` };
}
