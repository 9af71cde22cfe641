import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A fixture node's current files cut at a time of day: the lines before (what a watch finds when
 * it starts) and the lines from then on (what it sees being written). Lines without a time stay
 * with the line before them.
 */
export function splitAt(dir: string, hhmmss: string): Map<string, { before: string; after: string }> {
  const out = new Map<string, { before: string; after: string }>();
  for (const name of ['ha.log', 'sms-info.log', 'mysqld.err']) {
    let text: string;
    try {
      text = readFileSync(path.join(dir, name), 'utf8');
    } catch {
      continue;
    }
    const lines = text.split(/(?<=\n)/);
    const at = lines.findIndex((l) => (/\b(\d{2}:\d{2}:\d{2})\b/.exec(l)?.[1] ?? '') >= hhmmss);
    const cut = at < 0 ? lines.length : at;
    out.set(name, { before: lines.slice(0, cut).join(''), after: lines.slice(cut).join('') });
  }
  return out;
}
